// Hostile input against every operation of the OpenAPI document, so routes added later are covered without a line
// here: malformed JSON, wrong content types, wrong types, huge strings and arrays, SQL and script injection, odd
// unicode, bad path ids, unknown fields, garbage tokens. Every case is built to be invalid and is sent to a real
// object of the caller's office, so a body that validation wrongly let through would reach the handler instead of
// stopping at a 404 for an unknown id. Each answer must be the 4xx the input deserves (400 for a bad body, 401 for a
// bad token, 415 for a content type the route does not take, ...), a problem+json without a stack trace, and nothing
// may be written.
import type { InjectOptions } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { bodyLimitBytes } from '../../api/app.js';
import type { Role } from '../../domain/types.js';
import { testAdminToken } from '../helpers/app.js';
import { rowCounts } from '../helpers/db.js';
import {
  apiOperations,
  describeOperation,
  jsonBodySchema,
  mutatingMethods,
  pathParameters,
  fillPath,
  plausibleValue,
  queryParameters,
  requiredQuery,
  type JsonSchema,
  type Operation,
  type Parameter,
} from './openapi.js';
import {
  createAccount,
  createBusiness,
  createOfficeObjects,
  objectItem,
  objectTemplate,
  seededOffices,
  stackTrace,
  startHarness,
} from './support.js';

interface Case {
  name: string;
  request: InjectOptions;
  /** The status this input deserves. */
  expected: number;
}

const injections = [
  "' OR '1'='1' --",
  "'; DROP TABLE users; --",
  '1 UNION SELECT password_hash FROM users',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}',
];
const oddUnicode = ['\u202egnp.exe', 'a\u200b\u200c\u200db', '😀👨‍👩‍👧', 'ＡＤＭＩＮ', 'e\u0301\u0301\u0301', '\ufeffbom'];
const unstorable = ['a\u0000b', 'lone \ud800 high', 'lone \udc00 low'];
const badPathValues = [
  'not-a-uuid',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  encodeURIComponent("1' OR '1'='1"),
  encodeURIComponent('<script>alert(1)</script>'),
  'a'.repeat(5_000),
  '%00',
  '%ED%A0%80',
  encodeURIComponent('\u202e'),
  encodeURIComponent('😀'),
  '-1',
  '1e308',
  '00000000-0000-0000-0000-00000000000g',
];
const garbageTokens = [
  "Bearer ' OR 1=1 -- padding-padding",
  `Bearer ${'x'.repeat(10_000)}`,
  'Bearer <script>alert(1)</script>',
  'Bearer \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9',
  'Basic YWRtaW46YWRtaW4=',
];
/** Fields a body must not carry unless its route declares them. */
const unknownFields: Record<string, unknown>[] = [
  { role: 'admin' },
  { status: 'completed' },
  { placesUsed: 0 },
  { passwordHash: 'x' },
  { $where: '1 == 1' },
  { 'a\u0000b': 1 },
];

const h = await startHarness();
const operations = await apiOperations(h.app);
afterAll(() => h.close());

const { kalsel } = await seededOffices(h.database.db);
const { ids } = await createOfficeObjects(h.database.db, kalsel);
const business = await createBusiness(h.database.db, kalsel);
const tokens: Record<Role, string> = {
  admin: testAdminToken,
  manager: (await createAccount(h.database.db, 'manager', { officeId: kalsel })).token,
  officer: (await createAccount(h.database.db, 'officer', { officeId: kalsel })).token,
  business: (await createAccount(h.database.db, 'business', { officeId: kalsel, businessId: business.id })).token,
};

/**
 * A real value for each path parameter: an object of the office by the segment before it, the enrolled step, or a
 * notification text's kind and language.
 */
function realPathValue(op: Operation, name: string): string {
  const segment = new RegExp(`/([\\w-]+)/\\{${name}\\}`).exec(op.path)?.[1];
  const value =
    name === 'step'
      ? objectTemplate.firstStep
      : name === 'item'
        ? objectItem
        : segment === 'programmes'
          ? objectTemplate.key
          : segment === 'years'
            ? '2026'
            : segment === 'notification-texts'
              ? 'reminder'
              : segment === 'reports'
                ? 'enrolments'
                : name === 'language'
                  ? 'id'
                  : ids[segment ?? ''];
  if (!value) throw new Error(`${describeOperation(op)}: no real object for {${name}}; add one to createOfficeObjects`);
  return value;
}

const realPath = (op: Operation, values: Record<string, string> = {}) =>
  fillPath(
    op.path,
    'x',
    Object.fromEntries(pathParameters(op).map((p) => [p.name, values[p.name] ?? realPathValue(op, p.name)])),
  );

/**
 * The status a bad value of a path parameter deserves, or null when the parameter's schema takes it (a well-formed
 * programme key nobody published is not hostile input; unknown ids are the BOLA suite's). Past Fastify's
 * maxParamLength (100) the router matches no route: 404. A dot segment resolves to another path: 404, or 400 where
 * that path is another route (`/cohorts/../enrolments` is `POST /enrolments`, which refuses this route's body).
 */
function pathAnswer(op: Operation, param: Parameter, raw: string): number | null {
  if (raw.length > 100) return 404;
  const path = realPath(op, { [param.name]: raw });
  const resolved = new URL(path, 'http://localhost').pathname;
  if (resolved !== path) {
    const routes = operations.filter((o) => o.method === op.method);
    return routes.some((o) => new RegExp(`^${o.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(resolved)) ? 400 : 404;
  }
  return fits(param.schema, raw) ? null : 400;
}

/** Would the parameter's schema accept this raw path value (decoded, as the router hands it over)? */
function fits(schema: JsonSchema, raw: string): boolean {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return false;
  }
  const s = concrete(schema);
  if (s.type === 'integer') {
    const n = Number(value);
    return /^-?\d+$/.test(value) && n >= (s.minimum ?? -Infinity) && n <= (s.maximum ?? Infinity);
  }
  if (s.maxLength !== undefined && value.length > s.maxLength) return false;
  return s.pattern ? new RegExp(s.pattern, 'u').test(value) : true;
}

function concrete(schema: JsonSchema): JsonSchema {
  const options = schema.anyOf ?? schema.oneOf;
  return options ? concrete(options.find((o) => o.type !== 'null') ?? options[0]!) : schema;
}

/** Does the schema already refuse free text (a format, an enum, a pattern, a non-string type)? */
const constrained = (schema: JsonSchema) => {
  const s = concrete(schema);
  return s.type !== 'string' || Boolean(s.format || s.enum || s.pattern);
};

/** Values of the wrong JSON type for this schema. */
function wrongTypes(schema: JsonSchema): unknown[] {
  const s = concrete(schema);
  const nullable =
    s.nullable || [schema.type].flat().includes('null') || (schema.anyOf ?? []).some((o) => o.type === 'null');
  const values: unknown[] = nullable ? [] : [null];
  switch (s.type) {
    case 'string':
      return [...values, 12345, true, {}, ['x']];
    case 'integer':
    case 'number':
      return [...values, 'abc', '12', {}, [1]];
    case 'boolean':
      return [...values, 'true', 1, {}];
    case 'array':
      return [...values, 'x', { 0: 'x' }, 7];
    case 'object':
      return [...values, 'x', ['x'], 7];
    default:
      return values;
  }
}

/** Values that fail the property whatever the rest of the body is. */
function hostileValues(schema: JsonSchema): { label: string; value: unknown; needsUnknownField?: boolean }[] {
  const s = concrete(schema);
  const out: { label: string; value: unknown; needsUnknownField?: boolean }[] = wrongTypes(schema).map((value) => ({
    label: `type ${JSON.stringify(value)}`,
    value,
  }));
  if (s.type === 'string') {
    out.push({ label: '100 KB string', value: 'x'.repeat(100_000) });
    for (const value of unstorable) out.push({ label: `unstorable ${JSON.stringify(value)}`, value });
    // Injection and odd unicode are legitimate free text; where the schema takes free text, an unknown field makes the case invalid.
    // A value that is valid once trimmed (a leading BOM) is valid where the schema trims: add the unknown field too.
    for (const value of [...injections, ...oddUnicode])
      out.push({
        label: `text ${JSON.stringify(value)}`,
        value,
        needsUnknownField: !constrained(schema) || value.trim() !== value,
      });
  }
  if (s.type === 'array')
    out.push({
      label: '100 001 items',
      value: Array.from({ length: 100_001 }, () => plausibleValue(s.items ?? {}) ?? 'x'),
    });
  return out;
}

function casesOf(op: Operation): Case[] {
  const role = op.roles ? (op.roles.includes('admin') ? 'admin' : op.roles[0]!) : null;
  const auth: Record<string, string> = role ? { authorization: `Bearer ${tokens[role]}` } : {};
  const body = jsonBodySchema(op);
  const baseBody = body ? plausibleValue(body) : undefined;
  const base: InjectOptions = {
    method: op.method,
    url: realPath(op),
    query: requiredQuery(op),
    headers: auth,
    ...(baseBody !== undefined ? { payload: baseBody as object } : {}),
  };
  const cases: Case[] = [];
  const add = (name: string, change: Partial<InjectOptions>, expected = 400) =>
    cases.push({ name, expected, request: { ...base, ...change, headers: { ...auth, ...change.headers } } });

  if (role) {
    add('no token', { headers: { authorization: '' } }, 401);
    for (const authorization of garbageTokens)
      add(`token ${authorization.slice(0, 30)}`, { headers: { authorization } }, 401);
  }

  for (const param of pathParameters(op)) {
    for (const value of badPathValues) {
      const expected = pathAnswer(op, param, value);
      if (expected !== null)
        add(`path ${param.name}=${value.slice(0, 40)}`, { url: realPath(op, { [param.name]: value }) }, expected);
    }
  }

  for (const param of queryParameters(op)) {
    const query = (value: string) => ({ query: { ...requiredQuery(op), [param.name]: value } });
    add(`query ${param.name} 100 KB`, query('x'.repeat(100_000)));
    add(`query ${param.name} NUL`, query('a\u0000b'));
    if (constrained(param.schema)) {
      for (const value of ['abc', '-1e999', ...injections, ...oddUnicode])
        add(`query ${param.name}=${value}`, query(value));
    }
  }

  if (mutatingMethods.has(op.method)) {
    const raw = (name: string, contentType: string, payload: string, expected = 400) =>
      add(name, { headers: { 'content-type': contentType }, payload }, expected);
    for (const text of ['{"name": ', '{name: 1}', "{'name': 1}", '[1, 2', '{"a": 1,}', 'NaN', '{"a": 01}'])
      raw(`malformed JSON ${text}`, 'application/json', text);
    raw('empty JSON body', 'application/json', '');
    raw('__proto__ pollution', 'application/json', '{"__proto__": {"role": "admin"}}');
    raw('constructor pollution', 'application/json', '{"constructor": {"prototype": {"role": "admin"}}}');
    raw('nested 100 deep', 'application/json', '['.repeat(100) + ']'.repeat(100));
    for (const [type, payload] of [
      ['application/xml', '<office><name>x</name></office>'],
      ['application/x-www-form-urlencoded', 'name=x&role=admin'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--'],
      ['text/html', '<script>alert(1)</script>'],
    ] as const) {
      if (!op.body?.[type.split(';')[0]!]) raw(`content type ${type}`, type, payload, 415);
    }
  }

  if (body) {
    const json = (name: string, value: unknown) => {
      const payload = JSON.stringify(value);
      add(
        name,
        { headers: { 'content-type': 'application/json' }, payload },
        Buffer.byteLength(payload) > bodyLimitBytes ? 413 : 400,
      );
    };
    for (const value of [[], 'x', 42, true]) json(`body ${JSON.stringify(value)}`, value);
    // Fastify parses text/plain by default, so this one reaches validation: a string is not the object the route wants.
    add('body as text/plain', { headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    const shape = concrete(body);
    const object =
      baseBody !== null && typeof baseBody === 'object' && !Array.isArray(baseBody)
        ? (baseBody as Record<string, unknown>)
        : {};
    for (const extra of unknownFields) {
      if (!Object.keys(extra).some((k) => shape.properties?.[k]))
        json(`unknown field ${Object.keys(extra)[0]}`, { ...object, ...extra });
    }
    for (const [name, schema] of Object.entries(shape.properties ?? {})) {
      for (const { label, value, needsUnknownField } of hostileValues(schema)) {
        json(`${name}: ${label}`.slice(0, 80), {
          ...object,
          [name]: value,
          ...(needsUnknownField ? { hostileExtra: true } : {}),
        });
      }
    }
  }
  return cases;
}

const casesByOperation = operations.map((op) => ({ op, cases: casesOf(op) }));
let address = 0;
let idempotencyKey = 0;

describe('hostile input against every operation', () => {
  it('has at least 200 cases across all routes', () => {
    const total = casesByOperation.reduce((n, { cases }) => n + cases.length, 0);
    expect(operations.length).toBeGreaterThan(20);
    expect(total).toBeGreaterThanOrEqual(200);
  });

  it.each(casesByOperation.map(({ op, cases }) => [describeOperation(op), cases.length, cases] as const))(
    '%s: %i cases, each refused with a 4xx problem, nothing written',
    async (_operation, _count, cases) => {
      const before = await rowCounts(h.database);
      for (const { name, request, expected } of cases) {
        address++;
        const headers = { ...(request.headers as Record<string, string>) };
        // Every other mutating case carries an Idempotency-Key, so a refused request must also leave no claim behind.
        if (mutatingMethods.has(String(request.method)) && address % 2 === 0)
          headers['idempotency-key'] = `hostile-${++idempotencyKey}-0123456789abcdef`;
        const res = await h.app.inject({
          ...request,
          headers,
          remoteAddress: `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`,
        });
        const where = `${name}: ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, where).toBe(expected);
        expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
        expect(res.json().status, where).toBe(res.statusCode);
        expect(res.body, where).not.toMatch(stackTrace);
      }
      expect(await rowCounts(h.database)).toEqual(before);
    },
  );
});
