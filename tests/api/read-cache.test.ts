// The API's read cache against a real Postgres and the real API: an answer it keeps changes as soon as what it shows
// changes, whoever changed it (the worker writing the projection, SQL, this API), and the cache never answers someone
// the service would not (another office's officer gets 404). Writes here go straight to the rows, as the workflow's
// activities write them, or through the API.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { businesses, enrolments, offices, stepInstances } from '../../db/schema.js';
import type { ReadCache } from '../../infra/read-cache.js';
import { caseworkTemplate } from '../casework/support.js';
import { buildTestApp, testAdminToken } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createToken, createUser } from '../helpers/fixtures.js';
import { renameAtHeldBarrier } from '../helpers/read-cache.js';
import { waitFor } from '../helpers/wait.js';

describe('read cache', () => {
  let database: TestDatabase;
  let app: App;
  let cache: ReadCache;
  let kalselId: string;
  let enrolmentId: string;
  let businessId: string;
  const as: Record<'officer' | 'kaltimOfficer' | 'business' | 'otherBusiness', { authorization: string }> = {} as never;
  const admin = { authorization: `Bearer ${testAdminToken}` };

  const get = (url: string, headers: { authorization: string }) => app.inject({ method: 'GET', url, headers });
  const detail = async (headers = as.officer) => {
    const res = await get(`/api/v1/enrolments/${enrolmentId}`, headers);
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const businessNames = async () =>
    (await get('/api/v1/businesses?limit=100', as.officer)).json().items.map((b: { name: string }) => b.name);

  beforeAll(async () => {
    database = await createTestDatabase();
    // These reads never reach Temporal (no ?live=true).
    app = await buildTestApp({ database, temporal: null as never, taskQueue: 'read-cache-test', readCacheMb: 8 });
    cache = app.readCache!;
    const db = database.db;
    const [kalsel] = await db.select().from(offices).where(eq(offices.regionCode, '63'));
    const [kaltim] = await db.select().from(offices).where(eq(offices.regionCode, '64'));
    kalselId = kalsel!.id;
    const business = await createBusiness(db, kalselId, { name: 'UD Amplang Kuin' });
    const other = await createBusiness(db, kalselId, { name: 'CV Dodol Kandangan' });
    businessId = business.id;
    enrolmentId = (await createActiveEnrolment(db, caseworkTemplate('uji-cache-baca'), business.id, kalselId)).id;
    const bearer = async (role: 'officer' | 'business', officeId: string | null, ofBusiness: string | null = null) => ({
      authorization: `Bearer ${await createToken(db, (await createUser(db, role, officeId, ofBusiness)).id)}`,
    });
    as.officer = await bearer('officer', kalselId);
    as.kaltimOfficer = await bearer('officer', kaltim!.id);
    as.business = await bearer('business', null, business.id);
    as.otherBusiness = await bearer('business', null, other.id);
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  beforeEach(async () => {
    // Every test starts from a cache that listens (one test kills its connection) and holds the detail.
    await waitFor(() => cache.listening, { what: 'the cache to listen' });
    await detail();
  });

  it('serves a repeated read from the cache, and only to callers who may see it', async () => {
    const first = await get(`/api/v1/enrolments/${enrolmentId}`, as.officer);
    const before = cache.stats().entries;
    const again = await get(`/api/v1/enrolments/${enrolmentId}`, as.officer);
    expect(again.body).toBe(first.body);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(cache.stats().entries).toBe(before);
    // The hit is still the service's scope: another office's officer and another business get 404.
    expect((await get(`/api/v1/enrolments/${enrolmentId}`, as.kaltimOfficer)).statusCode).toBe(404);
    expect((await get(`/api/v1/enrolments/${enrolmentId}`, as.otherBusiness)).statusCode).toBe(404);
    expect((await get(`/api/v1/enrolments/${enrolmentId}`, as.business)).body).toBe(first.body);
    expect((await get(`/api/v1/enrolments/${enrolmentId}`, admin)).body).toBe(first.body);
    // Lists are kept per scope: the other office sees none of Kalsel's enrolments from a Kalsel answer.
    expect((await get('/api/v1/enrolments?limit=10', as.officer)).json().items).toHaveLength(1);
    expect((await get('/api/v1/enrolments?limit=10', as.kaltimOfficer)).json().items).toHaveLength(0);
    expect((await get('/api/v1/enrolments?limit=10', as.officer)).json().items).toHaveLength(1);
  });

  it('shows a step the worker wrote to the projection at the next read', async () => {
    expect((await detail()).steps).toEqual([]);
    // What the workflow's activity does when a step opens: a row in step_instances, the enrolment's current step.
    await database.db.transaction(async (tx) => {
      await tx.insert(stepInstances).values({
        enrolmentId,
        stepKey: 'documents',
        status: 'open',
        openedAt: new Date(),
        dueAt: new Date(Date.now() + 86_400_000),
      });
      await tx.update(enrolments).set({ currentStep: 'documents' }).where(eq(enrolments.id, enrolmentId));
    });
    const seen = await waitFor(
      async () => {
        const d = await detail();
        return d.steps.length === 1 && d.currentStep === 'documents' && d;
      },
      { what: 'the new step in the cached detail' },
    );
    expect(seen.steps[0]).toMatchObject({ stepKey: 'documents', status: 'open', overdue: false });
    const list = await waitFor(
      async () => {
        const [item] = (await get('/api/v1/enrolments?limit=10', as.officer)).json().items;
        return item?.currentStep === 'documents' && item;
      },
      { what: 'the new step in the cached list' },
    );
    expect(list.currentDueAt).toBe(seen.steps[0].dueAt);
  });

  it('turns a step overdue when its due instant passes, with nothing written', async () => {
    const dueAt = new Date(Date.now() + 300);
    await database.db
      .update(stepInstances)
      .set({ dueAt })
      .where(and(eq(stepInstances.enrolmentId, enrolmentId), eq(stepInstances.stepKey, 'documents')));
    await waitFor(async () => (await detail()).steps[0]?.dueAt === dueAt.toISOString(), {
      what: 'the new due date',
    });
    const overdue = await waitFor(async () => (await detail()).steps[0]?.overdue === true, {
      what: 'the step to be overdue',
    });
    expect(overdue).toBe(true);
  });

  it('lets the writer read its own write through the API at once (the barrier)', async () => {
    expect(await businessNames()).toContain('UD Amplang Kuin');
    await detail();
    // The change's notification is slow to arrive: the write's answer waits for it.
    const patched = await renameAtHeldBarrier(
      app,
      cache,
      { businessId, name: 'UD Amplang Kuin Baru', headers: as.officer },
      async (held) => {
        expect(held.some((p) => p.includes(`b:${businessId}`))).toBe(true);
      },
    );
    expect(patched.statusCode).toBe(200);
    // No waiting: the answer to the PATCH came after its invalidation reached this cache.
    expect(await businessNames()).toContain('UD Amplang Kuin Baru');
    expect((await detail()).businessName).toBe('UD Amplang Kuin Baru');
  });

  it('drops the registry lists of the office when a business changes behind the API', async () => {
    await businessNames();
    await database.db.update(businesses).set({ name: 'UD Amplang Kuin Lama' }).where(eq(businesses.id, businessId));
    await waitFor(async () => (await businessNames()).includes('UD Amplang Kuin Lama'), {
      what: 'the renamed business in the cached list',
    });
  });

  it('does not store an answer whose query raced a change', async () => {
    await database.db.update(enrolments).set({ round: 1 }).where(eq(enrolments.id, enrolmentId));
    await cache.barrier();
    const url = `/api/v1/enrolments/${enrolmentId}?live=false`;
    // Between this read's query and its store, the row changes and the change reaches the cache.
    cache.beforeStore = async () => {
      await database.db.update(enrolments).set({ round: 2 }).where(eq(enrolments.id, enrolmentId));
      await cache.barrier();
    };
    const raced = await get(url, as.officer);
    expect(raced.json().round).toBe(1);
    expect(cache.beforeStore).toBeNull();
    // Stored, this stale answer would come back now; the next read is a miss that reads the new row.
    expect((await get(url, as.officer)).json().round).toBe(2);
  });

  it('stays correct when its LISTEN connection is killed, and caches again once it listens again', async () => {
    await businessNames();
    const [killed] = await database.sql<{ killed: boolean }[]>`
      select pg_terminate_backend(pid) as killed from pg_stat_activity
      where datname = current_database() and application_name = 'pendamping-listener'`;
    expect(killed?.killed).toBe(true);
    await waitFor(() => !cache.listening, { what: 'the cache to notice the dropped connection' });
    // Nothing announces this change: the cache must not answer from before it.
    await database.db.update(businesses).set({ name: 'UD Amplang Kuin Sepi' }).where(eq(businesses.id, businessId));
    expect(await businessNames()).toContain('UD Amplang Kuin Sepi');
    await waitFor(() => cache.listening, { what: 'the cache to listen again' });
    await businessNames();
    expect(cache.stats().entries).toBeGreaterThan(0);
    await database.db.update(businesses).set({ name: 'UD Amplang Kuin Ramai' }).where(eq(businesses.id, businessId));
    await waitFor(async () => (await businessNames()).includes('UD Amplang Kuin Ramai'), {
      what: 'the renamed business after the cache listens again',
    });
  });

  it('keeps neither time-dependent nor per-person lists', async () => {
    const entries = cache.stats().entries;
    await get('/api/v1/enrolments?overdue=true', as.officer);
    await get('/api/v1/enrolments?assignee=me', as.officer);
    await get(`/api/v1/enrolments/${enrolmentId}?live=true`, as.officer);
    expect(cache.stats().entries).toBe(entries);
  });

  it('keeps what is written by two writers at once consistent for the next read', async () => {
    // Two officers' writes and a worker's at once; after all three, every read shows the last state of each.
    await Promise.all([
      app.inject({
        method: 'PATCH',
        url: `/api/v1/businesses/${businessId}`,
        headers: as.officer,
        payload: { name: 'UD Amplang Kuin Serentak' },
      }),
      database.db.update(enrolments).set({ round: 3 }).where(eq(enrolments.id, enrolmentId)),
      detail(),
      businessNames(),
    ]);
    await cache.barrier();
    expect(await businessNames()).toContain('UD Amplang Kuin Serentak');
    expect(await detail()).toMatchObject({ round: 3, businessName: 'UD Amplang Kuin Serentak' });
  });

  it('drops the lists when businesses arrive or change in a batch, as the CSV import writes them', async () => {
    await businessNames();
    const rows = Array.from({ length: 150 }, (_, i) => ({
      officeId: kalselId,
      name: `IKM Impor ${String(i).padStart(3, '0')}`,
      ownerName: 'Hj. Rusmini',
      nib: `77${String(i).padStart(11, '0')}`,
      kbli: '10792',
      regionCode: '6371',
    }));
    await database.db.insert(businesses).values(rows);
    await waitFor(async () => (await businessNames()).includes('IKM Impor 000'), { what: 'the imported rows' });
    await detail();
    await database.db.execute(
      sql`update businesses set name = replace(name, 'Impor', 'Impor ulang') where nib like '77%'`,
    );
    await waitFor(() => cache.stats().entries === 0, { what: 'the cache to be emptied by the large change' });
    expect(await businessNames()).toContain('IKM Impor ulang 000');
  });

  it('is dropped whole when a programme changes (its name is in every answer)', async () => {
    await detail();
    expect(cache.stats().entries).toBeGreaterThan(0);
    await database.db.execute(sql`update programmes set name_en = name_en || ' (renamed)'`);
    await waitFor(() => cache.stats().entries === 0, { what: 'the cache to be emptied' });
    expect((await detail()).programmeName.en).toMatch(/\(renamed\)$/);
  });

  it('answers the live state with 503 when the API has no Temporal client, and the projection still with 200', async () => {
    const live = await get(`/api/v1/enrolments/${enrolmentId}?live=true`, as.officer);
    expect(live.statusCode).toBe(503);
    expect(live.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(live.json()).toMatchObject({ status: 503, detail: expect.stringMatching(/Temporal/) });
    expect((await detail()).live).toBeNull();
  });
});
