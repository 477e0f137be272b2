/// <reference lib="dom" />
// Field work pages on a phone (360×740) in a real browser: the month's visit calendar, the visit form (findings
// refused empty beside the field, then the visit closed; a follow-up added), photos and documents attached (a renamed
// executable refused beside the field, nothing stored), businesses met picked from the registry or recorded as prospects
// (a likely duplicate confirmed first, the region picked from the office's own), the plan form showing only the chosen
// recurrence kind’s fields, the site inventory, and a site recorded as seen on a visit, listed in its visit history.
import type { Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addProspect } from '../../services/registry-prospects.js';
import { createSite } from '../../services/sites.js';
import { sampleExecutable, samplePng, storedKeys } from '../casework/support.js';
import { createVisit } from '../../services/visits/visits.js';
import { expectAccessible, logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('field visit pages on a phone', () => {
  let stack: BrowserStack;
  let page: Page;
  let visitId: string;
  let fieldVisitId: string;
  let officeId: string;
  let registered: { id: string; name: string; nib: string; regionCode: string }[];

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
    officeId = principal.officeId;
    fieldVisitId = (
      await createVisit(stack.database.db, source, {
        date: DateTime.now().setZone(zone).toISODate()!,
        place: 'Pasar Terapung Lok Baintan',
        teamUserIds: [principal.userId],
      })
    ).id;
    registered = (
      await stack.database.sql`select id, name, nib, region_code from businesses
      where office_id = ${officeId} order by name limit 3`
    ).map((b) => ({
      id: b.id as string,
      name: b.name as string,
      nib: b.nib as string,
      regionCode: b.region_code as string,
    }));
    await addProspect(stack.database.db, source, {
      name: 'Kerupuk Haruan Bu Ani',
      address: 'Jl. Sungai Martapura RT 04',
      kelurahan: 'Sungai Lulut',
      regionCode: registered[0]!.regionCode,
    });
    await createSite(stack.database.db, source, {
      kind: 'idle_factory',
      name: 'Eks pabrik karet Banjarmasin',
      regionCode: '6371',
      areaHa: 3.5,
      state: 'idle',
      owner: 'PT Karet Banua',
      lastVisitId: visitId,
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

  it('attaches a photo from the phone and refuses a renamed executable beside the field, storing nothing', async () => {
    const visitPage = `${stack.baseUrl}/visits/${fieldVisitId}`;
    await page.goto(visitPage);
    const fileField = page.getByLabel('Lampirkan berkas');
    expect(await fileField.getAttribute('accept')).toContain('application/pdf');
    const camera = page.getByLabel('Atau ambil foto');
    expect(await camera.getAttribute('capture')).toBe('environment');
    await camera.setInputFiles({ name: 'IMG_20261129_lokbaintan.png', mimeType: 'image/png', buffer: samplePng() });
    await page.getByRole('button', { name: 'Unggah', exact: true }).click();
    const link = page.getByRole('link', { name: 'IMG_20261129_lokbaintan.png' });
    await expect.poll(() => link.count()).toBe(1);
    const download = await fetch(`${stack.baseUrl}${await link.getAttribute('href')}`, {
      headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(samplePng())).toBe(true);
    const keysBefore = await storedKeys(stack.documentStore);

    await page.getByLabel('Lampirkan berkas').setInputFiles({
      name: 'laporan.pdf',
      mimeType: 'application/pdf',
      buffer: sampleExecutable(),
    });
    await page.getByRole('button', { name: 'Unggah', exact: true }).click();
    await expect.poll(() => page.locator('#f-file-error').textContent()).toMatch(/^Berkas ditolak/);
    expect(await page.getByLabel('Lampirkan berkas').getAttribute('aria-invalid')).toBe('true');
    expect(await storedKeys(stack.documentStore)).toEqual(keysBefore);
    const rows = await stack.database.sql`select file_name from visit_attachments where visit_id = ${fieldVisitId}`;
    expect(rows.map((r) => r.file_name)).toEqual(['IMG_20261129_lokbaintan.png']);
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'visit-attachment-refused-phone');
    await expectAccessible(page);
  });

  it('stores a photo sent twice at once from one form (a double tap past the guard) once', async () => {
    await page.goto(`${stack.baseUrl}/visits/${fieldVisitId}`);
    const statuses = await page.evaluate(async (png: string) => {
      const form = document.querySelector<HTMLFormElement>('form.upload-form')!;
      const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
      const send = () => {
        const body = new FormData(form);
        body.set('photo', new File([bytes], 'double-tap.png', { type: 'image/png' }));
        return fetch(form.action, { method: 'POST', body, redirect: 'manual' }).then((r) => r.type);
      };
      return Promise.all([send(), send()]);
    }, samplePng().toString('base64'));
    // A redirect (303) is opaque to a script: both were answered by going back to the visit, neither was refused.
    expect(statuses).toEqual(['opaqueredirect', 'opaqueredirect']);
    const rows = await stack.database
      .sql`select id from visit_attachments where visit_id = ${fieldVisitId} and file_name = 'double-tap.png'`;
    expect(rows).toHaveLength(1);
  });

  it('picks a business of the registry by name and records a new one as a prospect, confirming a likely duplicate', async () => {
    const business = registered[0]!;
    await page.goto(`${stack.baseUrl}/visits/${fieldVisitId}`);
    await page.getByLabel('Cari usaha di registri (nama atau NIB)').fill(business.name.slice(0, 8));
    await page.getByRole('button', { name: 'Cari', exact: true }).click();
    const add = page.getByRole('button', { name: `Tambahkan ${business.name}` });
    await expect.poll(() => add.count()).toBe(1);
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'visit-business-search-phone');
    await expectAccessible(page);
    await add.click();
    await expect.poll(() => page.locator('.businesses-met').textContent()).toContain(business.name);
    const met = await stack.database.sql`select business_id from visit_businesses where visit_id = ${fieldVisitId}`;
    expect(met.map((m) => m.business_id)).toEqual([business.id]);

    // By NIB too: the search finds it, now marked as recorded.
    await page.getByLabel('Cari usaha di registri (nama atau NIB)').fill(business.nib);
    await page.getByRole('button', { name: 'Cari', exact: true }).click();
    await expect.poll(() => page.locator('.search-results').textContent()).toContain('Sudah dicatat');

    await page.locator('summary', { hasText: 'Catat usaha baru (prospek)' }).click();
    await page.getByLabel('Nama usaha').fill('Kerupuk Haruan Ibu Ani');
    await page.getByLabel('Alamat').fill('Jl. Sungai Martapura RT 04');
    await page.getByLabel('Kelurahan/desa').fill('Sungai Lulut');
    // The region is picked by name from the office's own kabupaten/kota.
    const [region] = await stack.database.sql`select name from regions where code = ${business.regionCode}`;
    await page.getByLabel('Kabupaten/kota').selectOption({ label: region!.name as string });
    await page.getByRole('button', { name: 'Catat prospek' }).click();
    await expect
      .poll(() => page.locator('#businesses [role="alert"]').textContent())
      .toContain('Kerupuk Haruan Bu Ani');
    const count = async () =>
      Number((await stack.database.sql`select count(*) as n from prospects where office_id = ${officeId}`)[0]!.n);
    expect(await count()).toBe(1);
    expect(await page.getByLabel('Nama usaha').inputValue()).toBe('Kerupuk Haruan Ibu Ani');
    expect(await page.getByLabel('Kabupaten/kota').inputValue()).toBe(business.regionCode);
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'visit-prospect-duplicate-phone');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Ya, usaha lain — catat' }).click();
    await expect.poll(() => page.locator('.businesses-met').textContent()).toContain('Kerupuk Haruan Ibu Ani');
    expect(await count()).toBe(2);
    // Only the prospects found on this visit: the one recorded without a visit is not among them.
    expect(await page.locator('.businesses-met').textContent()).not.toContain('Kerupuk Haruan Bu Ani');
    const [found] = await stack.database
      .sql`select found_on_visit_id, region_code from prospects where name = 'Kerupuk Haruan Ibu Ani'`;
    expect(found!.found_on_visit_id).toBe(fieldVisitId);
    expect(found!.region_code).toBe(business.regionCode);
    await screenshot(page, 'visit-businesses-phone');
  });

  it('keeps both businesses when two officers add theirs to one visit at once, and a double add once', async () => {
    const [, second, third] = registered;
    const add = (businessId: string) =>
      fetch(`${stack.baseUrl}/api/v1/visits/${fieldVisitId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${stack.logins.officer!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ businessIds: [businessId] }),
      });
    const answers = await Promise.all([add(second!.id), add(third!.id), add(third!.id)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const met = await stack.database.sql`select business_id from visit_businesses where visit_id = ${fieldVisitId}`;
    expect(met.map((m) => m.business_id as string).sort()).toEqual(registered.map((b) => b.id).sort());
  });

  it('shows only the chosen recurrence kind’s fields on the plan form', async () => {
    await page.goto(`${stack.baseUrl}/visits/plans`);
    const form = page.locator('form', { has: page.getByRole('button', { name: 'Buat rencana' }) });
    const times = form.getByLabel('Berapa kali sebulan (n kali sebulan, 1–8)');
    const weekday = form.getByLabel('Hari (minggu ke-n)');
    const least = form.getByLabel('Paling sedikit sebulan (antara min dan max)');
    await expect.poll(() => times.isVisible()).toBe(true);
    expect(await weekday.isVisible()).toBe(false);
    expect(await least.isVisible()).toBe(false);

    await form.getByLabel('Jadwal').selectOption('nth_weekday');
    await expect.poll(() => weekday.isVisible()).toBe(true);
    expect(await times.isVisible()).toBe(false);
    expect(await least.isVisible()).toBe(false);
    // The hidden kinds' fields are disabled, so the form sends the chosen kind's only.
    const sent = await form.evaluate((f: HTMLFormElement) => [...new FormData(f).keys()]);
    expect(sent).toContain('weekday');
    expect(sent).not.toContain('times');
    expect(sent).not.toContain('min');
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'visit-plan-kind-phone');
    await expectAccessible(page);
  });

  it('lists the site inventory with its filters on the phone', async () => {
    await page.goto(`${stack.baseUrl}/sites?kind=idle_factory`);
    await expect.poll(() => page.locator('main').textContent()).toContain('Eks pabrik karet Banjarmasin');
    expect(await page.locator('main').textContent()).toContain('Terbengkalai');
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'sites-phone');
    await expectAccessible(page);

    // Seen today, so not among the sites due a visit after three months.
    await page.locator('#f-filter-notVisitedInMonths').selectOption('3');
    await page.getByRole('button', { name: 'Saring' }).click();
    await expect.poll(() => page.url()).toContain('notVisitedInMonths=3');
    expect(await page.locator('main').textContent()).not.toContain('Eks pabrik karet Banjarmasin');
    expect(await page.locator('#f-filter-notVisitedInMonths').inputValue()).toBe('3');
  });

  it('adds a site from the inventory, refusing an area that is no number beside its field and writing nothing', async () => {
    await page.goto(`${stack.baseUrl}/sites`);
    const form = page.locator('#add-site');
    await form.getByLabel('Nama lokasi').fill('Kawasan Industri Batulicin');
    await form.getByLabel('Kabupaten/kota').selectOption('6310');
    await form.getByLabel('Luas (hektare, boleh kosong)').fill('dua belas');
    await form.getByLabel('Keadaan').selectOption('surveyed');
    await form.getByRole('button', { name: 'Simpan lokasi' }).click();
    await expect
      .poll(() => page.locator('#f-areaHa-error').textContent())
      .toBe('Luas harus berupa angka hektare, misalnya 3,5');
    // What was typed stays, and nothing was written.
    expect(await page.locator('#f-name').inputValue()).toBe('Kawasan Industri Batulicin');
    expect(await page.locator('#f-regionCode').inputValue()).toBe('6310');
    expect(await stack.database.sql`select id from sites where name = 'Kawasan Industri Batulicin'`).toEqual([]);
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'site-add-refused-phone');
    await expectAccessible(page);

    await page.locator('#f-areaHa').fill('12,5');
    await page.locator('#add-site').getByRole('button', { name: 'Simpan lokasi' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Kawasan Industri Batulicin');
    expect(await page.locator('dl').textContent()).toContain('12,5 ha');
    const [row] = await stack.database
      .sql`select area_ha, state, region_code, owner from sites where name = 'Kawasan Industri Batulicin'`;
    expect(row).toEqual({ area_ha: '12.50', state: 'surveyed', region_code: '6310', owner: null });
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'site-phone');
    await expectAccessible(page);
  });

  it('keeps both changes when two people change different fields of one site at once', async () => {
    const [site] = await stack.database.sql`select id from sites where name = 'Eks pabrik karet Banjarmasin'`;
    const url = `${stack.baseUrl}/sites/${site!.id as string}`;
    // Both forms are loaded before either is sent, as two officers' phones would be.
    const other = await stack.browser.newPage({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await logIn(other, stack.baseUrl, stack.logins.officer!);
      await Promise.all([page.goto(url), other.goto(url)]);
      await page.locator('#change-site').getByLabel('Keadaan').selectOption('offered');
      await other.locator('#change-site').getByLabel('Catatan (boleh kosong)').fill('Diminati investor dari Surabaya');
      await Promise.all([
        page.locator('#change-site').getByRole('button', { name: 'Simpan perubahan' }).click(),
        other.locator('#change-site').getByRole('button', { name: 'Simpan perubahan' }).click(),
      ]);
      await expect.poll(() => page.locator('dl').textContent()).toContain('Ditawarkan ke investor');
      // The visit the site was last seen on is a link away.
      expect(await page.locator('dl a').getAttribute('href')).toBe(`/visits/${visitId}`);
      await expect.poll(() => other.locator('dl').textContent()).toContain('Diminati investor dari Surabaya');
    } finally {
      await other.close();
    }
    const [row] = await stack.database.sql`select state, notes, owner, area_ha from sites where id = ${site!.id}`;
    expect(row).toEqual({
      state: 'offered',
      notes: 'Diminati investor dari Surabaya',
      owner: 'PT Karet Banua',
      area_ha: '3.50',
    });
    const changes = await stack.database
      .sql`select id from audit_log where entity_id = ${site!.id as string} and action = 'site.update'`;
    expect(changes).toHaveLength(2);
  });

  it('records a site seen on a visit, refusing an empty choice beside the field, and the site lists the visit', async () => {
    const [site] = await stack.database.sql`select id from sites where name = 'Eks pabrik karet Banjarmasin'`;
    await page.goto(`${stack.baseUrl}/visits/${fieldVisitId}`);
    const add = page.locator('#sites').getByRole('button', { name: 'Tambahkan lokasi' });
    await add.click();
    await expect.poll(() => page.locator('#f-siteIds-error').textContent()).toBe('Pilih sebuah lokasi');
    expect(await stack.database.sql`select site_id from visit_sites where visit_id = ${fieldVisitId}`).toEqual([]);

    await page.locator('#f-siteIds').selectOption(site!.id as string);
    await add.click();
    const seen = page.locator('#sites').getByRole('link', { name: 'Eks pabrik karet Banjarmasin' });
    await expect.poll(() => seen.count()).toBe(1);
    // A site recorded is no longer offered.
    expect(await page.locator(`#f-siteIds option[value="${site!.id as string}"]`).count()).toBe(0);
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'visit-sites-phone');
    await expectAccessible(page);

    await seen.click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Eks pabrik karet Banjarmasin');
    const history = page.locator('#visits li');
    expect(await history.allTextContents()).toEqual([
      expect.stringMatching(/Pasar Terapung Lok Baintan.*Direncanakan/),
      expect.stringMatching(/Sentra Sasirangan Kampung Melayu.*Selesai/),
    ]);
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'site-visits-phone');
    await expectAccessible(page);
  });

  it('records a visit from the site’s page and opens it; sent twice at once, once; an empty date refused beside it', async () => {
    const [site] = await stack.database.sql`select id from sites where name = 'Kawasan Industri Batulicin'`;
    const siteId = site!.id as string;
    await page.goto(`${stack.baseUrl}/sites/${siteId}`);
    const form = page.locator('#visit-here');
    await form.getByLabel('Tanggal').fill('');
    await form.getByRole('button', { name: 'Catat kunjungan' }).click();
    await expect.poll(() => page.locator('#f-date-error').count()).toBe(1);
    expect(await stack.database.sql`select visit_id from visit_sites where site_id = ${siteId}`).toEqual([]);

    // Sent twice at once with one key (a double tap past the guard): both answered by a redirect, one visit made.
    const today = DateTime.now().setZone('Asia/Makassar').toISODate()!;
    const answers = await page.locator('#visit-here').evaluate(async (f: HTMLFormElement, date: string) => {
      const body = new URLSearchParams(new FormData(f) as unknown as string[][]);
      body.set('date', date);
      const send = () => fetch(f.action, { method: 'POST', body, redirect: 'manual' }).then((r) => r.type);
      return Promise.all([send(), send()]);
    }, today);
    expect(answers).toEqual(['opaqueredirect', 'opaqueredirect']);
    const made = await stack.database.sql`select v.id, v.date::text as date, v.status, v.place, t.user_id
      from visits v join visit_team t on t.visit_id = v.id join visit_sites s on s.visit_id = v.id
      where s.site_id = ${siteId}`;
    const [officer] = await stack.database.sql`select id from users where email = ${stack.logins.officer!.email}`;
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({
      date: today,
      status: 'planned',
      place: 'Kawasan Industri Batulicin',
      user_id: officer!.id,
    });

    // Sent once, as a tap does: the new visit opens for its findings, the site among those seen; the site lists both.
    await page.goto(`${stack.baseUrl}/sites/${siteId}`);
    await page.locator('#visit-here').getByRole('button', { name: 'Catat kunjungan' }).click();
    await expect.poll(() => page.url()).toMatch(/\/visits\/[0-9a-f-]{36}$/);
    expect(await page.locator('#sites').getByRole('link', { name: 'Kawasan Industri Batulicin' }).count()).toBe(1);
    await page.goto(`${stack.baseUrl}/sites/${siteId}`);
    expect(await page.locator('#visits li').count()).toBe(2);
    expect(await fitsThePhone()).toBe(true);
    await screenshot(page, 'site-visit-here-phone');
    await expectAccessible(page);
  });
});
