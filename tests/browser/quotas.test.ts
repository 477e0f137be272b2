/// <reference lib="dom" />
// The quota page in a real browser: a manager reads the year's quotas as the API counts them, sets a new one for a
// kabupaten/kota (a second for the same scope is refused beside the form, the typed values kept), raises a full quota
// and sees those waiting promoted at once, is refused lowering it below the places in use, and a double submit acts
// once; an officer reads without forms and a crafted post of theirs changes nothing; an administrator is asked for the
// office first and works on the one they choose. axe-core scans the page.
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, businesses, enrolments, quotas, users } from '../../db/schema.js';
import { seededOffices } from '../security/support.js';
import { expectAccessible, logIn, postForm, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('the quota page', () => {
  let stack: BrowserStack;
  let manager: Page;
  let officeId: string;
  const year = new Date().getUTCFullYear();

  const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
    stack.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${stack.logins.manager!.token}` },
      ...(payload ? { payload } : {}),
    });
  const post = (url: string, token: string, form: Record<string, string>) => postForm(stack.app, url, token, form);
  const row = (id: string) => manager.locator(`[id="quota-${id}"]`);
  const cells = async (id: string) => (await row(id).locator('td').allTextContents()).slice(0, 8).map((t) => t.trim());
  const quotaRow = async (id: string) => (await stack.database.db.select().from(quotas).where(eq(quotas.id, id)))[0]!;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-quotas');
    const [me] = await stack.database.db.select().from(users).where(eq(users.email, stack.logins.manager!.email));
    officeId = me!.officeId!;
    manager = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(manager, stack.baseUrl, stack.logins.manager!);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("shows the manager the year's quotas with places used, free and waiting, as the API counts them", async () => {
    await manager.getByRole('link', { name: 'Kuota', exact: true }).click();
    await manager.waitForURL(`${stack.baseUrl}/quotas`);
    expect(await manager.locator('h1').textContent()).toBe(`Kuota ${year}`);
    const listed = (await api('GET', `/quotas?year=${year}`)).json().items as {
      id: string;
      placesLimit: number;
      placesUsed: number;
      placesFree: number;
      waitlisted: number;
    }[];
    expect(listed.length).toBeGreaterThan(0);
    for (const q of listed) {
      const [, , limit, used, free, waiting] = await cells(q.id);
      expect([limit, used, free, waiting]).toEqual(
        [q.placesLimit, q.placesUsed, q.placesFree, q.waitlisted].map(String),
      );
    }
    await expectAccessible(manager);
  });

  it('sets a quota for a kabupaten/kota, and refuses a second for that scope beside the form, keeping what was typed', async () => {
    await manager.goto(`${stack.baseUrl}/quotas?year=${year}`);
    const form = manager.locator('form[action^="/quotas?"]');
    const fill = async () => {
      await form.getByLabel('Program').selectOption('halal-self-declare');
      await form.getByLabel('Wilayah').selectOption({ label: 'Banjarbaru' });
      await form.getByLabel('Jumlah tempat').fill('12');
      await form.getByLabel('Tanggal pooling (tidak wajib)').fill(`${year}-09-01`);
      await form.getByRole('button', { name: 'Tetapkan kuota' }).click();
    };
    await fill();
    await manager.waitForURL(`${stack.baseUrl}/quotas?year=${year}`);
    const [created] = await stack.database.db
      .select()
      .from(quotas)
      .where(and(eq(quotas.programmeKey, 'halal-self-declare'), eq(quotas.regionCode, '6372')));
    expect(created).toMatchObject({ officeId, year, placesLimit: 12, poolingDate: `${year}-09-01` });
    expect((await cells(created!.id)).slice(1, 3)).toEqual(['Banjarbaru', '12']);

    await fill();
    await expect.poll(() => manager.locator('.error-summary').textContent()).toMatch(/sudah ada; ubah yang itu/);
    expect(await form.getByLabel('Jumlah tempat').inputValue()).toBe('12');
    expect(
      await stack.database.db
        .select()
        .from(quotas)
        .where(and(eq(quotas.programmeKey, 'halal-self-declare'), eq(quotas.regionCode, '6372'))),
    ).toHaveLength(1);
    await screenshot(manager, 'quotas-manager');
  });

  it('raises a full quota and promotes those waiting at once; refuses lowering it below the places in use', async () => {
    const created = await api('POST', '/quotas', { programmeKey: 'haki-brand', year, placesLimit: 1 });
    expect(created.statusCode).toBe(201);
    const quota = created.json();
    const office = await stack.database.db.select().from(businesses).where(eq(businesses.officeId, officeId)).limit(3);
    for (const b of office) {
      expect(
        (await api('POST', '/enrolments', { businessId: b.id, programmeKey: 'haki-brand', year })).statusCode,
      ).toBe(201);
    }
    await manager.goto(`${stack.baseUrl}/quotas?year=${year}`);
    expect((await cells(quota.id)).slice(2, 6)).toEqual(['1', '1', '0', '2']);

    const change = async (places: string) => {
      await row(quota.id).getByRole('link', { name: 'Ubah' }).click();
      await manager.waitForURL(new RegExp(`/quotas/${quota.id}\\?year=${year}$`));
      await manager.getByLabel('Jumlah tempat').fill(places);
      await manager.getByRole('button', { name: 'Simpan' }).click();
    };
    await change('3');
    await manager.waitForURL(new RegExp(`/quotas\\?year=${year}#quota-${quota.id}$`));
    expect((await cells(quota.id)).slice(2, 6)).toEqual(['3', '3', '0', '0']);
    const statuses = await stack.database.db
      .select({ status: enrolments.status })
      .from(enrolments)
      .where(eq(enrolments.quotaId, quota.id));
    expect(statuses.map((s) => s.status)).toEqual(['active', 'active', 'active']);

    await change('1');
    await expect.poll(() => manager.locator('.error-summary').textContent()).toMatch(/3/);
    expect(await manager.getByLabel('Jumlah tempat').inputValue()).toBe('1');
    expect((await quotaRow(quota.id)).placesLimit).toBe(3);
    await screenshot(manager, 'quotas-lower-refused');
    await expectAccessible(manager);
  });

  it('applies a change sent twice with one form key once', async () => {
    const created = await api('POST', '/quotas', { programmeKey: 'export-readiness', year, placesLimit: 4 });
    expect(created.statusCode).toBe(201);
    const quota = created.json();
    const form = {
      placesLimit: '6',
      poolingDate: '',
      dailyCapPerAssistant: '',
      idempotencyKey: 'quota-key-0123456789',
    };
    const answers = await Promise.all([
      post(`/quotas/${quota.id}?year=${year}`, stack.logins.manager!.token, form),
      post(`/quotas/${quota.id}?year=${year}`, stack.logins.manager!.token, form),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([303, 303]);
    const updates = await stack.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'quota.update'), eq(auditLog.entityId, quota.id)));
    expect(updates).toHaveLength(1);
    expect((await quotaRow(quota.id)).placesLimit).toBe(6);
  });

  it('shows an officer the quotas without forms, and a crafted post of theirs changes nothing', async () => {
    const page = await stack.browser.newPage({ viewport: { width: 360, height: 740 } });
    await logIn(page, stack.baseUrl, stack.logins.officer!);
    await page.goto(`${stack.baseUrl}/quotas?year=${year}`);
    expect(await page.locator('table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('form[method="post"][action^="/quotas"]').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Ubah' }).count()).toBe(0);
    await screenshot(page, 'quotas-officer-360');
    await page.close();

    const [target] = await stack.database.db.select().from(quotas).where(eq(quotas.officeId, officeId)).limit(1);
    const answer = await post(`/quotas/${target!.id}?year=${year}`, stack.logins.officer!.token, {
      placesLimit: '999',
      idempotencyKey: 'officer-key-0123456789',
    });
    expect(answer.statusCode).toBe(403);
    expect((await quotaRow(target!.id)).placesLimit).toBe(target!.placesLimit);
  });

  it('asks an administrator for the office first, and sets the quota there', async () => {
    const { kaltim } = await seededOffices(stack.database.db);
    const page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, stack.baseUrl, stack.logins.admin!, '/dashboard');
    await page.goto(`${stack.baseUrl}/quotas?year=${year}`);
    // No office is taken for them: the page shows no quotas and no form until they choose one.
    expect(await page.locator('main table').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Tetapkan kuota' }).count()).toBe(0);
    await expectAccessible(page);
    await page.getByLabel('Untuk kantor').selectOption(kaltim);
    await page.getByRole('button', { name: 'Pilih kantor' }).click();
    await page.waitForURL(new RegExp(`officeId=${kaltim}`));
    expect(await page.locator('.office-choice .hint').textContent()).toContain('Kalimantan Timur');
    const form = page.locator('form[action^="/quotas?"]');
    await form.getByLabel('Program').selectOption('halal-regular');
    await form.getByLabel('Wilayah').selectOption({ label: 'Samarinda' });
    await form.getByLabel('Jumlah tempat').fill('7');
    await form.getByRole('button', { name: 'Tetapkan kuota' }).click();
    await page.waitForURL(new RegExp(`officeId=${kaltim}`));
    const [created] = await stack.database.db
      .select()
      .from(quotas)
      .where(and(eq(quotas.officeId, kaltim), eq(quotas.programmeKey, 'halal-regular')));
    expect(created).toMatchObject({ regionCode: '6472', placesLimit: 7, year });
    expect(await page.locator(`[id="quota-${created!.id}"] td`).nth(1).textContent()).toBe('Samarinda');
    await page.close();
  });
});
