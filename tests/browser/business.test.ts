/// <reference lib="dom" />
// A business owner on a cheap phone: the invitation link from WhatsApp opens its own page at 360 × 740, with the next
// step, its documents and its due date; after setting a password it completes its own step; the language switch
// is remembered.
import type { BrowserContext, Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolments, users } from '../../db/schema.js';
import { halalRegular } from '../../domain/templates/index.js';
import { acceptDocuments } from '../helpers/fixtures.js';
import { expectAccessible, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('a business on its phone', () => {
  let stack: BrowserStack;
  let context: BrowserContext;
  let page: Page;
  let invitationUrl: string;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-business');
    const [business] = await stack.database.sql<{ id: string }[]>`
      select id from businesses where nib = '9120001234501'`;
    const invited = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/${business!.id}/invitations`,
      headers: { authorization: `Bearer ${stack.logins.officer!.token}` },
      payload: { email: 'business@demo.pendamping.id' },
    });
    expect(invited.statusCode).toBe(201);
    invitationUrl = invited.json().invitation.url;
    context = await stack.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('opens the invitation link and sees its next step with the documents and the due date', async () => {
    await page.goto(`${stack.baseUrl}${invitationUrl}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('UD Amplang Ikan Haruan Kuin');
    const next = page.locator('.next-mine');
    expect(await next.locator('h3').textContent()).toBe('Yang perlu Anda lakukan');
    expect(await next.locator('.next-step').textContent()).toBe('Penyusunan manual SJPH');
    expect(await next.textContent()).toMatch(/Paling lambat:.*\d{4} 16\.00 WITA/s);
    expect(await next.textContent()).toContain('Manual SJPH (wajib)');
    // The token left the address for the httpOnly cookie.
    expect(page.url()).toBe(`${stack.baseUrl}/`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);
    await screenshot(page, 'business-invitation-360');
    await expectAccessible(page);
  });

  it('sets a password, then completes its own step and sees the next one', async () => {
    await page.getByLabel(/Kata sandi baru/).fill('rahasia-amplang-2026');
    await page.getByRole('button', { name: 'Simpan kata sandi' }).click();
    const next = page.locator('.next-mine');
    await expect.poll(() => next.getByRole('button', { name: 'Selesaikan langkah' }).count()).toBe(1);
    // The engine counts accepted documents, not ticked boxes: the office has accepted the two the step requires.
    const [own] = await stack.database.db
      .select({ id: enrolments.id, step: enrolments.currentStep })
      .from(enrolments)
      .innerJoin(users, eq(users.businessId, enrolments.businessId))
      .where(and(eq(users.email, stack.logins.business!.email), eq(enrolments.currentStep, 'sjph_manual')));
    const step = halalRegular.steps.find((s) => s.key === own!.step)!;
    await acceptDocuments(
      stack.database.db,
      own!.id,
      step.key,
      step.checklist.filter((c) => c.required).map((c) => c.key),
    );
    await next.getByRole('button', { name: 'Selesaikan langkah' }).click();
    await expect
      .poll(() => page.locator('.next-mine .next-step').first().textContent())
      .toBe('Dokumentasi bahan dan proses produksi');
    await screenshot(page, 'business-after-complete-360');
  });

  it('switches to English and keeps it on the next page', async () => {
    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('.next-mine h3').first().textContent()).toBe('What you need to do');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.getByRole('link', { name: 'Notifications', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Notifications');
    await screenshot(page, 'business-notifications-en-360');
    await expectAccessible(page);
  });
});
