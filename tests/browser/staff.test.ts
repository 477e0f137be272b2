/// <reference lib="dom" />
// The staff page in a real browser, on a phone: a manager sees the office's managers and officers with whether each has
// accepted their invitation, adds an officer and gets the link, which sets that officer's password in a browser of
// their own; input the API refuses is shown beside its field with nothing written; a new link for one who lost theirs
// makes the old one stop working; disabling ends the account and its links; one person's running cases go to
// another from their row. A double submit makes one account. An
// officer has no such page and a crafted post of theirs writes nothing; an administrator chooses the office first and
// may add a manager. axe-core scans the page.
import type { Page } from 'playwright-core';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokens, users } from '../../db/schema.js';
import { seededOffices } from '../security/support.js';
import { expectAccessible, logIn, postForm, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('the staff page', () => {
  let stack: BrowserStack;
  let manager: Page;

  const post = (url: string, token: string, form: Record<string, string>) => postForm(stack.app, url, token, form);
  const usersNamed = async (email: string) =>
    (await stack.database.db.select({ n: count() }).from(users).where(eq(users.email, email)))[0]!.n;
  const userCount = async () => (await stack.database.db.select({ n: count() }).from(users))[0]!.n;
  const rowOf = (page: Page, name: string) => page.locator('tr', { has: page.getByRole('rowheader', { name }) });
  const link = async (page: Page) => (await page.locator('#invitation-link').textContent())!.trim();
  /** Opens an invitation link in a browser of its own and sets the password; where that lands. */
  const acceptIn = async (url: string, password: string) => {
    const context = await stack.browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    try {
      await page.goto(url);
      await page.getByLabel(/^Kata sandi baru/).fill(password);
      await page.getByRole('button', { name: 'Simpan kata sandi' }).click();
      await page.waitForURL(/\/$/);
      return page.url();
    } finally {
      await context.close();
    }
  };

  beforeAll(async () => {
    stack = await startBrowserStack('browser-staff');
    manager = await stack.browser.newPage({ viewport: { width: 360, height: 740 } });
    await logIn(manager, stack.baseUrl, stack.logins.manager!);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("lists the office's managers and officers, offering actions only on the officers", async () => {
    await manager.goto(`${stack.baseUrl}/staff`);
    expect(await manager.locator('h1').textContent()).toBe('Staf kantor');
    const own = rowOf(manager, 'Kepala Bidang Demo');
    await expect.poll(() => own.count()).toBe(1);
    expect(await own.locator('td').nth(2).textContent()).toContain('Aktif');
    expect(await own.getByRole('button').count()).toBe(0);
    const officer = rowOf(manager, 'Petugas Demo');
    expect(await officer.getByRole('button', { name: 'Tautan undangan baru' }).count()).toBe(1);
    // A business's account belongs to the office too, but is no staff.
    expect(await manager.locator('tbody tr').count()).toBe(2);
    await expectAccessible(manager);
    await screenshot(manager, 'staff-phone');
  });

  it('adds an officer whose link sets their own password, and says beside each field what the API refused', async () => {
    await manager.goto(`${stack.baseUrl}/staff`);
    const before = await userCount();
    const form = manager.locator('#new-staff');
    await form.getByLabel('Nama').fill('R');
    await form.getByLabel('Email').fill('bukan-email');
    await form.getByRole('button').click();
    await manager.waitForLoadState('load');
    expect(await manager.locator('.error-summary').count()).toBe(1);
    expect(await manager.locator('#f-email-error').textContent()).toContain('email');
    expect(await manager.locator('#f-name-error').count()).toBe(1);
    expect(await manager.locator('#f-email').inputValue()).toBe('bukan-email');
    // Another person's e-mail is refused beside the field too.
    await form.getByLabel('Nama').fill('Rina Marlina');
    await form.getByLabel('Email').fill(stack.logins.officer!.email.toUpperCase());
    await form.getByRole('button').click();
    await manager.waitForLoadState('load');
    expect(await manager.locator('#f-email-error').textContent()).toContain('Email sudah dipakai');
    await screenshot(manager, 'staff-refused-phone');
    expect(await userCount()).toBe(before);

    await form.getByLabel('Email').fill('rina.marlina@dinas.example.id');
    await form.getByRole('button').click();
    await manager.waitForLoadState('load');
    const url = await link(manager);
    expect(url).toMatch(new RegExp(`^${stack.baseUrl}/invite/pdp_`));
    expect(await rowOf(manager, 'Rina Marlina').locator('td').nth(2).textContent()).toContain(
      'Undangan belum dipakai, berlaku sampai',
    );
    await screenshot(manager, 'staff-link-phone');

    expect(await acceptIn(url, 'sandi-rina-12345')).toBe(`${stack.baseUrl}/`);
    await manager.goto(`${stack.baseUrl}/staff`);
    expect(await rowOf(manager, 'Rina Marlina').locator('td').nth(2).textContent()).toContain('Aktif');
    const login = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'rina.marlina@dinas.example.id', password: 'sandi-rina-12345' },
    });
    expect(login.statusCode).toBe(200);
  });

  it('gives a new link that ends the old one, then disables the account and its link', async () => {
    await manager.goto(`${stack.baseUrl}/staff`);
    const form = manager.locator('#new-staff');
    await form.getByLabel('Nama').fill('Dedi Kurniawan');
    await form.getByLabel('Email').fill('dedi@dinas.example.id');
    await form.getByRole('button').click();
    await manager.waitForLoadState('load');
    const first = await link(manager);
    // The link runs out unused: the list says so, and a new link is what lets Dedi in.
    const [dedi] = await stack.database.db.select().from(users).where(eq(users.email, 'dedi@dinas.example.id'));
    await stack.database.db
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(and(eq(apiTokens.userId, dedi!.id), eq(apiTokens.kind, 'invitation')));
    await manager.goto(`${stack.baseUrl}/staff`);
    expect(await rowOf(manager, 'Dedi Kurniawan').locator('td').nth(2).textContent()).toContain('Undangan kedaluwarsa');

    await rowOf(manager, 'Dedi Kurniawan').getByRole('button', { name: 'Tautan undangan baru' }).click();
    await manager.waitForLoadState('load');
    const second = await link(manager);
    expect(second).not.toBe(first);
    expect(await rowOf(manager, 'Dedi Kurniawan').locator('td').nth(2).textContent()).toContain(
      'Undangan belum dipakai',
    );
    expect((await stack.app.inject({ method: 'GET', url: new URL(first).pathname })).statusCode).toBe(401);
    expect((await stack.app.inject({ method: 'GET', url: new URL(second).pathname })).statusCode).toBe(200);

    const row = rowOf(manager, 'Dedi Kurniawan');
    await row.getByText('Nonaktifkan…').click();
    await row.getByRole('button', { name: 'Nonaktifkan Dedi Kurniawan' }).click();
    await manager.waitForURL(/\/staff#user-/);
    const after = rowOf(manager, 'Dedi Kurniawan');
    expect(await after.locator('td').nth(2).textContent()).toContain('Nonaktif');
    expect(await after.getByRole('button').count()).toBe(0);
    expect((await stack.app.inject({ method: 'GET', url: new URL(second).pathname })).statusCode).toBe(401);
    await screenshot(manager, 'staff-disabled-phone');
  });

  it("hands one person's running cases to another from their row", async () => {
    const asManager = { authorization: `Bearer ${stack.logins.manager!.token}` };
    const [officer] = await stack.database.db.select().from(users).where(eq(users.email, stack.logins.officer!.email));
    const [me] = await stack.database.db.select().from(users).where(eq(users.email, stack.logins.manager!.email));
    const load = async () =>
      new Map<string | null, number>(
        (await stack.app.inject({ method: 'GET', url: '/api/v1/workload', headers: asManager }))
          .json()
          .items.map((i: { userId: string | null; openSteps: number }) => [i.userId, i.openSteps]),
      );
    // The demo's cases with a step open, all given to the demo officer first.
    const running = (
      await stack.app.inject({ method: 'GET', url: '/api/v1/enrolments?status=active&limit=100', headers: asManager })
    ).json().items as { id: string }[];
    for (const e of running) {
      const res = await stack.app.inject({
        method: 'PUT',
        url: `/api/v1/enrolments/${e.id}/assignee`,
        headers: asManager,
        payload: { userId: officer!.id },
      });
      expect(res.statusCode).toBe(200);
    }
    const before = await load();
    const theirs = before.get(officer!.id)!;
    expect(theirs).toBeGreaterThan(0);

    await manager.goto(`${stack.baseUrl}/staff`);
    const row = rowOf(manager, 'Petugas Demo');
    expect(await row.locator('td.numeric').textContent()).toBe(String(theirs));
    await row.getByText('Serahkan kasus…').click();
    await row.getByLabel(/diserahkan kepada/).selectOption({ label: 'Kepala Bidang Demo' });
    await screenshot(manager, 'staff-handover-phone');
    await row.getByRole('button', { name: 'Serahkan', exact: true }).click();
    await manager.waitForURL(/\/staff#user-/);
    expect(await rowOf(manager, 'Petugas Demo').locator('td.numeric').textContent()).toBe('0');
    const after = await load();
    expect(after.get(officer!.id)).toBe(0);
    expect(after.get(me!.id)).toBe((before.get(me!.id) ?? 0) + theirs);
  });

  it('makes one account when the form is sent twice at once', async () => {
    const form = {
      name: 'Siti Aminah',
      email: 'siti.aminah@dinas.example.id',
      idempotencyKey: 'staff-double-tap-0001',
    };
    const answers = await Promise.all([
      post('/staff', stack.logins.manager!.token, form),
      post('/staff', stack.logins.manager!.token, form),
    ]);
    for (const a of answers) expect([200, 303]).toContain(a.statusCode);
    expect(await usersNamed('siti.aminah@dinas.example.id')).toBe(1);
  });

  it('has no page for an officer, and writes nothing for a crafted post', async () => {
    const officer = await stack.browser.newPage({ viewport: { width: 360, height: 740 } });
    await logIn(officer, stack.baseUrl, stack.logins.officer!);
    expect(await officer.getByRole('link', { name: 'Staf', exact: true }).count()).toBe(0);
    expect((await officer.goto(`${stack.baseUrl}/staff`))!.status()).toBe(403);
    await officer.close();
    const before = await userCount();
    const crafted = await post('/staff', stack.logins.officer!.token, { name: 'Penyusup', email: 'x@example.id' });
    expect(crafted.statusCode).toBe(403);
    expect(await userCount()).toBe(before);
  });

  it('asks an administrator for the office first, and adds a manager there', async () => {
    const { kaltim } = await seededOffices(stack.database.db);
    const admin = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(admin, stack.baseUrl, stack.logins.admin!, '/dashboard');
    await admin.getByRole('link', { name: 'Staf', exact: true }).click();
    await admin.waitForURL(`${stack.baseUrl}/staff`);
    expect(await admin.locator('#new-staff').count()).toBe(0);
    await admin.getByLabel('Untuk kantor').selectOption(kaltim);
    await admin.getByRole('button', { name: 'Pilih kantor' }).click();
    await admin.waitForURL(`${stack.baseUrl}/staff?officeId=${kaltim}`);
    const form = admin.locator('#new-staff');
    await form.getByLabel('Nama').fill('Kabid Kaltim');
    await form.getByLabel('Email').fill('kabid@kaltim.example.id');
    await form.getByLabel('Peran').selectOption('manager');
    await form.getByRole('button').click();
    await admin.waitForLoadState('load');
    expect(await link(admin)).toContain('/invite/pdp_');
    const [made] = await stack.database.db.select().from(users).where(eq(users.email, 'kabid@kaltim.example.id'));
    expect(made).toMatchObject({ role: 'manager', officeId: kaltim });
    expect(await rowOf(admin, 'Kabid Kaltim').count()).toBe(1);
    await admin.close();
  });
});
