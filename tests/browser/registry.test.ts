/// <reference lib="dom" />
// The registry and the calendar in a real browser: search, a business created with its errors shown beside the
// fields first, the CSV import's progress and rejected lines, and an office closure added to the calendar.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('registry and calendar pages', () => {
  let stack: BrowserStack;
  let page: Page;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-registry');
    page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, stack.baseUrl, stack.logins.officer!);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('searches the registry and opens a business page', async () => {
    await page.goto(`${stack.baseUrl}/businesses?q=kuin`);
    const links = page.locator('#results tbody a');
    await expect.poll(() => links.allTextContents()).toEqual(['Tanggui Kuin Cerucuk', 'UD Amplang Ikan Haruan Kuin']);
    await screenshot(page, 'registry-search');
    await expectAccessible(page);
    await links.first().click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Tanggui Kuin Cerucuk');
    expect(await page.locator('main').textContent()).toContain('Sertifikasi halal jalur reguler');
    await screenshot(page, 'business-page');
    await expectAccessible(page);
  });

  it("reads a business's certificate in words: programme, number, issue date and state", async () => {
    await page.goto(`${stack.baseUrl}/businesses?q=${encodeURIComponent('Air Minum Liang Anggang')}`);
    await page.locator('#results tbody a').first().click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Air Minum Liang Anggang');
    const certificate = page.locator('main h2:has-text("Sertifikat") + ul li');
    expect(await certificate.textContent()).toMatch(
      /^Sertifikasi halal jalur reguler · ID\d+ · terbit \w+, \d{1,2} \w{3} \d{4} · Air Minum Liang Anggang · berlaku$/,
    );
  });

  it('narrows the results as the officer types (htmx), without leaving the page', async () => {
    await page.goto(`${stack.baseUrl}/businesses`);
    await page.evaluate(() => ((window as unknown as { marker: boolean }).marker = true));
    await page.getByLabel('Cari nama atau NIB').pressSequentially('sasir');
    await expect.poll(() => page.locator('#results tbody a').allTextContents()).toEqual(['Sasirangan Seberang Mesjid']);
    // The same document: htmx swapped the results in place and put the search in the address.
    expect(await page.evaluate(() => (window as unknown as { marker?: boolean }).marker)).toBe(true);
    expect(page.url()).toContain('q=sasir');
  });

  it('shows bad input beside its field and writes nothing, then creates the business', async () => {
    const count = async () => (await stack.database.sql`select count(*)::int as n from businesses`)[0]!.n as number;
    const before = await count();
    await page.goto(`${stack.baseUrl}/businesses/new`);
    await page.getByLabel('Nama usaha').fill('Amplang <script>alert(1)</script> Baru');
    await page.getByLabel('Nama pemilik').fill('Hj. Aminah');
    await page.getByLabel('NIB').fill('12345');
    await page.getByLabel('KBLI').fill('10213');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => page.locator('#f-nib-error').textContent()).toMatch(/13 digit/);
    expect(await page.locator('.error-summary a[href="#f-nib"]').count()).toBe(1);
    expect(await count()).toBe(before);
    await screenshot(page, 'business-form-errors');
    await expectAccessible(page);

    await page.getByLabel('NIB').fill('9120009999001');
    await page.getByLabel('Kabupaten/kota').selectOption('6371');
    await page.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Amplang <script>alert(1)</script> Baru');
    expect(await count()).toBe(before + 1);
  });

  it('imports a CSV with a progress bar and lists the rejected lines', async () => {
    await page.goto(`${stack.baseUrl}/businesses/import`);
    const csv = [
      'nama,pemilik,nib,kbli,kode_wilayah',
      'Abon Haruan Banjarbaru,Rusdi,9120007777001,10213,6372',
      'Kerupuk Basah Tapin,Aisyah,9120007777002,10799,6305',
      'Tanpa NIB,Badrun,12,10799,6371',
      'Wilayah Salah,Saleh,9120007777004,10799,9999',
      'Gula Aren Tanah Laut,Fitri,9120007777005,10721,6301',
    ].join('\n');
    await page
      .getByLabel('Berkas CSV')
      .setInputFiles({ name: 'ikm.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Impor' }).click();

    await expect.poll(() => page.locator('#rejected-lines li').count()).toBe(2);
    expect(await page.locator('#import-progress').evaluate((p) => (p as HTMLProgressElement).value)).toBe(100);
    expect(await page.locator('#import-counts').textContent()).toMatch(/3 baru/);
    expect(await page.locator('#rejected-lines').textContent()).toMatch(/Baris 4/);
    await screenshot(page, 'registry-import');
    await expectAccessible(page);
  });

  it('adds an office closure to the calendar', async () => {
    const year = new Date().getUTCFullYear() + 1;
    await page.goto(`${stack.baseUrl}/calendar?year=${year}`);
    await page.getByLabel('Tanggal').fill(`${year}-03-04`);
    await page.getByLabel('Keterangan (Bahasa Indonesia)').fill('Kantor pindah gedung');
    await page.getByLabel('Keterangan (bahasa Inggris)').fill('Office moves building');
    await page.getByRole('button', { name: 'Tambah' }).click();
    await expect.poll(() => page.locator('main table').textContent()).toContain('Kantor pindah gedung');
    await screenshot(page, 'calendar');
    await expectAccessible(page);
  });
});
