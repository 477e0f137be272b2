// The S3 adapter against a real S3-compatible server on loopback (s3rver: an S3 API in Node, files in a temporary
// folder), and an upload and download through the API with it as the document store.
import { eq } from 'drizzle-orm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { documents, enrolments } from '../../db/schema.js';
import { s3Store } from '../../services/documents/s3-store.js';
import { sweepOrphans, type DocumentStore } from '../../services/documents/store.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { caseworkTemplate, failingMidWrite, multipart, samplePdf, storedKeys } from './support.js';

describe('S3 document store', () => {
  let server: S3rver;
  let store: DocumentStore;
  let database: TestDatabase;
  let app: App;

  beforeAll(async () => {
    server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      directory: mkdtempSync(join(tmpdir(), 's3rver-')),
      silent: true,
      configureBuckets: [{ name: 'pendamping-dokumen', configs: [] }],
    });
    const { port } = await server.run();
    store = s3Store({
      bucket: 'pendamping-dokumen',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      // s3rver's fixed development credentials.
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      prefix: 'uji/',
    });
    database = await createTestDatabase();
    app = await buildTestApp({ database, temporal: null as never, documentStore: store });
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
    await server.close();
  });

  it('puts, gets, lists under its prefix and deletes objects', async () => {
    const data = Buffer.from('isi dokumen');
    await store.put('a/1', Readable.from([data]), data.length);
    expect(await text(await store.get('a/1'))).toBe('isi dokumen');
    expect(await storedKeys(store)).toContain('a/1');
    await store.delete('a/1');
    await expect(store.get('a/1')).rejects.toThrow();
    expect(await storedKeys(store)).not.toContain('a/1');
    // Deleting what is not there is not an error: a sweep and a failed upload may both try.
    await store.delete('a/1');
  });

  it('stores nothing when the body fails half-way through', async () => {
    const data = Buffer.alloc(64 * 1024, 0x41);
    await expect(failingMidWrite(store).put('b/1', Readable.from([data]), data.length)).rejects.toThrow();
    expect(await storedKeys(store)).not.toContain('b/1');
  });

  it('sweeps objects no row names once they are older than the grace period', async () => {
    const data = Buffer.from('yatim');
    await store.put('c/orphan', Readable.from([data]), data.length);
    await store.put('c/kept', Readable.from([data]), data.length);
    const known = async (keys: string[]) => new Set(keys.filter((k) => k === 'c/kept'));
    expect(await sweepOrphans(store, known)).toEqual([]);
    const removed = await sweepOrphans(store, known, { now: Date.now() + 2 * 3600_000 });
    expect(removed).toContain('c/orphan');
    expect(await storedKeys(store)).toContain('c/kept');
    expect(await storedKeys(store)).not.toContain('c/orphan');
  });

  it('serves an upload and its download through the API', async () => {
    const officeId = (await kalselOffice(database.db)).id;
    const business = await createBusiness(database.db, officeId);
    const enrolment = await createActiveEnrolment(database.db, caseworkTemplate('uji-s3'), business.id, officeId);
    await database.db.update(enrolments).set({ currentStep: 'documents' }).where(eq(enrolments.id, enrolment.id));
    const auth = {
      authorization: `Bearer ${await createToken(database.db, (await createUser(database.db, 'business', officeId, business.id)).id)}`,
    };
    const pdf = samplePdf();
    const body = multipart('manual.pdf', pdf);
    const up = await app.inject({
      method: 'POST',
      url: `/api/v1/enrolments/${enrolment.id}/steps/documents/documents/manual_sjph`,
      headers: { ...auth, ...body.headers },
      payload: body.payload,
    });
    expect(up.statusCode).toBe(201);
    const [row] = await database.db.select().from(documents).where(eq(documents.id, up.json().id));
    expect(await storedKeys(store)).toContain(row!.storageKey);
    const down = await app.inject({ method: 'GET', url: `/api/v1/documents/${row!.id}`, headers: auth });
    expect(down.statusCode).toBe(200);
    expect(down.rawPayload.equals(pdf)).toBe(true);
  });
});
