/// <reference lib="dom" />
// Field work pages on a phone (360×740) in a real browser: the month's visit calendar, the visit form (findings
// refused empty beside the field, then the visit closed; a follow-up added) and the site inventory.
import type { Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSite } from '../../services/sites.js';
import { createVisit } from '../../services/visits/visits.js';
import { expectAccessible, logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('field visit pages on a phone', () => {
  let stack: BrowserStack;
  let page: Page;
  let visitId: string;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-visits');
    page = await stack.browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await logIn(page, stack.baseUrl, stack.logins.officer!);
    const [officer] = await stack.database
      .sql`select id, office_id from users where email = ${stack.logins.officer!.email}`;
    const principal = {
      userId: officer!.id as string,
      role: 'officer' as const,
      officeId: officer!.office_id as string,
      businessId: null,
    };
    const source = { requestId: 'browser-visits', principal };
    const zone = 'Asia/Makassar';
    const visit = await createVisit(stack.database.db, source, {
      date: DateTime.now().setZone(zone).toISODate()!,
      place: 'Sentra Sasirangan Kampung Melayu',
      teamUserIds: [principal.userId],
    });
    visitId = visit.id;
    await createSite(stack.database.db, source, {
      kind: 'idle_factory',
      name: 'Eks pabrik karet Banjarmasin',
      regionCode: '6371',
      areaHa: 3.5,
      state: 'idle',
      owner: 'PT Karet Banua',
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const fitsThePhone = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it("shows the month's visits and opens one", async () => {
    await page.goto(`${stack.baseUrl}/visits`);
    const link = page.getByRole('link', { name: 'Sentra Sasirangan Kampung Melayu' });
    await expect.poll(() => link.count()).toBe(1);
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'visits-month-phone');
    await expectAccessible(page);
    await link.click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sentra Sasirangan Kampung Melayu');
  });

  it('refuses to close without findings, beside the field, then closes with them and adds a follow-up', async () => {
    await page.goto(`${stack.baseUrl}/visits/${visitId}`);
    await page.getByRole('button', { name: 'Simpan dan tutup kunjungan' }).click();
    await expect.poll(() => page.locator('#f-findings-error').textContent()).toMatch(/wajib/);
    expect(await page.locator('.error-summary a[href="#f-findings"]').count()).toBe(1);
    const [planned] = await stack.database.sql`select status from visits where id = ${visitId}`;
    expect(planned!.status).toBe('planned');
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'visit-form-error-phone');
    await expectAccessible(page);

    await page
      .getByLabel('Apa yang ditemukan di lapangan')
      .fill('Tiga perajin baru <script>alert(1)</script>; kemasan perlu label halal.');
    await page.getByRole('button', { name: 'Simpan dan tutup kunjungan' }).click();
    await expect.poll(() => page.locator('dl.summary').textContent()).toContain('Selesai');
    expect(await page.locator('dl.summary').textContent()).toContain('<script>alert(1)</script>');
    const [closed] = await stack.database.sql`select status, closed_by from visits where id = ${visitId}`;
    expect(closed!.status).toBe('closed');

    await page.getByLabel('Tindak lanjut baru').fill('Bantu pengurusan sertifikat halal');
    await page.getByLabel('Tenggat').fill(DateTime.now().plus({ days: 14 }).toISODate()!);
    await page.getByRole('button', { name: 'Tambah tindak lanjut' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Bantu pengurusan sertifikat halal');
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'visit-form-phone');
    await expectAccessible(page);
  });

  it('lists the site inventory with its filters on the phone', async () => {
    await page.goto(`${stack.baseUrl}/sites?kind=idle_factory`);
    await expect.poll(() => page.locator('main').textContent()).toContain('Eks pabrik karet Banjarmasin');
    expect(await page.locator('main').textContent()).toContain('Terbengkalai');
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'sites-phone');
    await expectAccessible(page);
  });
});
