// The instants of a step's notices, from its due date and the office calendar. Pure.
import { nextOfficeInstant, reminderInstant, type OfficeCalendar } from './calendar.js';
import type { TemplateStep } from './template.js';

export interface Notice {
  kind: 'reminder' | 'overdue' | 'escalation';
  at: number;
}

/**
 * Reminders before, on and after the due day; the overdue notice at the first office hour after the deadline;
 * the escalation a number of working days after it. Sorted by instant; equal instants keep this order.
 */
export function stepNotices(
  step: Pick<TemplateStep, 'reminders' | 'overdueNotice' | 'escalation'>,
  dueAt: number | null,
  cal: OfficeCalendar,
): Notice[] {
  if (dueAt === null) return [];
  const notices: Notice[] = step.reminders.map((r) => ({
    kind: 'reminder' as const,
    at: reminderInstant(r, dueAt, cal),
  }));
  if (step.overdueNotice) notices.push({ kind: 'overdue', at: nextOfficeInstant(dueAt, cal) });
  if (step.escalation) {
    const at =
      step.escalation.afterWorkingDays === 0
        ? nextOfficeInstant(dueAt, cal)
        : reminderInstant({ relativeTo: 'after_due', workingDays: step.escalation.afterWorkingDays }, dueAt, cal);
    notices.push({ kind: 'escalation', at });
  }
  return notices.sort((a, b) => a.at - b.at);
}
