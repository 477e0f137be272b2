// Types shared by the API, the workflow and the activities. Pure: no I/O, safe inside the workflow sandbox.

/** Who may act: the roles of people who log in. */
export const roles = ['admin', 'manager', 'officer', 'business'] as const;
export type Role = (typeof roles)[number];

/** Who performs a programme step. External bodies' results are recorded by officers (or by webhook). */
export const actors = ['officer', 'business', 'bpjph', 'lph', 'mui', 'pendamping_pph', 'external'] as const;
export type Actor = (typeof actors)[number];

/** When a step falls due, counted from the moment it opens (or resumes). */
export type DueRule =
  | { kind: 'working_days'; days: number } // hari kerja: weekends, holidays, cuti bersama and office closures do not count
  | { kind: 'calendar_days'; days: number }
  | { kind: 'calendar_months'; months: number };

/** A text every user reads: Bahasa Indonesia first, English second. */
export interface LocalizedText {
  id: string;
  en: string;
}

export const enrolmentStatuses = ['waitlisted', 'active', 'paused', 'completed', 'failed', 'withdrawn'] as const;
export type EnrolmentStatus = (typeof enrolmentStatuses)[number];

export const stepStatuses = ['open', 'paused', 'done', 'skipped', 'cancelled'] as const;
export type StepStatus = (typeof stepStatuses)[number];
