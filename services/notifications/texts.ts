// Texts of the notifications, Bahasa Indonesia first, English second. They are data: each kind has a default here, and
// administrators and managers may replace it (notification_texts, see text-store.ts). A text names its values as
// placeholders in braces; each kind has its own list, whose order is also the order of the parameters of the
// pre-approved WhatsApp template of that kind.
import { DateTime } from 'luxon';

export type Language = 'id' | 'en';
export const languages = ['id', 'en'] as const;

/** Events of an enrolment. */
export const noticeKinds = [
  'enrolled',
  'waitlisted',
  'promoted',
  'step_opened',
  'reminder',
  'overdue',
  'escalation',
  'step_completed',
  'extended',
  'deadline_moved',
  'paused',
  'resumed',
  'withdrawn',
  'stuck',
  'certificate_issued',
  'completed',
  'failed',
  'recertification_started',
  'note_shared',
  'document_reviewed',
  'document_needs_revision',
] as const;
export type NoticeKind = (typeof noticeKinds)[number];

/** Messages that gather many items: an officer's working morning, a manager's week. */
export const summaryKinds = ['daily_digest', 'weekly_summary'] as const;
export type SummaryKind = (typeof summaryKinds)[number];
/** Events of field visits (services/visits/notices.ts): not of an enrolment, so they have their own placeholders. */
export const visitKinds = [
  'visit_reminder',
  'follow_up_reminder',
  'follow_up_overdue',
  'follow_up_escalation',
] as const;
export type VisitKind = (typeof visitKinds)[number];
export type TextKind = NoticeKind | SummaryKind | VisitKind;
export const textKinds: readonly TextKind[] = [...noticeKinds, ...summaryKinds, ...visitKinds];

export interface Text {
  title: string;
  body: string;
}
export type Texts = Record<Language, Text>;

const enrolmentValues = ['business', 'programme'] as const;
const stepValues = ['business', 'programme', 'step', 'due'] as const;

/** The placeholders each kind's text may use. */
export const placeholders: Record<TextKind, readonly string[]> = {
  enrolled: enrolmentValues,
  waitlisted: [...enrolmentValues, 'position'],
  promoted: enrolmentValues,
  step_opened: stepValues,
  reminder: stepValues,
  overdue: stepValues,
  escalation: stepValues,
  step_completed: [...stepValues, 'outcome'],
  extended: [...stepValues, 'previousDue', 'reason'],
  deadline_moved: [...stepValues, 'previousDue'],
  paused: [...stepValues, 'reason'],
  resumed: stepValues,
  withdrawn: [...enrolmentValues, 'reason'],
  stuck: [...stepValues, 'reason'],
  certificate_issued: [...enrolmentValues, 'certificate'],
  completed: enrolmentValues,
  failed: [...enrolmentValues, 'reason'],
  recertification_started: [...enrolmentValues, 'reason'],
  // Case work: the note itself, or the document (item and version) and the reviewer's reason, travel as {reason}.
  note_shared: [...enrolmentValues, 'reason'],
  document_reviewed: [...stepValues, 'reason'],
  document_needs_revision: [...stepValues, 'reason'],
  daily_digest: ['name', 'date', 'count', 'items'],
  weekly_summary: ['name', 'office', 'week', 'figures'],
  visit_reminder: ['place', 'date', 'plan'],
  follow_up_reminder: ['action', 'place', 'due'],
  follow_up_overdue: ['action', 'place', 'due'],
  follow_up_escalation: ['action', 'place', 'due'],
};

export const defaultTexts: Record<TextKind, Texts> = {
  enrolled: {
    id: {
      title: 'Terdaftar: {programme}',
      body: '{business} terdaftar di {programme} dan mendapat tempat dalam kuota. Langkah pertama segera dimulai.',
    },
    en: {
      title: 'Enrolled: {programme}',
      body: '{business} is enrolled in {programme} with a place in the quota. The first step starts shortly.',
    },
  },
  waitlisted: {
    id: {
      title: 'Daftar tunggu: {programme}',
      body: '{business} masuk daftar tunggu {programme} pada urutan ke-{position}. Kami kabari begitu ada tempat.',
    },
    en: {
      title: 'Waitlisted: {programme}',
      body: '{business} is on the waitlist of {programme} at position {position}. We will tell you as soon as a place is free.',
    },
  },
  promoted: {
    id: {
      title: 'Mendapat tempat: {programme}',
      body: '{business} mendapat tempat di {programme} dari daftar tunggu. Langkah pertama segera dimulai.',
    },
    en: {
      title: 'Place available: {programme}',
      body: '{business} got a place in {programme} from the waitlist. The first step starts shortly.',
    },
  },
  step_opened: {
    id: { title: 'Langkah baru: {step}', body: '{business} — {programme}: langkah "{step}" dimulai, tenggat {due}.' },
    en: { title: 'New step: {step}', body: '{business} — {programme}: step "{step}" has started, due {due}.' },
  },
  reminder: {
    id: { title: 'Pengingat: {step}', body: '{business} — {programme}: langkah "{step}" jatuh tempo {due}.' },
    en: { title: 'Reminder: {step}', body: '{business} — {programme}: step "{step}" is due {due}.' },
  },
  overdue: {
    id: { title: 'Terlambat: {step}', body: '{business} — {programme}: langkah "{step}" melewati tenggat {due}.' },
    en: { title: 'Overdue: {step}', body: '{business} — {programme}: step "{step}" passed its deadline, {due}.' },
  },
  escalation: {
    id: {
      title: 'Eskalasi: {step}',
      body: '{business} — {programme}: langkah "{step}" masih terlambat sejak {due}; mohon tindak lanjut.',
    },
    en: {
      title: 'Escalation: {step}',
      body: '{business} — {programme}: step "{step}" is still overdue since {due}; please follow up.',
    },
  },
  step_completed: {
    id: { title: 'Langkah selesai: {step}', body: '{business} — {programme}: langkah "{step}" selesai: {outcome}.' },
    en: { title: 'Step completed: {step}', body: '{business} — {programme}: step "{step}" is complete: {outcome}.' },
  },
  extended: {
    id: {
      title: 'Tenggat diperpanjang: {step}',
      body: '{business} — {programme}: tenggat langkah "{step}" diperpanjang dari {previousDue} menjadi {due}. Alasan: {reason}.',
    },
    en: {
      title: 'Deadline extended: {step}',
      body: '{business} — {programme}: the deadline of step "{step}" moved from {previousDue} to {due}. Reason: {reason}.',
    },
  },
  deadline_moved: {
    id: {
      title: 'Tenggat berubah: {step}',
      body: '{business} — {programme}: tenggat langkah "{step}" berpindah dari {previousDue} ke {due} karena perubahan kalender kerja.',
    },
    en: {
      title: 'Deadline moved: {step}',
      body: '{business} — {programme}: the deadline of step "{step}" moved from {previousDue} to {due} after a change of the working calendar.',
    },
  },
  paused: {
    id: {
      title: 'Dijeda: {programme}',
      body: '{business} — {programme}: proses dijeda pada langkah "{step}"; tenggat berhenti berjalan. Alasan: {reason}.',
    },
    en: {
      title: 'Paused: {programme}',
      body: '{business} — {programme}: the case is paused at step "{step}"; its deadline stops running. Reason: {reason}.',
    },
  },
  resumed: {
    id: {
      title: 'Dilanjutkan: {programme}',
      body: '{business} — {programme}: proses dilanjutkan; langkah "{step}" kini bertenggat {due}.',
    },
    en: {
      title: 'Resumed: {programme}',
      body: '{business} — {programme}: the case is resumed; step "{step}" is now due {due}.',
    },
  },
  withdrawn: {
    id: {
      title: 'Pendaftaran ditarik: {programme}',
      body: 'Pendaftaran {business} pada {programme} telah ditarik. Alasan: {reason}.',
    },
    en: {
      title: 'Enrolment withdrawn: {programme}',
      body: 'The enrolment of {business} in {programme} was withdrawn. Reason: {reason}.',
    },
  },
  stuck: {
    id: {
      title: 'Proses macet: {business}',
      body: '{business} — {programme}: proses tidak dapat berlanjut ({reason}). Coba ulang dari halaman kasus.',
    },
    en: {
      title: 'Case stuck: {business}',
      body: '{business} — {programme}: the case cannot go on ({reason}). Retry it from the case page.',
    },
  },
  note_shared: {
    id: { title: 'Catatan baru: {business}', body: '{business} — {programme}: {reason}' },
    en: { title: 'New note: {business}', body: '{business} — {programme}: {reason}' },
  },
  document_reviewed: {
    id: {
      title: 'Dokumen diterima: {step}',
      body: '{business} — {programme}, langkah "{step}": dokumen {reason} diterima.',
    },
    en: {
      title: 'Document accepted: {step}',
      body: '{business} — {programme}, step "{step}": document {reason} was accepted.',
    },
  },
  document_needs_revision: {
    id: {
      title: 'Dokumen perlu diperbaiki: {step}',
      body: '{business} — {programme}, langkah "{step}": dokumen {reason}. Unggah versi baru.',
    },
    en: {
      title: 'Document needs revision: {step}',
      body: '{business} — {programme}, step "{step}": document {reason}. Upload a new version.',
    },
  },
  certificate_issued: {
    id: {
      title: 'Sertifikat terbit: {programme}',
      body: 'Selamat! Sertifikat {business} untuk {programme} telah terbit dengan nomor {certificate}.',
    },
    en: {
      title: 'Certificate issued: {programme}',
      body: 'Congratulations! The certificate of {business} for {programme} was issued with number {certificate}.',
    },
  },
  completed: {
    id: { title: 'Selesai: {programme}', body: '{business} telah menyelesaikan {programme}.' },
    en: { title: 'Completed: {programme}', body: '{business} has completed {programme}.' },
  },
  failed: {
    id: {
      title: 'Tidak berhasil: {programme}',
      body: '{business} tidak dapat menyelesaikan {programme}: {reason}. Petugas akan menghubungi Anda tentang langkah selanjutnya.',
    },
    en: {
      title: 'Not successful: {programme}',
      body: '{business} could not complete {programme}: {reason}. An officer will contact you about what comes next.',
    },
  },
  recertification_started: {
    id: {
      title: 'Sertifikasi ulang: {programme}',
      body: 'Sertifikasi ulang {business} untuk {programme} dimulai karena: {reason}.',
    },
    en: {
      title: 'Re-certification: {programme}',
      body: 'The re-certification of {business} for {programme} has started because: {reason}.',
    },
  },
  daily_digest: {
    id: {
      title: 'Ringkasan harian {date}',
      body: 'Selamat pagi, {name}. {count} langkah perlu perhatian Anda:\n{items}',
    },
    en: { title: 'Daily digest {date}', body: 'Good morning, {name}. {count} steps need your attention:\n{items}' },
  },
  weekly_summary: {
    id: { title: 'Ringkasan mingguan {office}', body: 'Yth. {name}, ringkasan minggu {week}:\n{figures}' },
    en: { title: 'Weekly summary {office}', body: 'Dear {name}, the summary of the week {week}:\n{figures}' },
  },
  visit_reminder: {
    id: { title: 'Kunjungan besok: {place}', body: 'Kunjungan {plan} ke {place} dijadwalkan {date}.' },
    en: { title: 'Visit tomorrow: {place}', body: 'The {plan} visit to {place} is planned for {date}.' },
  },
  follow_up_reminder: {
    id: {
      title: 'Tindak lanjut jatuh tempo: {action}',
      body: 'Tindak lanjut kunjungan ke {place}: {action}. Tenggat {due}.',
    },
    en: { title: 'Follow-up due: {action}', body: 'Follow-up of the visit to {place}: {action}. Due {due}.' },
  },
  follow_up_overdue: {
    id: {
      title: 'Tindak lanjut terlambat: {action}',
      body: 'Tindak lanjut kunjungan ke {place} lewat tenggat {due}: {action}.',
    },
    en: {
      title: 'Follow-up overdue: {action}',
      body: 'The follow-up of the visit to {place} was due {due}: {action}.',
    },
  },
  follow_up_escalation: {
    id: {
      title: 'Eskalasi tindak lanjut: {action}',
      body: 'Tindak lanjut kunjungan ke {place} belum selesai sejak tenggat {due}: {action}.',
    },
    en: {
      title: 'Follow-up escalated: {action}',
      body: 'The follow-up of the visit to {place} is still open since its due date {due}: {action}.',
    },
  },
};

const placeholderPattern = /\{([^{}]*)\}/g;

/** The placeholders of a text that its kind does not know, in order of appearance. */
export function unknownPlaceholders(kind: TextKind, text: string): string[] {
  const known = new Set(placeholders[kind]);
  return [...text.matchAll(placeholderPattern)].map((m) => m[1]!).filter((name) => !known.has(name));
}

/** Fills a text's placeholders; unknown ones cannot be stored (see unknownPlaceholders), so they stay as written. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(placeholderPattern, (whole, name: string) => values[name] ?? whole);
}

const weekdaysId = ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu', 'Minggu'];
const monthsId = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
];
const weekdaysEn = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const monthsEn = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Indonesia's own names of its zones; ICU says "GMT+8", which nobody here writes. */
const zoneNames: Record<string, string> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

/** "Jumat, 11 Desember 2026 pukul 16.00 WITA" / "Friday 11 December 2026, 4:00 pm WITA". */
export function formatInstant(ms: number, zone: string, language: Language): string {
  const t = DateTime.fromMillis(ms, { zone });
  const zoneName = zoneNames[zone] ?? t.toFormat('ZZZZ');
  const mm = String(t.minute).padStart(2, '0');
  if (language === 'id') {
    const hh = String(t.hour).padStart(2, '0');
    return `${weekdaysId[t.weekday - 1]}, ${t.day} ${monthsId[t.month - 1]} ${t.year} pukul ${hh}.${mm} ${zoneName}`;
  }
  const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  return `${weekdaysEn[t.weekday - 1]} ${t.day} ${monthsEn[t.month - 1]} ${t.year}, ${h12}:${mm} ${t.hour < 12 ? 'am' : 'pm'} ${zoneName}`;
}

/** "Jumat, 11 Desember 2026" / "Friday 11 December 2026": a day without its hour. */
export function formatDay(ms: number, zone: string, language: Language): string {
  const t = DateTime.fromMillis(ms, { zone });
  return language === 'id'
    ? `${weekdaysId[t.weekday - 1]}, ${t.day} ${monthsId[t.month - 1]} ${t.year}`
    : `${weekdaysEn[t.weekday - 1]} ${t.day} ${monthsEn[t.month - 1]} ${t.year}`;
}

/** A text in both languages with its values filled in, and the values in placeholder order (WhatsApp's parameters). */
export function renderTexts(
  kind: TextKind,
  texts: Texts,
  values: Record<Language, Record<string, string>>,
): { title: Record<Language, string>; body: Record<Language, string>; params: Record<Language, string[]> } {
  const of = (language: Language) => ({
    title: fill(texts[language].title, values[language]),
    body: fill(texts[language].body, values[language]),
    params: placeholders[kind].map((name) => values[language][name] ?? ''),
  });
  const id = of('id');
  const en = of('en');
  return {
    title: { id: id.title, en: en.title },
    body: { id: id.body, en: en.body },
    params: { id: id.params, en: en.params },
  };
}
