// OWASP API1:2023 Broken Object Level Authorization: staff of one office, and a business, reach no object of
// another office or business. Every route from the OpenAPI document is tried with the other office's ids: reads and
// actions answer 404 (existence does not leak), lists never contain them, and nothing is written.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, calendarDays, cohorts, enrolments, notifications, quotas, sentra } from '../../db/schema.js';
import { builtInTemplates } from '../../domain/templates/index.js';
import type { Role } from '../../domain/types.js';
import { rowCounts } from '../helpers/db.js';
import {
  apiOperations,
  describeOperation,
  jsonBodySchema,
  mutatingMethods,
  pathParameters,
  plausiblePath,
  plausibleValue,
  requiredQuery,
  type Operation,
} from './openapi.js';
import {
  createAccount,
  createBusiness,
  expectProblem,
  seededOffices,
  startHarness,
  type Account,
  type Harness,
} from './support.js';

describe('API1 broken object-level authorisation', () => {
  let h: Harness;
  let operations: Operation[];
  /** Objects of the Kalimantan Selatan office and of its business A. */
  const kalselObjects: Record<string, string> = {};
  let kalselOfficer: Account;
  /** Callers who must not see them: Kaltim staff, and the owner of another Kalsel business. */
  const outsiders = {} as Record<Exclude<Role, 'admin'>, Account>;

  beforeAll(async () => {
    h = await startHarness();
    const db = h.database.db;
    const { kalsel, kaltim } = await seededOffices(db);
    const template = builtInTemplates[0]!;
    const businessA = await createBusiness(db, kalsel);
    const businessB = await createBusiness(db, kalsel);
    const [enrolment] = await db
      .insert(enrolments)
      .values({
        workflowId: `enrolment-bola-${randomBytes(4).toString('hex')}`,
        businessId: businessA.id,
        officeId: kalsel,
        programmeKey: template.key,
        programmeVersion: template.version,
        year: 2026,
        status: 'active',
      })
      .returning();
    const [notification] = await db
      .insert(notifications)
      .values({
        dedupeKey: `bola-${enrolment!.id}`,
        enrolmentId: enrolment!.id,
        businessId: businessA.id,
        officeId: kalsel,
        recipientRole: 'business',
        kind: 'step_opened',
        titleId: 'Tahap dibuka',
        titleEn: 'Step opened',
        bodyId: 'Silakan unggah dokumen',
        bodyEn: 'Please upload the documents',
        scheduledFor: new Date(),
      })
      .returning();
    const [cohort] = await db
      .insert(cohorts)
      .values({ officeId: kalsel, programmeKey: template.key, year: 2026, name: 'Angkatan I' })
      .returning();
    const [quota] = await db
      .insert(quotas)
      .values({ officeId: kalsel, programmeKey: template.key, year: 2026, placesLimit: 30 })
      .returning();
    const [closure] = await db
      .insert(calendarDays)
      .values({
        date: '2026-06-15',
        kind: 'office_closure',
        nameId: 'Libur kantor',
        nameEn: 'Office closed',
        officeId: kalsel,
        source: 'officer',
      })
      .returning();
    const [cluster] = await db
      .insert(sentra)
      .values({ officeId: kalsel, regionCode: '6371', name: 'Sentra Amplang' })
      .returning();
    kalselOfficer = await createAccount(db, 'officer', { officeId: kalsel });
    const owner = await createAccount(db, 'business', { officeId: kalsel, businessId: businessA.id });
    await db.insert(auditLog).values({
      action: 'business.update',
      entityType: 'business',
      entityId: businessA.id,
      officeId: kalsel,
      businessId: businessA.id,
    });
    Object.assign(kalselObjects, {
      businesses: businessA.id,
      enrolments: enrolment!.id,
      notifications: notification!.id,
      cohorts: cohort!.id,
      quotas: quota!.id,
      days: closure!.id,
      sentra: cluster!.id,
      users: kalselOfficer.userId,
      owner: owner.userId,
    });
    outsiders.officer = await createAccount(db, 'officer', { officeId: kaltim });
    outsiders.manager = await createAccount(db, 'manager', { officeId: kaltim });
    outsiders.business = await createAccount(db, 'business', { officeId: kalsel, businessId: businessB.id });
    operations = await apiOperations(h.app);
  });
  afterAll(() => h.close());

  /** The Kalsel object a path's first parameter names, judged by the segment before it (`/enrolments/{id}`). */
  function targetOf(op: Operation): string | undefined {
    const segment = /\/([\w-]+)\/\{\w+\}/.exec(op.path)?.[1];
    return segment ? kalselObjects[segment] : undefined;
  }

  const callersOf = (op: Operation) =>
    (Object.keys(outsiders) as (keyof typeof outsiders)[]).filter((role) => op.roles?.includes(role));

  function request(op: Operation, caller: Account, target: string) {
    const [first] = pathParameters(op);
    const body = jsonBodySchema(op);
    return h.app.inject({
      method: op.method,
      url: plausiblePath(op, { [first!.name]: target }),
      query: requiredQuery(op),
      headers: caller.auth,
      ...(body ? { payload: plausibleValue(body) as object } : {}),
    });
  }

  it('answers 404 to another office’s (or business’s) object on every read by id', async () => {
    const reads = operations.filter((op) => op.method === 'GET' && targetOf(op));
    expect(reads.map(describeOperation)).toEqual(expect.arrayContaining(['GET /api/v1/enrolments/{id}']));
    for (const op of reads) {
      for (const role of callersOf(op)) {
        const res = await request(op, outsiders[role], targetOf(op)!);
        expect(res.statusCode, `${role} → ${describeOperation(op)}`).toBe(404);
        expectProblem(res, 404);
      }
    }
  });

  it('never acts on another office’s (or business’s) object: 404 (or 400 for a body the probe got wrong), nothing written', async () => {
    const actions = operations.filter((op) => mutatingMethods.has(op.method) && targetOf(op));
    expect(actions.map(describeOperation)).toEqual(
      expect.arrayContaining(['POST /api/v1/businesses/{id}/invitations', 'POST /api/v1/users/{id}/disable']),
    );
    const before = await rowCounts(h.database);
    const answers: string[] = [];
    for (const op of actions) {
      for (const role of callersOf(op)) {
        const res = await request(op, outsiders[role], targetOf(op)!);
        answers.push(`${role} → ${describeOperation(op)}: ${res.statusCode}`);
        expect([400, 404], `${role} → ${describeOperation(op)}: ${res.body.slice(0, 300)}`).toContain(res.statusCode);
      }
    }
    expect(answers.filter((a) => a.endsWith(': 404')).length).toBeGreaterThan(0);
    expect(await rowCounts(h.database)).toEqual(before);
  });

  it('never lists another office’s (or business’s) objects', async () => {
    const lists = operations.filter((op) => op.method === 'GET' && pathParameters(op).length === 0);
    expect(lists.map(describeOperation)).toEqual(
      expect.arrayContaining(['GET /api/v1/audit', 'GET /api/v1/users', 'GET /api/v1/notifications']),
    );
    const secrets = Object.values(kalselObjects);
    for (const op of lists) {
      for (const role of callersOf(op)) {
        const res = await h.app.inject({
          method: 'GET',
          url: op.path,
          query: requiredQuery(op),
          headers: outsiders[role].auth,
        });
        expect(res.statusCode, `${role} → ${describeOperation(op)}`).toBeLessThan(500);
        if (res.statusCode !== 200) continue;
        for (const secret of secrets)
          expect(res.body, `${role} → ${describeOperation(op)} shows ${secret}`).not.toContain(secret);
      }
    }
  });

  it('filters the audit trail to the caller’s office, whatever the filter asks for', async () => {
    const filtered = await h.app.inject({
      method: 'GET',
      url: `/api/v1/audit?businessId=${kalselObjects.businesses}`,
      headers: outsiders.officer.auth,
    });
    expect(filtered.json()).toEqual({ items: [], nextCursor: null });
    const own = await h.app.inject({
      method: 'GET',
      url: `/api/v1/audit?businessId=${kalselObjects.businesses}`,
      headers: kalselOfficer.auth,
    });
    expect(own.json().items).toEqual([
      expect.objectContaining({ action: 'business.update', entityId: kalselObjects.businesses }),
    ]);
  });
});
