// Onboarding an IKM onto the government procurement catalogue (e-katalog, national or the region's local catalogue).
// No statute sets these durations: all are office service standards, the catalogue review an expectation of the
// catalogue manager's pace.
import type { ProgrammeTemplate } from '../template.js';
import { attendanceList, monthlyReminders, nibDocument, npwpDocument, weeklyReminders } from './common.js';

export const eKatalog: ProgrammeTemplate = {
  key: 'e-katalog',
  version: 1,
  category: 'licensing',
  name: { id: 'Pendampingan masuk e-katalog', en: 'E-katalog onboarding' },
  description: {
    id: 'Pendampingan IKM agar produknya tayang di katalog elektronik pengadaan pemerintah: kelayakan, pelatihan, akun penyedia, data produk, unggah, kurasi, pemantauan pesanan.',
    en: 'Helping an IKM list its products in the government procurement catalogue: eligibility, training, supplier account, product data, upload, curation, order monitoring.',
  },
  firstStep: 'eligibility_check',
  steps: [
    {
      key: 'eligibility_check',
      name: { id: 'Pemeriksaan kelayakan', en: 'Eligibility check' },
      description: {
        id: 'Legalitas usaha, produk dalam negeri (sebaiknya bersertifikat TKDN), kapasitas memenuhi pesanan.',
        en: 'Business licences, a domestic product (ideally TKDN-certified), capacity to fulfil orders.',
      },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'eligible', name: { id: 'Layak', en: 'Eligible' }, next: 'ekatalog_training' },
        { key: 'not_eligible', name: { id: 'Belum layak', en: 'Not yet eligible' }, next: null, terminal: 'failed' },
      ],
    },
    {
      key: 'ekatalog_training',
      name: { id: 'Pelatihan e-katalog', en: 'E-katalog training' },
      description: {
        id: 'Mendaftar sebagai penyedia, mengunggah produk, menanggapi negosiasi dan pesanan.',
        en: 'Registering as a supplier, uploading products, answering negotiations and orders.',
      },
      actor: 'officer',
      scope: 'cohort',
      due: { kind: 'calendar_months', months: 2 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [attendanceList],
      outcomes: [{ key: 'held', name: { id: 'Pelatihan terlaksana', en: 'Training held' }, next: 'vendor_account' }],
    },
    {
      key: 'vendor_account',
      name: { id: 'Akun penyedia', en: 'Supplier account' },
      description: {
        id: 'Pendaftaran akun penyedia di sistem pengadaan (INAPROC/SIKaP).',
        en: 'Registering a supplier account in the procurement system (INAPROC/SIKaP).',
      },
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [
        nibDocument,
        npwpDocument,
        {
          key: 'rekening_usaha',
          name: { id: 'Rekening bank atas nama usaha atau pemilik', en: 'Bank account of the business or owner' },
          required: true,
        },
      ],
      outcomes: [{ key: 'registered', name: { id: 'Akun aktif', en: 'Account active' }, next: 'product_data' }],
    },
    {
      key: 'product_data',
      name: { id: 'Data produk', en: 'Product data' },
      actor: 'business',
      scope: 'business',
      due: { kind: 'calendar_months', months: 1 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [
        { key: 'foto_produk', name: { id: 'Foto produk', en: 'Product photos' }, required: true },
        { key: 'spesifikasi', name: { id: 'Spesifikasi teknis', en: 'Technical specifications' }, required: true },
        { key: 'daftar_harga', name: { id: 'Daftar harga', en: 'Price list' }, required: true },
        { key: 'sertifikat_tkdn', name: { id: 'Sertifikat TKDN', en: 'TKDN certificate' }, required: false },
      ],
      outcomes: [{ key: 'ready', name: { id: 'Data siap', en: 'Data ready' }, next: 'product_upload' }],
    },
    {
      key: 'product_upload',
      name: { id: 'Unggah produk', en: 'Uploading the products' },
      actor: 'business',
      scope: 'business',
      due: { kind: 'working_days', days: 10 },
      reminders: weeklyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 5, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'uploaded', name: { id: 'Produk diunggah', en: 'Products uploaded' }, next: 'catalogue_review' },
      ],
    },
    {
      key: 'catalogue_review',
      name: { id: 'Kurasi oleh pengelola katalog', en: 'Review by the catalogue manager' },
      actor: 'external',
      scope: 'business',
      due: { kind: 'calendar_days', days: 30 },
      reminders: [
        { relativeTo: 'on_due', workingDays: 0 },
        { relativeTo: 'after_due', workingDays: 5 },
      ],
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [],
      outcomes: [
        { key: 'published', name: { id: 'Produk tayang', en: 'Products listed' }, next: 'sales_monitoring' },
        {
          key: 'revision_requested',
          name: { id: 'Diminta perbaikan', en: 'Changes requested' },
          next: 'product_upload',
        },
        { key: 'rejected', name: { id: 'Ditolak', en: 'Rejected' }, next: null, terminal: 'failed' },
      ],
      // The first review and at most two after changes.
      maxVisits: 3,
    },
    {
      key: 'sales_monitoring',
      name: { id: 'Pemantauan pesanan', en: 'Order monitoring' },
      description: {
        id: 'Tiga bulan setelah tayang: apakah ada pesanan, kendala pemenuhan.',
        en: 'Three months after listing: whether orders came in, and any trouble fulfilling them.',
      },
      actor: 'officer',
      scope: 'business',
      due: { kind: 'calendar_months', months: 3 },
      reminders: monthlyReminders,
      overdueNotice: true,
      escalation: { afterWorkingDays: 10, to: 'manager' },
      checklist: [],
      outcomes: [
        {
          key: 'orders_received',
          name: { id: 'Sudah ada pesanan', en: 'Orders received' },
          next: null,
          terminal: 'completed',
        },
        {
          key: 'no_orders_yet',
          name: { id: 'Belum ada pesanan', en: 'No orders yet' },
          next: null,
          terminal: 'completed',
        },
      ],
    },
  ],
};
