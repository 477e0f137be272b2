// Shared by the security tests: one app, one database and one Temporal client per file, and accounts of every role.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
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
  enrolments,
  notifications,
  offices,
  quotas,
  sentra,
  users,
} from '../../db/schema.js';
import { provincialOffices } from '../../db/seed/index.js';
import { builtInTemplates } from '../../domain/templates/index.js';
import type { Role } from '../../domain/types.js';
import { buildTestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createTimeSkippingEnv } from '../helpers/temporal.js';

export interface Harness {
  database: TestDatabase;
  env: TestWorkflowEnvironment;
  app: App;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
  const app = await buildTestApp({ database, temporal: env.client });
  return {
    database,
    env,
    app,
    close: async () => {
      await app.close();
      await Promise.all([database.drop(), env.teardown()]);
    },
  };
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

/**
 * One real object of every kind a route names by id, all in one office, keyed by the path segment before the id
 * (`/enrolments/{id}` → `enrolments`, `/calendar/days/{id}` → `days`): probes with these ids reach the code behind the
 * lookup, where random ids would stop at a 404 whatever the request.
 */
export async function createOfficeObjects(db: Db, officeId: string) {
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
      cohorts: cohort!.id,
      quotas: quota!.id,
      days: closure!.id,
      sentra: cluster!.id,
      users: officer.userId,
    } as Record<string, string>,
  };
}
