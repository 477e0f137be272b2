// IKM mentoring (pendampingan): diagnosis, a plan, training, field visits, product and packaging improvement,
// then monitoring and evaluation (monev). No statute sets these durations: all are office service standards.
import type { ProgrammeTemplate } from '../template.js';
import { attendanceList, monthlyReminders, weeklyReminders } from './common.js';

export const ikmMentoring: ProgrammeTemplate = {
  key: 'ikm-mentoring',
  version: 1,
  category: 'mentoring',
  name: { id: 'Pendampingan IKM', en: 'IKM mentoring' },
  description: {
    id: 'Pendampingan agar IKM naik kelas: diagnosis usaha, rencana pendampingan, pelatihan, kunjungan lapangan, perbaikan produk dan kemasan, monev.',
    en: 'Mentoring that helps a small industry grow: business diagnosis, mentoring plan, training, field visits, product and packaging improvement, monitoring and evaluation.',
  },
  firstStep: 'needs_assessment',
  steps: [
    {
      key: 'needs_assessment',
      name: { id: 'Diagnosis kebutuhan usaha', en: 'Needs assessment' },
      description: {
        id: 'Kunjungan untuk menilai produksi, mutu, kemasan, pemasaran dan administrasi usaha.',
        en: 'A visit to assess production, quality, packaging, marketing and administration.',
      },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [
        { key: 'formulir_diagnosis', name: { id: 'Formulir diagnosis', en: 'Assessment form' }, required: true },
        { key: 'foto_lokasi', name: { id: 'Foto tempat usaha', en: 'Photos of the premises' }, required: false },
      ],
      outcomes: [
        { key: 'assessed', name: { id: 'Kebutuhan teridentifikasi', en: 'Needs identified' }, next: 'mentoring_plan' },
        {
          key: 'not_suitable',
          name: { id: 'Tidak sesuai untuk pendampingan', en: 'Not suited to mentoring' },
          next: null,
          terminal: 'failed',
        },
      ],
    },
    {
      key: 'mentoring_plan',
      name: { id: 'Rencana pendampingan', en: 'Mentoring plan' },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [
        {
          key: 'rencana_pendampingan',
          name: {
            id: 'Rencana pendampingan yang disepakati pelaku usaha',
            en: 'Mentoring plan agreed with the business',
          },
          required: true,
        },
      ],
      outcomes: [{ key: 'agreed', name: { id: 'Rencana disepakati', en: 'Plan agreed' }, next: 'training' }],
    },
    {
      key: 'training',
      name: { id: 'Pelatihan dan bimbingan teknis', en: 'Training and technical guidance' },
      actor: 'officer',
      scope: 'cohort',
      due: { kind: 'calendar_months', months: 2 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [attendanceList],
      outcomes: [{ key: 'held', name: { id: 'Pelatihan terlaksana', en: 'Training held' }, next: 'mentoring_visits' }],
    },
    {
      key: 'mentoring_visits',
      name: { id: 'Kunjungan pendampingan', en: 'Mentoring visits' },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'calendar_months', months: 3 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [{ key: 'laporan_kunjungan', name: { id: 'Laporan kunjungan', en: 'Visit reports' }, required: true }],
      outcomes: [{ key: 'done', name: { id: 'Kunjungan selesai', en: 'Visits done' }, next: 'product_improvement' }],
    },
    {
      key: 'product_improvement',
      name: { id: 'Perbaikan produk dan kemasan', en: 'Product and packaging improvement' },
      actor: 'business',
      scope: 'business',
      due: { kind: 'calendar_months', months: 2 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [
        {
          key: 'foto_sebelum_sesudah',
          name: { id: 'Foto produk sebelum dan sesudah', en: 'Photos of the product before and after' },
          required: true,
        },
        { key: 'desain_kemasan', name: { id: 'Desain kemasan baru', en: 'New packaging design' }, required: false },
      ],
      outcomes: [{ key: 'improved', name: { id: 'Perbaikan diterapkan', en: 'Improvements in place' }, next: 'monev' }],
    },
    {
      key: 'monev',
      name: { id: 'Monitoring dan evaluasi', en: 'Monitoring and evaluation' },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [{ key: 'laporan_monev', name: { id: 'Laporan monev', en: 'Evaluation report' }, required: true }],
      outcomes: [
        {
          key: 'graduated',
          name: { id: 'Naik kelas, pendampingan selesai', en: 'Grown, mentoring complete' },
          next: null,
          terminal: 'completed',
        },
        {
          key: 'needs_follow_up',
          name: { id: 'Perlu pendampingan lanjutan', en: 'Needs further mentoring' },
          next: 'mentoring_visits',
        },
        {
          key: 'discontinued',
          name: { id: 'Pendampingan dihentikan', en: 'Mentoring discontinued' },
          next: null,
          terminal: 'failed',
        },
      ],
      // The first evaluation and at most two rounds of further mentoring.
      maxVisits: 3,
    },
  ],
};
