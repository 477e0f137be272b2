// Documents of checklist items through the API: upload, versions, review, downloads in scope, types and sizes refused
// with nothing stored, a store failing mid-write, and completion checked against the recorded documents. Real
// Postgres, a real folder store, the time-skipping Temporal server with the real activities.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { auditLog, documents, enrolments, notifications, offices, stepInstances } from '../../db/schema.js';
import { sweepDocumentOrphans, type DocumentList } from '../../services/documents/documents.js';
import { folderStore } from '../../services/documents/folder-store.js';
import { startEnrolmentWorkflow } from '../../services/workflows.js';
import { statusQuery } from '../../workflows/messages.js';
import { buildTestApp } from '../helpers/app.js';
import { rowCounts, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';
import {
  caseworkTemplate,
  failingMidWrite,
  multipart,
  sampleExecutable,
  samplePdf,
  samplePng,
  sampleXlsx,
  storedKeys,
} from './support.js';

const taskQueue = 'casework-documents';
const template = caseworkTemplate('uji-berkas');
const loopTemplate = caseworkTemplate('uji-berkas-ulang', { loop: true });
type Auth = { authorization: string };

describe('documents of checklist items', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let stack: TestStack;
  let app: App;
  const store = folderStore(mkdtempSync(join(tmpdir(), 'casework-documents-')));
  let officeId: string;
  let officer: Auth;
  let otherOfficeOfficer: Auth;

  const bearer = async (userId: string): Promise<Auth> => ({
    authorization: `Bearer ${await createToken(database.db, userId)}`,
  });

  beforeAll(async () => {
    stack = await startTestStack({ taskQueue, worker: true, documentStore: store });
    ({ database, env, app } = stack);
    officeId = (await kalselOffice(database.db)).id;
    officer = await bearer((await createUser(database.db, 'officer', officeId)).id);
    const [kaltim] = await database.db.select().from(offices).where(eq(offices.regionCode, '64'));
    otherOfficeOfficer = await bearer((await createUser(database.db, 'officer', kaltim!.id)).id);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** A case at its documents step, its workflow running; `workflow: false` leaves only the rows (no completion). */
  async function openCase({ workflow = true, programme = template } = {}) {
    const business = await createBusiness(database.db, officeId);
    const enrolment = await createActiveEnrolment(database.db, programme, business.id, officeId);
    const auth = await bearer((await createUser(database.db, 'business', officeId, business.id)).id);
    if (workflow) {
      await startEnrolmentWorkflow(database.db, env.client, taskQueue, enrolment.id);
      const handle = env.client.workflow.getHandle(enrolment.workflowId);
      await waitFor(async () => (await handle.query(statusQuery)).current?.dueAt, {
        what: 'the documents step to open',
      });
    } else {
      await database.db.update(enrolments).set({ currentStep: 'documents' }).where(eq(enrolments.id, enrolment.id));
    }
    return { enrolment, business, auth };
  }

  const upload = (auth: Auth, enrolmentId: string, item: string, name: string, data: Buffer, extra = {}) => {
    const body = multipart(name, data);
    return app.inject({
      method: 'POST',
      url: `/api/v1/enrolments/${enrolmentId}/steps/documents/documents/${item}`,
      headers: { ...auth, ...body.headers, ...extra },
      payload: body.payload,
    });
  };
  const review = (auth: Auth, documentId: string, payload: object) =>
    app.inject({ method: 'POST', url: `/api/v1/documents/${documentId}/review`, headers: auth, payload });
  const complete = (auth: Auth, enrolmentId: string, payload: object = { outcome: 'submitted' }, step = 'documents') =>
    app.inject({
      method: 'POST',
      url: `/api/v1/enrolments/${enrolmentId}/steps/${step}/complete`,
      headers: auth,
      payload,
    });
  const documentList = async (auth: Auth, enrolmentId: string) => {
    const answer = await app.inject({
      method: 'GET',
      url: `/api/v1/enrolments/${enrolmentId}/documents`,
      headers: auth,
    });
    expect(answer.statusCode).toBe(200);
    return answer.json() as DocumentList;
  };
  /** The case's documents step accepted and completed, then sent back to it by the audit: its second visit opens. */
  async function sentBack(auth: Auth, enrolmentId: string, workflowId: string) {
    const first = [await accepted(auth, enrolmentId, 'manual_sjph'), await accepted(auth, enrolmentId, 'daftar_bahan')];
    expect((await complete(auth, enrolmentId)).statusCode).toBe(200);
    expect((await complete(officer, enrolmentId, { outcome: 'revise' }, 'audit')).statusCode).toBe(200);
    const handle = env.client.workflow.getHandle(workflowId);
    await waitFor(async () => (await handle.query(statusQuery)).current?.stepKey === 'documents', {
      what: 'the documents step to open again',
    });
    return first;
  }
  const documentsOf = async (enrolmentId: string) =>
    database.db.select().from(documents).where(eq(documents.enrolmentId, enrolmentId));
  async function accepted(auth: Auth, enrolmentId: string, item: string) {
    const up = await upload(auth, enrolmentId, item, `${item}.pdf`, samplePdf(item));
    expect(up.statusCode).toBe(201);
    expect((await review(officer, up.json().id, { decision: 'accepted' })).statusCode).toBe(200);
    return up.json().id as string;
  }

  it('takes versions of an item, reviews each, tells the business, and streams a download to those who may see it', async () => {
    const { enrolment, auth } = await openCase({ workflow: false });
    const pdf = samplePdf();
    const first = await upload(auth, enrolment.id, 'manual_sjph', 'Manual SJPH.pdf', pdf);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      version: 1,
      fileName: 'Manual SJPH.pdf',
      sizeBytes: pdf.length,
      contentType: 'application/pdf',
      status: 'submitted',
      uploaderRole: 'business',
    });
    expect(first.json().sha256).toMatch(/^[0-9a-f]{64}$/);

    const noReason = await review(officer, first.json().id, { decision: 'needs_revision' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors).toEqual([expect.objectContaining({ path: 'body.reason' })]);
    const revision = await review(officer, first.json().id, {
      decision: 'needs_revision',
      reason: 'Tanda tangan penyelia halal belum ada',
    });
    expect(revision.statusCode).toBe(200);
    expect(revision.json()).toMatchObject({
      status: 'needs_revision',
      reviewReason: 'Tanda tangan penyelia halal belum ada',
    });
    const told = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.kind, 'document_needs_revision')));
    expect(told).toMatchObject([{ recipientRole: 'business' }]);
    expect(told[0]!.bodyId).toContain('Tanda tangan penyelia halal belum ada');

    // A business may not review; the second version is a photo of the page, taken on a phone.
    const second = await upload(auth, enrolment.id, 'manual_sjph', 'IMG_0001.png', samplePng());
    expect(second.json()).toMatchObject({ version: 2, contentType: 'image/png' });
    expect((await review(auth, second.json().id, { decision: 'accepted' })).statusCode).toBe(403);
    expect((await review(officer, second.json().id, { decision: 'accepted' })).statusCode).toBe(200);
    // An accepted item is final: a third version is refused, naming the item.
    const third = await upload(auth, enrolment.id, 'manual_sjph', 'again.pdf', samplePdf());
    expect(third.statusCode).toBe(409);
    expect(third.json().detail).toContain('manual_sjph');

    const xlsx = await upload(officer, enrolment.id, 'daftar_bahan', 'bahan.xlsx', await sampleXlsx());
    expect(xlsx.json()).toMatchObject({
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      uploaderRole: 'officer',
    });

    const list = await app.inject({
      method: 'GET',
      url: `/api/v1/enrolments/${enrolment.id}/documents`,
      headers: auth,
    });
    expect(list.statusCode).toBe(200);
    const items = list.json().steps[0].items;
    expect(
      items.map((i: { itemKey: string; state: string; versions: unknown[] }) => [
        i.itemKey,
        i.state,
        i.versions.length,
      ]),
    ).toEqual([
      ['manual_sjph', 'accepted', 2],
      ['daftar_bahan', 'submitted', 1],
      ['foto_produk', 'missing', 0],
    ]);

    const download = await app.inject({ method: 'GET', url: `/api/v1/documents/${first.json().id}`, headers: auth });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toContain('Manual SJPH.pdf');
    expect(download.rawPayload.equals(pdf)).toBe(true);
    const audited = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'document.download'), eq(auditLog.entityId, first.json().id)));
    expect(audited).toHaveLength(1);
    expect(
      await database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'document.review'), eq(auditLog.businessId, enrolment.businessId))),
    ).toHaveLength(2);
  });

  it("answers 404 for another business's document and another office's, on the file and on the list", async () => {
    const { enrolment, auth } = await openCase({ workflow: false });
    const doc = (await upload(auth, enrolment.id, 'manual_sjph', 'm.pdf', samplePdf())).json();
    const other = await openCase({ workflow: false });
    for (const stranger of [other.auth, otherOfficeOfficer]) {
      const file = await app.inject({ method: 'GET', url: `/api/v1/documents/${doc.id}`, headers: stranger });
      expect(file.statusCode).toBe(404);
      const list = await app.inject({
        method: 'GET',
        url: `/api/v1/enrolments/${enrolment.id}/documents`,
        headers: stranger,
      });
      expect(list.statusCode).toBe(404);
      expect((await upload(stranger, enrolment.id, 'daftar_bahan', 'b.pdf', samplePdf())).statusCode).toBe(404);
    }
    expect((await review(otherOfficeOfficer, doc.id, { decision: 'accepted' })).statusCode).toBe(404);
    expect((await documentsOf(enrolment.id)).map((d) => d.status)).toEqual(['submitted']);
  });

  it('streams a document of its own case to a business that came through its invitation link, and 404 to another', async () => {
    const { enrolment, business, auth } = await openCase({ workflow: false });
    const pdf = samplePdf('undangan');
    const doc = (await upload(auth, enrolment.id, 'manual_sjph', 'manual.pdf', pdf)).json();
    const invitationOf = async (businessId: string): Promise<Auth> => {
      const invited = await app.inject({
        method: 'POST',
        url: `/api/v1/businesses/${businessId}/invitations`,
        headers: officer,
        payload: {},
      });
      expect(invited.statusCode).toBe(201);
      return { authorization: `Bearer ${invited.json().invitation.token}` };
    };
    const invited = await invitationOf(business.id);
    const own = await app.inject({ method: 'GET', url: `/api/v1/documents/${doc.id}`, headers: invited });
    expect(own.statusCode).toBe(200);
    expect(own.rawPayload.equals(pdf)).toBe(true);
    // The page's download link, with the invitation in the session cookie as its link leaves it.
    const cookieOf = (auth: Auth) => `pdp_session=${auth.authorization.slice('Bearer '.length)}`;
    const page = await app.inject({
      method: 'GET',
      url: `/documents/${doc.id}`,
      headers: { cookie: cookieOf(invited) },
    });
    expect(page.statusCode).toBe(200);
    expect(page.rawPayload.equals(pdf)).toBe(true);
    const stranger = await invitationOf((await openCase({ workflow: false })).business.id);
    const other = await app.inject({ method: 'GET', url: `/api/v1/documents/${doc.id}`, headers: stranger });
    expect(other.statusCode).toBe(404);
    const otherPage = await app.inject({
      method: 'GET',
      url: `/documents/${doc.id}`,
      headers: { cookie: cookieOf(stranger) },
    });
    expect(otherPage.statusCode).toBe(404);
    expect(otherPage.body).not.toContain('%PDF');
    // Reading is all an invitation opens: reviewing or uploading still needs a password.
    expect((await review(invited, doc.id, { decision: 'accepted' })).statusCode).toBe(403);
    expect((await upload(invited, enrolment.id, 'daftar_bahan', 'b.pdf', samplePdf())).statusCode).toBe(403);
    expect((await documentsOf(enrolment.id)).map((d) => d.status)).toEqual(['submitted']);
  });

  it('refuses an executable renamed .pdf (415) and a 21 MB file (413), naming each, and stores nothing', async () => {
    const { enrolment, auth } = await openCase({ workflow: false });
    const before = { rows: await rowCounts(database), files: await storedKeys(store) };

    const program = await upload(auth, enrolment.id, 'manual_sjph', 'manual.pdf', sampleExecutable());
    expect(program.statusCode).toBe(415);
    expect(program.headers['content-type']).toContain('application/problem+json');
    expect(program.json().detail).toContain('manual.pdf');
    expect(program.json().detectedType).toBe('application/x-elf');

    const big = Buffer.alloc(21 * 1024 * 1024, 0x20);
    samplePdf().copy(big);
    const tooBig = await upload(auth, enrolment.id, 'manual_sjph', 'besar.pdf', big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().detail).toContain('besar.pdf');
    expect(tooBig.json().detail).toContain('20 MB');

    expect(await rowCounts(database)).toEqual(before.rows);
    expect(await storedKeys(store)).toEqual(before.files);
  });

  it('leaves no row and no file when the store fails half-way through writing', async () => {
    const broken = folderStore(mkdtempSync(join(tmpdir(), 'casework-broken-')));
    const brokenApp = await buildTestApp({
      database,
      temporal: env.client,
      taskQueue,
      documentStore: failingMidWrite(broken),
    });
    try {
      const { enrolment, auth } = await openCase({ workflow: false });
      const before = await rowCounts(database);
      const body = multipart('manual.pdf', Buffer.concat([samplePdf(), Buffer.alloc(256 * 1024, 0x20)]));
      const res = await brokenApp.inject({
        method: 'POST',
        url: `/api/v1/enrolments/${enrolment.id}/steps/documents/documents/manual_sjph`,
        headers: { ...auth, ...body.headers },
        payload: body.payload,
      });
      expect(res.statusCode).toBe(500);
      expect(await rowCounts(database)).toEqual(before);
      expect(await storedKeys(broken)).toEqual([]);
    } finally {
      await brokenApp.close();
    }
  });

  it('replays an upload sent again with its Idempotency-Key, and refuses the key with another file', async () => {
    const { enrolment, auth } = await openCase({ workflow: false });
    const key = { 'idempotency-key': `upload-${enrolment.id}` };
    const pdf = samplePdf();
    const first = await upload(auth, enrolment.id, 'manual_sjph', 'm.pdf', pdf, key);
    const again = await upload(auth, enrolment.id, 'manual_sjph', 'm.pdf', pdf, key);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const other = await upload(auth, enrolment.id, 'manual_sjph', 'm.pdf', samplePdf('lain'), key);
    expect(other.statusCode).toBe(422);
    expect(await documentsOf(enrolment.id)).toHaveLength(1);
  });

  it('sweeps a file whose row never committed, once it is older than the grace period, and keeps the rest', async () => {
    const { enrolment, auth } = await openCase({ workflow: false });
    const kept = (await upload(auth, enrolment.id, 'manual_sjph', 'm.pdf', samplePdf())).json();
    const orphan = `${enrolment.id}/00000000-0000-4000-8000-000000000000`;
    const data = samplePdf();
    await store.put(orphan, (await import('node:stream')).Readable.from([data]), data.length);
    expect(await sweepDocumentOrphans({ db: database.db, store })).not.toContain(orphan);
    const removed = await sweepDocumentOrphans({ db: database.db, store }, { now: Date.now() + 2 * 3600_000 });
    expect(removed).toContain(orphan);
    expect(await storedKeys(store)).toContain(`${enrolment.id}/${kept.id}`);
    expect(await storedKeys(store)).not.toContain(orphan);
  });

  it('completes a step only once every required item has an accepted document, whatever keys the request sends', async () => {
    const { enrolment, auth } = await openCase();
    await accepted(auth, enrolment.id, 'manual_sjph');
    const pending = (await upload(auth, enrolment.id, 'daftar_bahan', 'bahan.pdf', samplePdf())).json();
    // The old request form names the keys; it no longer counts: the recorded state does.
    const refused = await complete(auth, enrolment.id, {
      outcome: 'submitted',
      documents: ['manual_sjph', 'daftar_bahan'],
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('daftar_bahan');
    expect(refused.json().detail).not.toContain('manual_sjph');
    expect(refused.json().missingItems).toEqual(['daftar_bahan']);

    expect((await review(officer, pending.id, { decision: 'accepted' })).statusCode).toBe(200);
    const done = await complete(auth, enrolment.id);
    expect(done.statusCode).toBe(200);
    expect(done.json().currentStep).toBe('audit');
    // The closed step takes no more documents.
    const late = await upload(auth, enrolment.id, 'foto_produk', 'foto.png', samplePng());
    expect(late.statusCode).toBe(409);
  });

  it('lets one of two reviews of a document at once through, and refuses the other', async () => {
    const { enrolment, auth } = await openCase({ workflow: false });
    const doc = (await upload(auth, enrolment.id, 'manual_sjph', 'm.pdf', samplePdf())).json();
    const answers = await Promise.all([
      review(officer, doc.id, { decision: 'accepted' }),
      review(officer, doc.id, { decision: 'needs_revision', reason: 'Halaman 3 buram' }),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const winner = answers.find((a) => a.statusCode === 200)!.json();
    const [row] = await documentsOf(enrolment.id);
    expect(row!.status).toBe(winner.status);
    const reviews = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'document.review'), eq(auditLog.entityId, doc.id)));
    expect(reviews).toHaveLength(1);
    const notices = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.recipientRole, 'business')));
    expect(notices.filter((n) => n.kind.startsWith('document_'))).toHaveLength(1);
  });

  it('settles a review racing a completion: the completion sees the acceptance or is refused naming the item', async () => {
    const { enrolment, auth } = await openCase();
    await accepted(auth, enrolment.id, 'manual_sjph');
    const pending = (await upload(auth, enrolment.id, 'daftar_bahan', 'bahan.pdf', samplePdf())).json();
    const [reviewed, completed] = await Promise.all([
      review(officer, pending.id, { decision: 'accepted' }),
      complete(auth, enrolment.id),
    ]);
    expect(reviewed.statusCode).toBe(200);
    if (completed.statusCode !== 200) {
      expect(completed.statusCode).toBe(409);
      expect(completed.json().missingItems).toEqual(['daftar_bahan']);
      expect((await complete(auth, enrolment.id)).statusCode).toBe(200);
    }
    const [row] = await database.db.select().from(enrolments).where(eq(enrolments.id, enrolment.id));
    expect(row!.currentStep).toBe('audit');
  });

  it('settles an upload racing a completion: the file lands on the open step or is refused, never on a closed one', async () => {
    const { enrolment, auth } = await openCase();
    await accepted(auth, enrolment.id, 'manual_sjph');
    await accepted(auth, enrolment.id, 'daftar_bahan');
    const [uploaded, completed] = await Promise.all([
      upload(auth, enrolment.id, 'foto_produk', 'foto.png', samplePng()),
      complete(auth, enrolment.id),
    ]);
    expect(completed.statusCode).toBe(200);
    expect([201, 409]).toContain(uploaded.statusCode);
    const photos = (await documentsOf(enrolment.id)).filter((d) => d.itemKey === 'foto_produk');
    expect(photos).toHaveLength(uploaded.statusCode === 201 ? 1 : 0);
  });
  it('asks for the documents again when a loop enters their step again, and keeps the earlier round as history', async () => {
    const { enrolment, auth } = await openCase({ programme: loopTemplate });
    const [firstManual] = await sentBack(auth, enrolment.id, enrolment.workflowId);

    // The first round's acceptances do not carry over: the re-opened step waits for new documents.
    const refused = await complete(auth, enrolment.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().missingItems).toEqual(['manual_sjph', 'daftar_bahan']);
    const listed = (await documentList(auth, enrolment.id)).steps.find((s) => s.stepKey === 'documents')!;
    expect(listed.visit).toBe(2);
    expect(listed.open).toBe(true);
    const manual = listed.items.find((i) => i.itemKey === 'manual_sjph')!;
    expect(manual.state).toBe('missing');
    expect(manual.versions).toEqual([]);
    expect(manual.earlierVersions.map((v) => [v.id, v.visit, v.status])).toEqual([[firstManual, 1, 'accepted']]);

    // Its new version counts on from the first round's and belongs to the second visit.
    const again = await upload(auth, enrolment.id, 'manual_sjph', 'manual-2.pdf', samplePdf('kedua'));
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ version: 2, visit: 2, status: 'submitted' });
    expect((await review(officer, again.json().id, { decision: 'accepted' })).statusCode).toBe(200);
    await accepted(auth, enrolment.id, 'daftar_bahan');
    const done = await complete(auth, enrolment.id);
    expect(done.statusCode).toBe(200);
    expect(done.json().currentStep).toBe('audit');
    const rows = await documentsOf(enrolment.id);
    expect(rows.map((r) => `${r.itemKey} v${r.version} visit ${r.visit}`).sort()).toEqual([
      'daftar_bahan v1 visit 1',
      'daftar_bahan v2 visit 2',
      'manual_sjph v1 visit 1',
      'manual_sjph v2 visit 2',
    ]);
  });

  it('settles an upload racing the loop back to its step: the file lands on the new visit or is refused', async () => {
    const { enrolment, auth } = await openCase({ programme: loopTemplate });
    await accepted(auth, enrolment.id, 'manual_sjph');
    await accepted(auth, enrolment.id, 'daftar_bahan');
    expect((await complete(auth, enrolment.id)).statusCode).toBe(200);
    const [sentBackAnswer, uploaded] = await Promise.all([
      complete(officer, enrolment.id, { outcome: 'revise' }, 'audit'),
      upload(auth, enrolment.id, 'foto_produk', 'foto.png', samplePng()),
    ]);
    expect(sentBackAnswer.statusCode).toBe(200);
    expect([201, 409]).toContain(uploaded.statusCode);
    const photos = (await documentsOf(enrolment.id)).filter((d) => d.itemKey === 'foto_produk');
    expect(photos.map((p) => p.visit)).toEqual(uploaded.statusCode === 201 ? [2] : []);
  });
  it("files an upload between a loop's close and its next visit's opening under the visit about to open", async () => {
    const { enrolment, auth } = await openCase({ workflow: false, programme: loopTemplate });
    // The projection as the close of the audit leaves it: the documents step is current again, its first visit done
    // and its second not yet opened (the workflow's next activity opens it).
    await database.db.insert(stepInstances).values({
      enrolmentId: enrolment.id,
      stepKey: 'documents',
      visit: 1,
      status: 'done',
      openedAt: new Date(Date.now() - 60_000),
      completedAt: new Date(),
      officeId,
      officeActs: false,
    });
    const uploaded = await upload(auth, enrolment.id, 'manual_sjph', 'manual.pdf', samplePdf());
    expect(uploaded.statusCode).toBe(201);
    expect(uploaded.json()).toMatchObject({ visit: 2, version: 1 });
  });
  it('files the versions handed in before visits were recorded under the visit open at their upload', async () => {
    const { enrolment, auth } = await openCase({ workflow: false, programme: loopTemplate });
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
    const visit = (n: number, opened: number, status: 'done' | 'open') => ({
      enrolmentId: enrolment.id,
      stepKey: 'documents',
      visit: n,
      status,
      openedAt: at(opened),
      officeId,
      officeActs: false,
    });
    await database.db.insert(stepInstances).values([visit(1, 40, 'done'), visit(2, 20, 'open')]);
    const first = (await upload(auth, enrolment.id, 'manual_sjph', 'a.pdf', samplePdf('a'))).json().id as string;
    const second = (await upload(auth, enrolment.id, 'daftar_bahan', 'b.pdf', samplePdf('b'))).json().id as string;
    // As the rows stood before the column: all of the first visit, one handed in during each visit.
    await database.db
      .update(documents)
      .set({ visit: 1, uploadedAt: at(30) })
      .where(eq(documents.id, first));
    await database.db
      .update(documents)
      .set({ visit: 1, uploadedAt: at(10) })
      .where(eq(documents.id, second));
    const migrations = join(import.meta.dirname, '../../db/migrations');
    const file = readdirSync(migrations).find((f) => f.endsWith('_document_visit.sql'))!;
    const backfill = readFileSync(join(migrations, file), 'utf8').split('--> statement-breakpoint').at(-1)!;
    await database.sql.unsafe(backfill);
    const rows = await documentsOf(enrolment.id);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.visit]))).toEqual({ [first]: 1, [second]: 2 });
  });
});
