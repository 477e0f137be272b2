// One run of a visit plan's schedule: it creates the visits of a month (once each, whatever runs twice) and then
// reminds each visit's team at the start of office hours of the working day before it. The month is that of the
// schedule's own time for this run (a backfill's runs carry the past times they stand for), in the office's zone.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';

export const visitPlanWorkflowType = 'visitPlanMonthWorkflow';

export interface VisitPlanRunInput {
  planId: string;
  /** 'YYYY-MM'; absent when a schedule starts the run, which then takes the month of its scheduled time. */
  month?: string;
}

export interface PlannedVisit {
  visitId: string;
  date: string;
  /** When the team is reminded (epoch ms). */
  remindAt: number;
}

export interface VisitPlanActivities {
  createPlannedVisits(input: { planId: string; month?: string; scheduledAt: number }): Promise<{
    month: string;
    visits: PlannedVisit[];
  }>;
  /** `at`: the workflow's time of the reminder, which the notice carries. */
  remindVisitTeam(input: { visitId: string; at: number }): Promise<number>;
}

const { createPlannedVisits, remindVisitTeam } = proxyActivities<VisitPlanActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '5 minutes' },
});

const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function visitPlanMonthWorkflow(input: VisitPlanRunInput): Promise<{ month: string; visits: number }> {
  const info = workflowInfo();
  const scheduledAt = (info.typedSearchAttributes.get(scheduledStartTime) ?? info.startTime).getTime();
  const planned = await createPlannedVisits({ planId: input.planId, month: input.month, scheduledAt });
  const due = [...planned.visits].sort((a, b) => a.remindAt - b.remindAt);
  for (const visit of due) {
    const wait = visit.remindAt - Date.now();
    if (wait > 0) await sleep(wait);
    await remindVisitTeam({ visitId: visit.visitId, at: Date.now() });
  }
  return { month: planned.month, visits: planned.visits.length };
}
