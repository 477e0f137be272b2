// Brand registration (HAKI merek) at DJKI, facilitated by the office: UU 20/2016 on Merek dan Indikasi Geografis
// (amended by the Cipta Kerja law). Periods set by the law are cited per step; the others are office service standards.
// The law counts trademark periods in days and months, not working days, hence the calendar rules.
import type { ProgrammeTemplate } from '../template.js';
import { monthlyReminders, weeklyReminders } from './common.js';

export const hakiBrand: ProgrammeTemplate = {
  key: 'haki-brand',
  version: 1,
  category: 'licensing',
  name: { id: 'Pendaftaran merek (HAKI)', en: 'Brand registration (intellectual property)' },
  description: {
    id: 'Fasilitasi pendaftaran merek IKM di DJKI: penelusuran merek, dokumen, surat keterangan UMK untuk tarif UMK, permohonan daring, pengumuman, pemeriksaan substantif, sertifikat.',
    en: 'Helping an IKM register its brand at DJKI: trademark search, documents, the office’s UMK letter for the small-business fee, online filing, publication, substantive examination, certificate.',
  },
  firstStep: 'brand_search',
  steps: [
    {
      key: 'brand_search',
      name: { id: 'Penelusuran merek di PDKI', en: 'Trademark search in PDKI' },
      description: {
        id: 'Memeriksa merek serupa di pangkalan data kekayaan intelektual (PDKI) untuk kelas barang yang sama.',
        en: 'Looking for similar marks in the intellectual property database (PDKI) for the same class of goods.',
      },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [],
      outcomes: [
        {
          key: 'available',
          name: { id: 'Tidak ada merek serupa', en: 'No similar mark' },
          next: 'application_documents',
        },
        { key: 'similar_found', name: { id: 'Ada merek serupa', en: 'Similar mark found' }, next: 'brand_revision' },
        {
          key: 'abandoned',
          name: { id: 'Pendaftaran tidak dilanjutkan', en: 'Registration abandoned' },
          next: null,
          terminal: 'failed',
        },
      ],
      // The first search and at most two after a change of name or logo.
      maxVisits: 3,
    },
    {
      key: 'brand_revision',
      name: { id: 'Perubahan nama atau logo merek', en: 'Changing the brand name or logo' },
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [],
      outcomes: [{ key: 'revised', name: { id: 'Merek diubah', en: 'Brand changed' }, next: 'brand_search' }],
    },
    {
      key: 'application_documents',
      name: { id: 'Dokumen permohonan merek', en: 'Trademark application documents' },
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [
        { key: 'etiket_merek', name: { id: 'Etiket (label) merek', en: 'Brand label image' }, required: true },
        { key: 'ktp_pemohon', name: { id: 'KTP pemohon', en: 'Applicant’s identity card' }, required: true },
        { key: 'tanda_tangan', name: { id: 'Tanda tangan pemohon', en: 'Applicant’s signature' }, required: true },
        {
          key: 'daftar_barang',
          name: { id: 'Kelas dan uraian barang', en: 'Class and description of goods' },
          required: true,
        },
      ],
      outcomes: [{ key: 'complete', name: { id: 'Dokumen lengkap', en: 'Documents complete' }, next: 'umk_letter' }],
    },
    {
      key: 'umk_letter',
      name: { id: 'Surat keterangan UMK binaan', en: 'Office letter confirming a mentored UMK' },
      description: {
        id: 'Surat dari dinas sebagai dasar tarif PNBP usaha mikro dan kecil.',
        en: 'The office’s letter that qualifies the business for the micro and small business fee.',
      },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [
        { key: 'surat_keterangan_umk', name: { id: 'Surat keterangan UMK', en: 'UMK letter' }, required: true },
      ],
      outcomes: [{ key: 'issued', name: { id: 'Surat terbit', en: 'Letter issued' }, next: 'djki_filing' }],
    },
    {
      key: 'djki_filing',
      name: { id: 'Permohonan daring ke DJKI', en: 'Online filing at DJKI' },
      description: {
        id: 'Permohonan di merek.dgip.go.id dan pembayaran PNBP.',
        en: 'Application at merek.dgip.go.id and payment of the fee.',
      },
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 5 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 3, to: 'manager' },
      checklist: [
        { key: 'bukti_bayar', name: { id: 'Bukti pembayaran PNBP', en: 'Proof of fee payment' }, required: true },
        {
          key: 'tanda_terima',
          name: { id: 'Tanda terima permohonan (nomor agenda)', en: 'Filing receipt (application number)' },
          required: true,
        },
      ],
      outcomes: [{ key: 'filed', name: { id: 'Permohonan diajukan', en: 'Application filed' }, next: 'publication' }],
    },
    {
      key: 'publication',
      name: { id: 'Pengumuman permohonan', en: 'Publication of the application' },
      description: {
        id: 'DJKI mengumumkan permohonan di Berita Resmi Merek; selama pengumuman siapa pun dapat mengajukan keberatan.',
        en: 'DJKI publishes the application in the Official Trademark Gazette; anyone may oppose it while it is published.',
      },
      actor: 'external',
      scope: 'business',
      // Statutory: the publication lasts 2 months (UU 20/2016 Pasal 14).
      due: { kind: 'calendar_months', months: 2 },
      legalBasis: 'UU 20/2016 Pasal 14',
      reminders: [
        { relativeTo: 'on_due', workingDays: 0 },
        { relativeTo: 'after_due', workingDays: 5 },
      ],
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [],
      outcomes: [
        {
          key: 'no_opposition',
          name: { id: 'Tidak ada keberatan', en: 'No opposition' },
          next: 'substantive_examination',
        },
        {
          key: 'opposition_filed',
          name: { id: 'Ada keberatan', en: 'Opposition filed' },
          next: 'opposition_response',
        },
      ],
    },
    {
      key: 'opposition_response',
      name: { id: 'Sanggahan atas keberatan', en: 'Reply to the opposition' },
      actor: 'business',
      scope: 'business',
      // Statutory: the applicant may reply within 2 months of the opposition being sent (UU 20/2016 Pasal 17 ayat (2)).
      due: { kind: 'calendar_months', months: 2 },
      legalBasis: 'UU 20/2016 Pasal 17 ayat (2)',
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 0, to: 'manager' },
      checklist: [{ key: 'sanggahan', name: { id: 'Surat sanggahan', en: 'Reply letter' }, required: true }],
      outcomes: [
        {
          key: 'replied',
          name: { id: 'Sanggahan diajukan', en: 'Reply filed' },
          next: 'substantive_examination',
        },
      ],
    },
    {
      key: 'substantive_examination',
      name: { id: 'Pemeriksaan substantif', en: 'Substantive examination' },
      actor: 'external',
      scope: 'business',
      // UU 20/2016 Pasal 23 set 150 days; reports of the Cipta Kerja amendment give 90. The longer figure is used so
      // that the office is not told a DJKI examination is late when it may not be.
      due: { kind: 'calendar_days', days: 150 },
      legalBasis: 'UU 20/2016 Pasal 23',
      reminders: [
        { relativeTo: 'on_due', workingDays: 0 },
        { relativeTo: 'after_due', workingDays: 10 },
      ],
      overdueNotice: true,
      escalation: { afterWorkingDays: 20, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'registered', name: { id: 'Merek didaftar', en: 'Mark registered' }, next: 'certificate_recorded' },
        {
          key: 'provisional_refusal',
          name: { id: 'Usulan penolakan', en: 'Provisional refusal' },
          next: 'refusal_response',
        },
        { key: 'refused', name: { id: 'Ditolak', en: 'Refused' }, next: null, terminal: 'failed' },
      ],
      // The examination and at most one re-examination after the applicant's response.
      maxVisits: 2,
    },
    {
      key: 'refusal_response',
      name: { id: 'Tanggapan atas usulan penolakan', en: 'Response to the provisional refusal' },
      actor: 'business',
      scope: 'business',
      // Statutory: 30 days to respond to the notice of refusal (UU 20/2016 Pasal 24).
      due: { kind: 'calendar_days', days: 30 },
      legalBasis: 'UU 20/2016 Pasal 24',
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 0, to: 'manager' },
      checklist: [{ key: 'tanggapan', name: { id: 'Surat tanggapan', en: 'Response letter' }, required: true }],
      outcomes: [
        {
          key: 'responded',
          name: { id: 'Tanggapan diajukan', en: 'Response filed' },
          next: 'substantive_examination',
        },
      ],
    },
    {
      key: 'certificate_recorded',
      name: { id: 'Sertifikat merek dicatat', en: 'Trademark certificate recorded' },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      recordsCertificate: true,
      checklist: [
        { key: 'sertifikat_merek', name: { id: 'Sertifikat merek', en: 'Trademark certificate' }, required: true },
      ],
      outcomes: [{ key: 'recorded', name: { id: 'Tercatat', en: 'Recorded' }, next: null, terminal: 'completed' }],
    },
  ],
};
