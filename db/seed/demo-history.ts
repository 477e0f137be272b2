// A year of finished cases for the demo office, so the managers' dashboard has history on a first `npm start`: quota
// places taken month by month, step durations for the medians and forecasts, statutory steps finished on time and
// late, completions to judge past forecasts on. These cases ended long ago, so no workflow runs for them: their rows
// are written as their finished workflows would have left them (deadlines from the office's own calendar, a certificate
// for each completed halal case, the quota place each held), in the demo seed's transaction.
import { eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import { addWorkingDays, computeDue } from '../../domain/calendar.js';
import { usualPath } from '../../domain/forecast.js';
import { halalRegular, halalSelfDeclare } from '../../domain/templates/index.js';
import type { ProgrammeTemplate } from '../../domain/template.js';
import type { Tx } from '../client.js';
import { businesses, certificates, enrolments, offices, quotas, stepInstances } from '../schema.js';

const DAY_MS = 86_400_000;

/**
 * Businesses of the history, across the province so the regional figures differ. Drinks (KBLI 11) and cosmetics
 * (KBLI 20): halal certification covers both, and the officers' demo of enrolling food IKM (KBLI 10) by filter
 * keeps its own four businesses.
 */
const historyBusinesses: { name: string; ownerName: string; kbli: string; regionCode: string }[] = [
  { name: 'Minuman Jahe Merah Sungai Jingah', ownerName: 'Masrani', kbli: '11040', regionCode: '6371' },
  { name: 'Sirup Kayu Manis Pasar Lama', ownerName: 'Hj. Fatimah', kbli: '11040', regionCode: '6371' },
  { name: 'Lulur Banjar Kelayan', ownerName: 'Junaidi', kbli: '20232', regionCode: '6371' },
  { name: 'Air Minum Liang Anggang', ownerName: 'Saprudin', kbli: '11040', regionCode: '6372' },
  { name: 'Bedak Dingin Cempaka', ownerName: 'Rusdiana', kbli: '20232', regionCode: '6372' },
  { name: 'Sari Buah Kasturi Pengaron', ownerName: 'Ahmad Yani', kbli: '11040', regionCode: '6303' },
  { name: 'Sabun Herbal Martapura', ownerName: 'Siti Aisyah', kbli: '20232', regionCode: '6303' },
  { name: 'Teh Daun Kelor Loksado', ownerName: 'Basri', kbli: '11040', regionCode: '6306' },
  { name: 'Minyak Kelapa Barabai', ownerName: 'Nurlaila', kbli: '20232', regionCode: '6307' },
  { name: 'Minuman Rosela Kotabaru', ownerName: 'Hasanah', kbli: '11040', regionCode: '6302' },
  { name: 'Lulur Mandi Tanjung', ownerName: 'Mahmudah', kbli: '20232', regionCode: '6309' },
  { name: 'Es Kelapa Muda Pagatan', ownerName: 'Syamsuri', kbli: '11040', regionCode: '6310' },
];

/** How each case went: its programme, how many days ago it took its place, its pace, and how it ended. */
const cases: {
  programme: ProgrammeTemplate;
  startedDaysAgo: number;
  pace: number;
  lateAudit?: boolean;
  end?: 'withdrawn';
}[] = [
  { programme: halalRegular, startedDaysAgo: 330, pace: 0.6 },
  { programme: halalRegular, startedDaysAgo: 300, pace: 0.8, lateAudit: true },
  { programme: halalRegular, startedDaysAgo: 280, pace: 0.5 },
  { programme: halalRegular, startedDaysAgo: 250, pace: 0.7 },
  { programme: halalRegular, startedDaysAgo: 230, pace: 0.6, lateAudit: true },
  { programme: halalRegular, startedDaysAgo: 200, pace: 0.4, end: 'withdrawn' },
  { programme: halalRegular, startedDaysAgo: 190, pace: 0.5 },
  { programme: halalSelfDeclare, startedDaysAgo: 240, pace: 0.7 },
  { programme: halalSelfDeclare, startedDaysAgo: 170, pace: 0.9, lateAudit: true },
  { programme: halalSelfDeclare, startedDaysAgo: 120, pace: 0.6 },
  { programme: halalSelfDeclare, startedDaysAgo: 90, pace: 0.8 },
  { programme: halalSelfDeclare, startedDaysAgo: 60, pace: 0.5 },
];

/** NIBs of the history's businesses: the demo's own range, after the nine of db/seed/demo.ts. */
const nibOf = (i: number) => `91200012346${String(i).padStart(2, '0')}`;

export async function seedDemoHistory(tx: Tx, officeId: string, now = Date.now()): Promise<void> {
  const [office] = await tx.select().from(offices).where(eq(offices.id, officeId));
  const cal = await loadOfficeCalendar(tx, officeId, now);
  const rows = await tx
    .insert(businesses)
    .values(historyBusinesses.map((b, i) => ({ ...b, officeId, nib: nibOf(i) })))
    .onConflictDoNothing()
    .returning();
  for (const [i, c] of cases.entries()) {
    const business = rows[i];
    if (!business) continue;
    const activatedAt = now - c.startedDaysAgo * DAY_MS;
    const year = DateTime.fromMillis(activatedAt, { zone: office!.timeZone }).year;
    const steps: Omit<typeof stepInstances.$inferInsert, 'enrolmentId'>[] = [];
    let at = activatedAt;
    let visitedAll = true;
    for (const step of usualPath(c.programme, c.programme.firstStep)) {
      const due = step.due ? computeDue(step.due, at, cal) : null;
      // A statutory limit is met, or missed by two working days in the cases marked so; other steps take a share
      // of their allowance, the case's pace.
      const finishedAt =
        step.legalBasis && step.due?.kind === 'working_days'
          ? addWorkingDays(at, step.due.days + (c.lateAudit && step.due.days >= 3 ? 2 : 0), cal) - 3_600_000
          : at + Math.max(DAY_MS, Math.round(((due ?? at + 5 * DAY_MS) - at) * c.pace));
      const withdrawsHere = c.end === 'withdrawn' && step.actor === 'lph';
      if (finishedAt > now - DAY_MS || withdrawsHere) {
        steps.push({
          stepKey: step.key,
          visit: 1,
          status: 'cancelled',
          openedAt: new Date(at),
          dueAt: due ? new Date(due) : null,
        });
        visitedAll = false;
        break;
      }
      steps.push({
        stepKey: step.key,
        visit: 1,
        status: 'done',
        openedAt: new Date(at),
        dueAt: due ? new Date(due) : null,
        dueBasisAt: step.due?.kind === 'working_days' ? new Date(at) : null,
        dueWorkingDays: step.due?.kind === 'working_days' ? step.due.days : null,
        completedAt: new Date(finishedAt),
        outcome: step.outcomes[0]!.key,
        note: 'Riwayat demo / demo history',
      });
      at = finishedAt;
    }
    const completed = visitedAll;
    const [quota] = await tx
      .insert(quotas)
      .values({ programmeKey: c.programme.key, year, officeId, placesLimit: 20 })
      .onConflictDoUpdate({
        target: [quotas.programmeKey, quotas.year, quotas.officeId, quotas.regionCode],
        set: { updatedAt: sql`now()` },
      })
      .returning();
    // A completed case keeps its place; a withdrawn one gave it back.
    if (completed) {
      await tx
        .update(quotas)
        .set({ placesUsed: sql`${quotas.placesUsed} + 1` })
        .where(eq(quotas.id, quota!.id));
    }
    const [enrolment] = await tx
      .insert(enrolments)
      .values({
        workflowId: `enrolment-${c.programme.key}-${year}-${business.nib}-r1`,
        businessId: business.id,
        officeId,
        programmeKey: c.programme.key,
        programmeVersion: c.programme.version,
        year,
        quotaId: quota!.id,
        status: completed ? 'completed' : 'withdrawn',
        withdrawReason: completed ? null : 'Usaha tutup sementara / business closed for a while',
        activatedAt: new Date(activatedAt),
        completedAt: completed ? new Date(at) : null,
        withdrawnAt: completed ? null : new Date(at),
        createdAt: new Date(activatedAt),
        updatedAt: new Date(at),
      })
      .returning({ id: enrolments.id });
    await tx.insert(stepInstances).values(steps.map((s) => ({ ...s, enrolmentId: enrolment!.id })));
    if (completed) {
      await tx.insert(certificates).values({
        businessId: business.id,
        enrolmentId: enrolment!.id,
        kind: c.programme.key,
        number: `ID63110000${String(i + 1).padStart(6, '0')}${year}`,
        issuedOn: DateTime.fromMillis(at, { zone: office!.timeZone }).toISODate()!,
        scope: business.name,
      });
    }
  }
}
