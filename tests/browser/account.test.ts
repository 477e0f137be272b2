/// <reference lib="dom" />
// The reader's own account page in a real browser, on a phone: an officer sets the language of their messages,
// WhatsApp and its number and the morning digest, and reads back what the API keeps; a number the API refuses is said
// beside its field with nothing written; a wrong current password changes nothing, a right one keeps this session and
// ends the others; a business sets its own language and channels, without the staff's digest and webhook. axe-core
// scans the page.
import type { Page } from 'playwright-core';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, users } from '../../db/schema.js';
import { createAccount, type Account } from '../security/support.js';
import { expectAccessible, logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('my account', () => {
  let stack: BrowserStack;
  let officer: Account;
  let page: Page;

  const api = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    stack.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });
  const auditRows = async () => (await stack.database.db.select({ n: count() }).from(auditLog))[0]!.n;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-account');
    const [demo] = await stack.database.db.select().from(users).where(eq(users.email, stack.logins.officer!.email));
    // An officer of its own: changing the password ends the demo officer's other sessions, which other files use.
    officer = await createAccount(stack.database.db, 'officer', { officeId: demo!.officeId });
    page = await stack.browser.newPage({ viewport: { width: 360, height: 740 } });
    await logIn(page, stack.baseUrl, { ...stack.logins.officer!, email: officer.email, password: officer.password });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('sets how the officer is told of things, and shows back what the API keeps', async () => {
    await page.getByRole('link', { name: 'Akun saya' }).click();
    await page.waitForURL(`${stack.baseUrl}/account`);
    expect(await page.locator('h1').textContent()).toBe('Akun saya');
    expect(await page.locator('dl.summary').textContent()).toContain(officer.email);
    await expectAccessible(page);
    const form = page.locator('#notifications');
    expect(await form.getByLabel('Bahasa Indonesia').isChecked()).toBe(true);
    expect(await form.getByLabel(/^Ringkasan pagi/).isChecked()).toBe(true);

    await form.getByLabel('English').check();
    await form.getByLabel('WhatsApp ke nomor di bawah').check();
    await form.getByLabel(/^Ringkasan pagi/).uncheck();
    await form.getByLabel('Nomor WhatsApp').fill('+6281234567890');
    await form.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForURL(/\/account\?saved=notifications/);
    expect(await page.locator('.notice').textContent()).toContain('Pengaturan pemberitahuan disimpan');
    const kept = (await api('GET', '/notification-preferences', officer.token)).json();
    expect(kept).toMatchObject({
      language: 'en',
      phone: '+6281234567890',
      // E-mail and the webhook are on by default and were left as they were.
      channels: { email: true, whatsapp: true, webhook: true },
      digest: false,
    });
    expect(await form.getByLabel('English').isChecked()).toBe(true);
    expect(await form.getByLabel('Nomor WhatsApp').inputValue()).toBe('+6281234567890');
    await screenshot(page, 'account-phone');
  });

  it('says beside the field what number the API refuses, and writes nothing', async () => {
    await page.goto(`${stack.baseUrl}/account`);
    const before = await auditRows();
    const form = page.locator('#notifications');
    await form.getByLabel('Nomor WhatsApp').fill('0812');
    await form.getByRole('button', { name: 'Simpan' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#f-phone-error').count()).toBe(1);
    expect(await page.locator('#f-phone').inputValue()).toBe('0812');
    expect((await api('GET', '/notification-preferences', officer.token)).json().phone).toBe('+6281234567890');
    expect(await auditRows()).toBe(before);
    await screenshot(page, 'account-refused-phone');
  });

  it('changes the password only with the current one, keeping this session and ending the others', async () => {
    await page.goto(`${stack.baseUrl}/account`);
    const form = page.locator('#password');
    await form.getByLabel('Kata sandi sekarang').fill('bukan-sandinya');
    await form.getByLabel(/^Kata sandi baru/).fill('sandi-baru-123456');
    await form.getByRole('button').click();
    await page.waitForLoadState('load');
    expect(await page.locator('#f-currentPassword-error').textContent()).toContain('salah');
    expect(await page.locator('#f-currentPassword').inputValue()).toBe('');
    expect((await api('GET', '/auth/me', officer.token)).statusCode).toBe(200);

    await page.locator('#password').getByLabel('Kata sandi sekarang').fill(officer.password);
    await page
      .locator('#password')
      .getByLabel(/^Kata sandi baru/)
      .fill('sandi-baru-123456');
    await page.locator('#password').getByRole('button').click();
    await page.waitForURL(/\/account\?saved=password/);
    expect(await page.locator('.notice').textContent()).toContain('Kata sandi diganti');
    // This browser's session stays; the session made elsewhere does not.
    expect((await page.goto(`${stack.baseUrl}/account`))!.status()).toBe(200);
    expect((await api('GET', '/auth/me', officer.token)).statusCode).toBe(401);
    const login = (password: string) =>
      stack.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: officer.email, password } });
    expect((await login(officer.password)).statusCode).toBe(401);
    expect((await login('sandi-baru-123456')).statusCode).toBe(200);
  });

  it("lets a business set its own language and channels, without the staff's digest and webhook", async () => {
    const business = await stack.browser.newPage({ viewport: { width: 360, height: 740 } });
    await logIn(business, stack.baseUrl, stack.logins.business!);
    await business.getByRole('link', { name: 'Akun saya' }).click();
    await business.waitForURL(`${stack.baseUrl}/account`);
    const form = business.locator('#notifications');
    expect(await form.getByLabel(/^Ringkasan pagi/).count()).toBe(0);
    expect(await form.getByLabel(/Webhook/).count()).toBe(0);
    await form.getByLabel('English').check();
    await form.getByRole('button', { name: 'Simpan' }).click();
    await business.waitForURL(/\/account\?saved=notifications/);
    expect((await api('GET', '/notification-preferences', stack.logins.business!.token)).json().language).toBe('en');
    await expectAccessible(business);
    await screenshot(business, 'account-business-phone');
    await business.close();
  });
});
