// Reports: every table of the dashboard, and the enrolment and registry lists behind its figures, as typed columns
// and a stream of rows in the reader's language. services/report-writers.ts writes them as CSV or XLSX; the lists
// come through a database cursor, so a report of a million enrolments never sits in memory.
import type { Db } from '../db/client.js';
import type { LocalizedText } from '../domain/types.js';
import {
  allAtRisk,
  Calendars,
  figures,
  lateList,
  legalSteps,
  overdueList,
  Templates,
  type Dashboard,
} from './dashboard.js';
import { businessList, enrolmentList, type EnrolmentListFilter } from './dashboard-lists.js';
import type { DashboardScope } from './dashboard-scope.js';

export type Lang = 'id' | 'en';

export const reportNames = [
  'quotas',
  'quota-months',
  'pipeline',
  'overdue',
  'sla',
  'sla-late',
  'regions',
  'wilayah',
  'forecast-at-risk',
  'forecast-cohorts',
  'forecast-accuracy',
  'enrolments',
  'businesses',
] as const;
export type ReportName = (typeof reportNames)[number];

/** How a cell is typed in XLSX: numbers and dates as such, so a spreadsheet sums and sorts them. */
export type ColumnType = 'text' | 'integer' | 'decimal' | 'percent' | 'date' | 'datetime';
export type Cell = string | number | boolean | Date | null;

export interface Column {
  label: LocalizedText;
  type: ColumnType;
}

export interface Report {
  /** Names the file; the dashboard's reports by ReportName, other lists (the site inventory) by their own. */
  name: string;
  title: LocalizedText;
  columns: Column[];
  /** The office's zone: date-times are written as its wall-clock time. */
  zone: string;
  rows: AsyncIterable<Cell[]>;
}

const col = (id: string, en: string, type: ColumnType = 'text'): Column => ({ label: { id, en }, type });

const statusNames: Record<string, LocalizedText> = {
  waitlisted: { id: 'Daftar tunggu', en: 'Waitlisted' },
  active: { id: 'Aktif', en: 'Active' },
  paused: { id: 'Dijeda', en: 'Paused' },
  completed: { id: 'Selesai', en: 'Completed' },
  failed: { id: 'Tidak lulus', en: 'Failed' },
  withdrawn: { id: 'Ditarik', en: 'Withdrawn' },
};

const actorNames: Record<string, LocalizedText> = {
  officer: { id: 'Petugas', en: 'Officer' },
  business: { id: 'Pelaku usaha', en: 'Business' },
  bpjph: { id: 'BPJPH', en: 'BPJPH' },
  lph: { id: 'LPH', en: 'LPH' },
  mui: { id: 'MUI / Komite Fatwa', en: 'MUI / Fatwa Committee' },
  pendamping_pph: { id: 'Pendamping PPH', en: 'Halal process assistant' },
  external: { id: 'Pihak luar', en: 'External body' },
};

export const statusName = (status: string, lang: Lang) => statusNames[status]?.[lang] ?? status;
export const actorName = (actor: string, lang: Lang) => actorNames[actor]?.[lang] ?? actor;

const wholeOffice: LocalizedText = { id: 'Seluruh kantor', en: 'Whole office' };
const yes: LocalizedText = { id: 'ya', en: 'yes' };
const no: LocalizedText = { id: 'tidak', en: 'no' };

async function* each<T>(items: T[], row: (item: T) => Cell[]): AsyncGenerator<Cell[]> {
  for (const item of items) yield row(item);
}

async function* map<T>(items: AsyncIterable<T>, row: (item: T) => Cell[]): AsyncGenerator<Cell[]> {
  for await (const item of items) yield row(item);
}

/** A report under a scope already checked (the caller resolved it with the reader's principal). */
export async function buildReport(
  db: Db,
  scope: DashboardScope,
  name: ReportName,
  lang: Lang,
  listFilter: EnrolmentListFilter = {},
): Promise<Report> {
  const base = { name, zone: scope.zone };
  // The lists stream from the database; the other tables are the dashboard's own figures.
  switch (name) {
    case 'overdue':
      return {
        ...base,
        title: { id: 'Langkah terlambat', en: 'Overdue steps' },
        columns: [
          col('Usaha', 'Business'),
          col('Kabupaten/kota', 'Kabupaten/kota'),
          col('Program', 'Programme'),
          col('Langkah', 'Step'),
          col('Yang harus bertindak', 'Who must act'),
          col('Jatuh tempo', 'Due', 'datetime'),
          col('Hari kerja terlambat', 'Working days late', 'integer'),
          col('Dieskalasi', 'Escalated'),
        ],
        rows: map(overdueList(db, scope, new Templates(db), new Calendars(db, scope.now)), (o) => [
          o.businessName,
          o.regionName,
          o.programmeKey,
          o.stepName[lang],
          actorName(o.actor, lang),
          new Date(o.dueAt),
          o.workingDaysLate,
          (o.escalated ? yes : no)[lang],
        ]),
      };
    case 'sla-late': {
      const templates = new Templates(db);
      const legal = await legalSteps(db, scope, templates);
      return {
        ...base,
        title: { id: 'Melewati batas waktu undang-undang', en: 'Past the statutory limit' },
        columns: [
          col('Usaha', 'Business'),
          col('Kantor', 'Office'),
          col('Program', 'Programme'),
          col('Langkah', 'Step'),
          col('Batas (hari kerja)', 'Limit (working days)', 'integer'),
          col('Hari kerja terpakai', 'Working days taken', 'integer'),
          col('Dibuka', 'Opened', 'datetime'),
          col('Selesai', 'Finished', 'datetime'),
        ],
        rows: map(lateList(db, scope, legal, new Calendars(db, scope.now)), (l) => [
          l.businessName,
          l.officeName,
          l.programmeKey,
          l.stepName[lang],
          l.limitWorkingDays,
          l.workingDaysTaken,
          new Date(l.openedAt),
          new Date(l.completedAt),
        ]),
      };
    }
    case 'forecast-at-risk':
      return {
        ...base,
        title: { id: 'Kemungkinan melewati akhir tahun', en: 'Likely to miss the year end' },
        columns: [
          col('Usaha', 'Business'),
          col('Program', 'Programme'),
          col('Langkah', 'Step'),
          col('Di langkah sejak', 'In step since', 'datetime'),
          ...forecastColumns,
        ],
        rows: map(allAtRisk(db, scope), (c) => [
          c.businessName,
          c.programmeKey,
          c.stepName[lang],
          new Date(c.stepOpenedAt),
          c.low,
          c.expected,
          c.high,
        ]),
      };
    case 'enrolments':
      return {
        ...base,
        title: { id: 'Peserta program', en: 'Enrolments' },
        columns: [
          col('Usaha', 'Business'),
          col('NIB', 'NIB'),
          col('Kabupaten/kota', 'Kabupaten/kota'),
          col('Program', 'Programme'),
          col('Tahun', 'Year', 'integer'),
          col('Status', 'Status'),
          col('Langkah', 'Step'),
          col('Mendapat tempat', 'Took a place', 'datetime'),
          col('Selesai', 'Finished', 'datetime'),
          ...forecastColumns,
        ],
        rows: map(enrolmentList(db, scope, listFilter), (e) => [
          e.businessName,
          e.nib,
          e.regionName,
          e.programmeName[lang],
          e.year,
          statusName(e.status, lang),
          e.stepName?.[lang] ?? null,
          e.activatedAt,
          e.completedAt,
          e.forecast?.low ?? null,
          e.forecast?.expected ?? null,
          e.forecast?.high ?? null,
        ]),
      };
    case 'businesses':
      return {
        ...base,
        title: { id: 'Registri IKM', en: 'IKM registry' },
        columns: [
          col('Nama', 'Name'),
          col('NIB', 'NIB'),
          col('KBLI', 'KBLI'),
          col('Kabupaten/kota', 'Kabupaten/kota'),
          col('Sentra', 'Sentra'),
          col('Orientasi ekspor', 'Export-oriented'),
          col('Terdaftar', 'Registered', 'datetime'),
        ],
        rows: map(businessList(db, scope), (b) => [
          b.name,
          b.nib,
          b.kbli,
          b.regionName,
          b.sentraName,
          (b.exportOriented ? yes : no)[lang],
          b.registeredAt,
        ]),
      };
    default:
      return { ...base, ...figureTable(await figures(db, scope), name, lang) };
  }
}

const forecastColumns = [
  col('Perkiraan selesai paling cepat', 'Expected finish, earliest', 'date'),
  col('Perkiraan selesai', 'Expected finish', 'date'),
  col('Perkiraan selesai paling lambat', 'Expected finish, latest', 'date'),
];

type FigureReport = Exclude<ReportName, 'overdue' | 'sla-late' | 'forecast-at-risk' | 'enrolments' | 'businesses'>;

/** The counts a kabupaten/kota and a wilayah both report, in the same columns. */
const areaCountColumns = () => [
  col('IKM terdaftar', 'IKM registered', 'integer'),
  col('Ikut program', 'Enrolled', 'integer'),
  col('Selesai', 'Completed', 'integer'),
  col('Sentra', 'Sentra', 'integer'),
  col('Anggota sentra', 'Sentra members', 'integer'),
];
const areaCounts = (a: {
  registered: number;
  enrolled: number;
  completed: number;
  sentra: number;
  sentraMembers: number;
}) => [a.registered, a.enrolled, a.completed, a.sentra, a.sentraMembers];

function figureTable(d: Dashboard, name: FigureReport, lang: Lang): Pick<Report, 'title' | 'columns' | 'rows'> {
  switch (name) {
    case 'quotas':
      return {
        title: { id: 'Kuota', en: 'Quotas' },
        columns: [
          col('Program', 'Programme'),
          col('Kabupaten/kota', 'Kabupaten/kota'),
          col('Kuota', 'Places', 'integer'),
          col('Terpakai', 'Used', 'integer'),
          col('Sisa', 'Free', 'integer'),
          col('Daftar tunggu', 'Waitlisted', 'integer'),
          col('Habis pada', 'Runs out on', 'date'),
        ],
        rows: each(d.quotas, (q) => [
          q.programmeName[lang],
          q.regionName ?? wholeOffice[lang],
          q.placesLimit,
          q.placesUsed,
          q.placesFree,
          q.waitlisted,
          q.runsOutOn,
        ]),
      };
    case 'quota-months':
      return {
        title: { id: 'Tempat terpakai per bulan', en: 'Places taken per month' },
        columns: [
          col('Program', 'Programme'),
          col('Kabupaten/kota', 'Kabupaten/kota'),
          col('Bulan', 'Month'),
          col('Diambil', 'Taken', 'integer'),
          col('Kumulatif', 'Cumulative', 'integer'),
          col('Laju merata', 'Even pace', 'integer'),
        ],
        rows: each(
          d.quotas.flatMap((q) => q.months.map((m) => ({ q, m }))),
          ({ q, m }) => [
            q.programmeName[lang],
            q.regionName ?? wholeOffice[lang],
            m.month,
            m.taken,
            m.cumulative,
            m.evenPace,
          ],
        ),
      };
    case 'pipeline':
      return {
        title: { id: 'Alur peserta per langkah', en: 'Pipeline by step' },
        columns: [
          col('Program', 'Programme'),
          col('Langkah', 'Step'),
          col('Pelaku', 'Actor'),
          col('Di langkah ini', 'At this step', 'integer'),
          col('Selesai dikerjakan', 'Finished', 'integer'),
          col('Median hari', 'Median days', 'integer'),
          col('Kuartil bawah (hari)', 'Lower quartile (days)', 'integer'),
          col('Kuartil atas (hari)', 'Upper quartile (days)', 'integer'),
        ],
        rows: each(
          d.pipeline.flatMap((p) => p.steps.map((s) => ({ p, s }))),
          ({ p, s }) => [
            p.programmeName[lang],
            s.stepName[lang],
            actorName(s.actor, lang),
            s.atStep,
            s.finished,
            s.days?.median ?? null,
            s.days?.low ?? null,
            s.days?.high ?? null,
          ],
        ),
      };
    case 'sla':
      return {
        title: { id: 'Kepatuhan batas waktu undang-undang', en: 'Statutory SLA compliance' },
        columns: [
          col('Kantor', 'Office'),
          col('Program', 'Programme'),
          col('Langkah', 'Step'),
          col('Dasar hukum', 'Legal basis'),
          col('Batas (hari kerja)', 'Limit (working days)', 'integer'),
          col('Bulan', 'Month'),
          col('Selesai', 'Finished', 'integer'),
          col('Tepat waktu', 'Within the limit', 'integer'),
          col('Persentase tepat waktu', 'Share within', 'percent'),
        ],
        rows: each(
          d.sla.steps.flatMap((s) => s.months.map((m) => ({ s, m }))),
          ({ s, m }) => [
            s.officeName,
            s.programmeKey,
            s.stepName[lang],
            s.legalBasis,
            s.limitWorkingDays,
            m.month,
            m.finished,
            m.withinLimit,
            m.share,
          ],
        ),
      };
    case 'regions':
      return {
        title: { id: 'Per kabupaten/kota', en: 'By kabupaten/kota' },
        columns: [
          col('Kode', 'Code'),
          col('Kabupaten/kota', 'Kabupaten/kota'),
          col('Wilayah', 'Wilayah'),
          ...areaCountColumns(),
        ],
        rows: each(d.regions, (r) => [r.regionCode, r.regionName, r.wilayah, ...areaCounts(r)]),
      };
    case 'wilayah':
      return {
        title: { id: 'Per wilayah', en: 'By wilayah' },
        columns: [col('Provinsi', 'Province'), col('Wilayah', 'Wilayah'), ...areaCountColumns()],
        rows: each(d.wilayah, (w) => [w.provinceCode, w.wilayah, ...areaCounts(w)]),
      };
    case 'forecast-cohorts':
      return {
        title: { id: 'Perkiraan selesai per kohort', en: 'Expected finish by cohort' },
        columns: [
          col('Kohort', 'Cohort'),
          col('Program', 'Programme'),
          col('Kasus terbuka', 'Open cases', 'integer'),
          ...forecastColumns,
        ],
        rows: each(d.forecasts.cohorts, (c) => [c.name, c.programmeKey, c.open, c.low, c.expected, c.high]),
      };
    case 'forecast-accuracy':
      return {
        title: { id: 'Ketepatan perkiraan', en: 'Forecast accuracy' },
        columns: [
          col('Program', 'Programme'),
          col('Perkiraan lama program (hari)', 'Forecast duration (days)', 'integer'),
          col('Kasus selesai', 'Finished cases', 'integer'),
          col('Rata-rata galat mutlak (hari)', 'Mean absolute error (days)', 'decimal'),
        ],
        rows: each(d.forecasts.accuracy, (a) => [
          a.programmeName[lang],
          a.forecastDays,
          a.finishedCases,
          a.meanAbsoluteErrorDays,
        ]),
      };
  }
}
