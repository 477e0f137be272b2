// The year's quotas of an office: places per programme (office-wide or for one kabupaten/kota), how many are used and
// free and how many wait; managers set a new quota and raise or lower one there. Reads and writes go through
// services/quota-settings.ts (the writes by way of the JSON routes, for their validation, idempotency and audit), so
// the page and the API set quotas in one way.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { forbidden, type FieldIssue } from '../../domain/errors.js';
import { getQuota, listQuotas, quotaChoices, type QuotaView } from '../../services/quota-settings.js';
import type { Problem } from '../problem.js';
import { inProgressType } from '../plugins/idempotency.js';
import { formatDate } from './i18n.js';
import { ErrorSummary, Field, FormGuards, Layout, SelectField, type PageContext, say } from './layout.js';
import { officeChoiceOf, OfficePicker, type OfficeChoice } from './office-fields.js';
import { callApi, formKey, html, staffOnly } from './session.js';

type Choices = Awaited<ReturnType<typeof quotaChoices>>;

/** A refused form, with what was typed. */
interface Refusal {
  problem: Problem;
  values: Record<string, string>;
}

/** A quota's area: its kabupaten/kota, or the whole office. */
const areaName = (ctx: PageContext, choices: Choices, regionCode: string | null) =>
  regionCode
    ? (choices.regions.find((r) => r.code === regionCode)?.name ?? regionCode)
    : say(ctx, 'Seluruh kantor', 'Whole office');

const mayChange = (ctx: PageContext) => ctx.principal?.role === 'manager' || ctx.principal?.role === 'admin';

const termNames = ['placesLimit', 'poolingDate', 'dailyCapPerAssistant'] as const;

/** What was typed in these fields of a posted form, each '' when absent. */
const typed = <K extends string>(form: Record<string, string>, names: readonly K[]) =>
  Object.fromEntries(names.map((n) => [n, form[n] ?? ''])) as Record<K, string>;

/** A number the API checks; anything else goes as typed, so the API names the field. */
const numberOrTyped = (value: string | undefined) => {
  const typed = (value ?? '').trim();
  return /^\d+$/.test(typed) ? Number(typed) : typed;
};

/** The terms a quota is set with and changed by: its places, its pooling date and the daily cap per assistant. */
function TermsFields(props: {
  ctx: PageContext;
  values: Record<string, string>;
  issues: FieldIssue[];
  placesHint?: string;
}) {
  const { ctx, values, issues } = props;
  return (
    <>
      <Field
        name="placesLimit"
        label={say(ctx, 'Jumlah tempat', 'Places')}
        {...(props.placesHint ? { hint: props.placesHint } : {})}
        inputmode="numeric"
        value={values.placesLimit}
        issues={issues}
      />
      <Field
        name="poolingDate"
        type="date"
        label={say(ctx, 'Tanggal pooling (tidak wajib)', 'Pooling date (optional)')}
        hint={say(
          ctx,
          'Mulai tanggal ini, tempat yang belum terpakai melayani seluruh kantor.',
          'From this date the unused places serve the whole office.',
        )}
        value={values.poolingDate}
        issues={issues}
      />
      <Field
        name="dailyCapPerAssistant"
        label={say(
          ctx,
          'Batas verifikasi per pendamping per hari (tidak wajib)',
          'Verifications per assistant a day (optional)',
        )}
        inputmode="numeric"
        value={values.dailyCapPerAssistant}
        issues={issues}
      />
    </>
  );
}

/** One quota and the form that changes it: one form a page, so each field's label and error are its own. */
function ChangePage(props: {
  ctx: PageContext;
  quota: QuotaView;
  names: { programme: string; area: string };
  here: string;
  refusal: Refusal | undefined;
}) {
  const { ctx, quota } = props;
  const issues = props.refusal?.problem.errors ?? [];
  const values = props.refusal?.values ?? {
    placesLimit: String(quota.placesLimit),
    poolingDate: quota.poolingDate ?? '',
    dailyCapPerAssistant: quota.dailyCapPerAssistant === null ? '' : String(quota.dailyCapPerAssistant),
  };
  const title = `${say(ctx, 'Ubah kuota', 'Change a quota')}: ${props.names.programme} ${quota.year}`;
  return (
    <Layout ctx={ctx} title={title}>
      <p>
        <a href={`/quotas${props.here}#quota-${quota.id}`} safe>
          {say(ctx, '← Semua kuota', '← All quotas')}
        </a>
      </p>
      <h1 safe>{title}</h1>
      <dl class="summary">
        <dt safe>{say(ctx, 'Wilayah', 'Area')}</dt>
        <dd safe>{props.names.area}</dd>
        <dt safe>{say(ctx, 'Terpakai', 'Used')}</dt>
        <dd safe>{`${quota.placesUsed} / ${quota.placesLimit}`}</dd>
        <dt safe>{say(ctx, 'Menunggu', 'Waiting')}</dt>
        <dd safe>{String(quota.waitlisted)}</dd>
      </dl>
      <form method="post" action={`/quotas/${quota.id}${props.here}`} class="panel narrow" novalidate data-once>
        <ErrorSummary ctx={ctx} detail={props.refusal?.problem.detail} issues={issues} />
        <FormGuards ctx={ctx} idempotencyKey={formKey()} />
        <TermsFields
          ctx={ctx}
          values={values}
          issues={issues}
          placesHint={say(
            ctx,
            `Tidak bisa kurang dari yang terpakai (${quota.placesUsed}); menambah langsung menaikkan yang menunggu.`,
            `Never below those in use (${quota.placesUsed}); a raise promotes those waiting at once.`,
          )}
        />
        <button type="submit" class="button" safe>
          {say(ctx, 'Simpan', 'Save')}
        </button>
      </form>
    </Layout>
  );
}

function NewQuotaForm(props: {
  ctx: PageContext;
  choices: Choices;
  year: number;
  here: string;
  refusal: Refusal | undefined;
}) {
  const { ctx, choices } = props;
  const refused = props.refusal;
  const issues = refused?.problem.errors ?? [];
  const values = refused?.values ?? { year: String(props.year) };
  return (
    <form method="post" action={`/quotas${props.here}`} class="panel narrow" novalidate data-once>
      <h2 id="new-quota" safe>
        {say(ctx, 'Kuota baru', 'New quota')}
      </h2>
      <ErrorSummary ctx={ctx} detail={refused?.problem.detail} issues={issues} />
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <SelectField
        ctx={ctx}
        name="programmeKey"
        label={say(ctx, 'Program', 'Programme')}
        value={values.programmeKey}
        issues={issues}
        options={choices.programmes.map((p) => ({ value: p.key, label: p.name[ctx.lang] }))}
      />
      <Field name="year" label={say(ctx, 'Tahun', 'Year')} inputmode="numeric" value={values.year} issues={issues} />
      <SelectField
        ctx={ctx}
        name="regionCode"
        label={say(ctx, 'Wilayah', 'Area')}
        value={values.regionCode}
        issues={issues}
        empty={say(ctx, `Seluruh kantor (${choices.office.name})`, `The whole office (${choices.office.name})`)}
        options={choices.regions.map((r) => ({ value: r.code, label: r.name }))}
      />
      <TermsFields ctx={ctx} values={values} issues={issues} />
      <button type="submit" class="button" safe>
        {say(ctx, 'Tetapkan kuota', 'Set the quota')}
      </button>
    </form>
  );
}

/** An administrator's page before they choose the office whose quotas it shows: the choice alone. */
function ChooseOfficePage(props: { ctx: PageContext; office: OfficeChoice }) {
  const title = say(props.ctx, 'Kuota', 'Quotas');
  return (
    <Layout ctx={props.ctx} title={title}>
      <h1 safe>{title}</h1>
      <OfficePicker ctx={props.ctx} choice={props.office} action="/quotas" />
    </Layout>
  );
}

function QuotaPage(props: {
  ctx: PageContext;
  year: number;
  /** An administrator's choice of office, made; null for staff of an office. */
  office: OfficeChoice | null;
  choices: Choices;
  quotas: QuotaView[];
  refusal: Refusal | undefined;
}) {
  const { ctx, year, choices, office } = props;
  const { lang } = ctx;
  // An administrator's choice of office rides along in every link and form of the page.
  const query = (y: number) => `?year=${y}${office ? `&officeId=${choices.office.id}` : ''}`;
  const programmeName = new Map(choices.programmes.map((p) => [p.key, p.name[lang]]));
  const title = `${say(ctx, 'Kuota', 'Quotas')} ${year}`;
  const headers = [
    say(ctx, 'Program', 'Programme'),
    say(ctx, 'Wilayah', 'Area'),
    say(ctx, 'Tempat', 'Places'),
    say(ctx, 'Terpakai', 'Used'),
    say(ctx, 'Sisa', 'Free'),
    say(ctx, 'Menunggu', 'Waiting'),
    say(ctx, 'Pooling', 'Pooling'),
    say(ctx, 'Batas harian pendamping', 'Daily cap per assistant'),
  ];
  return (
    <Layout ctx={ctx} title={title}>
      <h1 safe>{title}</h1>
      {office ? (
        <OfficePicker ctx={ctx} choice={office} action="/quotas" />
      ) : (
        <p class="muted" safe>
          {choices.office.name}
        </p>
      )}
      <nav class="pager" aria-label={say(ctx, 'Tahun', 'Year')}>
        <a href={`/quotas${query(year - 1)}`} safe>{`← ${year - 1}`}</a>
        <a href={`/quotas${query(year + 1)}`} safe>{`${year + 1} →`}</a>
      </nav>
      {props.quotas.length === 0 ? (
        <p safe>{say(ctx, `Belum ada kuota untuk ${year}.`, `No quotas for ${year} yet.`)}</p>
      ) : (
        <table class="table">
          <caption class="visually-hidden" safe>
            {title}
          </caption>
          <thead>
            <tr>
              {headers.map((h) => (
                <th scope="col" safe>
                  {h}
                </th>
              ))}
              {mayChange(ctx) ? (
                <th scope="col" safe>
                  {say(ctx, 'Tindakan', 'Actions')}
                </th>
              ) : (
                ''
              )}
            </tr>
          </thead>
          <tbody>
            {props.quotas.map((q) => (
              <tr id={`quota-${q.id}`}>
                <td data-label={headers[0]} safe>
                  {programmeName.get(q.programmeKey) ?? q.programmeKey}
                </td>
                <td data-label={headers[1]} safe>
                  {areaName(ctx, choices, q.regionCode)}
                </td>
                <td data-label={headers[2]} class="num" safe>
                  {String(q.placesLimit)}
                </td>
                <td data-label={headers[3]} class="num" safe>
                  {String(q.placesUsed)}
                </td>
                <td data-label={headers[4]} class="num">
                  <span class={q.placesFree === 0 ? 'tag tag-amber' : ''} safe>
                    {String(q.placesFree)}
                  </span>
                </td>
                <td data-label={headers[5]} class="num" safe>
                  {String(q.waitlisted)}
                </td>
                <td data-label={headers[6]} safe>
                  {q.poolingDate
                    ? `${formatDate(q.poolingDate, lang)}${q.pooled ? say(ctx, ' (berlaku)', ' (in force)') : ''}`
                    : '–'}
                </td>
                <td data-label={headers[7]} class="num" safe>
                  {q.dailyCapPerAssistant === null ? '–' : String(q.dailyCapPerAssistant)}
                </td>
                {mayChange(ctx) ? (
                  <td data-label={say(ctx, 'Tindakan', 'Actions')}>
                    <a href={`/quotas/${q.id}${query(q.year)}`} safe>
                      {say(ctx, 'Ubah', 'Change')}
                    </a>
                  </td>
                ) : (
                  ''
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mayChange(ctx) ? (
        <NewQuotaForm ctx={ctx} choices={choices} year={year} here={query(year)} refusal={props.refusal} />
      ) : (
        ''
      )}
    </Layout>
  );
}

const query = z.object({
  year: z.coerce.number().int().min(2020).max(2100).optional().catch(undefined),
  officeId: z.uuid().optional().catch(undefined),
});

export default async function quotaPages(app: FastifyInstance) {
  async function show(request: FastifyRequest, reply: FastifyReply, refusal?: Refusal, status = 200) {
    const principal = request.principal!;
    const q = query.parse(request.query);
    const office = await officeChoiceOf(app, request, q.officeId);
    if (office && !office.chosen)
      return html(reply, <ChooseOfficePage ctx={request.pageContext(reply)} office={office} />);
    const choices = await quotaChoices(app.db, principal, office?.chosen?.id);
    const year = q.year ?? DateTime.now().setZone(choices.office.timeZone).year;
    const quotas = await listQuotas(app.db, principal, { year, officeId: choices.office.id });
    return html(
      reply,
      <QuotaPage
        ctx={request.pageContext(reply)}
        year={year}
        office={office}
        choices={choices}
        quotas={quotas}
        refusal={refusal}
      />,
      status,
    );
  }

  async function showChange(request: FastifyRequest, reply: FastifyReply, id: string, refusal?: Refusal, status = 200) {
    const principal = request.principal!;
    const ctx = request.pageContext(reply);
    if (!mayChange(ctx)) throw forbidden(say(ctx, 'Hanya manajer yang mengubah kuota', 'Only managers change quotas'));
    const quota = await getQuota(app.db, principal, id);
    const choices = await quotaChoices(app.db, principal, quota.officeId);
    const programme = choices.programmes.find((p) => p.key === quota.programmeKey)?.name[ctx.lang];
    const here = `?year=${quota.year}${principal.role === 'admin' ? `&officeId=${quota.officeId}` : ''}`;
    return html(
      reply,
      <ChangePage
        ctx={ctx}
        quota={quota}
        names={{ programme: programme ?? quota.programmeKey, area: areaName(ctx, choices, quota.regionCode) }}
        here={here}
        refusal={refusal}
      />,
      status,
    );
  }

  /** The page of the year a write concerned (else the year it was sent from), in the same office. */
  const back = (request: FastifyRequest, year: unknown) => {
    const q = query.parse(request.query);
    const params = new URLSearchParams();
    const shown = typeof year === 'number' ? year : q.year;
    if (shown) params.set('year', String(shown));
    if (q.officeId) params.set('officeId', q.officeId);
    return `/quotas?${params.toString()}`;
  };

  app.get('/quotas', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect('/login?next=/quotas', 303);
    return show(request, reply);
  });

  app.post('/quotas', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect('/login', 303);
    const form = (request.body ?? {}) as Record<string, string>;
    const values = typed(form, ['programmeKey', 'year', 'regionCode', ...termNames]);
    const officeId = query.parse(request.query).officeId;
    const year = numberOrTyped(values.year);
    const answer = await callApi(app, request, {
      method: 'POST',
      url: '/api/v1/quotas',
      body: {
        programmeKey: values.programmeKey,
        year,
        placesLimit: numberOrTyped(values.placesLimit),
        ...(values.regionCode ? { regionCode: values.regionCode } : {}),
        ...(values.poolingDate ? { poolingDate: values.poolingDate } : {}),
        ...(values.dailyCapPerAssistant ? { dailyCapPerAssistant: numberOrTyped(values.dailyCapPerAssistant) } : {}),
        ...(request.principal?.role === 'admin' && officeId ? { officeId } : {}),
      },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(back(request, year), 303);
    // An officer sees no form to refuse beside: the page says what the API said.
    if (answer.status === 403) throw forbidden(answer.problem!.detail);
    return show(request, reply, { problem: answer.problem!, values }, answer.status);
  });

  app.get<{ Params: { id: string } }>('/quotas/:id', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    if (!z.uuid().safeParse(request.params.id).success) return reply.callNotFound();
    return showChange(request, reply, request.params.id);
  });

  app.post<{ Params: { id: string } }>('/quotas/:id', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect('/login', 303);
    const id = request.params.id;
    if (!z.uuid().safeParse(id).success) return reply.callNotFound();
    const form = (request.body ?? {}) as Record<string, string>;
    const values = typed(form, termNames);
    // An emptied optional field clears it.
    const answer = await callApi<{ year: number }>(app, request, {
      method: 'PATCH',
      url: `/api/v1/quotas/${id}`,
      body: {
        placesLimit: numberOrTyped(values.placesLimit),
        poolingDate: values.poolingDate || null,
        dailyCapPerAssistant: values.dailyCapPerAssistant ? numberOrTyped(values.dailyCapPerAssistant) : null,
      },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.status === 404) return reply.callNotFound();
    if (answer.status === 403) throw forbidden(answer.problem!.detail);
    if (answer.ok) return reply.redirect(`${back(request, answer.body.year)}#quota-${id}`, 303);
    if (answer.problem?.type === inProgressType) return reply.redirect(back(request, undefined), 303);
    return showChange(request, reply, id, { problem: answer.problem!, values }, answer.status);
  });
}
