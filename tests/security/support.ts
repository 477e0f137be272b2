// Shared by the security tests: one app, one database and one Temporal client per file, and accounts of every role.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { App } from '../../api/app.js';
import { hashPassword, issueToken } from '../../services/credentials.js';
import type { Db } from '../../db/client.js';
import {
  assistantAssignments,
  auditLog,
  businesses,
  calendarDays,
  cohorts,
  documents,
  enrolments,
  notifications,
  offices,
  quotas,
  prospects,
  sentra,
  sites,
  users,
  visitAttachments,
  visitFollowUps,
  visitPlans,
  visits,
  visitTeam,
} from '../../db/schema.js';
import { provincialOffices } from '../../db/seed/index.js';
import { builtInTemplates } from '../../domain/templates/index.js';
import type { Role } from '../../domain/types.js';
import type { DocumentStore } from '../../services/documents/store.js';
import type { TestDatabase } from '../helpers/db.js';
import { startTestStack } from '../helpers/stack.js';

export interface Harness {
  database: TestDatabase;
  env: TestWorkflowEnvironment;
  app: App;
  documentStore: DocumentStore;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const { database, env, app, documentStore, stop } = await startTestStack();
  return { database, env, app, documentStore, close: stop };
}

/** The two seeded provincial offices: Kalimantan Selatan and Kalimantan Timur. */
export async function seededOffices(db: Db): Promise<{ kalsel: string; kaltim: string }> {
  const rows = await db.select({ id: offices.id, name: offices.name }).from(offices);
  const idOf = (name: string) => rows.find((r) => r.name === name)!.id;
  return { kalsel: idOf(provincialOffices[0]!.name), kaltim: idOf(provincialOffices[1]!.name) };
}

/** A registered IKM; in Kalimantan Selatan unless another Kemendagri region code is given. */
export async function createBusiness(db: Db, officeId: string, regionCode = '6371') {
  const [business] = await db
    .insert(businesses)
    .values({
      officeId,
      name: 'UD Amplang Kuin',
      ownerName: 'Hj. Siti Rahmah',
      nib: String(randomInt(10 ** 12, 10 ** 13)),
      kbli: '10792',
      regionCode,
    })
    .returning();
  return business!;
}

export interface Account {
  userId: string;
  email: string;
  password: string;
  token: string;
  auth: { authorization: string };
}

/** A user with a password and a live session token. */
export async function createAccount(
  db: Db,
  role: Role,
  scope: { officeId?: string | null; businessId?: string | null } = {},
): Promise<Account> {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.id`;
  const password = `sandi-${randomBytes(6).toString('hex')}`;
  const [user] = await db
    .insert(users)
    .values({
      name: `Uji ${role}`,
      email,
      role,
      officeId: scope.officeId ?? null,
      businessId: scope.businessId ?? null,
      passwordHash: await hashPassword(password),
    })
    .returning({ id: users.id });
  const { token } = await issueToken(db, user!.id, 'session');
  return { userId: user!.id, email, password, token, auth: { authorization: `Bearer ${token}` } };
}

export async function disableUser(db: Db, userId: string) {
  await db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, userId));
}

/** A stack frame or a source location: never part of an answer. */
export const stackTrace = /\n\s+at |\bat [\w.<>]+ \(|node:internal|\.[cm]?[jt]s:\d+:\d+/;

/** The answer is an RFC 9457 problem with this status, and leaks nothing about the code. */
export function expectProblem(res: LightMyRequestResponse, status: number) {
  expect(res.statusCode, res.body.slice(0, 500)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = res.json();
  expect(problem).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(res.body).not.toMatch(stackTrace);
  return problem as { status: number; title: string; detail: string; errors?: { path: string; message: string }[] };
}

export const unknownId = () => randomUUID();

/** The built-in programme the objects below are enrolled in. */
export const objectTemplate = builtInTemplates[0]!;
/** A checklist item of its first step, for the routes of an item's documents. */
export const objectItem = objectTemplate.steps.find((s) => s.key === objectTemplate.firstStep)!.checklist[0]!.key;

/**
 * One real object of every kind a route names by id, all in one office, keyed by the path segment before the id
 * (`/enrolments/{id}` → `enrolments`, `/calendar/days/{id}` → `days`): probes with these ids reach the code behind the
 * lookup, where random ids would stop at a 404 whatever the request. Given the app's document store, the document's
 * file is written there too, so that its download answers.
 */
export async function createOfficeObjects(db: Db, officeId: string, store?: DocumentStore) {
  const template = objectTemplate;
  const business = await createBusiness(db, officeId);
  const [enrolment] = await db
    .insert(enrolments)
    .values({
      workflowId: `enrolment-probe-${randomBytes(4).toString('hex')}`,
      businessId: business.id,
      officeId,
      programmeKey: template.key,
      programmeVersion: template.version,
      year: 2026,
      status: 'active',
    })
    .returning();
  const [notification] = await db
    .insert(notifications)
    .values({
      dedupeKey: `probe-${enrolment!.id}`,
      enrolmentId: enrolment!.id,
      businessId: business.id,
      officeId,
      recipientRole: 'business',
      kind: 'step_opened',
      titleId: 'Tahap dibuka',
      titleEn: 'Step opened',
      bodyId: 'Silakan unggah dokumen',
      bodyEn: 'Please upload the documents',
      scheduledFor: new Date(),
    })
    .returning();
  await db.insert(assistantAssignments).values({
    enrolmentId: enrolment!.id,
    assistantId: 'PPH-6371-0042',
    assistantName: 'Rahmawati',
    verificationDate: '2026-06-16',
  });
  const [document] = await db
    .insert(documents)
    .values({
      enrolmentId: enrolment!.id,
      stepKey: template.firstStep,
      itemKey: objectItem,
      version: 1,
      fileName: 'daftar-hadir.pdf',
      sizeBytes: 1,
      contentType: 'application/pdf',
      sha256: '0'.repeat(64),
      storageKey: `${enrolment!.id}/${randomUUID()}`,
      uploaderRole: 'business',
    })
    .returning();
  await store?.put(document!.storageKey, Readable.from([Buffer.from('%')]), 1);
  const [cohort] = await db
    .insert(cohorts)
    .values({ officeId, programmeKey: template.key, year: 2026, name: 'Angkatan I' })
    .returning();
  const [quota] = await db
    .insert(quotas)
    .values({ officeId, programmeKey: template.key, year: 2026, placesLimit: 30 })
    .returning();
  const [closure] = await db
    .insert(calendarDays)
    .values({
      date: '2026-06-15',
      kind: 'office_closure',
      nameId: 'Libur kantor',
      nameEn: 'Office closed',
      officeId,
      source: 'officer',
    })
    .returning();
  const [cluster] = await db
    .insert(sentra)
    .values({ officeId, regionCode: '6371', name: 'Sentra Amplang' })
    .returning();
  const officer = await createAccount(db, 'officer', { officeId });
  const owner = await createAccount(db, 'business', { officeId, businessId: business.id });
  const [plan] = await db
    .insert(visitPlans)
    .values({
      officeId,
      name: 'Monev',
      place: 'Kuin',
      recurrence: { kind: 'times_per_month', times: 2 },
      teamUserIds: [officer.userId],
    })
    .returning();
  const [visit] = await db.insert(visits).values({ officeId, date: '2026-06-16', place: 'Kuin' }).returning();
  await db.insert(visitTeam).values({ visitId: visit!.id, userId: officer.userId });
  const [followUp] = await db
    .insert(visitFollowUps)
    .values({ visitId: visit!.id, officeId, action: 'Kirim formulir', dueDate: '2026-06-30' })
    .returning();
  const [attachment] = await db
    .insert(visitAttachments)
    .values({
      visitId: visit!.id,
      fileName: 'foto.png',
      sizeBytes: 1,
      contentType: 'image/png',
      sha256: '0'.repeat(64),
      storageKey: `visits/${visit!.id}/${randomUUID()}`,
    })
    .returning();
  await store?.put(attachment!.storageKey, Readable.from([Buffer.from('%')]), 1);
  const [prospect] = await db
    .insert(prospects)
    .values({ officeId, name: 'Amplang Baru', address: 'Jl. Kuin 1', kelurahan: 'Kuin Utara', regionCode: '6371' })
    .returning();
  const [site] = await db
    .insert(sites)
    .values({ officeId, kind: 'idle_factory', name: 'Eks pabrik', regionCode: '6371', state: 'idle' })
    .returning();
  await db.insert(auditLog).values({
    action: 'business.update',
    entityType: 'business',
    entityId: business.id,
    officeId,
    businessId: business.id,
  });
  return {
    officer,
    owner,
    ids: {
      businesses: business.id,
      enrolments: enrolment!.id,
      notifications: notification!.id,
      documents: document!.id,
      cohorts: cohort!.id,
      quotas: quota!.id,
      days: closure!.id,
      sentra: cluster!.id,
      users: officer.userId,
      'visit-plans': plan!.id,
      visits: visit!.id,
      'visit-follow-ups': followUp!.id,
      'visit-attachments': attachment!.id,
      prospects: prospect!.id,
      sites: site!.id,
    } as Record<string, string>,
  };
}
