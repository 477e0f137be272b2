// Building blocks the built-in templates share, so every programme reminds and escalates in the same rhythm.
import type { TemplateStep } from '../template.js';

type Reminders = TemplateStep['reminders'];
type ChecklistItem = TemplateStep['checklist'][number];

/** Steps lasting a month or more: an early warning leaves time for an officer's visit, a late one catches the last days. */
export const monthlyReminders: Reminders = [
  { relativeTo: 'before_due', workingDays: 10 },
  { relativeTo: 'before_due', workingDays: 3 },
  { relativeTo: 'on_due', workingDays: 0 },
  { relativeTo: 'after_due', workingDays: 5 },
];

/** Steps of one to three weeks (at least 5 working days). */
export const weeklyReminders: Reminders = [
  { relativeTo: 'before_due', workingDays: 3 },
  { relativeTo: 'on_due', workingDays: 0 },
  { relativeTo: 'after_due', workingDays: 2 },
];

/** Limits of one or two working days leave no room for a warning before the due day. */
export const shortReminders: Reminders = [
  { relativeTo: 'on_due', workingDays: 0 },
  { relativeTo: 'after_due', workingDays: 1 },
];

export const nibDocument: ChecklistItem = {
  key: 'nib',
  name: { id: 'NIB (Nomor Induk Berusaha) dari OSS', en: 'NIB (business identification number) from OSS' },
  required: true,
};

export const npwpDocument: ChecklistItem = {
  key: 'npwp',
  name: { id: 'NPWP usaha atau pemilik', en: 'Tax number (NPWP) of the business or owner' },
  required: true,
};

export const attendanceList: ChecklistItem = {
  key: 'daftar_hadir',
  name: { id: 'Daftar hadir peserta', en: 'Attendance list' },
  required: true,
};
