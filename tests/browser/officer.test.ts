/// <reference lib="dom" />
// An officer's day in a real browser: log in, the work queue, a case and its open step's form, a refused action.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptDocuments } from '../helpers/fixtures.js';
import { expectAccessible, logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('officer pages', () => {
  let stack: BrowserStack;
  let page: Page;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-officer');
    page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('logs in and shows the work queue, overdue first and due-soon marked, with counts on top', async () => {
    await logIn(page, stack.baseUrl, stack.logins.officer!);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Antrean kerja');
    const rows = page.locator('table.queue tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(2);
    await expect.poll(() => rows.first().getAttribute('class')).toBe('row-overdue');
    expect(await rows.first().textContent()).toContain('Terlambat');
    expect(await page.locator('.count-red .count-n').textContent()).toBe('1');
    await screenshot(page, 'officer-queue');
    await expectAccessible(page);
  });

  it('shows only the overdue steps from the red count, and all again from the open count', async () => {
    await page.goto(`${stack.baseUrl}/`);
    const rows = page.locator('table.queue tbody tr');
    const open = Number(await page.locator('.counts .count:last-child .count-n').textContent());
    await page.locator('.count-red a').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('due')).toBe('overdue');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('class')).toBe('row-overdue');
    expect(await page.locator('#f-due').inputValue()).toBe('overdue');
    expect(await page.locator('.count-red a').getAttribute('aria-current')).toBe('true');
    await page.locator('.counts .count:last-child a').click();
    await expect.poll(() => rows.count()).toBe(Math.min(open, 25));
  });

  it('opens a case, refuses a completion without the required documents in place, then completes the step', async () => {
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('link', { name: 'Kue Bingka Surgi Mufti' }).click();
    await expect.poll(() => page.locator('#open-step').textContent()).toContain('Pelatihan Penyelia Halal');
    await screenshot(page, 'officer-case');
    await expectAccessible(page);

    // The workflow's own validator refuses: the form shows its reason beside the form, and nothing moved.
    await page.getByRole('button', { name: 'Selesaikan langkah' }).click();
    const refusal = page.locator('#refused-complete');
    await expect.poll(() => refusal.textContent()).toMatch(/daftar_hadir/);
    await screenshot(page, 'officer-case-refused');
    expect(await page.locator('#open-step').textContent()).toContain('Pelatihan Penyelia Halal');

    // The engine counts accepted documents, not ticked boxes: once the training's documents are accepted, it completes.
    const enrolmentId = /\/enrolments\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await acceptDocuments(stack.database.db, enrolmentId, 'penyelia_halal_training', [
      'daftar_hadir',
      'laporan_pelatihan',
    ]);
    await page.getByRole('button', { name: 'Selesaikan langkah' }).click();
    await expect.poll(() => page.locator('#open-step').textContent()).toContain('Penyusunan manual SJPH');
    const timeline = page.locator('.timeline-open');
    expect(await timeline.textContent()).toMatch(/Jatuh tempo.*\d{4} 16\.00 WITA/s);
    expect(await timeline.textContent()).toMatch(/hari kerja lagi/);
    await screenshot(page, 'officer-case-next-step');
  });

  it("shows the engine's reason when an extension of a statutory limit is refused", async () => {
    await page.goto(`${stack.baseUrl}/`);
    await page.getByRole('link', { name: 'Tanggui Kuin Cerucuk' }).first().click();
    await page.locator('#reason-extend').fill('LPH minta tambahan waktu');
    await page.getByRole('button', { name: 'Perpanjang tenggat' }).click();
    await expect.poll(() => page.locator('#refused-extend').textContent()).toMatch(/Tindakan ditolak/);
    await screenshot(page, 'officer-case-extend-refused');
  });

  it('enrols into a cohort by a filter after a preview of who gets a place', async () => {
    await page.goto(`${stack.baseUrl}/cohorts`);
    await screenshot(page, 'officer-cohorts');
    await expectAccessible(page);
    await page.getByRole('link', { name: /^Kelompok Halal/ }).click();
    await page.getByLabel('KBLI').fill('10');
    await page.getByRole('button', { name: 'Pratinjau' }).click();
    // Four food and drink IKM are new; the two already in the cohort are skipped.
    await expect.poll(() => page.locator('#preview-active').textContent()).toBe('4');
    expect(await page.locator('#preview-waitlisted').textContent()).toBe('0');
    await screenshot(page, 'officer-cohort-preview');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Konfirmasi pendaftaran' }).dblclick();
    await expect.poll(() => page.locator('#enrol-result').textContent()).toContain('4 usaha terdaftar aktif');
    expect(await page.getByRole('link', { name: 'Kopi Aranio Banjarbaru' }).count()).toBe(1);
    await screenshot(page, 'officer-cohort');
    await expectAccessible(page);
  });

  it('shows bad filter input beside its field and enrols nobody', async () => {
    const before = await stack.database.sql`select count(*)::int as n from enrolments`;
    await page.getByLabel('KBLI').fill('makanan');
    await page.getByRole('button', { name: 'Pratinjau' }).click();
    await expect.poll(() => page.locator('.field-error #f-kbli').count()).toBe(1);
    expect(await page.locator('#f-kbli-error').textContent()).toMatch(/Awalan KBLI/);
    const after = await stack.database.sql`select count(*)::int as n from enrolments`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('creates a cohort, with a too-short name refused beside its field first', async () => {
    await page.goto(`${stack.baseUrl}/cohorts`);
    await page.getByLabel('Nama kohort').fill('HK');
    await page.getByLabel('Program').selectOption('halal-self-declare');
    await page.getByRole('button', { name: 'Buat kohort' }).click();
    await expect.poll(() => page.locator('#f-name-error').count()).toBe(1);
    await page.getByLabel('Nama kohort').fill('Halal Mandiri 2026 Banjarbaru');
    await page.getByRole('button', { name: 'Buat kohort' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Halal Mandiri 2026 Banjarbaru');
  });

  it('pauses a case with a reason and resumes it, by keyboard alone', async () => {
    await page.goto(`${stack.baseUrl}/`);
    // The skip link is the first stop and takes the reader past the navigation.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Langsung ke isi');
    await page.getByRole('link', { name: 'CV Kayu Alalak Tengah' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#reason-pause').focus();
    await page.keyboard.type('Usaha sedang mengumpulkan dokumen');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('dl.summary .tag').first().textContent()).toBe('Dijeda');
    expect(await page.locator('.timeline-paused').textContent()).toContain('Dijeda sejak');
    await screenshot(page, 'officer-case-paused');
    await page.getByRole('button', { name: 'Lanjutkan' }).press('Enter');
    await expect.poll(() => page.locator('dl.summary .tag').first().textContent()).toBe('Aktif');
  });

  it('keeps the queue and a case usable at 360 px wide', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const [path, name] of [
      ['/', 'officer-queue-360'],
      ['/cohorts', 'officer-cohorts-360'],
    ] as const) {
      await page.goto(`${stack.baseUrl}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await screenshot(page, name);
    }
    await page.getByRole('link', { name: /^Kelompok Halal/ }).click();
    await page.getByRole('link', { name: 'Sasirangan Seberang Mesjid' }).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'officer-case-360');
  });
});
