// Export readiness: offices pick export-quality IKM first, train them, get their documents and products ready for a
// foreign market and bring them to buyers. No statute sets these durations: all are office service standards.
import type { ProgrammeTemplate } from '../template.js';
import { attendanceList, monthlyReminders, nibDocument, npwpDocument, weeklyReminders } from './common.js';

export const exportReadiness: ProgrammeTemplate = {
  key: 'export-readiness',
  version: 1,
  category: 'export',
  name: { id: 'Kesiapan ekspor', en: 'Export readiness' },
  description: {
    id: 'Pendampingan IKM berorientasi ekspor: penilaian, pelatihan prosedur ekspor, dokumen, penyesuaian produk, temu bisnis dengan pembeli.',
    en: 'Mentoring for export-oriented IKM: assessment, export procedure training, documents, product adaptation, business matching with buyers.',
  },
  firstStep: 'export_assessment',
  steps: [
    {
      key: 'export_assessment',
      name: { id: 'Penilaian kesiapan ekspor', en: 'Export readiness assessment' },
      description: {
        id: 'Kapasitas produksi, konsistensi mutu, sertifikasi, harga dan komitmen pemilik.',
        en: 'Production capacity, consistent quality, certifications, pricing and the owner’s commitment.',
      },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 15 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [
        { key: 'formulir_penilaian', name: { id: 'Formulir penilaian', en: 'Assessment form' }, required: true },
      ],
      outcomes: [
        { key: 'selected', name: { id: 'Terpilih', en: 'Selected' }, next: 'export_training' },
        {
          key: 'not_ready',
          name: { id: 'Belum siap ekspor', en: 'Not ready to export' },
          next: null,
          terminal: 'failed',
        },
      ],
    },
    {
      key: 'export_training',
      name: { id: 'Pelatihan prosedur ekspor', en: 'Export procedure training' },
      description: {
        id: 'Prosedur dan dokumen ekspor, Incoterms, penetapan harga ekspor, persyaratan negara tujuan.',
        en: 'Export procedures and documents, Incoterms, export pricing, requirements of target countries.',
      },
      actor: 'officer',
      scope: 'cohort',
      due: { kind: 'calendar_months', months: 2 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [attendanceList],
      outcomes: [{ key: 'held', name: { id: 'Pelatihan terlaksana', en: 'Training held' }, next: 'export_documents' }],
    },
    {
      key: 'export_documents',
      name: { id: 'Legalitas dan dokumen ekspor', en: 'Legal and export documents' },
      actor: 'business',
      scope: 'business',
      due: { kind: 'calendar_months', months: 2 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [
        nibDocument,
        npwpDocument,
        {
          key: 'sertifikat_produk',
          name: {
            id: 'Sertifikat produk yang berlaku (halal, PIRT/BPOM, SNI)',
            en: 'Applicable product certificates (halal, PIRT/BPOM, SNI)',
          },
          required: true,
        },
        {
          key: 'profil_perusahaan',
          name: { id: 'Profil usaha dan katalog berbahasa Inggris', en: 'Company profile and catalogue in English' },
          required: true,
        },
      ],
      outcomes: [
        { key: 'complete', name: { id: 'Dokumen lengkap', en: 'Documents complete' }, next: 'product_adaptation' },
      ],
    },
    {
      key: 'product_adaptation',
      name: { id: 'Penyesuaian produk untuk pasar tujuan', en: 'Adapting the product to the target market' },
      description: {
        id: 'Label berbahasa Inggris, kemasan untuk pengiriman jauh, uji umur simpan bila perlu.',
        en: 'English labelling, packaging for long shipment, shelf-life testing where needed.',
      },
      actor: 'business',
      scope: 'business',
      due: { kind: 'calendar_months', months: 3 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [
        { key: 'label_ekspor', name: { id: 'Label ekspor', en: 'Export label' }, required: true },
        { key: 'hasil_uji', name: { id: 'Hasil uji laboratorium', en: 'Laboratory test results' }, required: false },
      ],
      outcomes: [{ key: 'adapted', name: { id: 'Produk disesuaikan', en: 'Product adapted' }, next: 'buyer_matching' }],
    },
    {
      key: 'buyer_matching',
      name: { id: 'Temu bisnis dengan pembeli', en: 'Business matching with buyers' },
      description: {
        id: 'Temu bisnis, pameran dagang atau kurasi bersama perwakilan dagang (ITPC).',
        en: 'Business matching, a trade fair, or curation with a trade office (ITPC).',
      },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'calendar_months', months: 3 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [
        {
          key: 'laporan_temu_bisnis',
          name: { id: 'Laporan temu bisnis', en: 'Business matching report' },
          required: true,
        },
      ],
      outcomes: [
        { key: 'held', name: { id: 'Temu bisnis terlaksana', en: 'Matching held' }, next: 'export_evaluation' },
      ],
    },
    {
      key: 'export_evaluation',
      name: { id: 'Evaluasi kesiapan ekspor', en: 'Export readiness evaluation' },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [],
      outcomes: [
        {
          key: 'exported',
          name: { id: 'Sudah mengekspor', en: 'Exporting' },
          next: null,
          terminal: 'completed',
        },
        {
          key: 'export_ready',
          name: { id: 'Siap ekspor, belum ada pengiriman', en: 'Export-ready, no shipment yet' },
          next: null,
          terminal: 'completed',
        },
        {
          key: 'needs_follow_up',
          name: { id: 'Perlu penyesuaian lanjutan', en: 'Needs further adaptation' },
          next: 'product_adaptation',
        },
        {
          key: 'not_ready',
          name: { id: 'Belum siap ekspor', en: 'Not ready to export' },
          next: null,
          terminal: 'failed',
        },
      ],
      // The first evaluation and at most two further rounds.
      maxVisits: 3,
    },
  ],
};
