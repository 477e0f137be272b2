// Halal certification, regular path: UU 33/2014 on Jaminan Produk Halal as amended by UU 6/2023, with PP 42/2024.
// The limits after submission are statutory and cited per step; the older 30 HK (fatwa) and 7 HK (issuance) limits
// were superseded by UU 6/2023 and must not come back. Durations without a legal basis are office service standards
// chosen so that the mentoring months fit the "up to 10 months" of guidance the offices report.
import type { ProgrammeTemplate } from '../template.js';
import { attendanceList, monthlyReminders, nibDocument, shortReminders, weeklyReminders } from './common.js';

export const halalRegular: ProgrammeTemplate = {
  key: 'halal-regular',
  version: 1,
  category: 'certification',
  name: { id: 'Sertifikasi halal jalur reguler', en: 'Halal certification, regular path' },
  description: {
    id:
      'Pendampingan IKM selama beberapa bulan (pelatihan Penyelia Halal, manual SJPH, dokumen bahan, NIB, akun SIHALAL), ' +
      'lalu pengajuan di SIHALAL, verifikasi BPJPH, audit LPH, sidang fatwa dan terbit sertifikat halal ' +
      'menurut batas waktu UU 33/2014 jo. UU 6/2023 dan PP 42/2024.',
    en:
      'Months of mentoring (Penyelia Halal training, SJPH manual, ingredient documents, NIB, SIHALAL account), ' +
      'then submission in SIHALAL, BPJPH verification, LPH audit, fatwa hearing and issuance of the halal certificate ' +
      'within the limits of UU 33/2014 as amended by UU 6/2023 and PP 42/2024.',
  },
  firstStep: 'penyelia_halal_training',
  steps: [
    {
      key: 'penyelia_halal_training',
      name: { id: 'Pelatihan Penyelia Halal', en: 'Penyelia Halal (halal supervisor) training' },
      description: {
        id: 'Pelatihan bersama satu kohort; setiap usaha menunjuk Penyelia Halal yang ikut pelatihan.',
        en: 'One training for the whole cohort; each business names a Penyelia Halal who attends.',
      },
      actor: 'officer',
      scope: 'cohort',
      // Office service standard: the training is held within two months of enrolment.
      due: { kind: 'calendar_months', months: 2 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [
        attendanceList,
        {
          key: 'laporan_pelatihan',
          name: { id: 'Laporan pelaksanaan pelatihan', en: 'Training report' },
          required: true,
        },
      ],
      outcomes: [{ key: 'held', name: { id: 'Pelatihan terlaksana', en: 'Training held' }, next: 'sjph_manual' }],
    },
    {
      key: 'sjph_manual',
      name: { id: 'Penyusunan manual SJPH', en: 'Drafting the SJPH manual' },
      description: {
        id: 'Usaha menyusun manual Sistem Jaminan Produk Halal dengan bimbingan petugas.',
        en: 'The business drafts its halal assurance system (SJPH) manual with the officer’s guidance.',
      },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'calendar_months', months: 2 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [
        { key: 'manual_sjph', name: { id: 'Manual SJPH', en: 'SJPH manual' }, required: true },
        {
          key: 'penetapan_penyelia_halal',
          name: { id: 'Surat penetapan Penyelia Halal', en: 'Letter appointing the Penyelia Halal' },
          required: true,
        },
      ],
      outcomes: [
        {
          key: 'drafted',
          name: { id: 'Manual tersusun', en: 'Manual drafted' },
          next: 'ingredient_documentation',
        },
      ],
    },
    {
      key: 'ingredient_documentation',
      name: { id: 'Dokumentasi bahan dan proses produksi', en: 'Ingredient and process documentation' },
      description: {
        id: 'Daftar produk dan bahan, bukti kehalalan bahan dari pemasok, dan alur proses produksi (UU 33/2014 Pasal 29 ayat (2)).',
        en: 'Products and ingredients, suppliers’ halal evidence for each ingredient, and the production flow (UU 33/2014 Art. 29(2)).',
      },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'calendar_months', months: 1 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [
        {
          key: 'daftar_produk_bahan',
          name: { id: 'Daftar produk dan bahan', en: 'List of products and ingredients' },
          required: true,
        },
        {
          key: 'bukti_halal_bahan',
          name: {
            id: 'Sertifikat halal atau bukti kehalalan bahan',
            en: 'Halal certificates or evidence for ingredients',
          },
          required: true,
        },
        {
          key: 'alur_proses',
          name: { id: 'Diagram alur proses produksi', en: 'Production process flow chart' },
          required: true,
        },
      ],
      outcomes: [{ key: 'documented', name: { id: 'Dokumen lengkap', en: 'Documents complete' }, next: 'nib_oss' }],
    },
    {
      key: 'nib_oss',
      name: { id: 'NIB dari OSS', en: 'NIB from OSS' },
      description: {
        id: 'Pendaftaran atau pemutakhiran NIB di OSS dengan KBLI produk yang disertifikasi.',
        en: 'Registering or updating the NIB in OSS with the KBLI of the products to certify.',
      },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [nibDocument],
      outcomes: [
        { key: 'issued', name: { id: 'NIB terbit', en: 'NIB issued' }, next: 'sihalal_account' },
        {
          key: 'already_held',
          name: { id: 'Sudah memiliki NIB yang sesuai', en: 'Already holds a suitable NIB' },
          next: 'sihalal_account',
        },
      ],
    },
    {
      key: 'sihalal_account',
      name: { id: 'Akun SIHALAL', en: 'SIHALAL account' },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [],
      outcomes: [{ key: 'created', name: { id: 'Akun dibuat', en: 'Account created' }, next: 'readiness_review' }],
    },
    {
      key: 'readiness_review',
      name: { id: 'Pemeriksaan kesiapan dokumen', en: 'Document readiness review' },
      description: {
        id: 'Petugas memeriksa kelengkapan dan mutu dokumen sebelum diajukan ke BPJPH.',
        en: 'The officer checks the documents are complete and sound before they go to BPJPH.',
      },
      actor: 'officer',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'ready', name: { id: 'Siap diajukan', en: 'Ready to submit' }, next: 'sihalal_submission' },
        {
          key: 'needs_revision',
          name: { id: 'Perlu perbaikan dokumen', en: 'Documents need revision' },
          next: 'document_revision',
        },
        {
          key: 'not_ready',
          name: { id: 'Belum siap, pendampingan dihentikan', en: 'Not ready, mentoring stopped' },
          next: null,
          terminal: 'failed',
        },
      ],
      maxVisits: 3,
    },
    {
      key: 'document_revision',
      name: { id: 'Perbaikan dokumen', en: 'Revising the documents' },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'revised', name: { id: 'Dokumen diperbaiki', en: 'Documents revised' }, next: 'readiness_review' },
      ],
    },
    {
      key: 'sihalal_submission',
      name: { id: 'Pengajuan permohonan di SIHALAL', en: 'Application submitted in SIHALAL' },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [
        {
          key: 'bukti_pengajuan',
          name: {
            id: 'Bukti pengajuan (nomor daftar SIHALAL)',
            en: 'Submission receipt (SIHALAL registration number)',
          },
          required: true,
        },
      ],
      outcomes: [
        {
          key: 'submitted',
          name: { id: 'Permohonan diajukan', en: 'Application submitted' },
          next: 'bpjph_verification',
        },
      ],
    },
    {
      key: 'bpjph_verification',
      name: { id: 'Verifikasi permohonan oleh BPJPH', en: 'BPJPH verifies the application' },
      actor: 'bpjph',
      scope: 'business',
      // Statutory: at most 1 working day (UU 33/2014 Pasal 29 ayat (3) as amended by UU 6/2023).
      due: { kind: 'working_days', days: 1 },
      legalBasis: 'UU 33/2014 jo. UU 6/2023 Pasal 29 ayat (3); PP 42/2024',
      reminders: shortReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 2, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'complete', name: { id: 'Dokumen lengkap', en: 'File complete' }, next: 'lph_assignment' },
        {
          key: 'incomplete',
          name: { id: 'Dokumen belum lengkap', en: 'File incomplete' },
          next: 'application_completion',
        },
        {
          key: 'rejected',
          name: { id: 'Permohonan ditolak', en: 'Application rejected' },
          next: null,
          terminal: 'failed',
        },
      ],
      maxVisits: 3,
    },
    {
      key: 'application_completion',
      name: { id: 'Melengkapi dokumen permohonan', en: 'Completing the application' },
      actor: 'business',
      scope: 'business',
      // Office service standard.
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'completed', name: { id: 'Dokumen dilengkapi', en: 'Documents completed' }, next: 'bpjph_verification' },
      ],
    },
    {
      key: 'lph_assignment',
      name: { id: 'Penetapan LPH, pembayaran dan STTD', en: 'LPH assignment, payment and STTD' },
      description: {
        id: 'BPJPH menetapkan LPH, usaha membayar (mikro/kecil: Rp300.000 ditambah audit LPH paling banyak Rp350.000, PMK 57/2021), STTD terbit.',
        en: 'BPJPH assigns an LPH, the business pays (micro/small: Rp300,000 plus an LPH audit of at most Rp350,000, PMK 57/2021), the STTD is issued.',
      },
      actor: 'bpjph',
      scope: 'business',
      // Statutory: the LPH is assigned at most 1 working day after the file is declared complete
      // (UU 33/2014 Pasal 30 ayat (2) as amended by UU 6/2023); this step opens at that moment.
      due: { kind: 'working_days', days: 1 },
      legalBasis: 'UU 33/2014 jo. UU 6/2023 Pasal 30 ayat (2); PP 42/2024',
      reminders: shortReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 2, to: 'manager' },
      checklist: [
        { key: 'bukti_pembayaran', name: { id: 'Bukti pembayaran', en: 'Proof of payment' }, required: true },
        {
          key: 'sttd',
          name: { id: 'STTD (Surat Tanda Terima Dokumen)', en: 'STTD (document receipt)' },
          required: true,
        },
      ],
      outcomes: [{ key: 'sttd_issued', name: { id: 'STTD terbit', en: 'STTD issued' }, next: 'lph_audit' }],
    },
    {
      key: 'lph_audit',
      name: { id: 'Pemeriksaan oleh LPH', en: 'LPH audit' },
      description: {
        id: 'Pemeriksaan dokumen, kunjungan ke lokasi saat produksi, dan uji laboratorium bila ada bahan yang diragukan.',
        en: 'Document review, an on-site visit during production, and a laboratory test where an ingredient is in doubt.',
      },
      actor: 'lph',
      scope: 'business',
      // Statutory: at most 15 working days, extendable at the LPH's request (UU 33/2014 Pasal 31 ayat (1) and (4)
      // as amended by UU 6/2023).
      due: { kind: 'working_days', days: 15 },
      legalBasis: 'UU 33/2014 jo. UU 6/2023 Pasal 31 ayat (1) dan (4); PP 42/2024',
      extendable: true,
      reminders: [
        { relativeTo: 'before_due', workingDays: 5 },
        { relativeTo: 'on_due', workingDays: 0 },
        { relativeTo: 'after_due', workingDays: 2 },
      ],
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [
        {
          key: 'laporan_audit',
          name: { id: 'Laporan hasil pemeriksaan LPH', en: 'LPH audit report' },
          required: true,
        },
      ],
      outcomes: [
        { key: 'conforming', name: { id: 'Sesuai', en: 'Conforming' }, next: 'fatwa_hearing' },
        {
          key: 'non_conformities',
          name: { id: 'Ada ketidaksesuaian', en: 'Non-conformities found' },
          next: 'audit_corrections',
        },
        {
          key: 'not_fulfilled',
          name: { id: 'Persyaratan tidak terpenuhi', en: 'Requirements not met' },
          next: null,
          terminal: 'failed',
        },
      ],
      // The first audit and at most two re-audits after corrections.
      maxVisits: 3,
    },
    {
      key: 'audit_corrections',
      name: { id: 'Perbaikan temuan audit', en: 'Correcting audit findings' },
      actor: 'business',
      scope: 'business',
      // Office service standard: the law sets no limit for corrections.
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [
        {
          key: 'bukti_perbaikan',
          name: { id: 'Bukti perbaikan ketidaksesuaian', en: 'Evidence of the corrections' },
          required: true,
        },
      ],
      outcomes: [{ key: 'corrected', name: { id: 'Sudah diperbaiki', en: 'Corrected' }, next: 'lph_audit' }],
    },
    {
      key: 'fatwa_hearing',
      name: { id: 'Sidang Fatwa Halal MUI', en: 'MUI fatwa hearing' },
      description: {
        id: 'MUI pusat, provinsi atau kabupaten/kota memutuskan kehalalan produk. Bila batas waktu terlewati, Komite Fatwa mengambil alih.',
        en: 'MUI (central, provincial or kabupaten/kota) rules on the products. If the limit passes, the Komite Fatwa takes over.',
      },
      actor: 'mui',
      scope: 'business',
      // Statutory: at most 3 working days from receiving the LPH's results (UU 33/2014 Pasal 33 ayat (3) as amended
      // by UU 6/2023); the superseded 30-working-day limit no longer applies.
      due: { kind: 'working_days', days: 3 },
      legalBasis: 'UU 33/2014 jo. UU 6/2023 Pasal 33 ayat (3); PP 42/2024',
      reminders: [
        { relativeTo: 'before_due', workingDays: 1 },
        { relativeTo: 'on_due', workingDays: 0 },
        { relativeTo: 'after_due', workingDays: 1 },
      ],
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
        {
          key: 'missed',
          name: { id: 'Batas waktu terlewati, ke Komite Fatwa', en: 'Limit missed, passed to the Komite Fatwa' },
          next: 'komite_fatwa',
        },
      ],
    },
    {
      key: 'komite_fatwa',
      name: { id: 'Penetapan oleh Komite Fatwa Produk Halal', en: 'Ruling by the Komite Fatwa Produk Halal' },
      actor: 'external',
      scope: 'business',
      // Statutory: at most 2 working days once MUI's limit has passed (UU 33/2014 Pasal 33 ayat (5) and (6) as
      // amended by UU 6/2023).
      due: { kind: 'working_days', days: 2 },
      legalBasis: 'UU 33/2014 jo. UU 6/2023 Pasal 33 ayat (5) dan (6); PP 42/2024',
      reminders: [
        { relativeTo: 'before_due', workingDays: 1 },
        { relativeTo: 'on_due', workingDays: 0 },
        { relativeTo: 'after_due', workingDays: 1 },
      ],
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
      // Statutory: at most 1 working day after the ruling (UU 33/2014 Pasal 35 as amended by UU 6/2023); the
      // superseded 7-working-day limit no longer applies.
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
