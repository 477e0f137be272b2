// Officers and businesses acting on running enrolments through the API: Updates validated by the workflow,
// deadlines extended and paused on the office calendar, withdrawal. Time-skipping server, real activities and database.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import type { App } from '../../api/app.js';
import { cohorts, notifications, stepInstances } from '../../db/schema.js';
import { addWorkingDays } from '../../domain/calendar.js';
import type { ProgrammeTemplate } from '../../domain/template.js';
import { halalRegular } from '../../domain/templates/index.js';
import { startEnrolmentWorkflow } from '../../services/workflows.js';
import { statusQuery } from '../../workflows/messages.js';
import { testAdminToken } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/db.js';
import {
  acceptDocuments,
  bilingual as name,
  createActiveEnrolment,
  createBusiness,
  createToken,
  createUser,
  kalselOffice,
  testTemplate,
} from '../helpers/fixtures.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'enrolment-actions';
const zone = 'Asia/Makassar';

/** A small audit loop: documents → audit ⇄ corrections, the audit entered at most twice. */
const auditLoop = testTemplate({
  key: 'uji-audit',
  version: 1,
  name: name('Uji audit'),
  description: name('Template uji'),
  firstStep: 'documents',
  steps: [
    {
      key: 'documents',
      name: name('Dokumen'),
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      legalBasis: 'Peraturan uji Pasal 1',
      reminders: [{ relativeTo: 'before_due', workingDays: 2 }],
      escalation: { afterWorkingDays: 2, to: 'manager' },
      checklist: [{ key: 'manual', name: name('Manual'), required: true }],
      outcomes: [{ key: 'submitted', name: name('Diajukan'), next: 'audit' }],
    },
    {
      key: 'audit',
      name: name('Audit'),
      actor: 'lph',
      scope: 'business',
      due: { kind: 'working_days', days: 15 },
      extendable: true,
      maxVisits: 2,
      outcomes: [
        { key: 'ok', name: name('Sesuai'), next: null, terminal: 'completed' },
        { key: 'nc', name: name('Ketidaksesuaian'), next: 'corrections' },
        { key: 'failed', name: name('Gagal'), next: null, terminal: 'failed' },
      ],
    },
    {
      key: 'corrections',
      name: name('Perbaikan'),
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      outcomes: [{ key: 'done', name: name('Selesai'), next: 'audit' }],
    },
  ],
});

/** One step that records a certificate, for re-certification. */
const certifying = testTemplate({
  key: 'uji-sertifikat',
  version: 1,
  name: name('Uji sertifikat'),
  description: name('Template uji'),
  firstStep: 'issue',
  steps: [
    {
      key: 'issue',
      name: name('Terbit sertifikat'),
      actor: 'bpjph',
      scope: 'business',
      due: { kind: 'working_days', days: 1 },
      recordsCertificate: true,
      outcomes: [{ key: 'issued', name: name('Terbit'), next: null, terminal: 'completed' }],
    },
  ],
});

describe('acting on enrolments', () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let stack: TestStack;
  let app: App;
  let officeId: string;
  let officerAuth: { authorization: string };
  let managerAuth: { authorization: string };

  beforeAll(async () => {
    stack = await startTestStack({ taskQueue, worker: true });
    ({ database, env, app } = stack);
    officeId = (await kalselOffice(database.db)).id;
    officerAuth = {
      authorization: `Bearer ${await createToken(database.db, (await createUser(database.db, 'officer', officeId)).id)}`,
    };
    managerAuth = {
      authorization: `Bearer ${await createToken(database.db, (await createUser(database.db, 'manager', officeId)).id)}`,
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** An enrolment with its workflow started and its first step open. */
  async function enrol(template: ProgrammeTemplate = auditLoop, cohortId: string | null = null) {
    const business = await createBusiness(database.db, officeId);
    const businessUser = await createUser(database.db, 'business', officeId, business.id);
    const enrolment = await createActiveEnrolment(database.db, template, business.id, officeId, cohortId);
    await startEnrolmentWorkflow(database.db, env.client, taskQueue, enrolment.id);
    const handle = env.client.workflow.getHandle(enrolment.workflowId);
    // The first step opens right after the start, asynchronously.
    await waitFor(async () => (await handle.query(statusQuery)).current?.dueAt, {
      what: `the first step of ${enrolment.workflowId} to open`,
    });
    return {
      enrolment,
      business,
      businessAuth: { authorization: `Bearer ${await createToken(database.db, businessUser.id)}` },
    };
  }

  const post = (url: string, headers: Record<string, string>, payload: object = {}) =>
    app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });

  it('lets a business complete its own step once the required documents are there, and answers with the next step', async () => {
    const { enrolment, businessAuth } = await enrol();
    const missing = await post(`/enrolments/${enrolment.id}/steps/documents/complete`, businessAuth, {
      outcome: 'submitted',
    });
    expect(missing.statusCode).toBe(409);
    expect(missing.json().detail).toMatch(/Required documents not yet accepted: manual/);
    await acceptDocuments(database.db, enrolment.id, 'documents', ['manual']);

    const unknown = await post(`/enrolments/${enrolment.id}/steps/documents/complete`, businessAuth, {
      outcome: 'lulus',
      documents: ['manual'],
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().detail).toMatch(/Unknown outcome lulus; choose submitted/);

    const wrongStep = await post(`/enrolments/${enrolment.id}/steps/audit/complete`, businessAuth, { outcome: 'ok' });
    expect(wrongStep.statusCode).toBe(409);

    const done = await post(`/enrolments/${enrolment.id}/steps/documents/complete`, businessAuth, {
      outcome: 'submitted',
      documents: ['manual'],
    });
    expect(done.statusCode).toBe(200);
    const body = done.json();
    expect(body.currentStep).toBe('audit');
    expect(body.live.current).toMatchObject({ stepKey: 'audit', visit: 1 });
    expect(body.steps.map((s: { stepKey: string; status: string }) => [s.stepKey, s.status])).toEqual([
      ['documents', 'done'],
      ['audit', 'open'],
    ]);

    // The audit is the LPH's result: a business may not record it; an officer may.
    const byBusiness = await post(`/enrolments/${enrolment.id}/steps/audit/complete`, businessAuth, { outcome: 'ok' });
    expect(byBusiness.statusCode).toBe(403);
    const byOfficer = await post(`/enrolments/${enrolment.id}/steps/audit/complete`, officerAuth, { outcome: 'ok' });
    expect(byOfficer.statusCode).toBe(200);
    expect(byOfficer.json()).toMatchObject({ status: 'completed', currentStep: null });
  });

  it('bounds the audit → corrections → re-audit loop', async () => {
    const { enrolment, businessAuth } = await enrol();
    await acceptDocuments(database.db, enrolment.id, 'documents', ['manual']);
    await post(`/enrolments/${enrolment.id}/steps/documents/complete`, businessAuth, {
      outcome: 'submitted',
      documents: ['manual'],
    });
    expect(
      (await post(`/enrolments/${enrolment.id}/steps/audit/complete`, officerAuth, { outcome: 'nc' })).statusCode,
    ).toBe(200);
    expect(
      (await post(`/enrolments/${enrolment.id}/steps/corrections/complete`, businessAuth, { outcome: 'done' }))
        .statusCode,
    ).toBe(200);
    const second = await post(`/enrolments/${enrolment.id}/steps/audit/complete`, officerAuth, { outcome: 'nc' });
    expect(second.json().live.visits).toEqual({ documents: 1, audit: 2, corrections: 2 });
    const third = await post(`/enrolments/${enrolment.id}/steps/corrections/complete`, businessAuth, {
      outcome: 'done',
    });
    expect(third.statusCode).toBe(409);
    expect(third.json().detail).toMatch(/Step audit may be visited at most 2 times/);
    // At the bound the office decides: the enrolment can still be withdrawn.
    expect(
      (await post(`/enrolments/${enrolment.id}/withdraw`, officerAuth, { reason: 'Batas audit tercapai' })).json()
        .status,
    ).toBe('withdrawn');
  });

  it('extends a deadline by working days, counted from the same start', async () => {
    const { enrolment, businessAuth } = await enrol();
    const statutory = await post(`/enrolments/${enrolment.id}/extend`, officerAuth, {
      reason: 'Usaha minta waktu',
      addWorkingDays: 5,
    });
    expect(statutory.statusCode).toBe(409);
    expect(statutory.json().detail).toMatch(/set by Peraturan uji Pasal 1 and cannot be extended/);
    await acceptDocuments(database.db, enrolment.id, 'documents', ['manual']);
    const opened = await post(`/enrolments/${enrolment.id}/steps/documents/complete`, businessAuth, {
      outcome: 'submitted',
      documents: ['manual'],
    });
    const audit = opened.json().steps.find((s: { stepKey: string }) => s.stepKey === 'audit');
    const byBusiness = await post(`/enrolments/${enrolment.id}/extend`, businessAuth, {
      reason: 'LPH minta waktu',
      addWorkingDays: 5,
    });
    expect(byBusiness.statusCode).toBe(403);
    const extended = await post(`/enrolments/${enrolment.id}/extend`, officerAuth, {
      reason: 'LPH meminta perpanjangan',
      addWorkingDays: 5,
    });
    expect(extended.statusCode).toBe(200);
    const cal = await loadOfficeCalendar(database.db, officeId, Date.parse(audit.openedAt));
    const expected = addWorkingDays(Date.parse(audit.openedAt), 20, cal);
    const step = extended.json().steps.find((s: { stepKey: string }) => s.stepKey === 'audit');
    expect(Date.parse(step.dueAt)).toBe(expected);
    expect(step.extensions).toBe(1);
    expect(Date.parse(extended.json().live.current.dueAt)).toBe(expected);
  });

  it('withdraws mid-step: the step is cancelled and nothing more can be done', async () => {
    const { enrolment, businessAuth } = await enrol();
    const res = await post(`/enrolments/${enrolment.id}/withdraw`, officerAuth, { reason: 'Usaha tutup' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'withdrawn', currentStep: null });
    expect(res.json().steps).toMatchObject([{ stepKey: 'documents', status: 'cancelled' }]);
    expect(await env.client.workflow.getHandle(enrolment.workflowId).result()).toMatchObject({ phase: 'withdrawn' });
    const after = await post(`/enrolments/${enrolment.id}/steps/documents/complete`, businessAuth, {
      outcome: 'submitted',
      documents: ['manual'],
    });
    expect(after.statusCode).toBe(409);
  });

  it("keeps another office's enrolments out of sight", async () => {
    const { enrolment } = await enrol();
    const other = await app.inject({
      method: 'POST',
      url: '/api/v1/offices',
      headers: { authorization: `Bearer ${testAdminToken}` },
      payload: {
        name: 'Dinas Perindustrian Kota Samarinda',
        level: 'kota',
        regionCode: '6472',
        timeZone: 'Asia/Makassar',
      },
    });
    const stranger = {
      authorization: `Bearer ${await createToken(database.db, (await createUser(database.db, 'officer', other.json().id)).id)}`,
    };
    expect(
      (await app.inject({ method: 'GET', url: `/api/v1/enrolments/${enrolment.id}`, headers: stranger })).statusCode,
    ).toBe(404);
    expect((await post(`/enrolments/${enrolment.id}/pause`, stranger, { reason: 'coba-coba' })).statusCode).toBe(404);
    const list = await app.inject({ method: 'GET', url: '/api/v1/enrolments', headers: stranger });
    expect(list.json().items).toEqual([]);
  });

  it('pauses across Idul Fitri and cuti bersama: the working days left are kept and no notice goes out while paused', async () => {
    // The 2027 decree as an officer enters it once published (the dates here are this test's own).
    const days: Array<[string, 'holiday' | 'cuti_bersama', string]> = [
      ['2027-03-08', 'holiday', 'Hari Suci Nyepi'],
      ['2027-03-09', 'cuti_bersama', 'Cuti bersama Idulfitri'],
      ['2027-03-10', 'holiday', 'Idulfitri 1448 H'],
      ['2027-03-11', 'holiday', 'Idulfitri 1448 H'],
      ['2027-03-12', 'cuti_bersama', 'Cuti bersama Idulfitri'],
    ];
    const adminAuth = { authorization: `Bearer ${testAdminToken}` };
    expect(
      (
        await post('/calendar/days', managerAuth, {
          date: '2027-03-10',
          kind: 'holiday',
          nameId: 'Idulfitri',
          nameEn: 'Eid',
        })
      ).statusCode,
    ).toBe(403);
    for (const [date, kind, nameId] of days) {
      const res = await post('/calendar/days', adminAuth, { date, kind, nameId, nameEn: nameId });
      expect(res.statusCode).toBe(201);
    }
    const decree = await app.inject({
      method: 'PUT',
      url: '/api/v1/calendar/years/2027',
      headers: adminAuth,
      payload: { decree: 'SKB uji 2027' },
    });
    expect(decree.statusCode).toBe(200);

    const at = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
    await env.sleep(at('2027-03-01T10:00') - (await env.currentTimeMs()));
    const { enrolment } = await enrol();
    const before = await app.inject({ method: 'GET', url: `/api/v1/enrolments/${enrolment.id}`, headers: officerAuth });
    // 10 HK from Mon 1 March: 2–5 March, then nothing until 15 March, then 15–19 and 22 March.
    expect(before.json().steps[0].dueAt).toBe(new Date(at('2027-03-22T16:00')).toISOString());

    await env.sleep(at('2027-03-04T09:00') - (await env.currentTimeMs()));
    const paused = await post(`/enrolments/${enrolment.id}/pause`, officerAuth, { reason: 'Menunggu dokumen bahan' });
    expect(paused.json()).toMatchObject({ status: 'paused', steps: [{ status: 'paused' }] });

    await env.sleep(at('2027-03-15T09:00') - (await env.currentTimeMs()));
    const resumed = await post(`/enrolments/${enrolment.id}/resume`, officerAuth);
    expect(resumed.statusCode).toBe(200);
    // Left at the pause: 5, 15, 16, 17, 18, 19 and 22 March = 7 HK, counted again from the resume.
    expect(resumed.json()).toMatchObject({
      status: 'active',
      steps: [{ status: 'open', dueAt: new Date(at('2027-03-24T16:00')).toISOString() }],
    });

    const sent = await database.db
      .select({ at: notifications.scheduledFor, kind: notifications.kind })
      .from(notifications)
      .where(and(eq(notifications.enrolmentId, enrolment.id), eq(notifications.stepKey, 'documents')));
    expect(
      // The timed notices; the pause itself is told when it happens.
      sent.filter(
        (n) =>
          ['reminder', 'overdue', 'escalation'].includes(n.kind) &&
          n.at.getTime() > at('2027-03-04T09:00') &&
          n.at.getTime() < at('2027-03-15T09:00'),
      ),
    ).toEqual([]);

    // A closure entered later moves the deadline that has not passed by exactly one working day.
    const closure = await post('/calendar/days', officerAuth, {
      date: '2027-03-17',
      kind: 'office_closure',
      nameId: 'Rapat kerja',
      nameEn: 'Staff retreat',
      officeId,
    });
    expect(closure.statusCode).toBe(201);
    const handle = env.client.workflow.getHandle(enrolment.workflowId);
    // The correction reaches the workflow by a signal sent after the 201: wait for it, showing the last deadline seen.
    await waitFor(
      async () => {
        const due = (await handle.query(statusQuery)).current?.dueAt;
        if (due !== at('2027-03-25T16:00'))
          throw new Error(`the deadline is still ${due && new Date(due).toISOString()}`);
        return true;
      },
      { what: 'the office closure to move the deadline to 2027-03-25 16:00 WITA' },
    );
    const [row] = await database.db.select().from(stepInstances).where(eq(stepInstances.enrolmentId, enrolment.id));
    expect(row!.dueAt!.getTime()).toBe(at('2027-03-25T16:00'));
  });

  it('re-certifies after a change of ingredients: a new round, and its certificate supersedes the old one', async () => {
    const { enrolment, business } = await enrol(certifying);
    const certificate = (number: string) => ({ number, issuedOn: '2026-12-01', scope: 'Kerupuk ikan haruan' });
    const noCertificate = await post(`/enrolments/${enrolment.id}/steps/issue/complete`, officerAuth, {
      outcome: 'issued',
    });
    expect(noCertificate.statusCode).toBe(422);
    expect(
      (
        await post(`/enrolments/${enrolment.id}/steps/issue/complete`, officerAuth, {
          outcome: 'issued',
          certificate: certificate('SH-001'),
        })
      ).json().status,
    ).toBe('completed');

    const tooEarly = await post(`/enrolments/${enrolment.id}/recertifications`, officerAuth, { reason: 'x' });
    expect(tooEarly.statusCode).toBe(400);
    const recert = await post(`/enrolments/${enrolment.id}/recertifications`, officerAuth, {
      reason: 'Bahan baku tepung diganti',
    });
    expect(recert.statusCode).toBe(201);
    const next = recert.json();
    expect(next).toMatchObject({ businessId: business.id, programmeKey: 'uji-sertifikat', round: 2, status: 'active' });
    expect(next.workflowId).not.toBe(enrolment.workflowId);

    const handle = env.client.workflow.getHandle(next.workflowId);
    // The re-certification's first step opens right after its start, asynchronously.
    await waitFor(async () => (await handle.query(statusQuery)).current?.dueAt, {
      what: `the first step of the re-certification ${next.workflowId} to open`,
    });
    const again = await post(`/enrolments/${next.id}/recertifications`, officerAuth, {
      reason: 'Proses produksi berubah',
    });
    expect(again.statusCode).toBe(409);
    expect(
      (
        await post(`/enrolments/${next.id}/steps/issue/complete`, officerAuth, {
          outcome: 'issued',
          certificate: certificate('SH-002'),
        })
      ).statusCode,
    ).toBe(200);
    const held = await database.sql<{ number: string; status: string }[]>`
      select number, status from certificates where business_id = ${business.id} order by number`;
    expect(held).toEqual([
      { number: 'SH-001', status: 'superseded' },
      { number: 'SH-002', status: 'valid' },
    ]);
  });

  it('starts one re-certification for two requests at once, and none while it runs', async () => {
    const { enrolment, business } = await enrol(certifying);
    await post(`/enrolments/${enrolment.id}/steps/issue/complete`, officerAuth, {
      outcome: 'issued',
      certificate: { number: 'SH-101', issuedOn: '2026-12-01', scope: 'Amplang' },
    });
    const body = { reason: 'Bahan baku tepung diganti' };
    const answers = await Promise.all([
      post(`/enrolments/${enrolment.id}/recertifications`, officerAuth, body),
      post(`/enrolments/${enrolment.id}/recertifications`, officerAuth, body),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    const later = await post(`/enrolments/${enrolment.id}/recertifications`, officerAuth, body);
    expect(later.statusCode).toBe(409);
    expect(later.json().detail).toMatch(/A re-certification or another enrolment in this programme is still running/);
    const rounds = await database.sql<{ round: number }[]>`
      select round from enrolments where business_id = ${business.id} order by round`;
    expect(rounds.map((r) => r.round)).toEqual([1, 2]);
  });

  it('completes a cohort step (the Penyelia Halal training day) for every enrolment of the cohort at once', async () => {
    const [cohort] = await database.db
      .insert(cohorts)
      .values({ officeId, programmeKey: halalRegular.key, year: 2026, name: 'Kelompok Kuin 2026' })
      .returning();
    const members = [
      await enrol(halalRegular, cohort!.id),
      await enrol(halalRegular, cohort!.id),
      await enrol(halalRegular, cohort!.id),
    ];
    const withdrawn = members[2]!.enrolment.id;
    for (const { enrolment } of members) {
      await acceptDocuments(database.db, enrolment.id, 'penyelia_halal_training', [
        'daftar_hadir',
        'laporan_pelatihan',
      ]);
    }
    await post(`/enrolments/${withdrawn}/withdraw`, officerAuth, { reason: 'Mengundurkan diri' });

    const byBusiness = await post(
      `/cohorts/${cohort!.id}/steps/penyelia_halal_training/complete`,
      members[0]!.businessAuth,
      { outcome: 'held' },
    );
    expect(byBusiness.statusCode).toBe(403);
    const res = await post(`/cohorts/${cohort!.id}/steps/penyelia_halal_training/complete`, officerAuth, {
      outcome: 'held',
      documents: ['daftar_hadir', 'laporan_pelatihan'],
    });
    expect(res.statusCode).toBe(200);
    expect(new Set(res.json().completed)).toEqual(new Set([members[0]!.enrolment.id, members[1]!.enrolment.id]));
    for (const { enrolment } of members.slice(0, 2)) {
      const detail = await app.inject({ url: `/api/v1/enrolments/${enrolment.id}`, headers: officerAuth });
      expect(detail.json().currentStep).toBe('sjph_manual');
    }
  });

  it('keeps a running enrolment on the template version it started with when a new one is published', async () => {
    const { enrolment, businessAuth } = await enrol();
    const v2 = {
      ...auditLoop,
      version: 2,
      steps: auditLoop.steps.map((step) => (step.key === 'documents' ? { ...step, checklist: [] } : step)),
    };
    const published = await app.inject({
      method: 'POST',
      url: '/api/v1/programmes/uji-audit/versions',
      headers: managerAuth,
      payload: v2,
    });
    expect(published.statusCode).toBe(201);
    // Version 2 no longer asks for the manual; version 1 still does.
    expect(
      (await post(`/enrolments/${enrolment.id}/steps/documents/complete`, businessAuth, { outcome: 'submitted' }))
        .statusCode,
    ).toBe(409);
    await acceptDocuments(database.db, enrolment.id, 'documents', ['manual']);
    const done = await post(`/enrolments/${enrolment.id}/steps/documents/complete`, businessAuth, {
      outcome: 'submitted',
      documents: ['manual'],
    });
    expect(done.json()).toMatchObject({ programmeVersion: 1, currentStep: 'audit', live: { programmeVersion: 1 } });
  });

  it('gives a withdrawn place to the first on the waitlist and starts its workflow; a waitlisted one leaves without a workflow', async () => {
    const quota = await post('/quotas', managerAuth, { programmeKey: 'uji-audit', year: 2027, placesLimit: 1 });
    expect(quota.statusCode).toBe(201);
    const [first, second, third] = [
      await createBusiness(database.db, officeId),
      await createBusiness(database.db, officeId),
      await createBusiness(database.db, officeId),
    ];
    const enrolled = [];
    for (const b of [first!, second!, third!]) {
      const res = await post('/enrolments', officerAuth, { businessId: b.id, programmeKey: 'uji-audit', year: 2027 });
      expect(res.statusCode).toBe(201);
      enrolled.push(res.json());
    }
    expect(enrolled.map((e) => e.status)).toEqual(['active', 'waitlisted', 'waitlisted']);

    const leaving = await post(`/enrolments/${enrolled[2].id}/withdraw`, officerAuth, { reason: 'Tidak jadi ikut' });
    expect(leaving.statusCode).toBe(200);
    expect(leaving.json()).toMatchObject({ status: 'withdrawn', live: null });

    const firstHandle = env.client.workflow.getHandle(enrolled[0].workflowId);
    // The first enrolment's workflow opens its first step right after intake started it, asynchronously.
    await waitFor(async () => (await firstHandle.query(statusQuery)).current?.dueAt, {
      what: `the first step of ${enrolled[0].workflowId} to open`,
    });
    expect(
      (await post(`/enrolments/${enrolled[0].id}/withdraw`, officerAuth, { reason: 'Usaha pindah ke Kalteng' }))
        .statusCode,
    ).toBe(200);
    const promoted = await app.inject({ url: `/api/v1/enrolments/${enrolled[1].id}`, headers: officerAuth });
    expect(promoted.json().status).toBe('active');
    const handle = env.client.workflow.getHandle(enrolled[1].workflowId);
    const current = await waitFor(
      async () => {
        const { current } = await handle.query(statusQuery);
        return current?.dueAt ? current : undefined;
      },
      { what: `the first step of the promoted ${enrolled[1].workflowId} to open` },
    );
    expect(current.stepKey).toBe('documents');
    const places = await app.inject({ url: `/api/v1/quotas/${quota.json().id}`, headers: officerAuth });
    expect(places.json()).toMatchObject({ placesLimit: 1, placesUsed: 1 });
  });
});
