// TKDN certification for small industries (TKDN-IK), part of P3DN (use of domestic products in government
// procurement): the industry computes its own local-content value and applies through SIINas; Kemenperin's
// Pusat P3DN issues the certificate. Durations are office service standards except where cited.
import type { ProgrammeTemplate } from '../template.js';
import { attendanceList, monthlyReminders, nibDocument, weeklyReminders } from './common.js';

export const p3dnTkdn: ProgrammeTemplate = {
  key: 'p3dn-tkdn',
  version: 1,
  category: 'licensing',
  name: { id: 'Sertifikasi TKDN industri kecil (P3DN)', en: 'Local-content (TKDN) certification for small industries' },
  description: {
    id: 'Bimbingan teknis TKDN-IK, akun SIINas, penghitungan mandiri nilai TKDN, permohonan, penerbitan sertifikat oleh Kemenperin.',
    en: 'TKDN-IK technical guidance, SIINas account, self-assessment of the local-content value, application, certificate from Kemenperin.',
  },
  firstStep: 'tkdn_training',
  steps: [
    {
      key: 'tkdn_training',
      name: { id: 'Bimbingan teknis TKDN-IK', en: 'TKDN-IK technical guidance' },
      actor: 'officer',
      scope: 'cohort',
      due: { kind: 'calendar_months', months: 1 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [attendanceList],
      outcomes: [{ key: 'held', name: { id: 'Bimtek terlaksana', en: 'Guidance held' }, next: 'siinas_account' }],
    },
    {
      key: 'siinas_account',
      name: { id: 'Akun dan data industri di SIINas', en: 'SIINas account and industry data' },
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [
        nibDocument,
        {
          key: 'perizinan_industri',
          name: {
            id: 'Perizinan berusaha industri (sertifikat standar bila KBLI berisiko menengah-tinggi)',
            en: 'Industrial business licence (standard certificate for medium-high-risk KBLI)',
          },
          required: true,
        },
      ],
      outcomes: [{ key: 'registered', name: { id: 'Terdaftar', en: 'Registered' }, next: 'self_assessment' }],
    },
    {
      key: 'self_assessment',
      name: { id: 'Penghitungan mandiri nilai TKDN', en: 'Self-assessment of the TKDN value' },
      description: {
        id: 'Per jenis produk: bahan baku, tenaga kerja dan alat produksi dalam negeri. Pengepakan saja tidak dapat dihitung.',
        en: 'Per product type: domestic materials, labour and production equipment. Packing alone does not count.',
      },
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 15 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [
        { key: 'struktur_biaya', name: { id: 'Struktur biaya produk', en: 'Product cost structure' }, required: true },
        {
          key: 'bukti_pembelian_bahan',
          name: { id: 'Bukti pembelian bahan baku', en: 'Purchase records for materials' },
          required: true,
        },
        { key: 'foto_produksi', name: { id: 'Foto proses produksi', en: 'Photos of production' }, required: true },
      ],
      outcomes: [
        {
          key: 'calculated',
          name: { id: 'Nilai TKDN dihitung', en: 'TKDN value calculated' },
          next: 'tkdn_application',
        },
      ],
    },
    {
      key: 'tkdn_application',
      name: { id: 'Permohonan sertifikat TKDN-IK di SIINas', en: 'TKDN-IK application in SIINas' },
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [
        { key: 'tanda_terima', name: { id: 'Tanda terima permohonan', en: 'Application receipt' }, required: true },
      ],
      outcomes: [
        { key: 'submitted', name: { id: 'Permohonan diajukan', en: 'Application submitted' }, next: 'p3dn_review' },
      ],
    },
    {
      key: 'p3dn_review',
      name: { id: 'Penilaian oleh Pusat P3DN Kemenperin', en: 'Review by Kemenperin’s P3DN centre' },
      actor: 'external',
      scope: 'business',
      // Kemenperin's TKDN-IK service promise: the certificate within 5 working days of a complete and correct
      // application. No article is cited: the TKDN rules were reissued in 2025 and the lead should confirm the figure.
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'certified', name: { id: 'Sertifikat terbit', en: 'Certificate issued' }, next: 'certificate_recorded' },
        { key: 'rejected', name: { id: 'Permohonan ditolak', en: 'Application rejected' }, next: 'tkdn_revision' },
        {
          key: 'abandoned',
          name: { id: 'Permohonan tidak dilanjutkan', en: 'Application abandoned' },
          next: null,
          terminal: 'failed',
        },
      ],
      // The first review and at most two after revisions.
      maxVisits: 3,
    },
    {
      key: 'tkdn_revision',
      name: { id: 'Perbaikan permohonan TKDN', en: 'Revising the TKDN application' },
      description: {
        id: 'Alasan penolakan yang sering: sertifikat standar belum terverifikasi, izin edar belum diunggah.',
        en: 'Frequent reasons for rejection: standard certificate not yet verified, marketing authorisation not uploaded.',
      },
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [],
      outcomes: [{ key: 'revised', name: { id: 'Diperbaiki', en: 'Revised' }, next: 'tkdn_application' }],
    },
    {
      key: 'certificate_recorded',
      name: { id: 'Sertifikat TKDN dicatat', en: 'TKDN certificate recorded' },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      recordsCertificate: true,
      checklist: [
        { key: 'sertifikat_tkdn', name: { id: 'Sertifikat TKDN-IK', en: 'TKDN-IK certificate' }, required: true },
      ],
      outcomes: [{ key: 'recorded', name: { id: 'Tercatat', en: 'Recorded' }, next: null, terminal: 'completed' }],
    },
  ],
};
