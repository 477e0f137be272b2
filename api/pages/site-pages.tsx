// The site inventory's pages: the list with its filters and downloads, a form that adds a site, and a site's own page
// with its visit history, a form that records a visit to it, and one that changes it after a survey or an offer. Each
// reads and writes through the JSON routes (callApi), as the reader, so the checks, scope and audit are the API's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { offices } from '../../db/schema.js';
import {
  siteKindNames,
  siteKinds,
  siteStateNames,
  siteStates,
  type SiteDetail,
  type SiteView,
} from '../../services/sites.js';
import { inProgressType } from '../plugins/idempotency.js';
import { formProblem, type Problem } from '../problem.js';
import { formatDate, typedNumber } from './i18n.js';
import {
  ErrorSummary,
  Field,
  FormGuards,
  Layout,
  SelectField,
  TextAreaField,
  type PageContext,
  say,
  summaryRow,
} from './layout.js';
import {
  chosenOfficeQuery,
  ChosenOffice,
  kabKotaOf,
  officeChoiceOf,
  OfficePicker,
  postedOffice,
  RegionField,
  type OfficeChoice,
  type OfficeChoices,
} from './office-fields.js';
import { awayUnlessStaff, callApi, failedAnswer, formKey, html, idParamOf } from './session.js';
import { StatusTag } from './visit-pages.js';

interface SiteQuery {
  wilayah?: string;
  kind?: string;
  state?: string;
  /** '3', '6' or '12': only the sites not visited in that many months. */
  notVisitedInMonths?: string;
  offset: number;
}
const unvisitedChoices = ['3', '6', '12'];
const sitePage = 25;

/** The list's filters, and an administrator's chosen office, as the query of the API's list and the page's links. */
const filterQuery = (q: SiteQuery, office: OfficeChoice | null) =>
  new URLSearchParams(
    Object.entries({
      wilayah: q.wilayah,
      kind: q.kind,
      state: q.state,
      notVisitedInMonths: q.notVisitedInMonths,
      officeId: office?.chosen?.id,
    }).filter((e): e is [string, string] => !!e[1]),
  );

/** The fields of a site's form, as typed. */
const fieldNames = ['kind', 'name', 'regionCode', 'areaHa', 'owner', 'state', 'notes'] as const;
type SiteValues = Record<(typeof fieldNames)[number], string>;

const emptyValues: SiteValues = {
  kind: 'potential_area',
  name: '',
  regionCode: '',
  areaHa: '',
  owner: '',
  state: 'identified',
  notes: '',
};

/** A site's values as its form shows them: the area with the reader's decimal mark. */
const valuesOf = (site: SiteView, ctx: PageContext): SiteValues => ({
  kind: site.kind,
  name: site.name,
  regionCode: site.regionCode,
  areaHa: site.areaHa === null ? '' : areaText(site.areaHa, ctx),
  owner: site.owner ?? '',
  state: site.state,
  notes: site.notes ?? '',
});

const areaText = (n: number, ctx: PageContext) =>
  n.toLocaleString(ctx.lang === 'id' ? 'id-ID' : 'en-GB', { maximumFractionDigits: 2, useGrouping: false });

const postedValues = (form: Record<string, unknown>, prefix = ''): SiteValues =>
  Object.fromEntries(
    fieldNames.map((f) => {
      const v = form[`${prefix}${f}`];
      return [f, typeof v === 'string' ? v.trim() : ''];
    }),
  ) as SiteValues;

/**
 * The JSON fields of typed values: the area as a number (typedNumber); an optional field left empty is null. An area
 * that is no number is refused here, beside its field, with what to write instead.
 */
function jsonOf(values: SiteValues, ctx: PageContext): Record<string, unknown> | Problem {
  const areaHa = values.areaHa === '' ? null : typedNumber(values.areaHa, ctx.lang);
  if (areaHa !== null && Number.isNaN(areaHa)) {
    return formProblem(
      400,
      'body.areaHa',
      say(ctx, 'Luas harus berupa angka hektare, misalnya 3,5', 'The area must be a number of hectares, such as 3.5'),
    );
  }
  return {
    kind: values.kind,
    name: values.name,
    regionCode: values.regionCode,
    areaHa,
    owner: values.owner || null,
    state: values.state,
    notes: values.notes || null,
  };
}

const isProblem = (x: Record<string, unknown> | Problem): x is Problem => typeof x.status === 'number';

/**
 * A site's fields, for a new site and for a change. A change carries the values it was loaded with (`was`), so that
 * only what the reader changed is sent: two people changing different fields of one site at once both keep theirs.
 */
function SiteForm(props: {
  ctx: PageContext;
  action: string;
  id: string;
  heading: string;
  submit: string;
  values: SiteValues;
  was?: SiteValues;
  choices: OfficeChoices;
  office?: OfficeChoice | null;
  problem: Problem | null;
}) {
  const { ctx, values } = props;
  const lang = ctx.lang;
  const issues = props.problem?.errors ?? [];
  return (
    <form method="post" action={props.action} class="panel narrow" id={props.id} novalidate data-once>
      <h2 safe>{props.heading}</h2>
      <ErrorSummary ctx={ctx} detail={props.problem?.detail} issues={issues} />
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <ChosenOffice choice={props.office ?? null} />
      {props.was ? fieldNames.map((f) => <input type="hidden" name={`was_${f}`} value={props.was![f]} />) : ''}
      <SelectField
        ctx={ctx}
        name="kind"
        label={say(ctx, 'Jenis', 'Kind')}
        empty={null}
        value={values.kind}
        issues={issues}
        options={siteKinds.map((k) => ({ value: k, label: siteKindNames[k][lang] }))}
      />
      <Field name="name" label={say(ctx, 'Nama lokasi', 'Name of the site')} value={values.name} issues={issues} />
      <RegionField ctx={ctx} choices={props.choices} value={values.regionCode} issues={issues} />
      <Field
        name="areaHa"
        label={say(ctx, 'Luas (hektare, boleh kosong)', 'Area (hectares, optional)')}
        hint={say(ctx, 'Misalnya 3,5', 'For example 3.5')}
        inputmode="decimal"
        value={values.areaHa}
        issues={issues}
      />
      <Field
        name="owner"
        label={say(ctx, 'Pemilik (boleh kosong)', 'Owner (optional)')}
        value={values.owner}
        issues={issues}
      />
      <SelectField
        ctx={ctx}
        name="state"
        label={say(ctx, 'Keadaan', 'State')}
        empty={null}
        value={values.state}
        issues={issues}
        options={siteStates.map((s) => ({ value: s, label: siteStateNames[s][lang] }))}
      />
      <TextAreaField
        name="notes"
        label={say(ctx, 'Catatan (boleh kosong)', 'Notes (optional)')}
        value={values.notes}
        issues={issues}
        rows={4}
      />
      <button type="submit" class="button" safe>
        {props.submit}
      </button>
    </form>
  );
}

function SitesPage(props: {
  ctx: PageContext;
  sites: { items: SiteView[]; total: number };
  q: SiteQuery;
  /** An administrator's choice of office for a new site; null for staff of an office. */
  office: OfficeChoice | null;
  /** The form for a new site; null while an administrator has chosen no office. */
  add: { values: SiteValues; choices: OfficeChoices; problem: Problem | null } | null;
}) {
  const { ctx, sites, q, office } = props;
  const lang = ctx.lang;
  const filterParams = filterQuery(q, office);
  const pageLink = (offset: number) => `/sites?${new URLSearchParams([...filterParams, ['offset', String(offset)]])}`;
  const exportLink = (format: string) =>
    `/api/v1/sites/export?${new URLSearchParams([...filterParams, ['format', format], ['lang', lang]])}`;
  const select = (name: string, label: string, options: [string, string][], value: string | undefined) => (
    <div class="field">
      <label for={`f-filter-${name}`} safe>
        {label}
      </label>
      <select id={`f-filter-${name}`} name={name}>
        <option value="" safe>
          {say(ctx, 'Semua', 'All')}
        </option>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value} safe>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  const title = say(ctx, 'Inventaris lokasi industri', 'Industrial site inventory');
  const filtered = ['wilayah', 'kind', 'state', 'notVisitedInMonths'].some((k) => filterParams.has(k)) || q.offset > 0;
  return (
    <Layout ctx={ctx} title={title}>
      <h1 safe>{title}</h1>
      {office ? <OfficePicker ctx={ctx} choice={office} action="/sites" /> : ''}
      <form method="get" action="/sites" class="filters">
        {office?.chosen ? <input type="hidden" name="officeId" value={office.chosen.id} /> : ''}
        {select(
          'wilayah',
          'Wilayah',
          ['I', 'II', 'III'].map((w) => [w, w]),
          q.wilayah,
        )}
        {select(
          'kind',
          say(ctx, 'Jenis', 'Kind'),
          siteKinds.map((k) => [k, siteKindNames[k][lang]]),
          q.kind,
        )}
        {select(
          'state',
          say(ctx, 'Keadaan', 'State'),
          siteStates.map((s) => [s, siteStateNames[s][lang]]),
          q.state,
        )}
        {select(
          'notVisitedInMonths',
          say(ctx, 'Belum dikunjungi selama', 'Not visited for'),
          unvisitedChoices.map((m) => [m, say(ctx, `${m} bulan atau lebih`, `${m} months or more`)]),
          q.notVisitedInMonths,
        )}
        <button type="submit" class="button button-secondary" safe>
          {say(ctx, 'Saring', 'Filter')}
        </button>
      </form>
      <p>
        <span safe>{say(ctx, `${sites.total} lokasi. Unduh: `, `${sites.total} sites. Download: `)}</span>
        <a href={exportLink('csv')}>CSV</a> · <a href={exportLink('xlsx')}>XLSX</a>
        {props.add ? (
          <>
            {' · '}
            <a href="#add-site" safe>
              {say(ctx, 'Tambah lokasi', 'Add a site')}
            </a>
          </>
        ) : (
          ''
        )}
      </p>
      {sites.items.length === 0 ? (
        <p class="muted" safe>
          {filtered
            ? say(
                ctx,
                'Tidak ada lokasi yang cocok dengan saringan ini. Ubah atau kosongkan saringan.',
                'No site matches these filters. Change or clear the filters.',
              )
            : props.add
              ? say(
                  ctx,
                  'Belum ada lokasi industri yang tercatat. Tambahkan yang pertama dengan formulir di bawah.',
                  'No industrial site is recorded yet. Add the first with the form below.',
                )
              : say(
                  ctx,
                  'Belum ada lokasi industri yang tercatat. Pilih kantor di atas untuk menambahkan lokasi.',
                  'No industrial site is recorded yet. Choose the office above to add one.',
                )}
        </p>
      ) : (
        <table class="table">
          <caption class="visually-hidden" safe>
            {title}
          </caption>
          <thead>
            <tr>
              {[
                say(ctx, 'Nama', 'Name'),
                say(ctx, 'Jenis', 'Kind'),
                say(ctx, 'Kabupaten/kota', 'Kabupaten/kota'),
                'Wilayah',
                say(ctx, 'Luas (ha)', 'Area (ha)'),
                say(ctx, 'Pemilik', 'Owner'),
                say(ctx, 'Keadaan', 'State'),
                say(ctx, 'Kunjungan terakhir', 'Last visit'),
              ].map((h) => (
                <th scope="col" safe>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sites.items.map((s) => (
              <tr>
                <td data-label={say(ctx, 'Nama', 'Name')}>
                  <a href={`/sites/${s.id}`} safe>
                    {s.name}
                  </a>
                </td>
                <td data-label={say(ctx, 'Jenis', 'Kind')} safe>
                  {siteKindNames[s.kind][lang]}
                </td>
                <td data-label={say(ctx, 'Kabupaten/kota', 'Kabupaten/kota')} safe>
                  {s.regionName}
                </td>
                <td data-label="Wilayah" safe>
                  {s.wilayah ?? '—'}
                </td>
                <td data-label={say(ctx, 'Luas (ha)', 'Area (ha)')} safe>
                  {s.areaHa === null ? '—' : s.areaHa.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB')}
                </td>
                <td data-label={say(ctx, 'Pemilik', 'Owner')} safe>
                  {s.owner ?? '—'}
                </td>
                <td data-label={say(ctx, 'Keadaan', 'State')} safe>
                  {siteStateNames[s.state][lang]}
                </td>
                <td data-label={say(ctx, 'Kunjungan terakhir', 'Last visit')} safe>
                  {s.lastVisitOn ? formatDate(s.lastVisitOn, lang) : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label={say(ctx, 'Halaman', 'Pages')}>
        {q.offset > 0 ? (
          <a href={pageLink(Math.max(0, q.offset - sitePage))} safe>
            {say(ctx, '← Sebelumnya', '← Previous')}
          </a>
        ) : (
          ''
        )}
        {q.offset + sitePage < sites.total ? (
          <a href={pageLink(q.offset + sitePage)} safe>
            {say(ctx, 'Berikutnya →', 'Next →')}
          </a>
        ) : (
          ''
        )}
      </nav>
      {props.add ? (
        <SiteForm
          ctx={ctx}
          action="/sites"
          id="add-site"
          heading={say(ctx, 'Tambah lokasi', 'Add a site')}
          submit={say(ctx, 'Simpan lokasi', 'Save the site')}
          values={props.add.values}
          choices={props.add.choices}
          office={office}
          problem={props.add.problem}
        />
      ) : (
        ''
      )}
    </Layout>
  );
}

/**
 * A visit to the site, made by the reader on the day given (today unless changed): an ad-hoc visit whose place is the
 * site and which records the site as seen, so an officer standing there goes straight to its findings.
 */
function VisitHereForm(props: { ctx: PageContext; siteId: string; date: string; problem: Problem | null }) {
  const { ctx } = props;
  const issues = props.problem?.errors ?? [];
  return (
    <form method="post" action={`/sites/${props.siteId}/visits`} class="subform" id="visit-here" novalidate data-once>
      <h3 safe>{say(ctx, 'Catat kunjungan ke lokasi ini', 'Record a visit to this site')}</h3>
      <ErrorSummary ctx={ctx} detail={props.problem?.detail} issues={issues} />
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <Field name="date" type="date" label={say(ctx, 'Tanggal', 'Date')} value={props.date} issues={issues} />
      <button type="submit" class="button button-secondary" safe>
        {say(ctx, 'Catat kunjungan', 'Record the visit')}
      </button>
    </form>
  );
}

function SitePage(props: {
  ctx: PageContext;
  site: SiteDetail;
  values: SiteValues;
  was: SiteValues;
  choices: OfficeChoices;
  problem: Problem | null;
  /** The form that records a visit to the site now, for a reader who can be on a visit's team; null for others. */
  visitHere: { date: string; problem: Problem | null } | null;
}) {
  const { ctx, site } = props;
  const lang = ctx.lang;
  return (
    <Layout ctx={ctx} title={site.name}>
      <p>
        <a href="/sites" safe>
          {say(ctx, '← Inventaris lokasi', '← Site inventory')}
        </a>
      </p>
      <h1 safe>{site.name}</h1>
      <dl class="summary">
        {summaryRow(say(ctx, 'Jenis', 'Kind'), siteKindNames[site.kind][lang])}
        {summaryRow(say(ctx, 'Kabupaten/kota', 'Kabupaten/kota'), site.regionName)}
        {summaryRow('Wilayah', site.wilayah ?? '—')}
        {summaryRow(say(ctx, 'Luas', 'Area'), site.areaHa === null ? '—' : `${areaText(site.areaHa, ctx)} ha`)}
        {summaryRow(say(ctx, 'Pemilik', 'Owner'), site.owner ?? '—')}
        {summaryRow(say(ctx, 'Keadaan', 'State'), siteStateNames[site.state][lang])}
        <dt safe>{say(ctx, 'Kunjungan terakhir', 'Last visit')}</dt>
        <dd>
          {site.lastVisitId && site.lastVisitOn ? (
            <a href={`/visits/${site.lastVisitId}`} safe>
              {formatDate(site.lastVisitOn, lang)}
            </a>
          ) : (
            '—'
          )}
        </dd>
        {summaryRow(say(ctx, 'Catatan', 'Notes'), site.notes ?? '—')}
      </dl>
      <section class="panel" id="visits">
        <h2 safe>{say(ctx, 'Riwayat kunjungan', 'Visit history')}</h2>
        {site.visits.length === 0 ? (
          <p class="muted" safe>
            {say(ctx, 'Belum ada kunjungan yang mencatat lokasi ini.', 'No visit has recorded this site yet.')}
          </p>
        ) : (
          <ul>
            {site.visits.map((v) => (
              <li>
                <a href={`/visits/${v.id}`} safe>
                  {formatDate(v.date, lang)}
                </a>{' '}
                <span class="muted" safe>{`· ${v.place}`}</span> <StatusTag ctx={ctx} status={v.status} />
              </li>
            ))}
          </ul>
        )}
        {props.visitHere ? <VisitHereForm ctx={ctx} siteId={site.id} {...props.visitHere} /> : ''}
      </section>
      <SiteForm
        ctx={ctx}
        action={`/sites/${site.id}`}
        id="change-site"
        heading={say(ctx, 'Ubah lokasi', 'Change the site')}
        submit={say(ctx, 'Simpan perubahan', 'Save the changes')}
        values={props.values}
        was={props.was}
        choices={props.choices}
        problem={props.problem}
      />
    </Layout>
  );
}

export default async function sitePages(app: FastifyInstance) {
  /**
   * The list and the form for a new site, for the office in effect: an officer's or manager's own, or the one an
   * administrator chose (`named`), whose sites the list then shows; an administrator is asked first.
   */
  async function showList(
    request: FastifyRequest,
    reply: FastifyReply,
    named: unknown,
    raw: Record<string, unknown>,
    add: { values: SiteValues; problem: Problem | null } = { values: emptyValues, problem: null },
    status = 200,
  ) {
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const q: SiteQuery = {
      wilayah: ['I', 'II', 'III'].includes(text(raw.wilayah)) ? text(raw.wilayah) : undefined,
      kind: (siteKinds as readonly string[]).includes(text(raw.kind)) ? text(raw.kind) : undefined,
      state: (siteStates as readonly string[]).includes(text(raw.state)) ? text(raw.state) : undefined,
      notVisitedInMonths: unvisitedChoices.includes(text(raw.notVisitedInMonths))
        ? text(raw.notVisitedInMonths)
        : undefined,
      offset: Math.max(0, Math.min(1_000_000, Number.parseInt(text(raw.offset) || '0', 10) || 0)),
    };
    const office = await officeChoiceOf(app, request, named);
    const officeId = request.principal!.officeId ?? office?.chosen?.id ?? null;
    const params = filterQuery(q, office);
    params.set('limit', String(sitePage));
    params.set('offset', String(q.offset));
    const answer = await callApi<{ items: SiteView[]; total: number }>(app, request, {
      method: 'GET',
      url: `/api/v1/sites?${params}`,
    });
    if (!answer.ok) throw failedAnswer(answer);
    const choices = officeId ? await kabKotaOf(app, request, officeId) : null;
    return html(
      reply,
      <SitesPage
        ctx={request.pageContext(reply)}
        sites={answer.body}
        q={q}
        office={office}
        add={choices ? { ...add, choices } : null}
      />,
      status,
    );
  }

  app.get('/sites', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const query = request.query as Record<string, unknown>;
    return showList(request, reply, query.officeId, query);
  });

  app.post('/sites', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, '/sites');
    if (away) return away;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const ctx = request.pageContext(reply);
    const values = postedValues(form);
    const json = jsonOf(values, ctx);
    const refuse = (problem: Problem | null, status: number) =>
      showList(request, reply, form.officeId, {}, { values, problem }, status);
    if (isProblem(json)) return refuse(json, json.status);
    // A new site has no area, owner or notes until they are known: those left empty are not sent.
    const body = Object.fromEntries(Object.entries(json).filter(([, v]) => v !== null));
    const answer = await callApi<SiteView>(app, request, {
      method: 'POST',
      url: '/api/v1/sites',
      body: { ...body, officeId: postedOffice(form) },
      idempotencyKey: typeof form.idempotencyKey === 'string' ? form.idempotencyKey : undefined,
    });
    if (answer.ok) return reply.redirect(`/sites/${answer.body.id}`, 303);
    // The same form sent twice: the first is still being saved, so show the list it lands in.
    if (answer.problem?.type === inProgressType) return reply.redirect(`/sites${chosenOfficeQuery(form)}`, 303);
    return refuse(answer.problem, answer.status);
  });

  async function showSite(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    change: { values: SiteValues; was: SiteValues; problem: Problem } | null = null,
    visitHere: { date: string; problem: Problem } | null = null,
  ) {
    const answer = await callApi<SiteDetail>(app, request, { method: 'GET', url: `/api/v1/sites/${id}` });
    if (!answer.ok) throw failedAnswer(answer);
    const ctx = request.pageContext(reply);
    const shown = valuesOf(answer.body, ctx);
    // A visit's team is the office's officers and managers: an administrator records visits from the calendar.
    const onTeams = request.principal!.role === 'officer' || request.principal!.role === 'manager';
    const [office] = await app.db
      .select({ zone: offices.timeZone })
      .from(offices)
      .where(eq(offices.id, answer.body.officeId));
    const today = DateTime.now()
      .setZone(office?.zone ?? 'Asia/Jakarta')
      .toISODate()!;
    return html(
      reply,
      <SitePage
        ctx={ctx}
        site={answer.body}
        values={change?.values ?? shown}
        was={change?.was ?? shown}
        choices={await kabKotaOf(app, request, answer.body.officeId)}
        problem={change?.problem ?? null}
        visitHere={onTeams ? (visitHere ?? { date: today, problem: null }) : null}
      />,
      change?.problem.status ?? visitHere?.problem.status ?? 200,
    );
  }

  app.post('/sites/:id/visits', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const id = idParamOf(request);
    const form = (request.body ?? {}) as Record<string, unknown>;
    const date = typeof form.date === 'string' ? form.date.trim() : '';
    const site = await callApi<SiteDetail>(app, request, { method: 'GET', url: `/api/v1/sites/${id}` });
    if (!site.ok) throw failedAnswer(site);
    const answer = await callApi<{ id: string }>(app, request, {
      method: 'POST',
      url: '/api/v1/visits',
      body: { date, place: site.body.name, teamUserIds: [request.principal!.userId], siteIds: [id] },
      idempotencyKey: typeof form.idempotencyKey === 'string' ? form.idempotencyKey : undefined,
    });
    if (answer.ok) return reply.redirect(`/visits/${answer.body.id}`, 303);
    // The same form sent twice: the first is still being recorded, and the site's history will list it.
    if (answer.problem?.type === inProgressType) return reply.redirect(`/sites/${id}#visits`, 303);
    return showSite(request, reply, id, null, { date, problem: answer.problem! });
  });

  app.get('/sites/:id', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    return showSite(request, reply, idParamOf(request));
  });

  app.post('/sites/:id', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const id = idParamOf(request);
    const form = (request.body ?? {}) as Record<string, unknown>;
    const ctx = request.pageContext(reply);
    const values = postedValues(form);
    const was = postedValues(form, 'was_');
    const json = jsonOf(values, ctx);
    if (isProblem(json)) return showSite(request, reply, id, { values, was, problem: json });
    // Only what the reader changed: a field someone else changed meanwhile keeps their value unless this form changed it too.
    const changed = Object.fromEntries(fieldNames.filter((f) => values[f] !== was[f]).map((f) => [f, json[f]]));
    if (Object.keys(changed).length === 0) return reply.redirect(`/sites/${id}`, 303);
    const answer = await callApi(app, request, {
      method: 'PATCH',
      url: `/api/v1/sites/${id}`,
      body: changed,
      idempotencyKey: typeof form.idempotencyKey === 'string' ? form.idempotencyKey : undefined,
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(`/sites/${id}`, 303);
    if (answer.status === 404) throw failedAnswer(answer);
    return showSite(request, reply, id, { values, was, problem: answer.problem! });
  });
}
