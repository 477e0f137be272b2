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

/**
 * How long after its office-hours instant a case's reminders go out: up to a quarter of an hour, the same for every
 * reminder of one case. An office's reminders of a morning all fall at the start of office hours; spread over its
 * first quarter hour they reach the worker at a pace it serves on time (bench/README.md, open-enrolments), where at
 * one instant they would queue and go out late, in an order nobody chose. A reminder is for the day: a few minutes
 * after opening time tells the business nothing different. Overdue notices and escalations keep their instants: they
 * are few, and the dashboard counts escalations from the due instants alone.
 */
export const reminderSpreadMs = 15 * 60_000;

/** A case's offset within the spread, from a hash (FNV-1a) of its key: the same case always gets the same one. */
export function reminderOffset(caseKey: string, spreadMs = reminderSpreadMs): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < caseKey.length; i++) hash = Math.imul(hash ^ caseKey.charCodeAt(i), 0x01000193) >>> 0;
  // Whole seconds: an instant a person reads.
  return (hash % Math.max(1, Math.floor(spreadMs / 1000))) * 1000;
}

/** The notices of one case with its reminders moved by its offset, sorted by instant. */
export function spreadReminders(notices: Notice[], caseKey: string): Notice[] {
  const offset = reminderOffset(caseKey);
  return notices.map((n) => (n.kind === 'reminder' ? { ...n, at: n.at + offset } : n)).sort((a, b) => a.at - b.at);
}
