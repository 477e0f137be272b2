import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { halalSelfDeclare } from '../../domain/templates/index.js';
import { testAdminToken } from '../helpers/app.js';
import { rowCounts, type TestDatabase } from '../helpers/db.js';
import { createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

describe('programme templates and their versions', () => {
  let database: TestDatabase;
  let stack: TestStack;
  let app: App;
  const admin = { authorization: `Bearer ${testAdminToken}` };
  let officer: { authorization: string };
  let manager: { authorization: string };

  beforeAll(async () => {
    stack = await startTestStack();
    ({ database, app } = stack);
    const office = await kalselOffice(database.db);
    officer = {
      authorization: `Bearer ${await createToken(database.db, (await createUser(database.db, 'officer', office.id)).id)}`,
    };
    manager = {
      authorization: `Bearer ${await createToken(database.db, (await createUser(database.db, 'manager', office.id)).id)}`,
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('lists the seven built-in programmes at version 1', async () => {
    const res = await app.inject({ url: '/api/v1/programmes', headers: officer });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((p: { key: string; latestVersion: number }) => [p.key, p.latestVersion])).toEqual([
      ['e-katalog', 1],
      ['export-readiness', 1],
      ['haki-brand', 1],
      ['halal-regular', 1],
      ['halal-self-declare', 1],
      ['ikm-mentoring', 1],
      ['p3dn-tkdn', 1],
    ]);
  });

  it('names the step and field of a bad template, and writes nothing', async () => {
    const bad = structuredClone(halalSelfDeclare) as unknown as { steps: { outcomes: { next: string | null }[] }[] };
    bad.steps[1]!.outcomes[0]!.next = 'tidak_ada';
    const before = await rowCounts(database);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/programmes/validate',
      headers: officer,
      payload: bad,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toContainEqual({
      path: 'body.steps.1.outcomes.0.next',
      message: expect.stringMatching(/tidak_ada/),
    });
    const publish = await app.inject({
      method: 'POST',
      url: '/api/v1/programmes/halal-self-declare/versions',
      headers: admin,
      payload: { ...bad, version: 2 },
    });
    expect(publish.statusCode).toBe(400);
    expect(await rowCounts(database)).toEqual(before);
  });

  it('publishes the next version, keeps earlier ones, and refuses a wrong number, a wrong key, an officer or a manager on a built-in', async () => {
    const v2 = { ...halalSelfDeclare, version: 2, description: { id: 'Versi 2', en: 'Version 2' } };
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/programmes/halal-self-declare/versions',
          headers: officer,
          payload: v2,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/programmes/halal-self-declare/versions',
          headers: manager,
          payload: v2,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/programmes/halal-self-declare/versions',
          headers: admin,
          payload: { ...v2, version: 3 },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/programmes/halal-regular/versions',
          headers: admin,
          payload: v2,
        })
      ).json().errors,
    ).toEqual([{ path: 'body.key', message: expect.any(String) }]);
    const published = await app.inject({
      method: 'POST',
      url: '/api/v1/programmes/halal-self-declare/versions',
      headers: admin,
      payload: v2,
    });
    expect(published.statusCode).toBe(201);
    const versions = await app.inject({ url: '/api/v1/programmes/halal-self-declare/versions', headers: officer });
    expect(versions.json().items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const current = await app.inject({ url: '/api/v1/programmes/halal-self-declare', headers: officer });
    expect(current.json()).toMatchObject({ latestVersion: 2, template: { description: { en: 'Version 2' } } });
  });
});
