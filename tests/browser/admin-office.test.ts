/// <reference lib="dom" />
// What belongs to an office, created from the pages by an administrator, who has no office of their own: a visit
// plan, an ad-hoc visit, an office closure, a business of the registry (one by one or by CSV), a cohort and a site of
// the inventory, each for the office chosen first, landing there, and the page staying on that office after every
// action (a plan paused, resumed, refused, changed); each form sent twice at once (a double tap past the guard) acting
// once. Before an office is chosen, the choice stands alone: no stray rule under it, no empty panel. An officer's form
// that names another office (a crafted request) is refused by the service, and nothing is written anywhere. Temporal
// is the dev server here: a plan is a schedule.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/fixtures.js';
import { seededOffices } from '../security/support.js';
import { expectAccessible, logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

const kaltimName = 'Dinas Perindustrian dan Perdagangan Provinsi Kalimantan Timur';

describe('an administrator creating for a chosen office', () => {
  let stack: BrowserStack;
  let admin: Page;
  let officer: Page;
  let kaltim: string;
  let kalsel: string;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-admin-office', { schedules: true });
    ({ kaltim, kalsel } = await seededOffices(stack.database.db));
    const member = await createUser(stack.database.db, 'officer', kaltim);
    await stack.database.sql`update users set name = 'Petugas Samarinda' where id = ${member.id}`;
    admin = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(admin, stack.baseUrl, stack.logins.admin!, '/dashboard');
    officer = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(officer, stack.baseUrl, stack.logins.officer!);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const officesOf = async (table: 'visit_plans' | 'businesses' | 'cohorts' | 'sites', name: string) =>
    (await stack.database.sql`select office_id from ${stack.database.sql(table)} where name = ${name}`).map(
      (r) => r.office_id as string,
    );

  /** Chooses the office on the page's own GET form (the page comes back for it). */
  async function chooseKaltim(page: Page) {
    await page.getByLabel('Untuk kantor').selectOption({ label: kaltimName });
    await page.getByRole('button', { name: 'Pilih kantor' }).click();
    await page.waitForURL(new RegExp(`officeId=${kaltim}`));
    expect(await page.locator('.office-choice .hint').textContent()).toBe(`Anda bertindak untuk ${kaltimName}.`);
  }

  /** The width of the rule under the office choice (a stray one when nothing follows it). */
  const ruleUnderChoice = (page: Page) =>
    page.locator('.office-choice').evaluate((e) => getComputedStyle(e).borderBottomWidth);
  const emptyPanels = (page: Page) =>
    page.locator('main .panel').evaluateAll((panels) => panels.filter((p) => p.textContent!.trim() === '').length);

  /** The page is still for Kalimantan Timur: its choice says so, and an address keeps it (or a refusal shows it). */
  async function expectStillKaltim(page: Page) {
    expect(await page.locator('.office-choice .hint').textContent()).toBe(`Anda bertindak untuk ${kaltimName}.`);
    expect(await page.getByLabel('Untuk kantor').inputValue()).toBe(kaltim);
  }

  async function fillPlan(form: Locator, name: string, place: string) {
    await form.getByLabel('Nama rencana').fill(name);
    await form.getByLabel('Tempat').fill(place);
  }

  /** Name, owner, NIB, KBLI and kabupaten/kota of a new business. */
  async function fillBusiness(form: Locator, [name, owner, nib, kbli, region]: string[]) {
    await form.getByLabel('Nama usaha').fill(name!);
    await form.getByLabel('Nama pemilik').fill(owner!);
    await form.getByLabel('NIB').fill(nib!);
    await form.getByLabel('KBLI').fill(kbli!);
    await form.getByLabel('Kabupaten/kota').selectOption(region!);
  }

  /** The form posted twice at once, as typed, past the page's double-submit guard: each answer's status or type. */
  const sendTwice = (form: Locator, extra: Record<string, string> = {}) =>
    form.evaluate(async (f: HTMLFormElement, fields: Record<string, string>) => {
      const body = new URLSearchParams(new FormData(f) as unknown as string[][]);
      for (const [k, v] of Object.entries(fields)) body.set(k, v);
      const send = () => fetch(f.action, { method: 'POST', body, redirect: 'manual' });
      return Promise.all([send(), send()]).then((answers) =>
        answers.map((a) => (a.type === 'opaqueredirect' ? 'redirect' : a.status)),
      );
    }, extra);

  /** The form posted once with the fields given on top of what it holds: status and page. */
  const sendOnce = (form: Locator, extra: Record<string, string>) =>
    form.evaluate(async (f: HTMLFormElement, fields: Record<string, string>) => {
      const body = new URLSearchParams(new FormData(f) as unknown as string[][]);
      for (const [k, v] of Object.entries(fields)) body.set(k, v);
      const answer = await fetch(f.action, { method: 'POST', body, redirect: 'manual' });
      return { status: answer.type === 'opaqueredirect' ? 'redirect' : answer.status, text: await answer.text() };
    }, extra);

  it('creates a visit plan for the chosen office, with its team', async () => {
    await admin.goto(`${stack.baseUrl}/visits/plans`);
    // No office chosen yet: no form to fill, only the choice, with no rule under it and no empty panel.
    expect(await admin.getByRole('button', { name: 'Buat rencana' }).count()).toBe(0);
    expect(await ruleUnderChoice(admin)).toBe('0px');
    expect(await emptyPanels(admin)).toBe(0);
    await screenshot(admin, 'admin-plans-choose-office');
    await expectAccessible(admin);

    await chooseKaltim(admin);
    // The office has no plan yet: the page says so, and what to do.
    expect(await admin.locator('main > p.muted').textContent()).toBe(
      'Kantor ini belum punya rencana kunjungan. Buat rencana pertama dengan formulir "Rencana baru" di bawah.',
    );
    expect(await emptyPanels(admin)).toBe(0);
    // The new plan's form opens its panel: no rule above it either.
    expect(await admin.locator('#new-plan form').evaluate((e) => getComputedStyle(e).borderTopWidth)).toBe('0px');
    await screenshot(admin, 'admin-plans-kaltim-empty');
    const form = admin.locator('#new-plan form[method="post"]');
    await fillPlan(form, 'Pembinaan sentra tenun Samarinda', 'Kampung Tenun Samarinda Seberang');
    // The chosen office's staff make the team: none of Kalimantan Selatan's.
    expect(await form.locator('fieldset', { hasText: 'Tim' }).locator('label').allTextContents()).toEqual([
      'Petugas Samarinda',
    ]);
    await form.getByLabel('Petugas Samarinda').check();
    await screenshot(admin, 'admin-plan-form-kaltim');
    await expectAccessible(admin);
    await form.getByRole('button', { name: 'Buat rencana' }).click();
    await expect.poll(() => officesOf('visit_plans', 'Pembinaan sentra tenun Samarinda')).toEqual([kaltim]);
    await expect.poll(() => admin.locator('main h2').allTextContents()).toContain('Pembinaan sentra tenun Samarinda');
  });

  it('stays on the chosen office through every action on a plan', async () => {
    // The plan made above, reached as an administrator reaches it: the office chosen on the page.
    await admin.goto(`${stack.baseUrl}/visits/plans`);
    await chooseKaltim(admin);
    const section = admin.locator('section.panel', {
      has: admin.getByRole('heading', { name: 'Pembinaan sentra tenun Samarinda' }),
    });
    const statusOf = async () =>
      (await stack.database.sql`select status from visit_plans where name = 'Pembinaan sentra tenun Samarinda'`)[0]!
        .status as string;
    const landed = async () => {
      await admin.waitForURL((url) => url.searchParams.get('officeId') === kaltim);
      await expectStillKaltim(admin);
    };

    await section.getByRole('button', { name: 'Jeda rencana' }).click();
    await landed();
    expect(await statusOf()).toBe('paused');
    await section.getByRole('button', { name: 'Lanjutkan rencana' }).click();
    await landed();
    expect(await statusOf()).toBe('active');

    // A refusal comes back for the office too, with its reason beside the form.
    await section.getByRole('button', { name: 'Buat kunjungan' }).click();
    await expect.poll(() => section.locator('.field-error').count()).toBeGreaterThan(0);
    await expectStillKaltim(admin);

    await section.getByLabel('Tempat').fill('Kampung Tenun Samarinda, Jalan Pangeran Bendahara');
    await section.getByRole('button', { name: 'Simpan perubahan' }).click();
    await landed();
    await expect.poll(() => section.locator('dl').textContent()).toContain('Jalan Pangeran Bendahara');
    // And back to the visit calendar of the same office.
    const calendar = await admin.getByRole('link', { name: /Kalender kunjungan/ }).getAttribute('href');
    expect(new URL(calendar!, stack.baseUrl).searchParams.get('officeId')).toBe(kaltim);
    await screenshot(admin, 'admin-plans-kaltim-after-change');
    await expectAccessible(admin);
  });

  it('chooses the office of the visit calendar and records an ad-hoc visit there', async () => {
    await admin.goto(`${stack.baseUrl}/visits`);
    // Nothing of any office yet: only the choice, with no rule under it.
    expect(await admin.getByRole('button', { name: 'Catat kunjungan' }).count()).toBe(0);
    expect(await ruleUnderChoice(admin)).toBe('0px');
    await screenshot(admin, 'admin-visits-choose-office');
    await expectAccessible(admin);
    await chooseKaltim(admin);

    // Every link of the calendar keeps the office: the plans and the months either side.
    for (const name of [/Rencana kunjungan/, /→$/, /^←/]) {
      const href = await admin.getByRole('link', { name }).getAttribute('href');
      expect(new URL(href!, stack.baseUrl).searchParams.get('officeId')).toBe(kaltim);
    }
    const form = admin.locator('form#ad-hoc');
    // The team is the chosen office's staff; an administrator is on none, so no one is ticked yet: a refusal.
    expect(await form.locator('fieldset').locator('label').allTextContents()).toEqual(['Petugas Samarinda']);
    await form.getByLabel('Tempat').fill('Sentra amplang Sungai Kunjang');
    await form.getByRole('button', { name: 'Catat kunjungan' }).click();
    await expect.poll(() => form.locator('#f-teamUserIds-error').count()).toBe(1);
    await expectStillKaltim(admin);
    expect(await form.getByLabel('Tempat').inputValue()).toBe('Sentra amplang Sungai Kunjang');
    await screenshot(admin, 'admin-visit-refused');
    await expectAccessible(admin);

    await form.getByLabel('Petugas Samarinda').check();
    await form.getByRole('button', { name: 'Catat kunjungan' }).click();
    await expect.poll(() => admin.locator('h1').textContent()).toBe('Sentra amplang Sungai Kunjang');
    const [visit] = await stack.database
      .sql`select office_id from visits where place = 'Sentra amplang Sungai Kunjang'`;
    expect(visit!.office_id).toBe(kaltim);

    // Back to the calendar of that office, where it is listed.
    await admin.getByRole('link', { name: /Kalender kunjungan/ }).click();
    await admin.waitForURL((url) => url.searchParams.get('officeId') === kaltim);
    await expectStillKaltim(admin);
    expect(await admin.getByRole('link', { name: 'Sentra amplang Sungai Kunjang' }).count()).toBe(1);
    await screenshot(admin, 'admin-visits-kaltim');
    await expectAccessible(admin);
  });

  it("adds a closure to the chosen office's calendar, once when sent twice", async () => {
    const year = new Date().getUTCFullYear() + 1;
    await admin.goto(`${stack.baseUrl}/calendar?year=${year}`);
    // The national days are everyone's; a closure needs an office, so none can be added before choosing one.
    expect(await admin.getByRole('button', { name: 'Tambah' }).count()).toBe(0);
    await chooseKaltim(admin);
    const form = admin.locator('form[method="post"]', { has: admin.getByRole('button', { name: 'Tambah' }) });
    await form.getByLabel('Tanggal').fill(`${year}-05-04`);
    await form.getByLabel('Keterangan (Bahasa Indonesia)').fill('Kantor Samarinda pindah gedung');
    await form.getByLabel('Keterangan (bahasa Inggris)').fill('The Samarinda office moves building');
    await form.getByRole('button', { name: 'Tambah' }).click();
    await admin.waitForURL((url) => url.searchParams.get('officeId') === kaltim);
    await expectStillKaltim(admin);
    await expect.poll(() => admin.locator('main table').textContent()).toContain('Kantor Samarinda pindah gedung');
    await screenshot(admin, 'admin-calendar-kaltim');
    await expectAccessible(admin);

    await form.getByLabel('Tanggal').fill(`${year}-05-05`);
    await form.getByLabel('Keterangan (Bahasa Indonesia)').fill('Kantor Samarinda tutup ganda');
    await form.getByLabel('Keterangan (bahasa Inggris)').fill('Closed, sent twice');
    expect(await sendTwice(form)).toEqual(['redirect', 'redirect']);
    const closures = await stack.database
      .sql`select office_id from calendar_days where name_id like 'Kantor Samarinda%'`;
    expect(closures.map((c) => c.office_id)).toEqual([kaltim, kaltim]);
  });

  it('creates a business in the chosen office, from its own regencies', async () => {
    await admin.goto(`${stack.baseUrl}/businesses`);
    await chooseKaltim(admin);
    await admin.getByRole('link', { name: 'Tambah usaha' }).click();
    await admin.waitForURL(/\/businesses\/new\?officeId=/);
    const form = admin.locator('form[method="post"][action="/businesses/new"]');
    const regions = await form.getByLabel('Kabupaten/kota').locator('option').allTextContents();
    expect(regions).toContain('Samarinda');
    expect(regions).not.toContain('Banjarmasin');
    await fillBusiness(form, ['Amplang Samarinda Bu Yati', 'Yati Rahmawati', '9120006400001', '10792', '6472']);
    await screenshot(admin, 'admin-business-form-kaltim');
    await expectAccessible(admin);
    await form.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => admin.locator('h1').textContent()).toBe('Amplang Samarinda Bu Yati');
    expect(await officesOf('businesses', 'Amplang Samarinda Bu Yati')).toEqual([kaltim]);

    // Its edit form offers the business's own office's regencies, not an office the administrator lacks.
    await admin.getByRole('link', { name: 'Ubah data' }).click();
    await expect.poll(() => admin.getByLabel('Kabupaten/kota').inputValue()).toBe('6472');
    await admin.getByLabel('Telepon / WhatsApp').fill('0811-5400-123');
    await admin.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => admin.locator('main').textContent()).toContain('+628115400123');
    expect(await officesOf('businesses', 'Amplang Samarinda Bu Yati')).toEqual([kaltim]);
  });

  it('imports a CSV into the chosen office', async () => {
    await admin.goto(`${stack.baseUrl}/businesses`);
    await chooseKaltim(admin);
    await admin.getByRole('link', { name: 'Impor CSV' }).click();
    await admin.waitForURL(
      (url) => url.pathname === '/businesses/import' && url.searchParams.get('officeId') === kaltim,
    );
    await expectStillKaltim(admin);
    const csv = ['nama,pemilik,nib,kbli,kode_wilayah', 'Bingka Kaltim Impor,Rahmah,9120006400009,10792,6472'].join(
      '\n',
    );
    await admin
      .getByLabel('Berkas CSV')
      .setInputFiles({ name: 'kaltim.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await admin.getByRole('button', { name: 'Impor' }).click();
    await expect.poll(() => admin.locator('#import-counts').textContent()).toMatch(/1 baru/);
    expect(await officesOf('businesses', 'Bingka Kaltim Impor')).toEqual([kaltim]);
    await screenshot(admin, 'admin-import-kaltim');
    await expectAccessible(admin);
  });

  it('creates a cohort for the chosen office and opens it', async () => {
    await admin.goto(`${stack.baseUrl}/cohorts`);
    expect(await admin.getByRole('button', { name: 'Buat kohort' }).count()).toBe(0);
    await chooseKaltim(admin);
    // Kalimantan Selatan's cohorts are not this office's.
    expect(await admin.locator('main').textContent()).not.toContain('Banjarmasin');
    await admin.getByLabel('Nama kohort').fill('Kelompok Halal Samarinda');
    await screenshot(admin, 'admin-cohort-form-kaltim');
    await expectAccessible(admin);
    await admin.getByRole('button', { name: 'Buat kohort' }).click();
    await expect.poll(() => admin.locator('h1').textContent()).toBe('Kelompok Halal Samarinda');
    expect(await officesOf('cohorts', 'Kelompok Halal Samarinda')).toEqual([kaltim]);
    await screenshot(admin, 'admin-cohort-kaltim');
    await expectAccessible(admin);
  });

  it('creates each once when its form is sent twice at once', async () => {
    await admin.goto(`${stack.baseUrl}/visits/plans?officeId=${kaltim}`);
    const plan = admin.locator('#new-plan form[method="post"]');
    await fillPlan(plan, 'Kunjungan ganda Bontang', 'Pasar Bontang');
    await plan.getByLabel('Petugas Samarinda').check();
    expect(await sendTwice(plan)).toEqual(['redirect', 'redirect']);
    expect(await officesOf('visit_plans', 'Kunjungan ganda Bontang')).toEqual([kaltim]);

    await admin.goto(`${stack.baseUrl}/visits?officeId=${kaltim}`);
    const visit = admin.locator('form#ad-hoc');
    await visit.getByLabel('Tempat').fill('Kunjungan ganda Tenggarong');
    await visit.getByLabel('Petugas Samarinda').check();
    expect(await sendTwice(visit)).toEqual(['redirect', 'redirect']);
    expect(
      (await stack.database.sql`select office_id from visits where place = 'Kunjungan ganda Tenggarong'`).map(
        (r) => r.office_id,
      ),
    ).toEqual([kaltim]);

    await admin.goto(`${stack.baseUrl}/businesses/new?officeId=${kaltim}`);
    const business = admin.locator('form[method="post"][action="/businesses/new"]');
    await fillBusiness(business, ['Kerupuk ganda Bontang', 'Ganda', '9120006400002', '10799', '6474']);
    expect(await sendTwice(business)).toEqual(['redirect', 'redirect']);
    expect(await officesOf('businesses', 'Kerupuk ganda Bontang')).toEqual([kaltim]);

    await admin.goto(`${stack.baseUrl}/cohorts?officeId=${kaltim}`);
    const cohort = admin.locator('form[method="post"]', { has: admin.getByRole('button', { name: 'Buat kohort' }) });
    await cohort.getByLabel('Nama kohort').fill('Kohort ganda Bontang');
    expect(await sendTwice(cohort)).toEqual(['redirect', 'redirect']);
    expect(await officesOf('cohorts', 'Kohort ganda Bontang')).toEqual([kaltim]);
  });

  it('adds a site to the chosen office, from its own regencies, once when sent twice', async () => {
    await admin.goto(`${stack.baseUrl}/sites`);
    // A site belongs to an office: there is no form for one before the office is chosen, and the page says so.
    expect(await admin.locator('#add-site').count()).toBe(0);
    expect(await admin.locator('main').textContent()).toContain('Pilih kantor di atas untuk menambahkan lokasi.');
    await chooseKaltim(admin);
    const form = admin.locator('#add-site');
    const regions = await form.getByLabel('Kabupaten/kota').locator('option').allTextContents();
    expect(regions).toContain('Samarinda');
    expect(regions).not.toContain('Banjarmasin');
    await form.getByLabel('Nama lokasi').fill('Kawasan Industri Palaran');
    await form.getByLabel('Kabupaten/kota').selectOption('6472');
    await form.getByLabel('Luas (hektare, boleh kosong)').fill('1.250,5');
    await screenshot(admin, 'admin-site-form-kaltim');
    await expectAccessible(admin);
    expect(await sendTwice(form)).toEqual(['redirect', 'redirect']);
    const rows = await stack.database.sql`select office_id, area_ha from sites where name = 'Kawasan Industri Palaran'`;
    expect(rows.map((r) => [r.office_id, r.area_ha])).toEqual([[kaltim, '1250.50']]);
  });

  it("refuses an officer's form that names another office, writing nothing", async () => {
    const refusal = 'hanya admin yang memilih kantor / only administrators choose the office';
    // An officer is never asked: their office is their account's.
    await officer.goto(`${stack.baseUrl}/visits/plans`);
    expect(await officer.getByLabel('Untuk kantor').count()).toBe(0);
    const plan = officer.locator('#new-plan form[method="post"]');
    await fillPlan(plan, 'Rencana kantor lain', 'Samarinda');
    await plan.locator('fieldset', { hasText: 'Tim' }).locator('input').first().check();
    const planAnswer = await sendOnce(plan, { officeId: kaltim });
    expect(planAnswer.status).toBe(400);
    expect(planAnswer.text).toContain(refusal);

    await officer.goto(`${stack.baseUrl}/visits`);
    expect(await officer.getByLabel('Untuk kantor').count()).toBe(0);
    const visit = officer.locator('form#ad-hoc');
    // An officer's own new visit starts with them on its team.
    expect(await visit.getByLabel('Petugas Demo').isChecked()).toBe(true);
    await visit.getByLabel('Tempat').fill('Kunjungan kantor lain');
    const visitAnswer = await sendOnce(visit, { officeId: kaltim });
    expect(visitAnswer.status).toBe(400);
    expect(visitAnswer.text).toContain(refusal);
    expect(await stack.database.sql`select id from visits where place = 'Kunjungan kantor lain'`).toEqual([]);

    await officer.goto(`${stack.baseUrl}/businesses/new`);
    expect(await officer.getByLabel('Untuk kantor').count()).toBe(0);
    const business = officer.locator('form[method="post"][action="/businesses/new"]');
    await fillBusiness(business, ['Usaha kantor lain', 'Lain', '9120006400003', '10799', '6371']);
    const businessAnswer = await sendOnce(business, { officeId: kaltim });
    expect(businessAnswer.status).toBe(400);
    expect(businessAnswer.text).toContain(refusal);

    await officer.goto(`${stack.baseUrl}/cohorts`);
    expect(await officer.getByLabel('Untuk kantor').count()).toBe(0);
    const cohort = officer.locator('form[method="post"]', {
      has: officer.getByRole('button', { name: 'Buat kohort' }),
    });
    await cohort.getByLabel('Nama kohort').fill('Kohort kantor lain');
    const cohortAnswer = await sendOnce(cohort, { officeId: kaltim });
    expect(cohortAnswer.status).toBe(400);
    expect(cohortAnswer.text).toContain(refusal);

    expect(await officesOf('visit_plans', 'Rencana kantor lain')).toEqual([]);
    expect(await officesOf('businesses', 'Usaha kantor lain')).toEqual([]);
    expect(await officesOf('cohorts', 'Kohort kantor lain')).toEqual([]);
    // The same form without the other office goes through, into the officer's own office.
    expect((await sendOnce(cohort, {})).status).toBe('redirect');
    expect(await officesOf('cohorts', 'Kohort kantor lain')).toEqual([kalsel]);

    await officer.goto(`${stack.baseUrl}/sites`);
    expect(await officer.getByLabel('Untuk kantor').count()).toBe(0);
    const site = officer.locator('#add-site');
    await site.getByLabel('Nama lokasi').fill('Lokasi kantor lain');
    await site.getByLabel('Kabupaten/kota').selectOption('6371');
    const siteAnswer = await sendOnce(site, { officeId: kaltim });
    expect(siteAnswer.status).toBe(400);
    expect(siteAnswer.text).toContain(refusal);
    expect(await officesOf('sites', 'Lokasi kantor lain')).toEqual([]);
  });

  it('asks for the office in English too', async () => {
    await admin.goto(`${stack.baseUrl}/businesses/new`);
    await admin.getByRole('link', { name: 'English' }).click();
    const hint = admin.locator('.office-choice .hint');
    await expect
      .poll(() => hint.textContent())
      .toBe('Administrators belong to no office: choose the office you act for.');
    await admin.getByLabel('For the office').selectOption({ label: kaltimName });
    await admin.getByRole('button', { name: 'Choose the office' }).click();
    await expect.poll(() => hint.textContent()).toBe(`You act for ${kaltimName}.`);
    expect(await admin.getByLabel('Business name').count()).toBe(1);
    await screenshot(admin, 'admin-business-form-en');
    await expectAccessible(admin);
  });
});
