// OWASP API4:2023 Unrestricted Resource Consumption: bodies are capped at 1 MiB, every string, array and page has
// a bound the OpenAPI document states, nesting is capped, and enrolling is rate-limited per principal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimitBytes } from '../../api/app.js';
import { maxNestingDepth } from '../../api/plugins/input-guard.js';
import { routeLimits } from '../../api/plugins/rate-limits.js';
import { builtInTemplates } from '../../domain/templates/index.js';
import { testAdminToken } from '../helpers/app.js';
import { rowCounts } from '../helpers/db.js';
import {
  apiOperations,
  describeOperation,
  jsonBodySchema,
  queryParameters,
  type JsonSchema,
  type Operation,
} from './openapi.js';
import { createAccount, createBusiness, expectProblem, seededOffices, startHarness, type Harness } from './support.js';

/** A pattern whose every quantifier is bounded (`^\d{13}$`) bounds the length of the string too. */
const boundedPattern = (pattern: string) =>
  /^\^/.test(pattern) && /\$$/.test(pattern) && !/[*+]|\{\d+,\}/.test(pattern);

/** Strings without a maximum length and arrays without a maximum count, anywhere in a schema. */
function unbounded(schema: JsonSchema, path: string): string[] {
  const found: string[] = [];
  const types = [schema.type].flat();
  if (
    types.includes('string') &&
    schema.maxLength === undefined &&
    !schema.enum &&
    !['uuid', 'date', 'date-time'].includes(schema.format ?? '')
  ) {
    if (!(schema.pattern && boundedPattern(schema.pattern))) found.push(`${path}: string without maxLength`);
  }
  if (types.includes('array') && schema.maxItems === undefined) found.push(`${path}: array without maxItems`);
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    found.push(...unbounded(child, `${path}.${name}`));
  if (typeof schema.additionalProperties === 'object')
    found.push(...unbounded(schema.additionalProperties, `${path}.*`));
  for (const child of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    found.push(...unbounded(child, path));
  if (schema.items) found.push(...unbounded(schema.items, `${path}[]`));
  return found;
}

// Found by the test below in routes of other modules and reported for a fix there (bounded in practice by the
// 1 MiB body limit); an entry goes when its route declares a maximum.
const reportedUnbounded = [
  'GET /api/v1/businesses ?kbli: string without maxLength',
  'POST /api/v1/businesses body.phone: string without maxLength',
  'PATCH /api/v1/businesses/{id} body.phone: string without maxLength',
];

const nested = (depth: number): unknown => (depth === 0 ? 'x' : [nested(depth - 1)]);

describe('API4 unrestricted resource consumption', () => {
  let h: Harness;
  let operations: Operation[];
  const admin = { authorization: `Bearer ${testAdminToken}` };
  const officeBody = {
    name: 'Dinas Perindustrian Kota Banjarbaru',
    level: 'kota',
    regionCode: '6372',
    timeZone: 'Asia/Makassar',
  };

  beforeAll(async () => {
    h = await startHarness();
    operations = await apiOperations(h.app);
  });
  afterAll(() => h.close());

  const postOffice = (payload: unknown) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/offices',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });

  it('bounds every string and array of every request body and query', () => {
    const found = operations.flatMap((op) => {
      const body = jsonBodySchema(op);
      const where = describeOperation(op);
      return [
        ...(body ? unbounded(body, `${where} body`) : []),
        ...queryParameters(op).flatMap((p) => unbounded(p.schema, `${where} ?${p.name}`)),
      ];
    });
    expect(found.filter((f) => !reportedUnbounded.includes(f))).toEqual([]);
  });

  it('caps every page: a list’s limit has a maximum of at most 200, and a larger one is refused', async () => {
    const paged = operations.filter((op) => op.method === 'GET' && queryParameters(op).some((p) => p.name === 'limit'));
    expect(paged.map(describeOperation)).toEqual(expect.arrayContaining(['GET /api/v1/audit', 'GET /api/v1/users']));
    for (const op of paged) {
      const limit = queryParameters(op).find((p) => p.name === 'limit')!.schema;
      expect(limit.maximum, describeOperation(op)).toBeLessThanOrEqual(200);
      expectProblem(
        await h.app.inject({ method: 'GET', url: op.path, query: { limit: '100000' }, headers: admin }),
        400,
      );
      expectProblem(await h.app.inject({ method: 'GET', url: op.path, query: { limit: '0' }, headers: admin }), 400);
    }
  });

  it('refuses a body over 1 MiB with 413 problem+json, before reading it all, and writes nothing', async () => {
    const before = await rowCounts(h.database);
    const res = await postOffice({ ...officeBody, name: 'x'.repeat(bodyLimitBytes) });
    expectProblem(res, 413);
    expect(await rowCounts(h.database)).toEqual(before);
  });

  it('refuses a 100 KB string, a 100 000-item array and deep nesting with 400, and writes nothing', async () => {
    const before = await rowCounts(h.database);
    expect(
      expectProblem(await postOffice({ ...officeBody, name: 'x'.repeat(100_000) }), 400).errors?.map((e) => e.path),
    ).toEqual(['body.name']);
    expectProblem(await postOffice({ ...officeBody, name: Array.from({ length: 100_000 }, () => 'x') }), 400);
    expectProblem(await postOffice(Array.from({ length: 5_000 }, () => officeBody)), 400);
    const tooDeep = expectProblem(await postOffice({ ...officeBody, name: nested(maxNestingDepth + 1) }), 400);
    expect(tooDeep.detail).toMatch(/nested deeper than 32/);
    // Half a million levels fit in 1 MiB: refused without a stack overflow anywhere.
    const abyss = '['.repeat(500_000) + ']'.repeat(500_000);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/offices',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: abyss,
    });
    expect(res.statusCode).toBe(400);
    expect(await rowCounts(h.database)).toEqual(before);
  });

  it('limits enrolling to 60 requests a minute per principal, with Retry-After, counting only valid requests', async () => {
    const limit = routeLimits.find((l) => l.url === '/api/v1/enrolments')!;
    expect(limit).toMatchObject({ method: 'POST', per: 'principal', max: 60, timeWindowMs: 60_000 });
    const { kalsel } = await seededOffices(h.database.db);
    const business = await createBusiness(h.database.db, kalsel);
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const colleague = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    // No quota is set for this programme year, so each request is valid, reaches the handler and is refused (409).
    const payload = { businessId: business.id, programmeKey: builtInTemplates[0]!.key, year: 2099 };
    const enrol = (headers: Record<string, string>, body: object = payload) =>
      h.app.inject({ method: 'POST', url: '/api/v1/enrolments', headers, payload: body });
    const before = await rowCounts(h.database);

    for (let i = 0; i < 5; i++) expectProblem(await enrol(officer.auth, { businessId: 'bukan-uuid' }), 400);
    for (let i = 0; i < limit.max; i++) expect((await enrol(officer.auth)).statusCode).toBe(409);
    const blocked = await enrol(officer.auth);
    expectProblem(blocked, 429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await enrol(colleague.auth)).statusCode).toBe(409);
    expect(await rowCounts(h.database)).toEqual(before);
  });
});
