// The managers' dashboard (/dashboard) and the enrolment list behind each of its figures (/dashboard/enrolments).
// Thin over services/dashboard.ts, as GET /api/v1/dashboard is: same principal, same scope, same figures. Each table
// has download buttons that fetch /api/v1/reports with the same filters, in the reader's language.
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { DashboardFilter } from '../../services/dashboard-scope.js';
import { resolveScope, wilayahs } from '../../services/dashboard-scope.js';
import {
  countEnrolments,
  enrolmentList,
  type EnrolmentListFilter,
  type EnrolmentListRow,
} from '../../services/dashboard-lists.js';
import { dashboard, type Dashboard } from '../../services/dashboard.js';
import { collect } from '../../services/sql-rows.js';
import { siteVisitDueMonths } from '../../services/sites.js';
import { enrolmentStatuses } from '../../domain/types.js';
import { colours, LabelledBars, MonthsLine, QuotaBar, ShareBar } from './dashboard-charts.js';
import { formatDate, formatInstant, type Lang } from './i18n.js';
import { Layout, SelectField, type PageContext } from './layout.js';
import { html } from './session.js';

const words = {
  id: {
    title: 'Dasbor manajer',
    intro: 'Kuota, alur peserta, keterlambatan, kepatuhan batas waktu undang-undang dan perkiraan, untuk kantor Anda.',
    office: 'Kantor',
    allOffices: 'Semua kantor',
    year: 'Tahun program',
    wilayah: 'Wilayah',
    allWilayah: 'Semua wilayah',
    show: 'Tampilkan',
    quotas: 'Kemajuan kuota',
    noQuota: 'Belum ada kuota untuk tahun ini.',
    places: 'Kuota',
    used: 'Terpakai',
    free: 'Sisa',
    waitlisted: 'Daftar tunggu',
    runsOut: 'Habis pada (laju saat ini)',
    notRunningOut: 'tidak habis tahun ini',
    wholeOffice: 'Seluruh kantor',
    monthsLegend: 'Garis: tempat terpakai kumulatif per bulan; putus-putus: laju merata sepanjang tahun.',
    pipeline: 'Alur peserta per langkah',
    atStep: 'Di langkah ini',
    medianDays: 'Median hari (kuartil)',
    finishedSteps: 'Selesai dikerjakan',
    statusCounts: 'Menurut status',
    overdue: 'Langkah terlambat dan eskalasi',
    overdueCount: 'Terlambat',
    escalated: 'Dieskalasi',
    whoActs: 'Yang harus bertindak',
    daysLate: 'Hari kerja terlambat',
    noneOverdue: 'Tidak ada langkah yang terlambat.',
    sla: 'Kepatuhan batas waktu undang-undang',
    slaIntro: 'Bagian langkah yang selesai dalam batas hari kerja yang ditetapkan peraturan.',
    limit: 'Batas',
    hk: 'HK',
    withinShare: 'Tepat waktu',
    legalBasis: 'Dasar hukum',
    noSla: 'Belum ada langkah berbatas waktu undang-undang yang selesai.',
    lateCases: 'Kasus yang melewati batas',
    taken: 'HK terpakai',
    regions: 'Per kabupaten/kota',
    registered: 'IKM terdaftar',
    enrolled: 'Ikut program',
    completed: 'Selesai',
    sentra: 'Sentra',
    sentraMembers: 'Anggota sentra',
    byWilayah: 'Per wilayah',
    forecasts: 'Perkiraan',
    forecastIntro: 'Dari lama tiap langkah yang teramati: perkiraan selesai dengan rentang kuartil.',
    likelyToMiss: 'Kemungkinan melewati akhir tahun',
    atRisk: 'Kasus yang kemungkinan selesai setelah akhir tahun',
    expected: 'Perkiraan selesai',
    range: 'Rentang',
    cohorts: 'Perkiraan per kohort',
    open: 'Kasus terbuka',
    accuracy: 'Ketepatan perkiraan pada kasus yang sudah selesai',
    forecastDays: 'Perkiraan lama (hari)',
    finishedCases: 'Kasus selesai',
    mae: 'Rata-rata galat mutlak (hari)',
    download: 'Unduh',
    listTitle: 'Daftar peserta',
    listIntro: 'Peserta di balik angka dasbor, dengan saringan yang sama.',
    back: 'Kembali ke dasbor',
    nib: 'NIB',
    since: 'Mendapat tempat',
    none: 'Tidak ada.',
    days: 'hari',
    filters: 'Saringan',
    summary: 'Ringkasan',
    slaOnTime: 'Tepat waktu (SLA)',
    placesUsed: 'Kuota terpakai',
    longestOverdue: 'Paling lama terlambat',
    seeAllOverdue: 'Semua langkah terlambat',
    median: 'median',
    finishedShort: 'selesai',
    funnel: 'Jumlah kasus per langkah',
    lateShort: 'melewati batas',
    regionCount: 'kabupaten/kota',
    onTimeShort: 'tepat waktu',
    maeShort: 'galat rata-rata',
    monthly: 'Tempat terpakai per bulan',
    perMonth: 'Per bulan',
    inProgress: 'berjalan',
    visits: 'Kunjungan lapangan',
    visitsIntro: 'Kunjungan monev dan inventarisasi kantor tahun ini; tidak disaring menurut program atau wilayah.',
    visitsDone: 'kunjungan selesai',
    followUpsOpen: 'tindak lanjut terbuka',
    followUpsOverdue: 'tindak lanjut terlambat',
    prospectsFound: 'prospek ditemukan',
    prospectsRegistered: 'masuk registri',
    prospectsEnrolled: 'terdaftar di program',
    sitesDue: `lokasi inventaris belum dikunjungi ${siteVisitDueMonths} bulan atau lebih`,
    sitesDueLink: 'Lokasi yang perlu dikunjungi',
    month: 'Bulan',
    planned: 'Direncanakan',
    done: 'Selesai',
    teamMember: 'Anggota tim',
    visitsByMonth: 'Kunjungan per bulan',
    visitsByTeam: 'Kunjungan per anggota tim',
    noVisits: 'Belum ada kunjungan tahun ini.',
    visitCalendar: 'Kalender kunjungan',
  },
  en: {
    title: "Managers' dashboard",
    intro: 'Quotas, the pipeline, overdue steps, statutory deadline compliance and forecasts, for your office.',
    office: 'Office',
    allOffices: 'All offices',
    year: 'Programme year',
    wilayah: 'Wilayah',
    allWilayah: 'All wilayah',
    show: 'Show',
    quotas: 'Quota progress',
    noQuota: 'No quota for this year yet.',
    places: 'Places',
    used: 'Used',
    free: 'Free',
    waitlisted: 'Waitlisted',
    runsOut: 'Runs out on (current pace)',
    notRunningOut: 'not this year',
    wholeOffice: 'Whole office',
    monthsLegend: 'Line: places taken, cumulative by month; dashed: an even pace through the year.',
    pipeline: 'Pipeline by step',
    atStep: 'At this step',
    medianDays: 'Median days (quartiles)',
    finishedSteps: 'Finished',
    statusCounts: 'By status',
    overdue: 'Overdue steps and escalations',
    overdueCount: 'Overdue',
    escalated: 'Escalated',
    whoActs: 'Who must act',
    daysLate: 'Working days late',
    noneOverdue: 'No step is overdue.',
    sla: 'Statutory deadline compliance',
    slaIntro: 'The share of steps finished within the working days the regulation allows.',
    limit: 'Limit',
    hk: 'WD',
    withinShare: 'Within the limit',
    legalBasis: 'Legal basis',
    noSla: 'No step with a statutory limit has finished yet.',
    lateCases: 'Cases past the limit',
    taken: 'WD taken',
    regions: 'By kabupaten/kota',
    registered: 'IKM registered',
    enrolled: 'Enrolled',
    completed: 'Completed',
    sentra: 'Sentra',
    sentraMembers: 'Sentra members',
    byWilayah: 'By wilayah',
    forecasts: 'Forecasts',
    forecastIntro: 'From the observed duration of each step: the expected finish with its quartile range.',
    likelyToMiss: 'Likely to miss the year end',
    atRisk: 'Cases likely to finish after the year end',
    expected: 'Expected finish',
    range: 'Range',
    cohorts: 'Expected finish by cohort',
    open: 'Open cases',
    accuracy: 'Accuracy of the forecast on finished cases',
    forecastDays: 'Forecast duration (days)',
    finishedCases: 'Finished cases',
    mae: 'Mean absolute error (days)',
    download: 'Download',
    listTitle: 'Enrolments',
    listIntro: 'The enrolments behind a dashboard figure, under the same filters.',
    back: 'Back to the dashboard',
    nib: 'NIB',
    since: 'Took a place',
    none: 'None.',
    days: 'days',
    filters: 'Filters',
    summary: 'Summary',
    slaOnTime: 'On time (SLA)',
    placesUsed: 'Quota used',
    longestOverdue: 'Longest overdue',
    seeAllOverdue: 'All overdue steps',
    median: 'median',
    finishedShort: 'finished',
    funnel: 'Cases at each step',
    lateShort: 'past the limit',
    regionCount: 'kabupaten/kota',
    onTimeShort: 'on time',
    maeShort: 'mean error',
    monthly: 'Places taken by month',
    perMonth: 'By month',
    inProgress: 'in progress',
    visits: 'Field visits',
    visitsIntro: "The office's monev and inventory visits this year; not filtered by programme or region.",
    visitsDone: 'visits done',
    followUpsOpen: 'follow-ups open',
    followUpsOverdue: 'follow-ups overdue',
    prospectsFound: 'prospects found',
    prospectsRegistered: 'in the registry',
    prospectsEnrolled: 'enrolled in a programme',
    sitesDue: `inventory sites not visited for ${siteVisitDueMonths} months or more`,
    sitesDueLink: 'Sites due a visit',
    month: 'Month',
    planned: 'Planned',
    done: 'Done',
    teamMember: 'Team member',
    visitsByMonth: 'Visits by month',
    visitsByTeam: 'Visits by team member',
    noVisits: 'No visits this year yet.',
    visitCalendar: 'Visit calendar',
  },
} satisfies Record<Lang, Record<string, string>>;

const filterQuery = z.object({
  office: z.uuid().optional().catch(undefined),
  programme: z.string().max(100).optional(),
  year: z.coerce.number().int().min(2020).max(2100).optional().catch(undefined),
  region: z
    .string()
    .regex(/^\d{2}(\d{2})?$/)
    .optional()
    .catch(undefined),
  wilayah: z.enum(wilayahs).optional().catch(undefined),
});

const listPageSize = 50;
const listQuery = filterQuery.extend({
  status: z.enum(enrolmentStatuses).optional().catch(undefined),
  step: z.string().max(64).optional(),
  cohort: z.uuid().optional().catch(undefined),
  quota: z.uuid().optional().catch(undefined),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .optional()
    .catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

type PageFilter = z.infer<typeof filterQuery>;

const toFilter = (f: PageFilter): DashboardFilter => ({
  officeId: f.office,
  programmeKey: f.programme || undefined,
  year: f.year,
  regionCode: f.region,
  wilayah: f.wilayah,
});

/** The page's filters as query parameters, plus more: links to lists and to reports repeat them. */
function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  return search.toString();
}

function reportQuery(
  d: Pick<Dashboard, 'filter'>,
  f: PageFilter,
  lang: Lang,
  format: string,
  extra: Record<string, string> = {},
) {
  return query({
    officeId: f.office,
    programmeKey: d.filter.programmeKey,
    year: d.filter.year,
    regionCode: f.region,
    wilayah: f.wilayah,
    lang,
    format,
    ...extra,
  });
}

function listLink(d: Pick<Dashboard, 'filter'>, f: PageFilter, extra: Record<string, string | undefined>) {
  return `/dashboard/enrolments?${query({ office: f.office, programme: d.filter.programmeKey, year: d.filter.year, region: f.region, wilayah: f.wilayah, ...extra })}`;
}

function Downloads(props: {
  d: Pick<Dashboard, 'filter'>;
  f: PageFilter;
  lang: Lang;
  report: string;
  extra?: Record<string, string>;
  /** Which table, when a section has more than one. */
  label?: string;
}) {
  const w = words[props.lang];
  return (
    <p class="downloads">
      {props.label ? (
        <span class="downloads-label muted" safe>
          {props.label}
        </span>
      ) : (
        ''
      )}
      {['csv', 'xlsx'].map((format) => (
        <a
          class="button button-secondary"
          href={`/api/v1/reports/${props.report}?${reportQuery(props.d, props.f, props.lang, format, props.extra)}`}
          download=""
          data-report={`${props.report}.${format}`}
          safe
        >
          {`${w.download} ${format.toUpperCase()}`}
        </a>
      ))}
    </p>
  );
}

const n = (value: number, lang: Lang) => value.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB');
const pct = (share: number | null, lang: Lang) =>
  share === null
    ? '–'
    : `${(share * 100).toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB', { maximumFractionDigits: 1 })}%`;

function Filters(props: { ctx: PageContext; d: Dashboard; f: PageFilter; options: Options; action: string }) {
  const { ctx, d, f, options } = props;
  const w = words[ctx.lang];
  const select = (name: string, label: string, all: string, value: string | undefined, opts: [string, string][]) => (
    <SelectField
      ctx={ctx}
      name={name}
      label={label}
      empty={all}
      value={value}
      options={opts.map(([v, l]) => ({ value: v, label: l }))}
    />
  );
  return (
    <form method="get" action={props.action} class="filters">
      {ctx.principal?.role === 'admin' ? select('office', w.office, w.allOffices, f.office, options.offices) : ''}
      {select(
        'programme',
        ctx.t.programme,
        ctx.t.allProgrammes,
        d.filter.programmeKey ?? undefined,
        options.programmes,
      )}
      <div class="field">
        <label for="f-year" safe>
          {w.year}
        </label>
        <input
          id="f-year"
          name="year"
          type="number"
          min="2020"
          max="2100"
          value={String(d.filter.year)}
          inputmode="numeric"
        />
      </div>
      {select('region', ctx.t.region, ctx.t.allRegions, f.region, options.regions)}
      {options.wilayah.length > 0
        ? select(
            'wilayah',
            w.wilayah,
            w.allWilayah,
            f.wilayah,
            options.wilayah.map((x) => [x, x]),
          )
        : ''}
      <button type="submit" class="button button-secondary" safe>
        {w.show}
      </button>
    </form>
  );
}

interface Options {
  offices: [string, string][];
  programmes: [string, string][];
  regions: [string, string][];
  wilayah: string[];
}

/** A section that folds away: its heading and a one-line figure stay in view when closed. */
function Fold(props: {
  id: string;
  title: string;
  headline: string;
  open?: boolean;
  children: JSX.Element | JSX.Element[];
}) {
  return (
    <details class="fold" id={`${props.id}-section`} open={props.open}>
      <summary>
        <h2 id={props.id} safe>
          {props.title}
        </h2>
        <span class="fold-headline" safe>
          {props.headline}
        </span>
      </summary>
      <div class="fold-body">{props.children}</div>
    </details>
  );
}

function DashboardPage(props: { ctx: PageContext; d: Dashboard; f: PageFilter; options: Options }) {
  const { ctx, d, f } = props;
  const { lang, t } = ctx;
  const w = words[lang];
  const caseLink = (id: string) => `/enrolments/${id}`;
  const dl = (report: string) => <Downloads d={d} f={f} lang={lang} report={report} />;
  const slaFinished = d.sla.steps.reduce((sum, s) => sum + s.finished, 0);
  const slaShare = slaFinished === 0 ? null : d.sla.steps.reduce((sum, s) => sum + s.withinLimit, 0) / slaFinished;
  const placesUsed = d.quotas.reduce((sum, q) => sum + q.placesUsed, 0);
  const placesLimit = d.quotas.reduce((sum, q) => sum + q.placesLimit, 0);
  const chosen = [
    props.options.programmes.find(([k]) => k === d.filter.programmeKey)?.[1] ?? t.allProgrammes,
    String(d.filter.year),
    props.options.regions.find(([k]) => k === f.region)?.[1] ??
      (f.wilayah ? `${w.wilayah} ${f.wilayah}` : t.allRegions),
  ];
  const measured = d.forecasts.accuracy.filter((a) => a.meanAbsoluteErrorDays !== null);
  return (
    <Layout ctx={ctx} title={w.title}>
      <div class="dash-head">
        <h1 safe>{w.title}</h1>
        <details class="dash-filters">
          <summary safe>{`${w.filters}: ${chosen.join(' · ')}`}</summary>
          <Filters ctx={ctx} d={d} f={f} options={props.options} action="/dashboard" />
        </details>
      </div>
      <ul class="counts dash-kpis" aria-label={w.summary}>
        <li class="count count-red">
          <a href="#overdue-all" class="count-n" data-figure="overdue-total">
            {String(d.overdue.total)}
          </a>{' '}
          <span safe>{w.overdueCount}</span>
        </li>
        <li class="count count-amber">
          <a href="#overdue-all" class="count-n" data-figure="overdue-escalated">
            {String(d.overdue.escalated)}
          </a>{' '}
          <span safe>{w.escalated}</span>
        </li>
        <li class="count">
          <a href="#forecasts" class="count-n" data-figure="likely-to-miss">
            {String(d.forecasts.likelyToMissYearEnd)}
          </a>{' '}
          <span safe>{w.likelyToMiss}</span>
        </li>
        <li class="count">
          <a href="#sla" class="count-n" data-figure="sla-share" safe>
            {pct(slaShare, lang)}
          </a>{' '}
          <span safe>{w.slaOnTime}</span>
        </li>
        <li class="count">
          <a href={listLink(d, f, {})} class="count-n" data-figure="places-used" safe>
            {`${n(placesUsed, lang)} / ${n(placesLimit, lang)}`}
          </a>{' '}
          <span safe>{w.placesUsed}</span>
        </li>
      </ul>

      <div class="dash-top">
        <section aria-labelledby="quotas" class="card">
          <h2 id="quotas" safe>
            {w.quotas}
          </h2>
          {d.quotas.length === 0 ? (
            <p safe>{w.noQuota}</p>
          ) : (
            <ul class="quotas">
              {d.quotas.map((q) => {
                const where = q.regionName ?? w.wholeOffice;
                return (
                  <li class="quota" data-quota={q.quotaId}>
                    <div class="quota-text">
                      <strong safe>{q.programmeName[lang]}</strong>{' '}
                      <span class="muted" safe>
                        {where}
                      </span>
                      <br />
                      <a
                        href={listLink(d, f, { quota: q.quotaId, programme: q.programmeKey })}
                        data-figure="quota-used"
                        safe
                      >
                        {`${n(q.placesUsed, lang)} / ${n(q.placesLimit, lang)}`}
                      </a>{' '}
                      <span class="muted" safe>
                        {`${w.used} · ${w.free} ${n(q.placesFree, lang)} · ${w.waitlisted} `}
                      </span>
                      <a
                        href={listLink(d, f, { quota: q.quotaId, programme: q.programmeKey, status: 'waitlisted' })}
                        data-figure="quota-waitlisted"
                        aria-label={`${w.waitlisted} ${q.waitlisted}`}
                        safe
                      >
                        {n(q.waitlisted, lang)}
                      </a>
                      <br />
                      <span class="muted" safe>
                        {`${w.runsOut}: ${q.runsOutOn ? formatDate(q.runsOutOn, lang) : w.notRunningOut}`}
                      </span>
                    </div>
                    <div class="quota-charts">
                      <QuotaBar
                        used={q.placesUsed}
                        limit={q.placesLimit}
                        waitlisted={q.waitlisted}
                        label={`${q.programmeName[lang]}, ${where}: ${q.placesUsed} / ${q.placesLimit}, ${w.waitlisted} ${q.waitlisted}`}
                      />
                      <MonthsLine
                        points={q.months}
                        limit={q.placesLimit}
                        label={`${w.monthly}: ${q.months.map((m) => `${m.month}: ${m.cumulative}`).join(', ')}`}
                      />
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
          <p class="muted" safe>
            {w.monthsLegend}
          </p>
          <Downloads d={d} f={f} lang={lang} report="quotas" label={w.quotas} />
          <Downloads d={d} f={f} lang={lang} report="quota-months" label={w.perMonth} />
        </section>

        <section aria-labelledby="overdue" class="card card-alert">
          <h2 id="overdue" safe>
            {w.overdue}
          </h2>
          {d.overdue.items.length === 0 ? (
            <p safe>{w.noneOverdue}</p>
          ) : (
            <>
              <h3 class="muted-heading" safe>
                {w.longestOverdue}
              </h3>
              <ul class="overdue-top">
                {d.overdue.items.slice(0, 5).map((o) => (
                  <li>
                    <a href={caseLink(o.enrolmentId)} safe>
                      {o.businessName}
                    </a>{' '}
                    {o.escalated ? (
                      <strong class="tag tag-red" safe>
                        {w.escalated}
                      </strong>
                    ) : (
                      ''
                    )}
                    <br />
                    <span class="muted" safe>
                      {`${o.stepName[lang]} · ${t.actors[o.actor] ?? o.actor} · ${o.workingDaysLate} ${w.hk}`}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p>
            <a href="#overdue-all" safe>
              {`${w.seeAllOverdue} (${n(d.overdue.total, lang)}) →`}
            </a>
          </p>
        </section>
      </div>

      <Fold
        id="pipeline"
        title={w.pipeline}
        headline={d.pipeline
          .map(
            (p) =>
              `${p.programmeName[lang]}: ${n(
                p.steps.reduce((sum, s) => sum + s.atStep, 0),
                lang,
              )} ${w.inProgress}`,
          )
          .join(' · ')}
        open
      >
        {d.pipeline.length === 0 ? <p safe>{w.none}</p> : ''}
        <div class="funnels">
          {d.pipeline.map((p) => (
            <div class="pipeline card" data-programme={p.programmeKey}>
              <h3 safe>{p.programmeName[lang]}</h3>
              <p class="status-links">
                {Object.entries(p.byStatus).map(([status, count]) => (
                  <a href={listLink(d, f, { programme: p.programmeKey, status })} class={`tag tag-${status}`} safe>
                    {`${t.statuses[status] ?? status} ${n(count, lang)}`}
                  </a>
                ))}
              </p>
              <LabelledBars
                label={`${w.funnel}: ${p.programmeName[lang]}`}
                figure="at-step"
                rows={p.steps.map((s) => ({
                  key: s.stepKey,
                  label: s.stepName[lang],
                  note: `${t.actors[s.actor] ?? s.actor}${s.days ? ` · ${w.median} ${s.days.median} ${w.days} (${s.days.low}–${s.days.high})` : ''} · ${n(s.finished, lang)} ${w.finishedShort}`,
                  value: s.atStep,
                  text: n(s.atStep, lang),
                  href: listLink(d, f, { programme: p.programmeKey, step: s.stepKey }),
                }))}
              />
            </div>
          ))}
        </div>
        {dl('pipeline')}
      </Fold>

      <Fold
        id="overdue-all"
        title={w.seeAllOverdue}
        headline={`${n(d.overdue.total, lang)} ${w.overdueCount.toLowerCase()} · ${n(d.overdue.escalated, lang)} ${w.escalated.toLowerCase()}`}
      >
        {d.overdue.items.length === 0 ? (
          <p safe>{w.noneOverdue}</p>
        ) : (
          <div class="table-scroll" style="overflow-x:auto">
            <table class="table" id="overdue-table">
              <caption class="visually-hidden" safe>
                {w.overdue}
              </caption>
              <thead>
                <tr>
                  <th scope="col" safe>
                    {t.business}
                  </th>
                  <th scope="col" safe>
                    {t.step}
                  </th>
                  <th scope="col" safe>
                    {w.whoActs}
                  </th>
                  <th scope="col" safe>
                    {t.due}
                  </th>
                  <th scope="col" safe>
                    {w.daysLate}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.overdue.items.map((o) => (
                  <tr class="row-overdue">
                    <td data-label={t.business}>
                      <a href={caseLink(o.enrolmentId)} safe>
                        {o.businessName}
                      </a>
                      <br />
                      <span class="muted" safe>
                        {o.regionName}
                      </span>
                    </td>
                    <td data-label={t.step} safe>
                      {o.stepName[lang]}
                    </td>
                    <td data-label={w.whoActs} safe>
                      {t.actors[o.actor] ?? o.actor}
                    </td>
                    <td data-label={t.due} safe>
                      {formatInstant(new Date(o.dueAt), d.zone, lang)}
                    </td>
                    <td data-label={w.daysLate}>
                      <span safe>{String(o.workingDaysLate)}</span>{' '}
                      {o.escalated ? (
                        <strong class="tag tag-red" safe>
                          {w.escalated}
                        </strong>
                      ) : (
                        ''
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {dl('overdue')}
      </Fold>

      <Fold
        id="sla"
        title={w.sla}
        headline={`${pct(slaShare, lang)} ${w.onTimeShort} · ${n(d.sla.late.total, lang)} ${w.lateShort}`}
      >
        <p class="muted" safe>
          {w.slaIntro}
        </p>
        {d.sla.steps.length === 0 ? (
          <p safe>{w.noSla}</p>
        ) : (
          <div class="table-scroll" style="overflow-x:auto">
            <table class="table" id="sla-table">
              <caption class="visually-hidden" safe>
                {w.sla}
              </caption>
              <thead>
                <tr>
                  <th scope="col" safe>
                    {t.step}
                  </th>
                  <th scope="col" safe>
                    {w.limit}
                  </th>
                  <th scope="col" safe>
                    {w.withinShare}
                  </th>
                  <th scope="col" safe>
                    {w.finishedSteps}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.sla.steps.map((s) => (
                  <tr data-step={s.stepKey}>
                    <td>
                      <span safe>{s.stepName[lang]}</span>
                      <br />
                      <span class="muted" safe>
                        {`${s.officeName} · ${s.legalBasis}`}
                      </span>
                    </td>
                    <td safe>{`≤ ${s.limitWorkingDays} ${w.hk}`}</td>
                    <td>
                      <ShareBar share={s.share} label={`${s.stepName[lang]}: ${pct(s.share, lang)}`} />{' '}
                      <span safe>{pct(s.share, lang)}</span>
                      <br />
                      <span class="muted" safe>
                        {s.months.map((m) => `${m.month}: ${pct(m.share, lang)}`).join(' · ')}
                      </span>
                    </td>
                    <td safe>{`${n(s.withinLimit, lang)} / ${n(s.finished, lang)}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {dl('sla')}
        <h3 safe>{`${w.lateCases} (${d.sla.late.total})`}</h3>
        {d.sla.late.items.length === 0 ? (
          <p safe>{w.none}</p>
        ) : (
          <div class="table-scroll" style="overflow-x:auto">
            <table class="table" id="sla-late-table">
              <caption class="visually-hidden" safe>
                {w.lateCases}
              </caption>
              <thead>
                <tr>
                  <th scope="col" safe>
                    {t.business}
                  </th>
                  <th scope="col" safe>
                    {t.step}
                  </th>
                  <th scope="col" safe>
                    {w.taken}
                  </th>
                  <th scope="col" safe>
                    {t.done}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.sla.late.items.map((l) => (
                  <tr>
                    <td>
                      <a href={caseLink(l.enrolmentId)} safe>
                        {l.businessName}
                      </a>
                    </td>
                    <td safe>{l.stepName[lang]}</td>
                    <td safe>{`${l.workingDaysTaken} / ≤ ${l.limitWorkingDays} ${w.hk}`}</td>
                    <td safe>{formatInstant(new Date(l.completedAt), d.zone, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {dl('sla-late')}
      </Fold>

      <Fold
        id="regions"
        title={w.regions}
        headline={`${n(d.regions.length, lang)} ${w.regionCount} · ${n(
          d.regions.reduce((sum, r) => sum + r.registered, 0),
          lang,
        )} ${w.registered}`}
      >
        <LabelledBars
          label={`${w.enrolled}: ${w.regions}`}
          colour={colours.green}
          rows={d.regions.map((r) => ({
            key: r.regionCode,
            label: r.regionName,
            value: r.enrolled,
            text: n(r.enrolled, lang),
            href: listLink(d, f, { region: r.regionCode }),
          }))}
        />
        <div class="table-scroll" style="overflow-x:auto">
          <table class="table" id="region-table">
            <caption class="visually-hidden" safe>
              {w.regions}
            </caption>
            <thead>
              <tr>
                <th scope="col" safe>
                  {t.region}
                </th>
                <th scope="col" safe>
                  {w.registered}
                </th>
                <th scope="col" safe>
                  {w.enrolled}
                </th>
                <th scope="col" safe>
                  {w.completed}
                </th>
                <th scope="col" safe>
                  {w.sentra}
                </th>
              </tr>
            </thead>
            <tbody>
              {d.regions.map((r) => (
                <tr data-region={r.regionCode}>
                  <td safe>{r.wilayah ? `${r.regionName} (${r.wilayah})` : r.regionName}</td>
                  <td>
                    <a href={`/businesses?${query({ region: r.regionCode })}`} safe>
                      {n(r.registered, lang)}
                    </a>
                  </td>
                  <td>
                    <a href={listLink(d, f, { region: r.regionCode })} safe>
                      {n(r.enrolled, lang)}
                    </a>
                  </td>
                  <td>
                    <a href={listLink(d, f, { region: r.regionCode, status: 'completed' })} safe>
                      {n(r.completed, lang)}
                    </a>
                  </td>
                  <td safe>{`${n(r.sentra, lang)} (${n(r.sentraMembers, lang)})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {dl('regions')}
        {d.wilayah.length > 0 ? (
          <>
            <h3 safe>{w.byWilayah}</h3>
            <table class="table">
              <thead>
                <tr>
                  <th scope="col" safe>
                    {w.wilayah}
                  </th>
                  <th scope="col" safe>
                    {w.registered}
                  </th>
                  <th scope="col" safe>
                    {w.enrolled}
                  </th>
                  <th scope="col" safe>
                    {w.completed}
                  </th>
                  <th scope="col" safe>
                    {w.sentra}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.wilayah.map((x) => (
                  <tr>
                    <td>
                      <a
                        href={`/dashboard?${query({ office: f.office, programme: d.filter.programmeKey, year: d.filter.year, wilayah: x.wilayah })}`}
                        safe
                      >
                        {`${x.provinceCode} · ${w.wilayah} ${x.wilayah}`}
                      </a>
                    </td>
                    <td safe>{n(x.registered, lang)}</td>
                    <td safe>{n(x.enrolled, lang)}</td>
                    <td safe>{n(x.completed, lang)}</td>
                    <td safe>{`${n(x.sentra, lang)} (${n(x.sentraMembers, lang)})`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {dl('wilayah')}
          </>
        ) : (
          ''
        )}
      </Fold>

      <Fold
        id="forecasts"
        title={w.forecasts}
        headline={`${n(d.forecasts.likelyToMissYearEnd, lang)} ${w.likelyToMiss.toLowerCase()}${
          measured.length > 0
            ? ` · ${w.maeShort} ${measured.map((a) => `${n(a.meanAbsoluteErrorDays!, lang)} ${w.days}`).join(' / ')}`
            : ''
        }`}
      >
        <p class="muted" safe>
          {w.forecastIntro}
        </p>
        <h3 safe>{`${w.atRisk} (${d.forecasts.likelyToMissYearEnd})`}</h3>
        {d.forecasts.atRisk.length === 0 ? (
          <p safe>{w.none}</p>
        ) : (
          <div class="table-scroll" style="overflow-x:auto">
            <table class="table" id="at-risk-table">
              <thead>
                <tr>
                  <th scope="col" safe>
                    {t.business}
                  </th>
                  <th scope="col" safe>
                    {t.step}
                  </th>
                  <th scope="col" safe>
                    {w.expected}
                  </th>
                  <th scope="col" safe>
                    {w.range}
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.forecasts.atRisk.map((c) => (
                  <tr>
                    <td>
                      <a href={caseLink(c.enrolmentId)} safe>
                        {c.businessName}
                      </a>
                    </td>
                    <td safe>{c.stepName[lang]}</td>
                    <td safe>{formatDate(c.expected, lang)}</td>
                    <td safe>{`${c.low} – ${c.high}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {dl('forecast-at-risk')}
        <h3 safe>{w.cohorts}</h3>
        {d.forecasts.cohorts.length === 0 ? (
          <p safe>{w.none}</p>
        ) : (
          <table class="table" id="cohort-forecast-table">
            <thead>
              <tr>
                <th scope="col" safe>
                  {t.cohort}
                </th>
                <th scope="col" safe>
                  {w.open}
                </th>
                <th scope="col" safe>
                  {w.expected}
                </th>
                <th scope="col" safe>
                  {w.range}
                </th>
              </tr>
            </thead>
            <tbody>
              {d.forecasts.cohorts.map((c) => (
                <tr>
                  <td>
                    <a href={`/cohorts/${c.cohortId}`} safe>
                      {c.name}
                    </a>
                  </td>
                  <td>
                    <a href={listLink(d, f, { cohort: c.cohortId, programme: c.programmeKey })} safe>
                      {n(c.open, lang)}
                    </a>
                  </td>
                  <td safe>{formatDate(c.expected, lang)}</td>
                  <td safe>{`${c.low} – ${c.high}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {dl('forecast-cohorts')}
        <h3 safe>{w.accuracy}</h3>
        <table class="table" id="accuracy-table">
          <thead>
            <tr>
              <th scope="col" safe>
                {t.programme}
              </th>
              <th scope="col" safe>
                {w.forecastDays}
              </th>
              <th scope="col" safe>
                {w.finishedCases}
              </th>
              <th scope="col" safe>
                {w.mae}
              </th>
            </tr>
          </thead>
          <tbody>
            {d.forecasts.accuracy.map((a) => (
              <tr>
                <td safe>{a.programmeName[lang]}</td>
                <td safe>{n(a.forecastDays, lang)}</td>
                <td>
                  <a href={listLink(d, f, { programme: a.programmeKey, status: 'completed' })} safe>
                    {n(a.finishedCases, lang)}
                  </a>
                </td>
                <td safe>{a.meanAbsoluteErrorDays === null ? '–' : n(a.meanAbsoluteErrorDays, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {dl('forecast-accuracy')}
      </Fold>

      <VisitsFold ctx={ctx} d={d} />
    </Layout>
  );
}

/**
 * Field work: visits planned against done per month and per team member, follow-ups awaiting, prospects converted,
 * sites due a visit.
 */
function VisitsFold(props: { ctx: PageContext; d: Dashboard }) {
  const { lang } = props.ctx;
  const w = words[lang];
  const v = props.d.visits;
  const planned = v.months.reduce((sum, m) => sum + m.planned, 0);
  const done = v.months.reduce((sum, m) => sum + m.done, 0);
  const monthName = (m: string) => DateTime.fromFormat(m, 'yyyy-MM').setLocale(lang).toFormat('LLLL yyyy');
  const figure = (name: string, value: number, label: string) => (
    <li class="count">
      <span class="count-n" data-figure={name} safe>
        {n(value, lang)}
      </span>{' '}
      <span safe>{label}</span>
    </li>
  );
  return (
    <Fold
      id="visits"
      title={w.visits}
      headline={`${n(done, lang)} / ${n(planned, lang)} ${w.visitsDone} · ${n(v.followUps.open, lang)} ${w.followUpsOpen} · ${n(v.prospects.found, lang)} ${w.prospectsFound}`}
    >
      <p class="muted">
        <span safe>{w.visitsIntro}</span> <a href="/visits" safe>{`${w.visitCalendar} →`}</a>
      </p>
      <ul class="counts" aria-label={w.visits}>
        {figure('visits-planned', planned, w.planned.toLowerCase())}
        {figure('visits-done', done, w.visitsDone)}
        {figure('follow-ups-open', v.followUps.open, w.followUpsOpen)}
        {figure('follow-ups-overdue', v.followUps.overdue, w.followUpsOverdue)}
        {figure('prospects-found', v.prospects.found, w.prospectsFound)}
        {figure('prospects-registered', v.prospects.registered, w.prospectsRegistered)}
        {figure('prospects-enrolled', v.prospects.enrolled, w.prospectsEnrolled)}
        {figure('sites-due', v.sites.dueForVisit, w.sitesDue)}
      </ul>
      {v.sites.dueForVisit > 0 ? (
        <p>
          <a href={`/sites?notVisitedInMonths=${siteVisitDueMonths}`} safe>{`${w.sitesDueLink} →`}</a>
        </p>
      ) : (
        ''
      )}
      {v.months.length === 0 ? (
        <p safe>{w.noVisits}</p>
      ) : (
        <div class="table-scroll" style="overflow-x:auto">
          <table class="table" id="visits-month-table">
            <caption safe>{w.visitsByMonth}</caption>
            <thead>
              <tr>
                <th scope="col" safe>
                  {w.month}
                </th>
                <th scope="col" safe>
                  {w.planned}
                </th>
                <th scope="col" safe>
                  {w.done}
                </th>
              </tr>
            </thead>
            <tbody>
              {v.months.map((m) => (
                <tr data-month={m.month}>
                  <td safe>{monthName(m.month)}</td>
                  <td safe>{n(m.planned, lang)}</td>
                  <td safe>{n(m.done, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="table" id="visits-team-table">
            <caption safe>{w.visitsByTeam}</caption>
            <thead>
              <tr>
                <th scope="col" safe>
                  {w.month}
                </th>
                <th scope="col" safe>
                  {w.teamMember}
                </th>
                <th scope="col" safe>
                  {w.planned}
                </th>
                <th scope="col" safe>
                  {w.done}
                </th>
              </tr>
            </thead>
            <tbody>
              {v.team.map((t) => (
                <tr data-month={t.month} data-user={t.userId}>
                  <td safe>{monthName(t.month)}</td>
                  <td safe>{t.name}</td>
                  <td safe>{n(t.planned, lang)}</td>
                  <td safe>{n(t.done, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Fold>
  );
}

function ListPage(props: {
  ctx: PageContext;
  d: Pick<Dashboard, 'filter'>;
  f: z.infer<typeof listQuery>;
  rows: EnrolmentListRow[];
  total: number;
}) {
  const { ctx, d, f, rows } = props;
  const { lang, t } = ctx;
  const w = words[lang];
  const pageCount = Math.max(1, Math.ceil(props.total / listPageSize));
  const extra = { status: f.status, step: f.step, cohortId: f.cohort, quotaId: f.quota, month: f.month };
  const pageLink = (page: number) =>
    `/dashboard/enrolments?${query({ ...f, programme: d.filter.programmeKey, year: d.filter.year, page })}`;
  return (
    <Layout ctx={ctx} title={w.listTitle}>
      <p>
        <a
          href={`/dashboard?${query({ office: f.office, programme: f.programme, year: f.year, region: f.region, wilayah: f.wilayah })}`}
          safe
        >
          {`← ${w.back}`}
        </a>
      </p>
      <h1 safe>{w.listTitle}</h1>
      <p class="lead" safe>
        {`${w.listIntro} (${n(props.total, lang)})`}
      </p>
      <div class="table-scroll" style="overflow-x:auto">
        <table class="table" id="enrolment-list">
          <thead>
            <tr>
              <th scope="col" safe>
                {t.business}
              </th>
              <th scope="col" safe>
                {t.programme}
              </th>
              <th scope="col" safe>
                {t.status}
              </th>
              <th scope="col" safe>
                {t.step}
              </th>
              <th scope="col" safe>
                {w.expected}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>
                  <a href={`/enrolments/${r.enrolmentId}`} safe>
                    {r.businessName}
                  </a>
                  <br />
                  <span class="muted" safe>
                    {`${w.nib} ${r.nib} · ${r.regionName}`}
                  </span>
                </td>
                <td safe>{r.programmeName[lang]}</td>
                <td safe>{t.statuses[r.status] ?? r.status}</td>
                <td safe>{r.stepName?.[lang] ?? '–'}</td>
                <td safe>
                  {r.forecast
                    ? `${formatDate(r.forecast.expected, lang)} (${r.forecast.low} – ${r.forecast.high})`
                    : '–'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label={t.page}>
        {f.page > 1 ? (
          <a href={pageLink(f.page - 1)} rel="prev" safe>
            {`← ${t.previous}`}
          </a>
        ) : (
          ''
        )}
        <span safe>{`${t.page} ${Math.min(f.page, pageCount)} ${t.of} ${pageCount}`}</span>
        {f.page < pageCount ? (
          <a href={pageLink(f.page + 1)} rel="next" safe>
            {`${t.next} →`}
          </a>
        ) : (
          ''
        )}
      </nav>
      <Downloads
        d={d}
        f={f}
        lang={lang}
        report="enrolments"
        extra={Object.fromEntries(Object.entries(extra).filter((e): e is [string, string] => Boolean(e[1])))}
      />
    </Layout>
  );
}

export default async function dashboardPages(app: FastifyInstance) {
  async function optionsFor(d: Dashboard, isAdmin: boolean): Promise<Options> {
    const [officeRows, programmeRows, regionRows] = await Promise.all([
      isAdmin
        ? app.db.query.offices.findMany({ columns: { id: true, name: true }, orderBy: (o, { asc }) => asc(o.name) })
        : [],
      app.db.query.programmes.findMany({
        columns: { key: true, nameId: true, nameEn: true },
        orderBy: (p, { asc }) => asc(p.nameId),
      }),
      app.db.query.regions.findMany({ columns: { code: true, name: true, wilayah: true, provinceCode: true } }),
    ]);
    // The regions of the offices in view, whatever the region filter narrowed the figures to.
    const provinces = new Set(
      regionRows.filter((r) => d.filter.regionCodes.includes(r.code)).map((r) => r.provinceCode),
    );
    const area = regionRows.filter((r) => r.provinceCode && provinces.has(r.provinceCode));
    return {
      offices: officeRows.map((o) => [o.id, o.name]),
      programmes: programmeRows.map((p) => [p.key, p.nameId]),
      regions: (area.length > 0 ? area : regionRows.filter((r) => d.filter.regionCodes.includes(r.code)))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((r) => [r.code, r.name]),
      wilayah: [...new Set(area.map((r) => r.wilayah).filter((x): x is string => Boolean(x)))].sort(),
    };
  }

  app.get('/dashboard', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login?next=%2Fdashboard', 303);
    const f = filterQuery.parse(request.query ?? {});
    const d = await dashboard(app.db, principal, toFilter(f));
    const ctx = request.pageContext(reply);
    const options = await optionsFor(d, principal.role === 'admin');
    // Programme names in the reader's language in the select.
    if (ctx.lang === 'en') {
      const names = await app.db.query.programmes.findMany({ columns: { key: true, nameEn: true } });
      options.programmes = options.programmes.map(([k, v]) => [k, names.find((p) => p.key === k)?.nameEn ?? v]);
    }
    return html(reply, <DashboardPage ctx={ctx} d={d} f={f} options={options} />);
  });

  app.get('/dashboard/enrolments', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login?next=%2Fdashboard', 303);
    const f = listQuery.parse(request.query ?? {});
    const filter = toFilter(f);
    const scope = await resolveScope(app.db, principal, filter);
    const listFilter: EnrolmentListFilter = {
      statuses: f.status ? [f.status] : undefined,
      stepKey: f.step || undefined,
      cohortId: f.cohort,
      quotaId: f.quota,
      activatedMonth: f.month,
    };
    const [total, rows] = await Promise.all([
      countEnrolments(app.db, scope, listFilter),
      collect(enrolmentList(app.db, scope, listFilter, { offset: (f.page - 1) * listPageSize, limit: listPageSize })),
    ]);
    const d = {
      filter: {
        officeIds: scope.offices.map((o) => o.id),
        programmeKey: scope.programmeKey,
        year: scope.year,
        regionCodes: scope.regions.map((r) => r.code),
      },
    };
    return html(reply, <ListPage ctx={request.pageContext(reply)} d={d} f={f} rows={rows} total={total} />);
  });
}
