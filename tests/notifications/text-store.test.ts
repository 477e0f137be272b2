// The texts' short-lived cache shares one read among the callers that find it stale together, but a transaction must
// never wait for a read queued for a pool connection: with every connection held by such transactions, none would
// ever be free (the intake's waitlist path records its notice inside its transaction; under load this hung).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../db/client.js';
import { notificationTexts } from '../../db/schema.js';
import { forgetTexts, textsOf } from '../../services/notifications/text-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

describe('notification texts cache', () => {
  let database: TestDatabase;
  let onePool: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    onePool = connectDatabase(database.url, { max: 1 });
    await database.db.insert(notificationTexts).values({
      kind: 'waitlisted',
      language: 'id',
      title: 'Antre: {businessName}',
      body: 'Posisi {waitlistPosition}',
    });
  });
  afterAll(async () => {
    await onePool.close();
    await database.drop();
  });

  it('lets a transaction read the texts on its own connection while a shared read waits for the pool', async () => {
    forgetTexts();
    const { pooled, inTransaction } = await onePool.db.transaction(async (tx) => {
      // The pool's only connection is this transaction's: this read is queued until the transaction ends.
      const pooled = textsOf(onePool.db, 'waitlisted');
      const inTransaction = await textsOf(tx, 'waitlisted');
      return { pooled, inTransaction };
    });
    expect(inTransaction.id.title).toBe('Antre: {businessName}');
    expect(inTransaction.custom).toEqual({ id: true, en: false });
    expect((await pooled).id.title).toBe('Antre: {businessName}');
  });
});
