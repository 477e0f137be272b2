// Halal certification by self-declaration (pernyataan pelaku usaha) for micro and small businesses with low-risk
// products and a simple process: UU 33/2014 as amended by UU 6/2023 (Pasal 4A, 33A), PP 42/2024.
// Limits with a legal basis are cited per step; the others are office service standards, kept short so the whole
// path fits BPJPH's end-to-end target of 12 working days once the application is with the Pendamping PPH.
import type { ProgrammeTemplate } from '../template.js';
import { nibDocument, shortReminders, weeklyReminders } from './common.js';

export const halalSelfDeclare: ProgrammeTemplate = {
  key: 'halal-self-declare',
  version: 1,
  category: 'certification',
  name: { id: 'Sertifikasi halal self-declare', en: 'Halal certification, self-declare path' },
  description: {
    id:
      'Untuk usaha mikro dan kecil dengan produk berisiko rendah dan proses sederhana; gratis bagi pelaku usaha (kuota SEHATI). ' +
      'Ikrar, unggah dokumen, pilih Pendamping PPH, verifikasi dan validasi di lokasi, STTD, Komite Fatwa, sertifikat. ' +
      'Target ujung ke ujung 12 hari kerja (standar layanan lama: 21 hari kerja).',
    en:
      'For micro and small businesses with low-risk products and a simple process; free to the business (SEHATI quota). ' +
      'Pledge, document upload, choice of a Pendamping PPH, on-site verification and validation, STTD, Komite Fatwa, certificate. ' +
      'End-to-end target 12 working days (an older service standard says 21).',
  },
  firstStep: 'eligibility_check',
  steps: [
    {
      key: 'eligibility_check',
      name: { id: 'Pemeriksaan kelayakan self-declare', en: 'Self-declare eligibility check' },
      description: {
        id: 'Usaha mikro atau kecil, produk tidak berisiko, bahan sudah pasti halal, proses produksi sederhana.',
        en: 'Micro or small business, low-risk products, ingredients known to be halal, a simple production process.',
      },
      actor: 'officer',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [nibDocument],
      outcomes: [
        { key: 'eligible', name: { id: 'Layak', en: 'Eligible' }, next: 'ikrar' },
        {
          key: 'not_eligible',
          name: { id: 'Tidak layak, arahkan ke jalur reguler', en: 'Not eligible, refer to the regular path' },
          next: null,
          terminal: 'failed',
        },
      ],
    },
    {
      key: 'ikrar',
      name: { id: 'Ikrar halal', en: 'Statement of intent (ikrar)' },
      description: {
        id: 'Pelaku usaha menyatakan ikrar kehalalan produk dan proses di SIHALAL.',
        en: 'The business declares in SIHALAL that its products and process are halal.',
      },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [],
      outcomes: [{ key: 'pledged', name: { id: 'Ikrar dinyatakan', en: 'Pledge made' }, next: 'documents_upload' }],
    },
    {
      key: 'documents_upload',
      name: { id: 'Unggah dokumen', en: 'Documents uploaded' },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [
        {
          key: 'daftar_produk_bahan',
          name: { id: 'Daftar produk dan bahan', en: 'List of products and ingredients' },
          required: true,
        },
        {
          key: 'alur_proses',
          name: { id: 'Alur proses produksi', en: 'Production process flow' },
          required: true,
        },
        {
          key: 'foto_produk',
          name: { id: 'Foto produk dan tempat produksi', en: 'Photos of the products and the production site' },
          required: true,
        },
      ],
      outcomes: [{ key: 'uploaded', name: { id: 'Dokumen terunggah', en: 'Documents uploaded' }, next: 'choose_pph' }],
    },
    {
      key: 'choose_pph',
      name: { id: 'Memilih Pendamping PPH', en: 'Choosing a Pendamping PPH' },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'chosen', name: { id: 'Pendamping dipilih', en: 'Pendamping chosen' }, next: 'pph_verification' },
      ],
    },
    {
      key: 'pph_verification',
      name: {
        id: 'Verifikasi dan validasi oleh Pendamping PPH',
        en: 'Verification and validation by the Pendamping PPH',
      },
      description: {
        id: 'Pendamping PPH memverifikasi dan memvalidasi pernyataan pelaku usaha di lokasi (paling banyak 10 permohonan sehari).',
        en: 'The Pendamping PPH verifies and validates the declaration on site (at most 10 applications a day).',
      },
      actor: 'pendamping_pph',
      scope: 'business',
      // Statutory: PPH assistance ends at most 10 working days after the application is submitted
      // (UU 33/2014 Pasal 33A ayat (3) as amended by UU 6/2023).
      due: { kind: 'working_days', days: 10 },
      legalBasis: 'UU 33/2014 jo. UU 6/2023 Pasal 33A ayat (3); PP 42/2024',
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 2, to: 'manager' },
      checklist: [
        {
          key: 'laporan_pendampingan',
          name: { id: 'Laporan hasil pendampingan PPH', en: 'PPH verification report' },
          required: true,
        },
      ],
      outcomes: [
        { key: 'valid', name: { id: 'Sesuai', en: 'Validated' }, next: 'bpjph_check' },
        { key: 'needs_correction', name: { id: 'Perlu perbaikan', en: 'Needs corrections' }, next: 'correction' },
        {
          key: 'not_eligible',
          name: { id: 'Tidak memenuhi syarat self-declare', en: 'Does not qualify for self-declare' },
          next: null,
          terminal: 'failed',
        },
      ],
      // The first verification and at most two after corrections.
      maxVisits: 3,
    },
    {
      key: 'correction',
      name: { id: 'Perbaikan data permohonan', en: 'Correcting the application' },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [],
      outcomes: [{ key: 'corrected', name: { id: 'Sudah diperbaiki', en: 'Corrected' }, next: 'pph_verification' }],
    },
    {
      key: 'bpjph_check',
      name: { id: 'Pemeriksaan BPJPH dan penerbitan STTD', en: 'BPJPH check and STTD issued' },
      actor: 'bpjph',
      scope: 'business',
      // Office service standard: the law sets no separate limit here, and the 12-working-day target leaves one day.
      due: { kind: 'working_days', days: 1 },
      reminders: shortReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 2, to: 'manager' },
      checklist: [
        {
          key: 'sttd',
          name: { id: 'STTD (Surat Tanda Terima Dokumen)', en: 'STTD (document receipt)' },
          required: true,
        },
      ],
      outcomes: [
        { key: 'sttd_issued', name: { id: 'STTD terbit', en: 'STTD issued' }, next: 'komite_fatwa' },
        {
          key: 'returned',
          name: { id: 'Dikembalikan untuk perbaikan', en: 'Returned for corrections' },
          next: 'correction',
        },
      ],
    },
    {
      key: 'komite_fatwa',
      name: { id: 'Penetapan oleh Komite Fatwa Produk Halal', en: 'Ruling by the Komite Fatwa Produk Halal' },
      actor: 'external',
      scope: 'business',
      // Statutory: at most 1 working day after the PPH result is received (UU 33/2014 Pasal 33A ayat (2) as amended
      // by UU 6/2023).
      due: { kind: 'working_days', days: 1 },
      legalBasis: 'UU 33/2014 jo. UU 6/2023 Pasal 33A ayat (2); PP 42/2024',
      reminders: shortReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 1, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'halal', name: { id: 'Ditetapkan halal', en: 'Ruled halal' }, next: 'certificate_issuance' },
        {
          key: 'not_halal',
          name: { id: 'Ditetapkan tidak halal', en: 'Ruled not halal' },
          next: null,
          terminal: 'failed',
        },
      ],
    },
    {
      key: 'certificate_issuance',
      name: { id: 'Sertifikat halal terbit', en: 'Halal certificate issued' },
      actor: 'bpjph',
      scope: 'business',
      // Statutory: at most 1 working day after the ruling (UU 33/2014 Pasal 35 as amended by UU 6/2023).
      due: { kind: 'working_days', days: 1 },
      legalBasis: 'UU 33/2014 jo. UU 6/2023 Pasal 35; PP 42/2024',
      reminders: shortReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 2, to: 'manager' },
      recordsCertificate: true,
      checklist: [
        { key: 'sertifikat_halal', name: { id: 'Sertifikat halal', en: 'Halal certificate' }, required: true },
      ],
      outcomes: [
        {
          key: 'issued',
          name: { id: 'Sertifikat terbit', en: 'Certificate issued' },
          next: null,
          terminal: 'completed',
        },
      ],
    },
  ],
};
