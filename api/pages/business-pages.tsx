// The IKM registry: search and filters with cursor pages (htmx swaps the results as the officer types; a plain form
// without JavaScript), a business's page with its certificates and enrolments, create and edit with each error beside
// its field, and the CSV import with a live progress bar read from the import's NDJSON stream.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FieldIssue } from '../../domain/errors.js';
import { selectionChoices } from '../../services/cohort-overview.js';
import { programmeNames } from '../../services/enrolment-intake.js';
import type { Problem } from '../problem.js';
import { inProgressType } from '../plugins/idempotency.js';
import {
  ErrorSummary,
  Field,
  FormGuards,
  Layout,
  SelectField,
  yesNoOptions,
  type PageContext,
  say,
  summaryRow,
} from './layout.js';
import { formatDate } from './i18n.js';
import {
  ChosenOffice,
  noChoices,
  officeChoiceOf,
  OfficePicker,
  postedOffice,
  RegionField,
  SentraField,
  type OfficeChoice,
  type OfficeChoices,
} from './office-fields.js';
import { callApi, failedAnswer, formKey, html, originOf, staffOnly } from './session.js';

interface BusinessView {
  id: string;
  officeId: string;
  name: string;
  ownerName: string;
  nib: string;
  kbli: string;
  regionCode: string;
  regionName: string;
  address: string | null;
  phone: string | null;
  email: string | null;
  products: string[];
  workers: number | null;
  exportOriented: boolean;
  sentra: { id: string; name: string } | null;
  preferredLanguage: 'id' | 'en';
  certified: boolean;
  certificates: { id: string; kind: string; number: string; issuedOn: string; scope: string; status: string }[];
}

const listQuery = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  regionCode: z.string().max(4).optional().catch(undefined),
  kbli: z.string().max(100).optional().catch(undefined),
  sentraId: z.string().max(40).optional().catch(undefined),
  exportOriented: z.enum(['true', 'false']).optional().catch(undefined),
  certified: z.enum(['true', 'false']).optional().catch(undefined),
  cursor: z.string().max(500).optional().catch(undefined),
  /** An administrator's office (officers and managers see their own). */
  officeId: z.string().max(40).optional().catch(undefined),
});
type ListQuery = z.infer<typeof listQuery>;

function queryString(q: ListQuery, extra: Record<string, string> = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...q, ...extra })) if (v) params.set(k, v);
  return params.toString();
}

function Results(props: {
  ctx: PageContext;
  items: BusinessView[];
  next: string | null;
  query: ListQuery;
  problem: Problem | null;
}) {
  const { ctx, items } = props;
  const { t } = ctx;
  return (
    <div id="results">
      {props.problem ? <ErrorSummary ctx={ctx} detail={props.problem.detail} issues={props.problem.errors} /> : ''}
      {items.length === 0 ? (
        <p safe>{say(ctx, 'Tidak ada usaha yang cocok.', 'No business matches.')}</p>
      ) : (
        <table class="table">
          <caption class="visually-hidden" safe>
            {t.navRegistry}
          </caption>
          <thead>
            <tr>
              <th scope="col" safe>
                {t.business}
              </th>
              <th scope="col">NIB</th>
              <th scope="col">KBLI</th>
              <th scope="col" safe>
                {t.region}
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((b) => (
              <tr>
                <td data-label={t.business}>
                  <a href={`/businesses/${b.id}`} safe>
                    {b.name}
                  </a>
                  {b.exportOriented ? (
                    <>
                      {' '}
                      <span class="tag" safe>
                        {say(ctx, 'ekspor', 'export')}
                      </span>
                    </>
                  ) : (
                    ''
                  )}
                  {b.certified ? (
                    <>
                      {' '}
                      <span class="tag tag-done" safe>
                        {say(ctx, 'bersertifikat', 'certified')}
                      </span>
                    </>
                  ) : (
                    ''
                  )}
                </td>
                <td data-label="NIB" safe>
                  {b.nib}
                </td>
                <td data-label="KBLI" safe>
                  {b.kbli}
                </td>
                <td data-label={t.region} safe>
                  {b.regionName}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.next ? (
        <nav class="pager" aria-label={t.page}>
          {props.query.cursor ? (
            <a href={`/businesses?${queryString({ ...props.query, cursor: undefined })}`} safe>
              {say(ctx, '← Halaman pertama', '← First page')}
            </a>
          ) : (
            ''
          )}
          <a href={`/businesses?${queryString(props.query, { cursor: props.next })}`} rel="next" safe>
            {`${t.next} →`}
          </a>
        </nav>
      ) : (
        ''
      )}
    </div>
  );
}

function RegistryPage(props: {
  ctx: PageContext;
  choices: OfficeChoices;
  office: OfficeChoice | null;
  query: ListQuery;
  results: JSX.Element;
}) {
  const { ctx, query } = props;
  const { t } = ctx;
  const yesNo = (name: 'exportOriented' | 'certified', label: string) => (
    <SelectField
      ctx={ctx}
      name={name}
      label={label}
      empty={say(ctx, 'Semua', 'Any')}
      value={query[name]}
      options={yesNoOptions(ctx)}
    />
  );
  return (
    <Layout ctx={ctx} title={t.navRegistry}>
      <h1 safe>{t.navRegistry}</h1>
      {props.office ? <OfficePicker ctx={ctx} choice={props.office} action="/businesses" /> : ''}
      <p>
        <a
          class="button"
          href={props.office?.chosen ? `/businesses/new?officeId=${props.office.chosen.id}` : '/businesses/new'}
          safe
        >
          {say(ctx, 'Tambah usaha', 'Add a business')}
        </a>{' '}
        <a
          class="button button-secondary"
          href={props.office?.chosen ? `/businesses/import?officeId=${props.office.chosen.id}` : '/businesses/import'}
          safe
        >
          {say(ctx, 'Impor CSV', 'Import a CSV')}
        </a>
      </p>
      <form
        method="get"
        action="/businesses"
        class="filters"
        role="search"
        hx-get="/businesses"
        hx-trigger="input changed delay:300ms from:#f-q, change"
        hx-target="#results"
        hx-select="#results"
        hx-swap="outerHTML"
        hx-push-url="true"
      >
        <ChosenOffice choice={props.office} />
        <div class="field">
          <label for="f-q" safe>
            {say(ctx, 'Cari nama atau NIB', 'Search name or NIB')}
          </label>
          <input id="f-q" name="q" type="search" value={query.q ?? ''} autocomplete="off" />
        </div>
        <RegionField ctx={ctx} choices={props.choices} value={query.regionCode} empty={t.allRegions} />
        <div class="field">
          <label for="f-kbli">KBLI</label>
          <input id="f-kbli" name="kbli" value={query.kbli ?? ''} inputmode="numeric" />
        </div>
        <SentraField
          ctx={ctx}
          choices={props.choices}
          value={query.sentraId}
          empty={say(ctx, 'Semua sentra', 'All sentra')}
        />
        {yesNo('exportOriented', say(ctx, 'Berorientasi ekspor', 'Export-oriented'))}
        {yesNo('certified', say(ctx, 'Bersertifikat', 'Certified'))}
        <button type="submit" class="button button-secondary" safe>
          {t.filter}
        </button>
      </form>
      {props.results}
    </Layout>
  );
}

/** The form's fields as the API's JSON body; empty optional fields are left out (create) or cleared (edit). */
function bodyOf(form: Record<string, string | undefined>, editing: boolean) {
  const text = (name: string) => (form[name] ?? '').trim();
  const optional = (name: string) => (text(name) ? text(name) : editing ? null : undefined);
  const workers = text('workers');
  return {
    name: text('name'),
    ownerName: text('ownerName'),
    nib: text('nib'),
    kbli: text('kbli'),
    regionCode: text('regionCode'),
    address: optional('address'),
    phone: optional('phone'),
    email: optional('email'),
    products: text('products')
      .split(/[,;|]/)
      .map((p) => p.trim())
      .filter(Boolean),
    // A number the API checks; text that is no number is sent as is, so the API names the field.
    workers: workers === '' ? (editing ? null : undefined) : /^-?\d+$/.test(workers) ? Number(workers) : workers,
    exportOriented: form.exportOriented === 'true',
    sentraId: text('sentraId') || null,
    preferredLanguage: form.preferredLanguage === 'en' ? 'en' : 'id',
  };
}

function BusinessForm(props: {
  ctx: PageContext;
  choices: OfficeChoices;
  action: string;
  values: Record<string, string | undefined>;
  problem: Problem | null;
  title: string;
  /** A new business's office as an administrator chooses it; null when editing or for an officer or manager. */
  office?: OfficeChoice | null;
}) {
  const { ctx, values } = props;
  const issues: FieldIssue[] = props.problem?.errors ?? [];
  return (
    <Layout ctx={ctx} title={props.title}>
      <div class="narrow">
        <ErrorSummary ctx={ctx} detail={props.problem?.detail} issues={issues} />
        <h1 safe>{props.title}</h1>
        {props.office ? <OfficePicker ctx={ctx} choice={props.office} action={props.action} /> : ''}
        {props.office && !props.office.chosen ? (
          ''
        ) : (
          <form method="post" action={props.action} novalidate data-once>
            <FormGuards ctx={ctx} idempotencyKey={formKey()} />
            <ChosenOffice choice={props.office ?? null} />
            <Field name="name" label={say(ctx, 'Nama usaha', 'Business name')} value={values.name} issues={issues} />
            <Field
              name="ownerName"
              label={say(ctx, 'Nama pemilik', 'Owner')}
              value={values.ownerName}
              issues={issues}
            />
            <Field
              name="nib"
              label="NIB"
              hint={say(ctx, '13 digit dari OSS', '13 digits from OSS')}
              value={values.nib}
              issues={issues}
              inputmode="numeric"
            />
            <Field
              name="kbli"
              label="KBLI"
              hint={say(ctx, '5 digit', '5 digits')}
              value={values.kbli}
              issues={issues}
              inputmode="numeric"
            />
            <RegionField ctx={ctx} choices={props.choices} value={values.regionCode} issues={issues} />
            <Field name="address" label={say(ctx, 'Alamat', 'Address')} value={values.address} issues={issues} />
            <Field
              name="phone"
              label={say(ctx, 'Telepon / WhatsApp', 'Phone / WhatsApp')}
              type="tel"
              value={values.phone}
              issues={issues}
            />
            <Field name="email" label="Email" type="email" value={values.email} issues={issues} />
            <Field
              name="products"
              label={say(ctx, 'Produk', 'Products')}
              hint={say(ctx, 'Dipisah koma', 'Comma-separated')}
              value={values.products}
              issues={issues}
            />
            <Field
              name="workers"
              label={say(ctx, 'Tenaga kerja', 'Workers')}
              value={values.workers}
              issues={issues}
              inputmode="numeric"
            />
            <SentraField ctx={ctx} choices={props.choices} value={values.sentraId} issues={issues} empty="—" />
            <div class="checkbox">
              <input
                type="checkbox"
                id="f-exportOriented"
                name="exportOriented"
                value="true"
                checked={values.exportOriented === 'true'}
              />
              <label for="f-exportOriented" safe>
                {say(ctx, 'Berorientasi ekspor', 'Export-oriented')}
              </label>
            </div>
            <SelectField
              ctx={ctx}
              name="preferredLanguage"
              label={say(ctx, 'Bahasa pemberitahuan', 'Language of notifications')}
              empty={null}
              value={values.preferredLanguage === 'en' ? 'en' : 'id'}
              issues={issues}
              options={[
                { value: 'id', label: 'Bahasa Indonesia' },
                { value: 'en', label: 'English' },
              ]}
            />
            <button type="submit" class="button" safe>
              {say(ctx, 'Simpan', 'Save')}
            </button>
          </form>
        )}
      </div>
    </Layout>
  );
}

const valuesOf = (b: BusinessView): Record<string, string | undefined> => ({
  name: b.name,
  ownerName: b.ownerName,
  nib: b.nib,
  kbli: b.kbli,
  regionCode: b.regionCode,
  address: b.address ?? '',
  phone: b.phone ?? '',
  email: b.email ?? '',
  products: b.products.join(', '),
  workers: b.workers === null ? '' : String(b.workers),
  exportOriented: String(b.exportOriented),
  sentraId: b.sentra?.id ?? '',
  preferredLanguage: b.preferredLanguage,
});

/** An enrolment as the API's list summarises it; the programme's name comes from the programmes. */
interface EnrolmentRow {
  id: string;
  programmeKey: string;
  year: number;
  status: string;
}

/** A certificate's state in words: in force, replaced by a later one, or withdrawn. */
const certificateStatuses: Record<string, [string, string]> = {
  valid: ['berlaku', 'valid'],
  superseded: ['sudah diganti', 'superseded'],
  revoked: ['dicabut', 'revoked'],
};

function BusinessPage(props: {
  ctx: PageContext;
  b: BusinessView;
  enrolments: EnrolmentRow[];
  programmeNames: Map<string, { id: string; en: string }>;
  invitation?: string;
}) {
  const { ctx, b } = props;
  const { t, lang } = ctx;
  return (
    <Layout ctx={ctx} title={b.name}>
      <p class="caption" safe>
        {t.navRegistry}
      </p>
      <h1 safe>{b.name}</h1>
      <p>
        <a href={`/businesses/${b.id}/edit`} safe>
          {say(ctx, 'Ubah data', 'Edit')}
        </a>
      </p>
      <dl class="summary">
        {summaryRow(say(ctx, 'Pemilik', 'Owner'), b.ownerName)}
        {summaryRow('NIB', b.nib)}
        {summaryRow('KBLI', b.kbli)}
        {summaryRow(t.region, `${b.regionName} (${b.regionCode})`)}
        {summaryRow(say(ctx, 'Alamat', 'Address'), b.address ?? '')}
        {summaryRow(say(ctx, 'Telepon', 'Phone'), b.phone ?? '')}
        {summaryRow('Email', b.email ?? '')}
        {summaryRow(say(ctx, 'Produk', 'Products'), b.products.join(', '))}
        {summaryRow(say(ctx, 'Tenaga kerja', 'Workers'), b.workers === null ? '' : String(b.workers))}
        {summaryRow('Sentra', b.sentra?.name ?? '')}
        {summaryRow(
          say(ctx, 'Berorientasi ekspor', 'Export-oriented'),
          b.exportOriented ? say(ctx, 'Ya', 'Yes') : say(ctx, 'Tidak', 'No'),
        )}
      </dl>
      <h2 safe>{say(ctx, 'Sertifikat', 'Certificates')}</h2>
      {b.certificates.length === 0 ? (
        <p safe>{say(ctx, 'Belum ada sertifikat.', 'No certificate yet.')}</p>
      ) : (
        <ul>
          {b.certificates.map((c) => (
            <li safe>
              {[
                props.programmeNames.get(c.kind)?.[lang] ?? c.kind,
                c.number,
                `${say(ctx, 'terbit', 'issued')} ${formatDate(c.issuedOn, lang)}`,
                c.scope,
                (certificateStatuses[c.status] ?? [c.status, c.status])[lang === 'id' ? 0 : 1],
              ].join(' · ')}
            </li>
          ))}
        </ul>
      )}
      <h2 safe>{say(ctx, 'Program yang diikuti', 'Enrolments')}</h2>
      {props.enrolments.length === 0 ? (
        <p safe>{say(ctx, 'Belum terdaftar di program apa pun.', 'Not enrolled in any programme.')}</p>
      ) : (
        <ul>
          {props.enrolments.map((e) => (
            <li>
              <a href={`/enrolments/${e.id}`} safe>
                {`${props.programmeNames.get(e.programmeKey)?.[lang] ?? e.programmeKey} ${e.year}`}
              </a>{' '}
              <strong class={`tag tag-${e.status}`} safe>
                {t.statuses[e.status] ?? e.status}
              </strong>
            </li>
          ))}
        </ul>
      )}
      <h2 safe>{say(ctx, 'Undangan untuk pemilik', "The owner's invitation")}</h2>
      {props.invitation ? (
        <div class="notice" role="status">
          <p safe>{say(ctx, 'Kirim tautan ini lewat WhatsApp atau email:', 'Send this link by WhatsApp or e-mail:')}</p>
          <p>
            <code id="invitation-link" safe>
              {props.invitation}
            </code>
          </p>
        </div>
      ) : (
        ''
      )}
      <form method="post" action={`/businesses/${b.id}/invite`} data-once>
        <FormGuards ctx={ctx} idempotencyKey={formKey()} />
        <button type="submit" class="button button-secondary" safe>
          {say(ctx, 'Buat tautan undangan', 'Make an invitation link')}
        </button>
      </form>
    </Layout>
  );
}

/** The CSV import, into the reader's office or, once chosen, the one an administrator acts for. */
function ImportPage(props: { ctx: PageContext; office: OfficeChoice | null }) {
  const { ctx, office } = props;
  return (
    <Layout ctx={ctx} title={say(ctx, 'Impor CSV', 'Import a CSV')}>
      <div class="narrow">
        <h1 safe>{say(ctx, 'Impor usaha dari CSV', 'Import businesses from a CSV')}</h1>
        <p safe>
          {say(
            ctx,
            'Kolom: nama, pemilik, nib, kbli, kode_wilayah (atau kode_bps), alamat, telepon, email, produk, tenaga_kerja, orientasi_ekspor, sentra. Usaha dengan NIB yang sudah ada diperbarui.',
            'Columns: name, owner_name, nib, kbli, region_code (or bps_code), address, phone, email, products, workers, export_oriented, sentra. A business whose NIB exists is updated.',
          )}
        </p>
        {office ? <OfficePicker ctx={ctx} choice={office} action="/businesses/import" /> : ''}
        {office && !office.chosen ? (
          ''
        ) : (
          <form
            id="import-form"
            data-action={`/api/v1/businesses/import${office?.chosen ? `?officeId=${office.chosen.id}` : ''}`}
            data-csrf={ctx.csrf}
            data-lang={ctx.lang}
          >
            <div class="field">
              <label for="f-file" safe>
                {say(ctx, 'Berkas CSV', 'CSV file')}
              </label>
              <input id="f-file" name="file" type="file" accept=".csv,text/csv" required />
            </div>
            <button type="submit" class="button" safe>
              {say(ctx, 'Impor', 'Import')}
            </button>
          </form>
        )}
        <div id="import-status" hidden>
          <label for="import-progress" safe>
            {say(ctx, 'Kemajuan impor', 'Import progress')}
          </label>
          <progress id="import-progress" max="100" value="0"></progress>
          <p id="import-counts" role="status" aria-live="polite"></p>
          <div id="import-rejected"></div>
        </div>
        <noscript>
          <p safe>
            {say(
              ctx,
              'Impor lewat halaman ini butuh JavaScript; tanpa itu, pakai npm run import -- berkas.csv.',
              'Importing on this page needs JavaScript; without it, use npm run import -- file.csv.',
            )}
          </p>
        </noscript>
      </div>
      {office && !office.chosen ? '' : <script src="/assets/import.js" defer></script>}
    </Layout>
  );
}

export default async function businessPages(app: FastifyInstance) {
  const guard = (request: FastifyRequest, reply: FastifyReply) =>
    staffOnly(request) ? null : reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);

  /** The kabupaten/kota and sentra of the office at hand: the reader's own, or the one an administrator chose. */
  const choicesOf = (request: FastifyRequest, office: OfficeChoice | null) =>
    office && !office.chosen ? noChoices : selectionChoices(app.db, request.principal!, office?.chosen?.id);

  async function newBusinessForm(
    request: FastifyRequest,
    reply: FastifyReply,
    named: unknown,
    values: Record<string, string | undefined>,
    problem: Problem | null,
    status = 200,
  ) {
    const ctx = request.pageContext(reply);
    const office = await officeChoiceOf(app, request, named);
    return html(
      reply,
      <BusinessForm
        ctx={ctx}
        choices={await choicesOf(request, office)}
        office={office}
        action="/businesses/new"
        values={values}
        problem={problem}
        title={say(ctx, 'Tambah usaha', 'Add a business')}
      />,
      status,
    );
  }

  app.get('/businesses', async (request, reply) => {
    if (guard(request, reply)) return reply;
    const query = listQuery.parse(request.query ?? {});
    const answer = await callApi<{ items: BusinessView[]; nextCursor: string | null }>(app, request, {
      method: 'GET',
      url: `/api/v1/businesses?${queryString(query)}&limit=25`,
    });
    const ctx = request.pageContext(reply);
    const results = (
      <Results
        ctx={ctx}
        items={answer.ok ? answer.body.items : []}
        next={answer.ok ? answer.body.nextCursor : null}
        query={query}
        problem={answer.problem}
      />
    );
    const office = await officeChoiceOf(app, request, query.officeId);
    return html(
      reply,
      <RegistryPage
        ctx={ctx}
        choices={await choicesOf(request, office)}
        office={office}
        query={query}
        results={results}
      />,
      answer.ok ? 200 : 400,
    );
  });

  app.get('/businesses/new', async (request, reply) => {
    if (guard(request, reply)) return reply;
    return newBusinessForm(request, reply, (request.query as { officeId?: unknown }).officeId, {}, null);
  });

  app.post('/businesses/new', async (request, reply) => {
    if (guard(request, reply)) return reply;
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const answer = await callApi<BusinessView>(app, request, {
      method: 'POST',
      url: '/api/v1/businesses',
      body: { ...bodyOf(form, false), officeId: postedOffice(form) },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.problem?.type === inProgressType) return reply.redirect('/businesses', 303);
    if (answer.ok) return reply.redirect(`/businesses/${answer.body.id}`, 303);
    return newBusinessForm(request, reply, form.officeId, form, answer.problem, answer.status);
  });

  app.get('/businesses/import', async (request, reply) => {
    if (guard(request, reply)) return reply;
    const office = await officeChoiceOf(app, request, (request.query as { officeId?: unknown }).officeId);
    return html(reply, <ImportPage ctx={request.pageContext(reply)} office={office} />);
  });

  async function loadBusiness(request: FastifyRequest, id: string) {
    const answer = await callApi<BusinessView>(app, request, {
      method: 'GET',
      url: `/api/v1/businesses/${encodeURIComponent(id)}`,
    });
    if (!answer.ok) throw failedAnswer(answer);
    return answer.body;
  }

  async function showBusiness(request: FastifyRequest, reply: FastifyReply, id: string, invitation?: string) {
    const b = await loadBusiness(request, id);
    const [enrolments, programmeRows] = await Promise.all([
      callApi<{ items: EnrolmentRow[] }>(app, request, {
        method: 'GET',
        url: `/api/v1/enrolments?businessId=${b.id}&limit=50`,
      }),
      programmeNames(app.db),
    ]);
    return html(
      reply,
      <BusinessPage
        ctx={request.pageContext(reply)}
        b={b}
        enrolments={enrolments.ok ? enrolments.body.items : []}
        programmeNames={new Map(programmeRows.map((p) => [p.key, p.name]))}
        invitation={invitation}
      />,
    );
  }

  app.get<{ Params: { id: string } }>('/businesses/:id', async (request, reply) => {
    if (guard(request, reply)) return reply;
    return showBusiness(request, reply, request.params.id);
  });

  app.post<{ Params: { id: string } }>('/businesses/:id/invite', async (request, reply) => {
    if (guard(request, reply)) return reply;
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const answer = await callApi<{ invitation: { url: string } }>(app, request, {
      method: 'POST',
      url: `/api/v1/businesses/${encodeURIComponent(request.params.id)}/invitations`,
      body: {},
      idempotencyKey: form.idempotencyKey,
    });
    if (!answer.ok) throw failedAnswer(answer);
    return showBusiness(request, reply, request.params.id, `${originOf(request)}${answer.body.invitation.url}`);
  });

  app.get<{ Params: { id: string } }>('/businesses/:id/edit', async (request, reply) => {
    if (guard(request, reply)) return reply;
    const b = await loadBusiness(request, request.params.id);
    const ctx = request.pageContext(reply);
    const choices = await selectionChoices(app.db, request.principal!, b.officeId);
    return html(
      reply,
      <BusinessForm
        ctx={ctx}
        choices={choices}
        action={`/businesses/${b.id}/edit`}
        values={valuesOf(b)}
        problem={null}
        title={b.name}
      />,
    );
  });

  app.post<{ Params: { id: string } }>('/businesses/:id/edit', async (request, reply) => {
    if (guard(request, reply)) return reply;
    const id = request.params.id;
    const form = (request.body ?? {}) as Record<string, string | undefined>;
    const answer = await callApi<BusinessView>(app, request, {
      method: 'PATCH',
      url: `/api/v1/businesses/${encodeURIComponent(id)}`,
      body: bodyOf(form, true),
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(`/businesses/${id}`, 303);
    const ctx = request.pageContext(reply);
    // An administrator edits in the business's office; officers and managers in their own.
    const officeId = request.principal!.officeId ? undefined : (await loadBusiness(request, id)).officeId;
    const choices = await selectionChoices(app.db, request.principal!, officeId);
    return html(
      reply,
      <BusinessForm
        ctx={ctx}
        choices={choices}
        action={`/businesses/${id}/edit`}
        values={form}
        problem={answer.problem}
        title={form.name || id}
      />,
      answer.status,
    );
  });
}
