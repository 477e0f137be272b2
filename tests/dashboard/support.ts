// Enrolments with step histories written straight to the tables, the way the projection would hold them: the
// dashboard reads the projection and its summaries, whatever wrote them.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { enrolments, stepInstances, users } from '../../db/schema.js';
import type { Principal } from '../../services/principal.js';
import { randomNib } from '../helpers/fixtures.js';

export const DAY = 86_400_000;

export interface StepVisit {
  stepKey: string;
  openedAt: number;
  dueAt: number | null;
  /** null: still open. */
  completedAt: number | null;
  status?: 'open' | 'paused' | 'done' | 'cancelled';
}

export interface History {
  businessId: string;
  officeId: string;
  programmeKey: string;
  year: number;
  status: 'waitlisted' | 'active' | 'paused' | 'completed' | 'failed' | 'withdrawn';
  quotaId?: string | null;
  cohortId?: string | null;
  activatedAt: number | null;
  completedAt?: number | null;
  steps: StepVisit[];
}

export async function writeHistory(db: Db, h: History): Promise<string> {
  const open = h.steps.find((s) => s.completedAt === null && s.status !== 'cancelled');
  const [row] = await db
    .insert(enrolments)
    .values({
      workflowId: `test-${randomNib()}-${Math.random().toString(36).slice(2)}`,
      businessId: h.businessId,
      officeId: h.officeId,
      programmeKey: h.programmeKey,
      programmeVersion: 1,
      year: h.year,
      status: h.status,
      quotaId: h.quotaId ?? null,
      cohortId: h.cohortId ?? null,
      currentStep: h.status === 'active' || h.status === 'paused' ? (open?.stepKey ?? null) : null,
      activatedAt: h.activatedAt === null ? null : new Date(h.activatedAt),
      completedAt: h.completedAt ? new Date(h.completedAt) : null,
    })
    .returning({ id: enrolments.id });
  const visits = new Map<string, number>();
  for (const s of h.steps) {
    const visit = (visits.get(s.stepKey) ?? 0) + 1;
    visits.set(s.stepKey, visit);
    await db.insert(stepInstances).values({
      enrolmentId: row!.id,
      stepKey: s.stepKey,
      visit,
      status: s.status ?? (s.completedAt === null ? 'open' : 'done'),
      openedAt: new Date(s.openedAt),
      dueAt: s.dueAt === null ? null : new Date(s.dueAt),
      completedAt: s.completedAt === null ? null : new Date(s.completedAt),
    });
  }
  return row!.id;
}

export async function managerOf(db: Db, officeId: string): Promise<Principal> {
  const [user] = await db
    .insert(users)
    .values({ name: 'Kepala Bidang', role: 'manager', officeId })
    .returning({ id: users.id });
  return { userId: user!.id, role: 'manager', officeId, businessId: null };
}

export async function clearEnrolments(db: Db, officeId: string) {
  const ids = (await db.select({ id: enrolments.id }).from(enrolments).where(eq(enrolments.officeId, officeId))).map(
    (r) => r.id,
  );
  for (const id of ids) {
    await db.delete(stepInstances).where(eq(stepInstances.enrolmentId, id));
    await db.delete(enrolments).where(eq(enrolments.id, id));
  }
}
