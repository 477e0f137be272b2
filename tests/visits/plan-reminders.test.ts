// A month's run of a visit plan on the time-skipping server: it creates the month's visits and sleeps until each
// reminder, which reaches the team at the start of office hours of the working day before the visit (in the office's
// zone); a visit cancelled in the meantime is not reminded.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { and, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import { notifications, visitPlans, visits } from '../../db/schema.js';
import { visitReminderInstant } from '../../domain/visit-recurrence.js';
import { visitPlanWorkflowType, type VisitPlanRunInput } from '../../workflows/visit-plan.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createUser, kalselOffice } from '../helpers/fixtures.js';
import { createTestWorker, createTimeSkippingEnv } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'visit-plan-reminders';

describe("a visit plan's month run", () => {
  let database: TestDatabase;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    [database, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
    worker = await createTestWorker(env, { taskQueue, activities: createActivities({ database }) });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await database?.drop();
  });

  it('reminds the team the working day before each visit, at 08:00 in the office zone, and skips a cancelled one', async () => {
    const office = await kalselOffice(database.db);
    const a = await createUser(database.db, 'officer', office.id);
    const b = await createUser(database.db, 'officer', office.id);
    const [plan] = await database.db
      .insert(visitPlans)
      .values({
        officeId: office.id,
        name: 'Monev dua mingguan',
        place: 'Sentra Ikan Kuin',
        recurrence: { kind: 'times_per_month', times: 4 },
        teamUserIds: [a.id, b.id],
      })
      .returning();
    const month = DateTime.now().setZone(office.timeZone).plus({ months: 2 }).toFormat('yyyy-MM');
    const input: VisitPlanRunInput = { planId: plan!.id, month };
    const handle = await env.client.workflow.start(visitPlanWorkflowType, {
      taskQueue,
      workflowId: `visit-plan-reminders-${plan!.id}`,
      args: [input],
    });
    const made = await waitFor(
      async () => {
        const rows = await database.db.select().from(visits).where(eq(visits.planId, plan!.id)).orderBy(visits.date);
        return rows.length === 4 && rows;
      },
      { what: 'the four visits of the month' },
    );
    await database.db.update(visits).set({ status: 'cancelled' }).where(eq(visits.id, made[3]!.id));
    expect(await handle.result()).toEqual({ month, visits: 4 });

    const cal = await loadOfficeCalendar(database.db, office.id, DateTime.fromISO(`${month}-15`).toMillis());
    const sent = await database.db
      .select({ key: notifications.dedupeKey, at: notifications.scheduledFor, user: notifications.recipientUserId })
      .from(notifications)
      .where(
        and(
          eq(notifications.kind, 'visit_reminder'),
          inArray(
            notifications.dedupeKey,
            made.flatMap((v) => [a.id, b.id].map((u) => `visit:${v.id}:visit_reminder:user-${u}`)),
          ),
        ),
      );
    expect(sent).toHaveLength(6);
    for (const v of made.slice(0, 3)) {
      const mine = sent.filter((n) => n.key.startsWith(`visit:${v.id}:`));
      expect(mine.map((n) => n.user).sort()).toEqual([a.id, b.id].sort());
      const at = DateTime.fromJSDate(mine[0]!.at, { zone: office.timeZone });
      // The workflow's timer fires at the reminder instant; the notice carries the workflow's time then.
      const late = mine[0]!.at.getTime() - visitReminderInstant(v.date, cal);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(1000);
      expect(at.toFormat('HH:mm')).toBe('08:00');
      expect(at.toISODate()! < v.date).toBe(true);
    }
  });
});
