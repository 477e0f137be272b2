/// <reference lib="dom" />
// A manager's dashboard in a real browser over the demo office (npm start's demo data): every chart has something in
// it, its figures are the API's, the language switch, an XLSX export that opens with exceljs and holds the rows on
// screen, the list behind a figure, and axe-core on each page.
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, logIn, screenshot, screenshotDir, startBrowserStack, type BrowserStack } from './support.js';

describe('managers’ dashboard', () => {
  let stack: BrowserStack;
  let page: Page;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-dashboard');
    page = await stack.browser.newPage({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    await logIn(page, stack.baseUrl, stack.logins.manager!);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** The API's figures, fetched by the page itself with the manager's session cookie. */
  const apiFigures = () =>
    page.evaluate(async () => {
      const response = await fetch('/api/v1/dashboard');
      return response.json();
    });
  const text = (selector: string) => page.locator(selector).first().innerText();

  it('loads with the demo data, every chart with something in it, and the same figures as the API', async () => {
    await page.getByRole('link', { name: 'Dasbor' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Dasbor manajer');
    const api = await apiFigures();

    expect(await text('[data-figure="overdue-total"]')).toBe(String(api.overdue.total));
    expect(api.overdue.total).toBeGreaterThan(0);
    expect(await text('[data-figure="overdue-escalated"]')).toBe(String(api.overdue.escalated));
    expect(await text('[data-figure="likely-to-miss"]')).toBe(String(api.forecasts.likelyToMissYearEnd));
    expect(api.forecasts.likelyToMissYearEnd).toBeGreaterThan(0);

    for (const quota of api.quotas) {
      const row = page.locator(`[data-quota="${quota.quotaId}"]`);
      expect(await row.locator('[data-figure="quota-used"]').innerText()).toBe(
        `${quota.placesUsed} / ${quota.placesLimit}`,
      );
      expect(await row.locator('[data-figure="quota-waitlisted"]').innerText()).toBe(String(quota.waitlisted));
    }
    expect(api.quotas.some((q: { months: { taken: number }[] }) => q.months.some((m) => m.taken > 0))).toBe(true);

    // Each funnel bar names its step and says its count, and the count opens the list behind it.
    for (const programme of api.pipeline) {
      for (const step of programme.steps) {
        const bar = page.locator(`[data-programme="${programme.programmeKey}"] [data-step="${step.stepKey}"]`);
        expect(await bar.locator('.bars-name').innerText()).toContain(step.stepName.id);
        expect(
          await bar.locator('[data-figure="at-step"]').innerText(),
          `${programme.programmeKey} ${step.stepKey}`,
        ).toBe(String(step.atStep));
      }
    }
    // Something in every chart and table: history, open cases, statutory steps, regions, forecasts.
    expect(api.pipeline.length).toBeGreaterThanOrEqual(2);
    expect(api.sla.steps.length).toBeGreaterThan(0);
    expect(api.sla.late.total).toBeGreaterThan(0);
    expect(api.regions.filter((r: { enrolled: number }) => r.enrolled > 0).length).toBeGreaterThan(2);
    expect(api.forecasts.cohorts.length).toBeGreaterThan(0);
    expect(api.forecasts.accuracy.some((a: { finishedCases: number }) => a.finishedCases > 0)).toBe(true);
    expect(await page.locator('#overdue-table tbody tr').count()).toBe(api.overdue.items.length);
    expect(await page.locator('#sla-table tbody tr').count()).toBe(api.sla.steps.length);
    expect(await page.locator('#at-risk-table tbody tr').count()).toBe(api.forecasts.atRisk.length);
    // Every quota has its bar and its line over the months, each an image with a text alternative.
    const charts = page.locator('[data-quota] svg.chart');
    expect(await charts.count()).toBe(2 * api.quotas.length);
    for (const label of await charts.evaluateAll((svgs) => svgs.map((s) => s.getAttribute('aria-label')))) {
      expect(label).toMatch(/\d/);
    }

    // The first screen holds the quotas and the overdue steps; the rest folds away below.
    const firstScreen = 768;
    expect((await page.locator('#quotas').boundingBox())!.y).toBeLessThan(firstScreen);
    expect((await page.locator('#overdue').boundingBox())!.y).toBeLessThan(firstScreen);
    await page.screenshot({ path: join(screenshotDir, 'dashboard-first-screen.png') });
    await screenshot(page, 'dashboard');
    await expectAccessible(page);

    // Every section unfolded: still accessible.
    await page
      .locator('details.fold:not([open]) > summary')
      .evaluateAll((summaries) => summaries.forEach((s) => (s as HTMLElement).click()));
    expect(await page.locator('details.fold:not([open])').count()).toBe(0);
    await screenshot(page, 'dashboard-open');
    await expectAccessible(page);
  });

  it('opens the list behind a figure, and a case from the overdue table', async () => {
    await page.goto(`${stack.baseUrl}/dashboard`);
    const figure = page
      .locator('[data-figure="at-step"]')
      .filter({ hasText: /^[1-9]/ })
      .first();
    const expected = Number(await figure.innerText());
    await figure.click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Daftar peserta');
    expect(await page.locator('#enrolment-list tbody tr').count()).toBe(expected);
    await screenshot(page, 'dashboard-list');
    await expectAccessible(page);

    // A figure that points at a folded section unfolds it.
    await page.goto(`${stack.baseUrl}/dashboard`);
    await page.locator('[data-figure="overdue-total"]').click();
    await expect.poll(() => page.locator('#overdue-all-section').getAttribute('open')).not.toBeNull();
    expect(await page.locator('#overdue-table tbody tr').first().isVisible()).toBe(true);

    await page.goto(`${stack.baseUrl}/dashboard`);
    const business = await page.locator('.overdue-top a').first().innerText();
    await page.locator('.overdue-top a').first().click();
    await expect.poll(() => page.locator('h1').textContent()).toContain(business);
  });

  it('switches to English, and its XLSX export opens with exceljs holding the rows on screen', async () => {
    await page.goto(`${stack.baseUrl}/dashboard`);
    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe("Managers' dashboard");
    expect(await page.locator('#sla').textContent()).toBe('Statutory deadline compliance');
    await screenshot(page, 'dashboard-en');

    await page.locator('#regions-section > summary').click();
    const onScreen = await page
      .locator('#region-table tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) =>
          [...r.querySelectorAll('td')].slice(1, 4).map((td) => Number(td.textContent!.replace(/\D/g, ''))),
        ),
      );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a[data-report="regions.xlsx"]').click(),
    ]);
    const saved = join(screenshotDir, 'dashboard-regions.xlsx');
    await download.saveAs(saved);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(saved);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(4).value).toBe('IKM registered');
    const inFile: number[][] = [];
    sheet.eachRow((row, i) => {
      if (i > 1) inFile.push([4, 5, 6].map((c) => row.getCell(c).value as number));
    });
    expect(inFile).toEqual(onScreen);
    expect(inFile.some((r) => r[0]! > 0)).toBe(true);
  });

  it('reads at 360 px wide', async () => {
    const narrow = await stack.browser.newPage({ viewport: { width: 360, height: 740 } });
    await narrow.context().addCookies(await page.context().cookies());
    await narrow.goto(`${stack.baseUrl}/dashboard`);
    await expect.poll(() => narrow.locator('h1').textContent()).toBe("Managers' dashboard");
    await narrow.screenshot({ path: join(screenshotDir, 'dashboard-360-first-screen.png') });
    await screenshot(narrow, 'dashboard-360');
    // Nothing wider than the phone: no sideways scrolling of the page.
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await narrow.close();
  });
});
