/// <reference lib="dom" />
// Case work in a real browser: an officer and the demo business hand a checklist document back and forth (upload,
// needs revision with a reason, a second version from the phone, a shared note, acceptance), the step completes and
// the next one opens; a renamed executable and a completion with a missing item are refused beside their forms; two
// staff review one document at once; a deadline is extended to a chosen date. axe-core scans both pages.
import type { BrowserContext, Page } from 'playwright-core';
import { and, eq, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, caseNotes, documents, enrolments, users } from '../../db/schema.js';
import { samplePdf, samplePng, sampleExecutable, storedKeys } from '../casework/support.js';
import { expectAccessible, logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('case work on the pages', () => {
  let stack: BrowserStack;
  let officer: Page;
  let business: Page;
  let businessContext: BrowserContext;
  let enrolmentId: string;

  const item = (page: Page, key: string) => page.locator(`[id="item-${key}-${enrolmentId.slice(0, 8)}"]`);
  const documentsOf = () => stack.database.db.select().from(documents).where(eq(documents.enrolmentId, enrolmentId));
  const casePath = () => `${stack.baseUrl}/enrolments/${enrolmentId}`;

  async function upload(page: Page, key: string, file: { name: string; mimeType: string; buffer: Buffer }) {
    await item(page, key).locator('input[name="file"]').setInputFiles(file);
    await item(page, key).getByRole('button', { name: 'Unggah', exact: true }).click();
  }

  async function review(page: Page, key: string, decision: 'Terima' | 'Perlu perbaikan', reason?: string) {
    const form = item(page, key).locator('form[action$="/review"]');
    await form.getByLabel(decision, { exact: true }).check();
    if (reason) await form.getByLabel('Alasan (wajib bila perlu perbaikan)').fill(reason);
    await form.getByRole('button', { name: 'Simpan tinjauan' }).click();
  }

  beforeAll(async () => {
    stack = await startBrowserStack('browser-casework');
    // The demo business's own case, waiting for it at the SJPH manual.
    const [own] = await stack.database.db
      .select({ id: enrolments.id })
      .from(enrolments)
      .innerJoin(users, eq(users.businessId, enrolments.businessId))
      .where(and(eq(users.email, stack.logins.business!.email), eq(enrolments.currentStep, 'sjph_manual')));
    enrolmentId = own!.id;
    officer = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(officer, stack.baseUrl, stack.logins.officer!);
    businessContext = await stack.browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    business = await businessContext.newPage();
    await logIn(business, stack.baseUrl, stack.logins.business!);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lets an officer upload a document for an item, see it awaiting review and send it back for revision with a reason', async () => {
    await officer.goto(casePath());
    await upload(officer, 'manual_sjph', { name: 'manual-v1.pdf', mimeType: 'application/pdf', buffer: samplePdf() });
    const manual = item(officer, 'manual_sjph');
    await expect.poll(() => manual.locator('.tag').first().textContent()).toBe('Menunggu tinjauan');
    expect(await manual.locator('.version').first().textContent()).toMatch(
      /v1 · manual-v1\.pdf.*diunggah oleh .+ \(petugas\) · .*\d{4} \d{2}\.\d{2} WITA/s,
    );

    // A revision without a reason is refused beside the reason field, and the document stays awaiting review.
    await review(officer, 'manual_sjph', 'Perlu perbaikan');
    await expect.poll(() => manual.locator('.field-error .error-message').textContent()).toMatch(/alasan/i);
    expect((await documentsOf()).filter((d) => d.stepKey === 'sjph_manual').map((d) => d.status)).toEqual([
      'submitted',
    ]);

    await review(officer, 'manual_sjph', 'Perlu perbaikan', 'Tanda tangan Penyelia Halal belum ada');
    await expect.poll(() => manual.locator('.tag').first().textContent()).toBe('Perlu perbaikan');
    expect(await manual.locator('.revision').textContent()).toBe(
      'Yang perlu diperbaiki: Tanda tangan Penyelia Halal belum ada',
    );
    await screenshot(officer, 'casework-officer-revision');
  });

  it('refuses an executable renamed .pdf beside the upload field and stores nothing', async () => {
    const before = { rows: (await documentsOf()).length, files: await storedKeys(stack.documentStore) };
    await upload(officer, 'penetapan_penyelia_halal', {
      name: 'surat-penetapan.pdf',
      mimeType: 'application/pdf',
      buffer: sampleExecutable(),
    });
    const field = item(officer, 'penetapan_penyelia_halal').locator('.upload-form .field-error');
    await expect.poll(() => field.locator('.error-message').textContent()).toMatch(/surat-penetapan\.pdf/);
    expect(await field.locator('.error-message').textContent()).toMatch(/^Berkas ditolak, tidak ada yang disimpan:/);
    expect(await field.locator('.error-message').textContent()).toContain('application/x-elf');
    expect(await field.locator('input[type="file"]').getAttribute('aria-invalid')).toBe('true');
    await screenshot(officer, 'casework-officer-upload-refused');

    // Past 20 MB the page stops reading and says so, naming the file.
    const big = Buffer.alloc(21 * 1024 * 1024, 0x20);
    samplePdf().copy(big);
    await upload(officer, 'penetapan_penyelia_halal', {
      name: 'scan-besar.pdf',
      mimeType: 'application/pdf',
      buffer: big,
    });
    await expect.poll(() => field.locator('.error-message').textContent()).toMatch(/scan-besar\.pdf.*20 MB/);
    expect((await documentsOf()).length).toBe(before.rows);
    expect(await storedKeys(stack.documentStore)).toEqual(before.files);
  });

  it('shows which required items keep the step open, and the 409 reason when completion is asked anyway', async () => {
    await officer.goto(casePath());
    const blocking = officer.locator('.blocking');
    expect(await blocking.locator('li').allTextContents()).toEqual(['Manual SJPH', 'Surat penetapan Penyelia Halal']);
    // No checklist boxes to tick: the recorded review state is what counts.
    expect(await officer.locator('input[name="documents"]').count()).toBe(0);
    const [answer] = await Promise.all([
      officer.waitForResponse((r) => r.url().endsWith(`/enrolments/${enrolmentId}/complete`)),
      officer.getByRole('button', { name: 'Selesaikan langkah' }).click(),
    ]);
    expect(answer.status()).toBe(409);
    const refusal = officer.locator('#refused-complete');
    await expect.poll(() => refusal.textContent()).toMatch(/Dokumen wajib belum diterima/);
    expect(await refusal.locator('li').allTextContents()).toEqual(['Manual SJPH', 'Surat penetapan Penyelia Halal']);
    expect(await officer.locator('#open-step').textContent()).toContain('Penyusunan manual SJPH');
    await screenshot(officer, 'casework-officer-complete-refused');
  });

  it('lets the business on its phone read the reason, send version 2 from the camera field and write a shared note', async () => {
    // An internal note the business must never see.
    await officer.goto(casePath());
    await officer.getByLabel('Tulis catatan').fill('Pemilik sulit dihubungi pagi hari');
    expect(await officer.getByLabel('Internal: hanya petugas dinas').isChecked()).toBe(true);
    await officer.getByRole('button', { name: 'Kirim catatan' }).click();
    await expect
      .poll(() => officer.locator('.note-internal .note-body').textContent())
      .toBe('Pemilik sulit dihubungi pagi hari');

    await business.goto(`${stack.baseUrl}/`);
    const manual = item(business, 'manual_sjph');
    expect(await manual.locator('.tag').first().textContent()).toBe('Perlu perbaikan');
    expect(await manual.locator('.revision').textContent()).toContain('Tanda tangan Penyelia Halal belum ada');
    const card = business.locator(`section[aria-labelledby="p-${enrolmentId}"]`);
    expect(await card.locator('.note').count()).toBe(0);
    const camera = manual.locator('input[name="photo"]');
    expect(await camera.getAttribute('capture')).toBe('environment');
    await camera.setInputFiles({ name: 'IMG_20261129.png', mimeType: 'image/png', buffer: samplePng() });
    await manual.getByRole('button', { name: 'Unggah', exact: true }).click();
    await expect
      .poll(() => item(business, 'manual_sjph').locator('.tag').first().textContent())
      .toBe('Menunggu tinjauan');
    expect(await item(business, 'manual_sjph').locator('.version').first().textContent()).toMatch(
      /^v2 · IMG_20261129\.png/,
    );
    // Its own document downloads from its page.
    const href = await item(business, 'manual_sjph').locator('.version a').first().getAttribute('href');
    const file = await business.request.get(`${stack.baseUrl}${href}`);
    expect(file.status()).toBe(200);
    expect((await file.body()).equals(samplePng())).toBe(true);

    // The note form is folded on the business's page until asked for; a double tap on send writes the note once.
    expect(await card.getByLabel('Tulis catatan').isVisible()).toBe(false);
    await card.locator('.notes summary').click();
    await card.getByLabel('Tulis catatan').fill('Sudah saya tanda tangani, mohon dicek');
    await card.getByRole('button', { name: 'Kirim catatan' }).dblclick();
    await expect
      .poll(() => card.locator('.note .note-body').allTextContents())
      .toEqual(['Sudah saya tanda tangani, mohon dicek']);
    const written = await stack.database.db
      .select()
      .from(caseNotes)
      .where(and(eq(caseNotes.enrolmentId, enrolmentId), eq(caseNotes.authorRole, 'business')));
    expect(written.map((n) => [n.visibility, n.body])).toEqual([['shared', 'Sudah saya tanda tangani, mohon dicek']]);
    expect(await business.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // Its other programme, where the officer acts, keeps its documents folded; the newest five notices link to the rest.
    const folded = business.locator('section.card details.subform:not([open]) > summary', {
      hasText: /^Dokumen langkah ini \(0 dari \d+ diterima\)$/,
    });
    expect(await folded.count()).toBe(1);
    const notices = business.locator('section[aria-labelledby="notices"]');
    expect(await notices.locator('.notifications li').count()).toBe(5);
    expect(await notices.getByRole('link', { name: 'Semua pemberitahuan →' }).getAttribute('href')).toBe(
      '/notifications',
    );

    // Another business's case is not there for it: its document and its notes form are 404, and nothing is written.
    const [foreign] = await stack.database.db
      .select({ id: documents.id, enrolmentId: documents.enrolmentId })
      .from(documents)
      .innerJoin(enrolments, eq(enrolments.id, documents.enrolmentId))
      .where(
        ne(
          enrolments.businessId,
          (await stack.database.db.select().from(enrolments).where(eq(enrolments.id, enrolmentId)))[0]!.businessId,
        ),
      )
      .limit(1);
    expect((await business.request.get(`${stack.baseUrl}/documents/${foreign!.id}`)).status()).toBe(404);
    const csrf = (await businessContext.cookies()).find((c) => c.name === 'pdp_csrf')!.value;
    const intrusion = await business.request.post(`${stack.baseUrl}/enrolments/${foreign!.enrolmentId}/notes`, {
      form: { _csrf: csrf, body: 'bukan kasus saya', visibility: 'shared' },
    });
    expect(intrusion.status()).toBe(404);
    expect(
      await stack.database.db.select().from(caseNotes).where(eq(caseNotes.enrolmentId, foreign!.enrolmentId)),
    ).toEqual([]);
    await screenshot(business, 'casework-business-360');
    await expectAccessible(business);
  });

  it("lets the officer read the business's note and version 2, accept it, complete the step and see the next", async () => {
    await officer.goto(casePath());
    const shared = officer.locator('.note-shared');
    expect(await shared.locator('.note-body').textContent()).toBe('Sudah saya tanda tangani, mohon dicek');
    expect(await shared.locator('.note-meta').textContent()).toMatch(/\(usaha\) · .*WITA.*Dibagikan dengan usaha/s);
    expect(await item(officer, 'manual_sjph').locator('.version').allTextContents()).toEqual([
      expect.stringMatching(/^v2 · IMG_20261129\.png.*Menunggu tinjauan/s),
      expect.stringMatching(/^v1 · manual-v1\.pdf.*Perlu perbaikan/s),
    ]);
    await screenshot(officer, 'casework-officer-case-documents');
    await expectAccessible(officer);

    await review(officer, 'manual_sjph', 'Terima');
    await expect.poll(() => item(officer, 'manual_sjph').locator('.tag').first().textContent()).toBe('Diterima');
    await upload(officer, 'penetapan_penyelia_halal', {
      name: 'penetapan.pdf',
      mimeType: 'application/pdf',
      buffer: samplePdf('penetapan'),
    });
    await expect
      .poll(() => item(officer, 'penetapan_penyelia_halal').locator('.tag').first().textContent())
      .toBe('Menunggu tinjauan');
    await review(officer, 'penetapan_penyelia_halal', 'Terima');
    await expect.poll(() => officer.locator('.blocking').count()).toBe(0);

    await officer.getByRole('button', { name: 'Selesaikan langkah' }).click();
    await expect
      .poll(() => officer.locator('#open-step').textContent())
      .toContain('Dokumentasi bahan dan proses produksi');
    expect(await officer.locator('.timeline-open').textContent()).toMatch(/Jatuh tempo.*\d{4} 16\.00 WITA/s);
    // The closed step keeps its documents in the timeline, to open again later.
    expect(await officer.locator('.timeline-done').last().locator('.versions li').allTextContents()).toEqual([
      'Manual SJPH: v2 · IMG_20261129.png (Diterima)',
      'Surat penetapan Penyelia Halal: v1 · penetapan.pdf (Diterima)',
    ]);
    await screenshot(officer, 'casework-officer-next-step');
  });

  it('lets one of two staff reviewing the same document at once decide, and tells the other it was already reviewed', async () => {
    await upload(officer, 'daftar_produk_bahan', {
      name: 'daftar-bahan.pdf',
      mimeType: 'application/pdf',
      buffer: samplePdf('bahan'),
    });
    await expect
      .poll(() => item(officer, 'daftar_produk_bahan').locator('.tag').first().textContent())
      .toBe('Menunggu tinjauan');
    const manager = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await manager.goto(`${stack.baseUrl}/login`);
    await manager.getByLabel('Email').fill(stack.logins.manager!.email);
    await manager.getByLabel('Kata sandi').fill(stack.logins.manager!.password);
    await manager.getByRole('button', { name: 'Masuk' }).click();
    await manager.waitForURL((url) => url.pathname !== '/login');
    await manager.goto(casePath());
    await officer.goto(casePath());

    const prepare = async (page: Page, decision: string, reason?: string) => {
      const form = item(page, 'daftar_produk_bahan').locator('form[action$="/review"]');
      await form.getByLabel(decision, { exact: true }).check();
      if (reason) await form.getByLabel('Alasan (wajib bila perlu perbaikan)').fill(reason);
      return form.getByRole('button', { name: 'Simpan tinjauan' });
    };
    const accept = await prepare(officer, 'Terima');
    const revise = await prepare(manager, 'Perlu perbaikan', 'Sertakan nomor sertifikat halal bahan');
    await Promise.all([accept.click(), revise.click()]);
    await Promise.all([officer.waitForLoadState(), manager.waitForLoadState()]);

    const [doc] = (await documentsOf()).filter((d) => d.itemKey === 'daftar_produk_bahan');
    expect(['accepted', 'needs_revision']).toContain(doc!.status);
    const reviews = await stack.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'document.review'), eq(auditLog.entityId, doc!.id)));
    expect(reviews).toHaveLength(1);
    // Each page shows the one recorded decision; the one that lost says the document was already reviewed.
    const expected = doc!.status === 'accepted' ? 'Diterima' : 'Perlu perbaikan';
    for (const page of [officer, manager]) {
      await expect.poll(() => item(page, 'daftar_produk_bahan').locator('.tag').first().textContent()).toBe(expected);
    }
    const loser = doc!.status === 'accepted' ? manager : officer;
    await expect.poll(() => loser.locator('#refused-review').textContent()).toMatch(/sudah ditinjau/);
    await screenshot(loser, 'casework-review-race-loser');
    await manager.close();
  });

  it('extends the deadline to a chosen date, showing a date the engine refuses beside the field', async () => {
    await officer.goto(casePath());
    const dueBefore = await officer.locator('.timeline-open').textContent();
    const form = officer.locator('form[action$="/extend"]');
    await form.getByLabel('Sampai tanggal tertentu').check();
    // Today is on or after the earliest the field offers, but not after the current deadline: the engine says no.
    const today = (await form.getByLabel('Tenggat baru').getAttribute('min'))!;
    await form.getByLabel('Tenggat baru').fill(today);
    await form.getByLabel('Alasan').fill('Usaha menunggu hasil uji laboratorium');
    await form.getByRole('button', { name: 'Perpanjang tenggat' }).click();
    const dateField = officer.locator('form[action$="/extend"] .field-error');
    await expect.poll(() => dateField.locator('.error-message').textContent()).toMatch(/harus setelah tenggat/);
    expect(await dateField.locator('input').getAttribute('id')).toBe('f-newDueDate');
    // What was typed is still there; nothing moved.
    expect(await officer.locator('#reason-extend').inputValue()).toBe('Usaha menunggu hasil uji laboratorium');
    expect(await officer.locator('.timeline-open').textContent()).toBe(dueBefore);
    await screenshot(officer, 'casework-extend-refused');

    const later = `${Number(today.slice(0, 4)) + 1}-03-02`;
    await officer.locator('form[action$="/extend"]').getByLabel('Tenggat baru').fill(later);
    await officer.locator('form[action$="/extend"]').getByRole('button', { name: 'Perpanjang tenggat' }).click();
    await expect
      .poll(() => officer.locator('.timeline-open').textContent())
      .toMatch(new RegExp(`2 Mar ${later.slice(0, 4)} 16\\.00 WITA`));
    expect(await officer.locator('.timeline-open').textContent()).toMatch(/Perpanjangan\s*1/);
  });
});
