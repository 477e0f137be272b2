/// <reference lib="dom" />
// A manager's dashboard in a real browser over the demo office (npm start's demo data): every chart has something in
// it, its figures are the API's, the language switch, an XLSX export that opens with exceljs and holds the rows on
// screen, the list behind a figure, the field visits section (the API's visit figures), and axe-core on each page.
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProspect } from '../../services/registry-prospects.js';
import { createSite } from '../../services/sites.js';
import { addFollowUp } from '../../services/visits/follow-ups.js';
import { createVisit, finishVisit } from '../../services/visits/visits.js';
import { expectAccessible, logIn, screenshot, screenshotDir, startBrowserStack, type BrowserStack } from './support.js';

describe('managers’ dashboard', () => {
  let stack: BrowserStack;
  let page: Page;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-dashboard');
    page = await stack.browser.newPage({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
    await logIn(page, stack.baseUrl, stack.logins.manager!);
    // Field work of the demo office: two visits this month, one done with a follow-up now overdue, one prospect.
    const [officer] = await stack.database.sql`select u.id, u.office_id, o.time_zone from users u
      join offices o on o.id = u.office_id where u.email = ${stack.logins.officer!.email}`;
    const source = {
      requestId: 'browser-dashboard',
      principal: {
        userId: officer!.id as string,
        role: 'officer' as const,
        officeId: officer!.office_id as string,
        businessId: null,
      },
    };
    const today = DateTime.now().setZone(officer!.time_zone as string);
    const team = [source.principal.userId];
    const done = await createVisit(stack.database.db, source, {
      date: today.toISODate()!,
      place: 'Sentra Sasirangan',
      teamUserIds: team,
    });
    await createVisit(stack.database.db, source, {
      date: today.toISODate()!,
      place: 'Kampung Purun',
      teamUserIds: team,
    });
    await finishVisit(stack.database.db, source, done.id, 'closed', 'Dua perajin baru');
    const [region] = await stack.database
      .sql`select region_code from businesses where office_id = ${source.principal.officeId} limit 1`;
    await addFollowUp(
      stack.database.db,
      source,
      done.id,
      { action: 'Kirim formulir SIINas', dueDate: today.minus({ days: 7 }).toISODate()! },
      today.minus({ days: 14 }).toMillis(),
    );
    await addProspect(stack.database.db, source, {
      name: 'Amplang Ikan Pipih Hj. Sari',
      address: 'Jl. Pasar Lama 12',
      kelurahan: 'Pasar Lama',
      regionCode: region!.region_code as string,
      visitId: done.id,
    });
    // A site never visited: due a visit.
    await createSite(stack.database.db, source, {
      kind: 'idle_factory',
      name: 'Eks pabrik es Kuin',
      regionCode: '6371',
      state: 'idle',
    });
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

  it('shows the field visits section with the figures of the API', async () => {
    await page.goto(`${stack.baseUrl}/dashboard`);
    const api = await apiFigures();
    const figures = await page.evaluate(async (year: number) => {
      const response = await fetch(`/api/v1/visit-figures?year=${year}`);
      return response.json();
    }, api.filter.year);
    expect(api.visits).toEqual(figures);
    const sum = (key: 'planned' | 'done') =>
      figures.months.reduce((total: number, m: { planned: number; done: number }) => total + m[key], 0);
    expect([sum('planned'), sum('done')]).toEqual([2, 1]);
    expect(figures.followUps).toEqual({ open: 1, overdue: 1 });
    expect(figures.prospects.found).toBe(1);

    const fold = page.locator('#visits-section');
    expect(await fold.locator('h2').innerText()).toBe('Kunjungan lapangan');
    expect(await fold.locator('.fold-headline').innerText()).toBe(
      `1 / 2 kunjungan selesai · 1 tindak lanjut terbuka · 1 prospek ditemukan`,
    );
    await fold.locator('summary').click();
    const shown = (name: string) => fold.locator(`[data-figure="${name}"]`).innerText();
    expect(await shown('visits-planned')).toBe(String(sum('planned')));
    expect(await shown('visits-done')).toBe(String(sum('done')));
    expect(await shown('follow-ups-open')).toBe(String(figures.followUps.open));
    expect(await shown('follow-ups-overdue')).toBe(String(figures.followUps.overdue));
    expect(await shown('prospects-found')).toBe(String(figures.prospects.found));
    expect(await shown('prospects-registered')).toBe(String(figures.prospects.registered));
    expect(await shown('prospects-enrolled')).toBe(String(figures.prospects.enrolled));
    expect(await shown('sites-due')).toBe(String(figures.sites.dueForVisit));
    expect(figures.sites.dueForVisit).toBeGreaterThanOrEqual(1);
    expect(await fold.getByRole('link', { name: 'Lokasi yang perlu dikunjungi →' }).getAttribute('href')).toBe(
      '/sites?notVisitedInMonths=6',
    );
    for (const m of figures.months) {
      const cells = await fold.locator(`#visits-month-table tr[data-month="${m.month}"] td`).allInnerTexts();
      expect(cells.slice(1)).toEqual([String(m.planned), String(m.done)]);
    }
    for (const t of figures.team) {
      const cells = await fold
        .locator(`#visits-team-table tr[data-month="${t.month}"][data-user="${t.userId}"] td`)
        .allInnerTexts();
      expect(cells.slice(1)).toEqual([t.name, String(t.planned), String(t.done)]);
    }
    await fold.screenshot({ path: join(screenshotDir, 'dashboard-visits.png') });
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
