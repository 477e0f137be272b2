// OWASP API3:2023 Broken Object Property Level Authorization: no request can set a property the server owns
// (status, quota usage, office, owner, role...) because every body is a closed object; no answer shows a
// password hash or a token hash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokens, auditLog } from '../../db/schema.js';
import { testAdminToken } from '../helpers/app.js';
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
  type JsonSchema,
  type Operation,
} from './openapi.js';
import { createAccount, createBusiness, expectProblem, seededOffices, startHarness, type Harness } from './support.js';

/** Properties the server sets; a request naming one where the route does not take it must be refused. */
const serverOwned = [
  'id',
  'status',
  'placesUsed',
  'officeId',
  'businessId',
  'ownerId',
  'role',
  'passwordHash',
  'disabledAt',
  'createdAt',
  'enrolledBy',
];

function openObjects(schema: JsonSchema, path: string): string[] {
  const found: string[] = [];
  if (schema.properties && schema.additionalProperties !== false) found.push(path || '(body)');
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    found.push(...openObjects(child, `${path}.${name}`));
  for (const child of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    // An object's own alternatives without a type are a cross-field rule on that same object, which closes it.
    const rule = schema.properties && child.type === undefined;
    found.push(...openObjects(rule ? { ...child, additionalProperties: schema.additionalProperties } : child, path));
  }
  if (schema.items) found.push(...openObjects(schema.items, `${path}[]`));
  return found;
}

/** Every property of a JSON document, at any depth, with its value. */
function entriesOf(value: unknown, into: [string, unknown][] = []): [string, unknown][] {
  if (Array.isArray(value)) value.forEach((v) => entriesOf(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      into.push([k, v]);
      entriesOf(v, into);
    }
  }
  return into;
}

const keysOf = (value: unknown) => new Set(entriesOf(value).map(([k]) => k));

describe('API3 property-level authorisation', () => {
  let h: Harness;
  let operations: Operation[];
  let kalsel: string;
  const admin = { authorization: `Bearer ${testAdminToken}` };

  beforeAll(async () => {
    h = await startHarness();
    ({ kalsel } = await seededOffices(h.database.db));
    operations = await apiOperations(h.app);
  });
  afterAll(() => h.close());

  it('describes every JSON request body as a closed object, nested objects included', () => {
    const open = operations.flatMap((op) => {
      const body = jsonBodySchema(op);
      return body ? openObjects(body, '').map((where) => `${describeOperation(op)} ${where}`) : [];
    });
    expect(open).toEqual([]);
  });

  it('refuses a server-owned property added to an otherwise plausible body, on every route, and writes nothing', async () => {
    const before = await rowCounts(h.database);
    let tried = 0;
    for (const op of operations.filter((o) => mutatingMethods.has(o.method) && jsonBodySchema(o))) {
      const schema = jsonBodySchema(op)!;
      const base = plausibleValue(schema);
      if (!base || typeof base !== 'object' || Array.isArray(base)) continue;
      for (const field of serverOwned.filter(
        (f) => !schema.properties?.[f] && !(schema.anyOf ?? []).some((s) => s.properties?.[f]),
      )) {
        const res = await h.app.inject({
          method: op.method,
          url: plausiblePath(op),
          headers: admin,
          payload: { ...base, [field]: field === 'placesUsed' ? 0 : '7b0f5d2e-3c41-4c1a-9a57-0d6f1e2a9b10' },
          remoteAddress: `192.0.2.${tried % 250}`,
        });
        const where = `${describeOperation(op)} + ${field}`;
        expect(res.statusCode, where).toBe(400);
        expect(
          expectProblem(res, 400).errors?.map((e) => e.path),
          where,
        ).toContain('body');
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(50);
    expect(await rowCounts(h.database)).toEqual(before);
  });

  it('shows no password hash or token hash in any answer', async () => {
    const officer = await createAccount(h.database.db, 'officer', { officeId: kalsel });
    const business = await createBusiness(h.database.db, kalsel);
    const answers: { what: string; body: string }[] = [];
    const keep = (what: string, res: { statusCode: number; body: string }) => {
      expect(res.statusCode, what).toBeLessThan(300);
      answers.push({ what, body: res.body });
    };
    keep(
      'login',
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: officer.email, password: officer.password },
      }),
    );
    const invited = await h.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business.id}/invitations`,
      headers: officer.auth,
      payload: {},
    });
    keep('invitation', invited);
    keep(
      'accept',
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/invitations/accept',
        payload: { token: invited.json().invitation.token, password: 'sandi-amplang-kuin' },
      }),
    );
    keep(
      'create user',
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: admin,
        payload: { name: 'Kabid', email: 'kabid@example.id', role: 'manager', officeId: kalsel },
      }),
    );
    keep(
      'disable user',
      await h.app.inject({ method: 'POST', url: `/api/v1/users/${officer.userId}/disable`, headers: admin }),
    );
    await h.database.db.insert(auditLog).values({
      action: 'user.import',
      entityType: 'user',
      entityId: officer.userId,
      officeId: kalsel,
      after: { passwordHash: '$argon2id$v=19$leaked', nested: { tokenHash: 'abc123' } },
    });
    for (const op of operations.filter((o) => o.method === 'GET' && pathParameters(o).length === 0)) {
      const res = await h.app.inject({ method: 'GET', url: op.path, query: requiredQuery(op), headers: admin });
      if (res.statusCode === 200) answers.push({ what: describeOperation(op), body: res.body });
    }
    expect(answers.map((a) => a.what)).toEqual(expect.arrayContaining(['GET /api/v1/users', 'GET /api/v1/audit']));

    const tokenHashes = (await h.database.db.select({ hash: apiTokens.tokenHash }).from(apiTokens)).map((t) => t.hash);
    expect(tokenHashes.length).toBeGreaterThan(3);
    for (const { what, body } of answers) {
      expect(body, what).not.toMatch(/\$argon2/);
      for (const hash of tokenHashes) expect(body, what).not.toContain(hash);
      // An export (CSV, XLSX) is checked for hashes above; only JSON has keys to look at.
      if (!body.trimStart().startsWith('{') && !body.trimStart().startsWith('[')) continue;
      const secretive = entriesOf(JSON.parse(body)).filter(([k]) => /password(?!Set)|tokenHash|token_hash/i.test(k));
      expect(
        secretive.filter(([, v]) => v !== '[redacted]'),
        what,
      ).toEqual([]);
    }
  });

  it('declares no response property that could carry a password or a hash', async () => {
    const doc = (await h.app.inject('/docs/json')).json();
    const keys = [...keysOf(doc.paths)].filter((k) =>
      /^(password|passwordHash|password_hash|tokenHash|token_hash)$/.test(k),
    );
    // `password` is an input of login and of accepting an invitation, never an output.
    expect(keys).toEqual(['password']);
    for (const [path, methods] of Object.entries<Record<string, { responses?: unknown }>>(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        expect(
          [...keysOf(op.responses)].filter((k) => /password(?!Set)|hash/i.test(k)),
          `${method} ${path}`,
        ).toEqual([]);
      }
    }
  });
});
