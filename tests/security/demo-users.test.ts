// The demo accounts `npm start` creates on a database without users: their tokens and passwords work, and a second
// start (or a database with users) creates nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoUsers } from '../../db/seed/demo-users.js';
import { rowCounts } from '../helpers/db.js';
import { seededOffices, startHarness, type Harness } from './support.js';

describe('demo users', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('creates an admin, and a manager and an officer of Kalimantan Selatan, once; their tokens and passwords work', async () => {
    const { kalsel } = await seededOffices(h.database.db);
    const started = Date.now();
    const logins = await seedDemoUsers(h.database.db);
    expect(logins.map((l) => l.role)).toEqual(['admin', 'manager', 'officer']);

    for (const login of logins) {
      const me = await h.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${login.token}` },
      });
      expect(me.json()).toMatchObject({
        role: login.role,
        officeId: login.role === 'admin' ? null : kalsel,
        token: { kind: 'demo' },
      });
      const days = (Date.parse(me.json().token.expiresAt) - started) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThan(30.1);
      const session = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: login.email, password: login.password },
      });
      expect(session.statusCode).toBe(200);
    }

    const after = await rowCounts(h.database);
    expect(await seedDemoUsers(h.database.db)).toEqual([]);
    expect(await rowCounts(h.database)).toEqual(after);
  });
});
