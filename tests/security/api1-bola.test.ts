// OWASP API1:2023 Broken Object Level Authorization: staff of one office, and a business, reach no object of
// another office or business. Every route from the OpenAPI document is tried with the other office's ids: reads and
// actions answer 404 (existence does not leak), lists never contain them, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  createOfficeObjects,
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
    const objects = await createOfficeObjects(db, kalsel, h.documentStore);
    kalselOfficer = objects.officer;
    Object.assign(kalselObjects, objects.ids, { owner: objects.owner.userId });
    const businessB = await createBusiness(db, kalsel);
    outsiders.officer = await createAccount(db, 'officer', { officeId: kaltim });
    outsiders.manager = await createAccount(db, 'manager', { officeId: kaltim });
    outsiders.business = await createAccount(db, 'business', { officeId: kalsel, businessId: businessB.id });
    operations = await apiOperations(h.app);
  });
  afterAll(() => h.close());

  /**
   * What a path may name that no office owns: programme templates, calendar years and notification texts are the same
   * for everyone; a report's path names a table, not an object (its office scope is tested in tests/dashboard).
   */
  const unowned = new Set(['programmes', 'years', 'notification-texts', 'reports']);

  /**
   * The Kalsel object a path's first parameter names, judged by the segment before it (`/enrolments/{id}`). A route
   * naming a kind of object the fixture does not make fails here, rather than going untested.
   */
  function targetOf(op: Operation): string | undefined {
    const segment = /\/([\w-]+)\/\{\w+\}/.exec(op.path)?.[1];
    if (!segment || unowned.has(segment)) return undefined;
    const target = kalselObjects[segment];
    if (!target) throw new Error(`${describeOperation(op)}: no Kalsel object for it; add one to createOfficeObjects`);
    return target;
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
      // The office's own officer reads the same object, so the outsiders' 404 is the ownership check, not a bad id.
      const own = await request(op, kalselOfficer, targetOf(op)!);
      expect(own.statusCode, `own officer → ${describeOperation(op)}: ${own.body.slice(0, 300)}`).toBe(200);
      for (const role of callersOf(op)) {
        const res = await request(op, outsiders[role], targetOf(op)!);
        expect(res.statusCode, `${role} → ${describeOperation(op)}`).toBe(404);
        expectProblem(res, 404);
      }
    }
  });

  it('never acts on another office’s (or business’s) object: 404, nothing written', async () => {
    const actions = operations.filter((op) => mutatingMethods.has(op.method) && targetOf(op));
    expect(actions.map(describeOperation)).toEqual(
      expect.arrayContaining(['POST /api/v1/businesses/{id}/invitations', 'POST /api/v1/users/{id}/disable']),
    );
    const before = await rowCounts(h.database);
    for (const op of actions) {
      for (const role of callersOf(op)) {
        const res = await request(op, outsiders[role], targetOf(op)!);
        // Only 404 shows the ownership check ran: a 400 would mean the probe's body stopped it before the lookup.
        expect(res.statusCode, `${role} → ${describeOperation(op)}: ${res.body.slice(0, 300)}`).toBe(404);
      }
    }
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
        // A list that refuses the caller would show nothing and prove nothing: each must answer.
        expect(res.statusCode, `${role} → ${describeOperation(op)}: ${res.body.slice(0, 300)}`).toBe(200);
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
    // The reads above may have added rows of their own (a document's download is audited): all of this business.
    expect(own.json().items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'business.update', entityId: kalselObjects.businesses }),
      ]),
    );
    for (const row of own.json().items) expect(row.businessId).toBe(kalselObjects.businesses);
  });
});
