// The office a principal acts for, as the services decide it for the pages: an administrator may name any office and
// is offered them all; an officer is offered their own only, and naming another office reads as "not found" (its
// existence does not leak), whatever the page sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCohorts, selectionChoices } from '../../services/cohort-overview.js';
import type { Principal } from '../../services/principal.js';
import { officesToActFor } from '../../services/registry-businesses.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seededOffices } from '../security/support.js';

describe('the office a principal acts for', () => {
  let database: TestDatabase;
  let kalsel: string;
  let kaltim: string;
  const admin: Principal = { userId: null, role: 'admin', officeId: null, businessId: null };
  const officer = (): Principal => ({ userId: null, role: 'officer', officeId: kalsel, businessId: null });

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ kalsel, kaltim } = await seededOffices(database.db));
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('offers an administrator every office, an officer their own, a business none', async () => {
    expect((await officesToActFor(database.db, admin)).map((o) => o.id).sort()).toEqual([kalsel, kaltim].sort());
    expect(await officesToActFor(database.db, officer())).toEqual([
      { id: kalsel, name: 'Dinas Perindustrian Provinsi Kalimantan Selatan' },
    ]);
    const business: Principal = { userId: null, role: 'business', officeId: null, businessId: null };
    expect(await officesToActFor(database.db, business)).toEqual([]);
  });

  it("gives an administrator the named office's regencies and sentra", async () => {
    const choices = await selectionChoices(database.db, admin, kaltim);
    expect(choices.regions.map((r) => r.code)).toContain('6472');
    expect(choices.regions.every((r) => r.code.startsWith('64'))).toBe(true);
    expect(choices.sentra).toEqual([]);
    expect((await selectionChoices(database.db, admin, kalsel)).sentra.length).toBeGreaterThan(0);
  });

  it('answers an officer who names another office as not found, and the own office as usual', async () => {
    await expect(selectionChoices(database.db, officer(), kaltim)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(listCohorts(database.db, officer(), kaltim)).rejects.toMatchObject({ kind: 'not-found' });
    expect((await selectionChoices(database.db, officer(), kalsel)).regions.map((r) => r.code)).toContain('6371');
    expect(await listCohorts(database.db, officer())).toEqual([]);
  });

  it('asks an administrator to name an office, and refuses one that does not exist', async () => {
    await expect(listCohorts(database.db, admin)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(selectionChoices(database.db, admin, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      kind: 'not-found',
    });
  });
});
