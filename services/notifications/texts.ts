// Texts of the notifications the engine sends, Bahasa Indonesia first, English second.
import { DateTime } from 'luxon';
import type { LocalizedText } from '../../domain/types.js';

export type NoticeKind =
  'step_opened' | 'reminder' | 'overdue' | 'escalation' | 'completed' | 'failed' | 'withdrawn' | 'stuck';

function formatDate(ms: number, zone: string, locale: 'id' | 'en'): string {
  return DateTime.fromMillis(ms, { zone })
    .setLocale(locale === 'id' ? 'id-ID' : 'en-GB')
    .toFormat('cccc, d LLLL yyyy HH:mm ZZZZ');
}

export function noticeText(
  kind: NoticeKind,
  ctx: {
    stepName: LocalizedText;
    programmeName: LocalizedText;
    businessName: string;
    dueAt: number | null;
    zone: string;
    detail?: string;
  },
): { title: LocalizedText; body: LocalizedText } {
  const dueId = ctx.dueAt ? formatDate(ctx.dueAt, ctx.zone, 'id') : 'tanpa tenggat';
  const dueEn = ctx.dueAt ? formatDate(ctx.dueAt, ctx.zone, 'en') : 'no deadline';
  const s = ctx.stepName;
  const p = ctx.programmeName;
  const b = ctx.businessName;
  switch (kind) {
    case 'step_opened':
      return {
        title: { id: `Langkah baru: ${s.id}`, en: `New step: ${s.en}` },
        body: {
          id: `${b} — ${p.id}: langkah "${s.id}" dimulai, tenggat ${dueId}.`,
          en: `${b} — ${p.en}: step "${s.en}" has started, due ${dueEn}.`,
        },
      };
    case 'reminder':
      return {
        title: { id: `Pengingat: ${s.id}`, en: `Reminder: ${s.en}` },
        body: {
          id: `${b} — ${p.id}: langkah "${s.id}" jatuh tempo ${dueId}.`,
          en: `${b} — ${p.en}: step "${s.en}" is due ${dueEn}.`,
        },
      };
    case 'overdue':
      return {
        title: { id: `Terlambat: ${s.id}`, en: `Overdue: ${s.en}` },
        body: {
          id: `${b} — ${p.id}: langkah "${s.id}" melewati tenggat ${dueId}.`,
          en: `${b} — ${p.en}: step "${s.en}" passed its deadline ${dueEn}.`,
        },
      };
    case 'escalation':
      return {
        title: { id: `Eskalasi: ${s.id}`, en: `Escalation: ${s.en}` },
        body: {
          id: `${b} — ${p.id}: langkah "${s.id}" masih terlambat sejak ${dueId}; mohon tindak lanjut.`,
          en: `${b} — ${p.en}: step "${s.en}" is still overdue since ${dueEn}; please follow up.`,
        },
      };
    case 'completed':
      return {
        title: { id: `Selesai: ${p.id}`, en: `Completed: ${p.en}` },
        body: { id: `${b} telah menyelesaikan ${p.id}.`, en: `${b} has completed ${p.en}.` },
      };
    case 'failed':
      return {
        title: { id: `Tidak lulus: ${p.id}`, en: `Not passed: ${p.en}` },
        body: {
          id: `${b} tidak menyelesaikan ${p.id}; hubungi petugas untuk langkah selanjutnya.`,
          en: `${b} did not pass ${p.en}; contact the office about what comes next.`,
        },
      };
    case 'stuck':
      return {
        title: { id: `Kasus macet: ${b}`, en: `Case stuck: ${b}` },
        body: {
          id: `${b} — ${p.id}: penyimpanan gagal berulang kali (${ctx.detail ?? '-'}). Coba ulang dari halaman kasus.`,
          en: `${b} — ${p.en}: a write kept failing (${ctx.detail ?? '-'}). Retry it from the case page.`,
        },
      };
    case 'withdrawn':
      return {
        title: { id: `Pendaftaran ditarik: ${p.id}`, en: `Enrolment withdrawn: ${p.en}` },
        body: {
          id: `Pendaftaran ${b} pada ${p.id} telah ditarik.`,
          en: `The enrolment of ${b} in ${p.en} was withdrawn.`,
        },
      };
  }
}
