// The pages' guarantees, checked against the running app with the demo office: another office's or business's data
// never shows, user data is escaped everywhere, a form without the CSRF value changes nothing, a double submit acts
// once, logging out revokes the token, the lists read the projection (only a case page asks its workflow), and no
// page is in the API description that the hostile-input suite fuzzes.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCacheMs } from '../../api/plugins/auth.js';
import { businesses, cohorts, enrolments, users } from '../../db/schema.js';
import { createToken, createUser } from '../helpers/fixtures.js';
import { seededOffices } from '../security/support.js';
import { startBrowserStack, type BrowserStack } from './support.js';

const csrf = 'c'.repeat(32);
const cookieOf = (token: string) => `pdp_session=${token}; pdp_csrf=${csrf}`;

describe('page guarantees', () => {
  let stack: BrowserStack;
  let officer: string;
  let kaltimOfficer: string;
  let otherBusiness: string;
  let amplangCase: string;
  let amplangId: string;
  let tangguiCase: string;
  let cohortId: string;

  const get = (url: string, cookie: string) => stack.app.inject({ method: 'GET', url, headers: { cookie } });
  const post = (url: string, cookie: string, form: Record<string, string>) =>
    stack.app.inject({
      method: 'POST',
      url,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });

  beforeAll(async () => {
    stack = await startBrowserStack('browser-security');
    const db = stack.database.db;
    officer = cookieOf(stack.logins.officer!.token);
    const { kaltim } = await seededOffices(db);
    kaltimOfficer = cookieOf(await createToken(db, (await createUser(db, 'officer', kaltim)).id));
    const [tanggui] = await db.select().from(businesses).where(eq(businesses.nib, '9120001234503'));
    otherBusiness = cookieOf(
      await createToken(db, (await createUser(db, 'business', tanggui!.officeId, tanggui!.id)).id),
    );
    const [amplang] = await db.select().from(businesses).where(eq(businesses.nib, '9120001234501'));
    amplangId = amplang!.id;
    const rows = await db.select().from(enrolments).where(eq(enrolments.programmeKey, 'halal-regular'));
    amplangCase = rows.find((e) => e.businessId === amplang!.id)!.id;
    tangguiCase = rows.find((e) => e.businessId === tanggui!.id)!.id;
    cohortId = rows.find((e) => e.businessId === amplang!.id)!.cohortId!;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("never shows another office's data: its queue, cases, businesses and cohorts are not found", async () => {
    const queue = await get('/', kaltimOfficer);
    expect(queue.statusCode).toBe(200);
    expect(queue.body).not.toContain('Amplang');
    for (const url of [`/enrolments/${amplangCase}`, `/businesses/${amplangId}`, `/cohorts/${cohortId}`]) {
      const page = await get(url, kaltimOfficer);
      expect(page.statusCode, url).toBe(404);
      expect(page.body, url).not.toContain('Amplang');
    }
    const registry = await get('/businesses?q=Amplang', kaltimOfficer);
    expect(registry.body).not.toContain('UD Amplang');
  });

  it("never shows another business's case, and keeps businesses out of the office's pages", async () => {
    const own = await get(`/enrolments/${tangguiCase}`, otherBusiness);
    expect(own.statusCode).toBe(200);
    const other = await get(`/enrolments/${amplangCase}`, otherBusiness);
    expect(other.statusCode).toBe(404);
    expect(other.body).not.toContain('Amplang');
    const home = await get('/', otherBusiness);
    expect(home.body).toContain('Tanggui Kuin Cerucuk');
    expect(home.body).not.toContain('Amplang');
    for (const url of ['/businesses', `/businesses/${amplangId}`, `/cohorts/${cohortId}`, '/cohorts']) {
      const page = await get(url, otherBusiness);
      expect(page.statusCode, url).toBe(303);
      expect(page.headers.location, url).toMatch(/^\/login/);
    }
  });

  it('escapes user data on every page it appears on', async () => {
    const db = stack.database.db;
    const evil = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    await db.update(businesses).set({ name: evil, ownerName: evil, address: evil }).where(eq(businesses.id, amplangId));
    await db.update(cohorts).set({ name: evil }).where(eq(cohorts.id, cohortId));
    const pages = [
      '/',
      `/enrolments/${amplangCase}`,
      `/businesses/${amplangId}`,
      `/businesses/${amplangId}/edit`,
      `/businesses?q=${encodeURIComponent('<script>')}`,
      '/cohorts',
      `/cohorts/${cohortId}`,
    ];
    for (const url of pages) {
      const page = await get(url, officer);
      expect(page.statusCode, url).toBe(200);
      // Inside a quoted attribute value `<` is inert text; everywhere else it must arrive escaped.
      const markup = page.body.replace(/="[^"]*"/g, '=""');
      expect(markup, url).not.toMatch(/<script>alert|<img src=x/);
      expect(markup, url).toMatch(/&lt;script|&lt;img/);
    }
  });

  it('refuses a form post without the CSRF value, and changes nothing', async () => {
    const before = await stack.database.sql`select status from enrolments where id = ${tangguiCase}`;
    const forged = await post(`/enrolments/${tangguiCase}/pause`, officer, { reason: 'dipalsukan' });
    expect(forged.statusCode).toBe(403);
    const wrong = await post(`/enrolments/${tangguiCase}/pause`, officer, {
      reason: 'dipalsukan',
      _csrf: 'x'.repeat(32),
    });
    expect(wrong.statusCode).toBe(403);
    // A script using the cookie on the JSON API must send the header.
    const api = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/enrolments/${tangguiCase}/pause`,
      headers: { cookie: officer },
      payload: { reason: 'dipalsukan' },
    });
    expect(api.statusCode).toBe(403);
    const after = await stack.database.sql`select status from enrolments where id = ${tangguiCase}`;
    expect(after).toEqual(before);
  });

  it('sends an upload from nobody logged in to log in, and stores nothing', async () => {
    const documentsNow = () => stack.database.sql`select count(*)::int as count from documents`;
    const [before] = await documentsNow();
    const boundary = 'anonymous-upload';
    const upload = await stack.app.inject({
      method: 'POST',
      url: `/enrolments/${tangguiCase}/steps/readiness-review/documents/nib`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload:
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n` +
        `%PDF-1.4 ${'x'.repeat(1024)}\r\n--${boundary}--\r\n`,
    });
    expect(upload.statusCode).toBe(303);
    expect(upload.headers.location).toBe('/login');
    expect(await documentsNow()).toEqual([before]);
  });

  it('acts once on a double-clicked submit (both posts carry the same form key)', async () => {
    const form = {
      _csrf: csrf,
      date: '2031-03-04',
      nameId: 'Rapat kerja',
      nameEn: 'Work meeting',
      idempotencyKey: 'form-key-0123456789abcdef',
    };
    const answers = await Promise.all([
      post('/calendar?year=2031', officer, form),
      post('/calendar?year=2031', officer, form),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([303, 303]);
    const rows = await stack.database.sql`select count(*)::int as n from calendar_days where date = '2031-03-04'`;
    expect(rows[0]!.n).toBe(1);
  });

  it("applies a case's action once when its form is sent twice with the same key", async () => {
    const form = { _csrf: csrf, reason: 'Menunggu dokumen', idempotencyKey: 'pause-key-0123456789abcdef' };
    const answers = await Promise.all([
      post(`/enrolments/${tangguiCase}/pause`, officer, form),
      post(`/enrolments/${tangguiCase}/pause`, officer, form),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([303, 303]);
    const audits = await stack.database.sql`
      select count(*)::int as n from audit_log where entity_id = ${tangguiCase} and action like '%pause%'`;
    expect(audits[0]!.n).toBe(1);
    const [row] = await stack.database.sql`select status from enrolments where id = ${tangguiCase}`;
    expect(row!.status).toBe('paused');
    // A new form (a new key) is a new action: resuming works, and a second resume is refused with its reason.
    const resumed = await post(`/enrolments/${tangguiCase}/resume`, officer, {
      _csrf: csrf,
      idempotencyKey: 'resume-key-0123456789abcdef',
    });
    expect(resumed.statusCode).toBe(303);
    const again = await post(`/enrolments/${tangguiCase}/resume`, officer, {
      _csrf: csrf,
      idempotencyKey: 'resume-key-abcdef0123456789',
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Tindakan ditolak');
  });

  it('reads lists from the projection; only the case on screen asks its workflow', async () => {
    const workflow = stack.env.client.workflow;
    const original = workflow.getHandle.bind(workflow);
    const asked: string[] = [];
    workflow.getHandle = ((id: string, ...rest: unknown[]) => {
      asked.push(id);
      return (original as (...a: unknown[]) => ReturnType<typeof original>)(id, ...rest);
    }) as typeof workflow.getHandle;
    try {
      for (const url of ['/', `/cohorts/${cohortId}`, `/businesses/${amplangId}`]) await get(url, officer);
      expect(asked).toEqual([]);
      await get(`/enrolments/${tangguiCase}`, officer);
      expect(asked).toHaveLength(1);
    } finally {
      workflow.getHandle = original;
    }
  });

  it('revokes the token on log out; a bearer token still works for the API', async () => {
    const db = stack.database.db;
    const { kalsel } = await seededOffices(db);
    const token = await createToken(db, (await createUser(db, 'officer', kalsel)).id);
    const me = await stack.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.statusCode).toBe(200);
    const out = await post('/logout', cookieOf(token), { _csrf: csrf });
    expect(out.statusCode).toBe(303);
    expect(out.headers['set-cookie']).toMatch(/pdp_session=;/);
    const after = await stack.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.statusCode).toBe(401);
    const page = await get('/', cookieOf(token));
    expect(page.headers.location).toBe('/login');
  });

  it('refuses a logged-out session at once, though its look-up was cached: cookie on pages and the API, and bearer', async () => {
    const login = await post('/login', `pdp_csrf=${csrf}`, {
      _csrf: csrf,
      email: stack.logins.officer!.email,
      password: stack.logins.officer!.password,
    });
    expect(login.statusCode).toBe(303);
    const token = /pdp_session=([^;]+)/.exec(
      [login.headers['set-cookie']].flat().find((c) => c?.startsWith('pdp_session=')) ?? '',
    )![1]!;
    const bearer = { authorization: `Bearer ${token}` };
    const me = (headers: Record<string, string>) => stack.app.inject({ url: '/api/v1/auth/me', headers });
    // Every way in reads the session once, and the look-up is cached for tokenCacheMs.
    expect((await get('/', cookieOf(token))).statusCode).toBe(200);
    expect((await me({ cookie: cookieOf(token) })).statusCode).toBe(200);
    expect((await me(bearer)).statusCode).toBe(200);

    // A second tab's page is being served while the first logs out.
    const [otherTab, out] = await Promise.all([
      get('/', cookieOf(token)),
      post('/logout', cookieOf(token), { _csrf: csrf }),
    ]);
    const loggedOutAt = Date.now();
    expect(otherTab.statusCode).toBe(200);
    expect(out.statusCode).toBe(303);

    expect((await get('/', cookieOf(token))).headers.location).toBe('/login');
    expect((await me({ cookie: cookieOf(token) })).statusCode).toBe(401);
    expect((await me(bearer)).statusCode).toBe(401);
    // All refused while the cached look-ups would still have been served.
    expect(Date.now() - loggedOutAt).toBeLessThan(tokenCacheMs);
    // The officer's other sessions stay: logging out ends this one only.
    expect((await me({ authorization: `Bearer ${stack.logins.officer!.token}` })).statusCode).toBe(200);
  });

  it("sends an administrator, who has no office's queue, home to the dashboard of every office", async () => {
    const [admin] = await stack.database.db
      .insert(users)
      .values({ name: 'Admin uji', role: 'admin', officeId: null })
      .returning();
    const token = await createToken(stack.database.db, admin!.id);
    const home = await get('/', cookieOf(token));
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/dashboard');
    expect((await get('/dashboard', cookieOf(token))).statusCode).toBe(200);
  });

  it('sets the session cookie httpOnly and SameSite=Lax on log in', async () => {
    const login = await post('/login', `pdp_csrf=${csrf}`, {
      _csrf: csrf,
      email: stack.logins.manager!.email,
      password: stack.logins.manager!.password,
    });
    expect(login.statusCode).toBe(303);
    const cookie = [login.headers['set-cookie']].flat().find((c) => c?.startsWith('pdp_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const wrong = await post('/login', `pdp_csrf=${csrf}`, { _csrf: csrf, email: 'nobody@example.id', password: 'x' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Email atau kata sandi salah');
  });

  it('lets a new officer set a password from the invitation link, then log in by it', async () => {
    const invited = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${stack.logins.manager!.token}` },
      payload: { name: 'Petugas Baru', email: 'baru@demo.pendamping.id', role: 'officer' },
    });
    expect(invited.statusCode).toBe(201);
    const url = invited.json().invitation.url as string;
    const token = url.split('/').pop()!;
    const form = await get(url, `pdp_csrf=${csrf}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Selamat datang, Petugas Baru');
    const short = await post('/invite/accept', `pdp_csrf=${csrf}`, { _csrf: csrf, token, password: 'pendek' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toMatch(/id="f-password-error"[^>]*>kata sandi minimal 10 karakter/);
    const accepted = await post('/invite/accept', `pdp_csrf=${csrf}`, {
      _csrf: csrf,
      token,
      password: 'kata-sandi-baru-2026',
    });
    expect(accepted.statusCode).toBe(303);
    const session = /pdp_session=([^;]+)/.exec([accepted.headers['set-cookie']].flat().join('\n'))![1]!;
    const home = await get('/', cookieOf(session));
    expect(home.body).toContain('Antrean kerja');
    // Used once: the link is spent.
    expect((await get(url, `pdp_csrf=${csrf}`)).statusCode).toBe(401);
  });

  it('keeps every page out of the API description', async () => {
    const doc = (await stack.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, unknown>;
    };
    const pagePaths = Object.keys(doc.paths).filter(
      (p) => !p.startsWith('/api/') && !['/healthz', '/readyz'].includes(p),
    );
    expect(pagePaths).toEqual([]);
  });
});
