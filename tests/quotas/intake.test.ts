import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolments, outbox, programmeVersions, quotas } from '../../db/schema.js';
import { halalSelfDeclare } from '../../domain/templates/index.js';
import { withdrawWaitlisted } from '../../services/enrolment-intake.js';
import { rowCounts } from '../helpers/db.js';
import { createRegistryContext, type RegistryContext } from '../registry/context.js';
import { insertBusinesses, officerHeaders } from './support.js';

const programmeKey = halalSelfDeclare.key;

describe('quotas: places per programme year, raised and lowered by managers', () => {
  let c: RegistryContext;
  beforeAll(async () => {
    c = await createRegistryContext();
  });
  afterAll(() => c.close());

  const createQuota = (payload: object, headers = c.as.manager) =>
    c.app.inject({ method: 'POST', url: '/api/v1/quotas', headers, payload });

  it('lets a manager set places for the office and for one of its regions, and shows them used and free', async () => {
    const res = await createQuota({ programmeKey, year: 2026, placesLimit: 40, dailyCapPerAssistant: 10 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      officeId: c.kalselId,
      regionCode: null,
      placesLimit: 40,
      placesUsed: 0,
      placesFree: 40,
      waitlisted: 0,
      dailyCapPerAssistant: 10,
      pooled: false,
    });
    const regional = await createQuota({
      programmeKey,
      year: 2026,
      regionCode: '6371',
      placesLimit: 5,
      poolingDate: '2026-10-01',
    });
    expect(regional.json()).toMatchObject({ regionCode: '6371', poolingDate: '2026-10-01' });
    const list = await c.app.inject({
      url: `/api/v1/quotas?programmeKey=${programmeKey}&year=2026`,
      headers: c.as.officer,
    });
    expect(list.json().items).toHaveLength(2);
  });

  it.each([
    [{ programmeKey, year: 2026, placesLimit: -1 }, 'body.placesLimit'],
    [{ programmeKey: 'no-such-programme', year: 2026, placesLimit: 1 }, 'body.programmeKey'],
    [{ programmeKey, year: 2027, regionCode: '6472', placesLimit: 1 }, 'body.regionCode'],
    [{ programmeKey, year: 2027, placesLimit: 1, poolingDate: '1 Oktober' }, 'body.poolingDate'],
    [{ programmeKey, year: 2027, placesLimit: 1, placesUsed: 0 }, 'body'],
    [{ programmeKey, year: 2027, placesLimit: 1, officeId: '00000000-0000-4000-8000-000000000000' }, 'body.officeId'],
  ])('refuses %j with 400 naming %s, writing nothing', async (payload, field) => {
    const before = await rowCounts(c.database);
    const res = await createQuota(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await rowCounts(c.database)).toEqual(before);
  });

  it('answers 409 for a second quota of the same scope, and 403 to an officer', async () => {
    expect((await createQuota({ programmeKey, year: 2026, placesLimit: 1 })).statusCode).toBe(409);
    expect((await createQuota({ programmeKey, year: 2028, placesLimit: 1 }, c.as.officer)).statusCode).toBe(403);
  });

  it('never lowers a quota below the places in use, and says how many are used', async () => {
    const quota = (await createQuota({ programmeKey: 'e-katalog', year: 2026, placesLimit: 3 })).json();
    const [business] = await insertBusinesses(c.database.db, c.kalselId, 1);
    const enrol = await c.app.inject({
      method: 'POST',
      url: '/api/v1/enrolments',
      headers: c.as.officer,
      payload: { businessId: business!.id, programmeKey: 'e-katalog', year: 2026 },
    });
    expect(enrol.statusCode).toBe(201);
    const lower = await c.app.inject({
      method: 'PATCH',
      url: `/api/v1/quotas/${quota.id}`,
      headers: c.as.manager,
      payload: { placesLimit: 0 },
    });
    expect(lower.statusCode).toBe(409);
    expect(lower.json()).toMatchObject({ placesUsed: 1, detail: expect.stringMatching(/1 places are in use/) });
    const ok = await c.app.inject({
      method: 'PATCH',
      url: `/api/v1/quotas/${quota.id}`,
      headers: c.as.manager,
      payload: { placesLimit: 1 },
    });
    expect(ok.json()).toMatchObject({ placesLimit: 1, placesUsed: 1, placesFree: 0, promoted: [] });
    const other = await c.app.inject({
      method: 'PATCH',
      url: `/api/v1/quotas/${quota.id}`,
      headers: c.as.kaltimOfficer,
      payload: { placesLimit: 9 },
    });
    expect(other.statusCode).toBe(403);
  });
});

describe('enrolment: a place if one is free, else the waitlist', () => {
  let c: RegistryContext;
  let quotaId: string;
  beforeAll(async () => {
    c = await createRegistryContext();
    const res = await c.app.inject({
      method: 'POST',
      url: '/api/v1/quotas',
      headers: c.as.manager,
      payload: { programmeKey, year: 2026, placesLimit: 2 },
    });
    quotaId = res.json().id;
  });
  afterAll(() => c.close());

  const enrol = (businessId: string, extra: object = {}, headers = c.as.officer) =>
    c.app.inject({
      method: 'POST',
      url: '/api/v1/enrolments',
      headers,
      payload: { businessId, programmeKey, year: 2026, ...extra },
    });

  it('makes an active enrolment on the latest published version and starts its workflow after the commit', async () => {
    await c.database.db
      .insert(programmeVersions)
      .values({ programmeKey, version: 2, template: { ...halalSelfDeclare, version: 2 } });
    const [business] = await insertBusinesses(c.database.db, c.kalselId, 1);
    const res = await enrol(business!.id);
    expect(res.statusCode).toBe(201);
    const e = res.json();
    expect(e).toMatchObject({
      status: 'active',
      programmeVersion: 2,
      quotaId,
      waitlistPosition: null,
      workflowId: `enrolment-${programmeKey}-2026-${business!.nib}-r1`,
    });
    const description = await c.env.client.workflow.getHandle(e.workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    const [row] = await c.database.db.select().from(outbox).where(eq(outbox.enrolmentId, e.id));
    expect(row!.processedAt).not.toBeNull();
    const [audit] = await c.database.sql`select action from audit_log where entity_id = ${e.id}`;
    expect(audit).toEqual({ action: 'enrolment.create' });
  });

  it('enrols into a free place with two prepared statements: the intake read with the enrolment, the started mark', async () => {
    // A quota of its own, so that the places of this describe's quota stay for the tests below.
    const quota = await c.app.inject({
      method: 'POST',
      url: '/api/v1/quotas',
      headers: c.as.manager,
      payload: { programmeKey, year: 2027, placesLimit: 2 },
    });
    expect(quota.statusCode).toBe(201);
    const [first, second] = await insertBusinesses(c.database.db, c.kalselId, 2);
    expect((await enrol(first!.id, { year: 2027 })).statusCode).toBe(201);
    // Every query of the app goes through postgres.js's unsafe(), Drizzle's and the prepared statements' alike.
    const client = c.database.sql;
    const unsafe = client.unsafe;
    const seen: { text: string; prepared: boolean }[] = [];
    client.unsafe = ((text: string, parameters?: never[], options?: { prepare?: boolean }) => {
      seen.push({ text, prepared: options?.prepare === true });
      return unsafe.call(client, text, parameters, options);
    }) as typeof client.unsafe;
    try {
      expect((await enrol(second!.id, { year: 2027 })).json()).toMatchObject({ status: 'active' });
    } finally {
      client.unsafe = unsafe;
    }
    // The token and the notification texts are cached for a few seconds; a slow machine may have to read them again.
    const work = seen.filter((s) => !/from "(api_tokens|notification_texts)"/.test(s.text));
    expect(work.map((s) => s.text.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^with b as \( ?select .* from businesses .* insert into enrolments/),
      expect.stringMatching(/^update "outbox"/),
    ]);
    expect(work.every((s) => s.prepared)).toBe(true);
  });

  it('writes in that one statement the rows the long way writes, and takes a version published since', async () => {
    await c.app.inject({
      method: 'POST',
      url: '/api/v1/quotas',
      headers: c.as.manager,
      payload: { programmeKey, year: 2028, placesLimit: 2 },
    });
    const [first, second] = await insertBusinesses(c.database.db, c.kalselId, 2, (i) => ({ exportOriented: i === 0 }));
    const e = (await enrol(first!.id, { year: 2028 })).json();
    expect(e).toMatchObject({ status: 'active', priority: 1, programmeVersion: 2, officeId: c.kalselId });
    const [notice] = await c.database.sql<{ body_id: string; body_en: string; params: unknown; office_id: string }[]>`
      select body_id, body_en, params, office_id from notifications where enrolment_id = ${e.id}`;
    expect(notice).toEqual({
      body_id: expect.stringContaining(`${first!.name} terdaftar di`),
      body_en: expect.stringContaining(`${first!.name} is enrolled in`),
      params: { id: [first!.name, expect.any(String)], en: [first!.name, expect.any(String)] },
      office_id: c.kalselId,
    });
    const [audit] = await c.database.sql<{ after: Record<string, unknown> }[]>`
      select after from audit_log where entity_id = ${e.id}`;
    expect(audit!.after).toMatchObject({
      id: e.id,
      workflowId: e.workflowId,
      officeId: c.kalselId,
      quotaId: e.quotaId,
      priority: 1,
      status: 'active',
      programmeVersion: 2,
      activatedAt: e.activatedAt,
    });
    // A version published after this process last saw one is taken at once.
    await c.database.db
      .insert(programmeVersions)
      .values({ programmeKey, version: 3, template: { ...halalSelfDeclare, version: 3 } });
    expect((await enrol(second!.id, { year: 2028 })).json()).toMatchObject({ status: 'active', programmeVersion: 3 });
  });

  it('waitlists when the quota is full, export-oriented first, and starts no workflow for it', async () => {
    const [a, b, exporter] = await insertBusinesses(c.database.db, c.kalselId, 3, (i) => ({ exportOriented: i === 2 }));
    expect((await enrol(a!.id)).json().status).toBe('active');
    const waiting = (await enrol(b!.id)).json();
    expect(waiting).toMatchObject({ status: 'waitlisted', waitlistPosition: 1, priority: 0 });
    const ahead = (await enrol(exporter!.id)).json();
    expect(ahead).toMatchObject({ status: 'waitlisted', waitlistPosition: 1, priority: 1 });
    const [outboxRows] = await c.database.sql<
      { n: number }[]
    >`select count(*)::int as n from outbox where enrolment_id in (${waiting.id}, ${ahead.id})`;
    expect(outboxRows!.n).toBe(0);
    await expect(c.env.client.workflow.getHandle(waiting.workflowId).describe()).rejects.toThrow(/not found/i);
  });

  it("answers 409 for the same business twice in a programme year, and 400 for another office's business", async () => {
    const [business] = await insertBusinesses(c.database.db, c.kalselId, 1);
    expect((await enrol(business!.id)).statusCode).toBe(201);
    const twice = await enrol(business!.id);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().detail).toMatch(/sudah terdaftar .* \/ .*already enrolled/);
    const [kaltim] = await insertBusinesses(c.database.db, c.kaltimId, 1, () => ({ regionCode: '6472' }));
    const other = await enrol(kaltim!.id);
    expect(other.statusCode).toBe(400);
    expect(other.json().errors[0].path).toBe('body.businessId');
  });

  it.each([
    [{ programmeKey: undefined }, 'body.programmeKey'],
    [{ year: 1999 }, 'body.year'],
    [{ status: 'active' }, 'body'],
    [{ quotaId: '00000000-0000-4000-8000-000000000000' }, 'body'],
    [{ programmeKey: 'no-such-programme' }, 'body.programmeKey'],
  ])('refuses %j with 400 naming %s, writing nothing', async (extra, field) => {
    const [business] = await insertBusinesses(c.database.db, c.kalselId, 1);
    const before = await rowCounts(c.database);
    const res = await enrol(business!.id, extra);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await rowCounts(c.database)).toEqual(before);
  });

  it('answers 409 when no quota covers the programme year', async () => {
    const [business] = await insertBusinesses(c.database.db, c.kalselId, 1);
    const res = await enrol(business!.id, { year: 2030 });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/No halal-self-declare 2030 quota/);
  });

  it('promotes the waitlist in order when a manager raises the quota, and starts their workflows', async () => {
    const before = (await c.database.db.select().from(quotas).where(eq(quotas.id, quotaId)))[0]!;
    const waiting = await c.database.db.select().from(enrolments).where(eq(enrolments.status, 'waitlisted'));
    const res = await c.app.inject({
      method: 'PATCH',
      url: `/api/v1/quotas/${quotaId}`,
      headers: c.as.manager,
      payload: { placesLimit: before.placesLimit + 1 },
    });
    expect(res.statusCode).toBe(200);
    const exporter = waiting.find((w) => w.priority === 1)!;
    expect(res.json()).toMatchObject({ promoted: [exporter.id], placesFree: 0 });
    expect((await c.env.client.workflow.getHandle(exporter.workflowId).describe()).status.name).toBe('RUNNING');
  });

  it('withdraws a waitlisted enrolment directly in the database, and refuses an active one', async () => {
    const [waiting] = await c.database.db.select().from(enrolments).where(eq(enrolments.status, 'waitlisted'));
    const request = {
      requestId: 'req-withdraw-1',
      principal: { userId: null, role: 'admin' as const, officeId: null, businessId: null },
    };
    const withdrawn = await withdrawWaitlisted(c.database.db, request, waiting!.id, 'usaha tutup');
    expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawReason: 'usaha tutup' });
    const [audit] = await c.database
      .sql`select action, before, after from audit_log where entity_id = ${waiting!.id} and request_id = 'req-withdraw-1'`;
    expect(audit).toMatchObject({
      action: 'enrolment.withdraw',
      before: { status: 'waitlisted' },
      after: { status: 'withdrawn' },
    });
    const [active] = await c.database.db.select().from(enrolments).where(eq(enrolments.status, 'active'));
    await expect(withdrawWaitlisted(c.database.db, request, active!.id, 'x')).rejects.toMatchObject({
      kind: 'conflict',
    });
    const kaltimOfficer = {
      requestId: 'r',
      principal: { userId: null, role: 'officer' as const, officeId: c.kaltimId, businessId: null },
    };
    await expect(withdrawWaitlisted(c.database.db, kaltimOfficer, active!.id, 'x')).rejects.toMatchObject({
      kind: 'not-found',
    });
  });
});

describe('enrolment under load: 500 concurrent requests on a quota of 20', () => {
  let c: RegistryContext;
  beforeAll(async () => {
    c = await createRegistryContext();
  });
  afterAll(() => c.close());

  it('gives exactly 20 places and waitlists 480, with no error', async () => {
    const quota = (
      await c.app.inject({
        method: 'POST',
        url: '/api/v1/quotas',
        headers: c.as.manager,
        payload: { programmeKey, year: 2026, placesLimit: 20 },
      })
    ).json();
    const list = await insertBusinesses(c.database.db, c.kalselId, 500, (i) => ({ exportOriented: i % 10 === 0 }));
    const officers = await officerHeaders(c.database.db, c.kalselId, 10);
    const responses = await Promise.all(
      list.map((b, i) =>
        c.app.inject({
          method: 'POST',
          url: '/api/v1/enrolments',
          headers: officers[i % officers.length]!,
          payload: { businessId: b.id, programmeKey, year: 2026 },
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(500).fill(201));
    const statuses = responses.map((r) => r.json().status as string);
    expect(statuses.filter((s) => s === 'active')).toHaveLength(20);
    expect(statuses.filter((s) => s === 'waitlisted')).toHaveLength(480);
    const [row] = await c.database.db.select().from(quotas).where(eq(quotas.id, quota.id));
    expect(row!.placesUsed).toBe(20);
    const [counts] = await c.database.sql<{ active: number; waiting: number; outbox: number; pending: number }[]>`
      select (select count(*)::int from enrolments where status = 'active') as active,
             (select count(*)::int from enrolments where status = 'waitlisted') as waiting,
             (select count(*)::int from outbox) as outbox,
             (select count(*)::int from outbox where processed_at is null) as pending`;
    expect(counts).toEqual({ active: 20, waiting: 480, outbox: 20, pending: 0 });
  });
});
