// The office's visit plans: each plan's recurrence in words, team, status and next dates, with pause / resume, a
// backfill of missed months and a change of the plan, and a form for a new plan. Each form posts through the JSON route
// in-process (callApi) with the form's idempotency key, so a double submit acts once; a refusal (an empty name, a team
// member of another office, a bad month, the scheduler unreachable) comes back as the page again with the reason beside
// the field or form that asked, the typed values kept, and nothing changed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import type { Recurrence } from '../../domain/visit-recurrence.js';
import { officeStaff, type StaffMember } from '../../services/case-assignment.js';
import type { listVisitPlans } from '../../services/visits/plans.js';
import { inProgressType } from '../plugins/idempotency.js';
import type { Problem } from '../problem.js';
import { formatDate } from './i18n.js';
import {
  CheckboxGroup,
  ErrorLine,
  ErrorSummary,
  FormGuards,
  issueFor,
  Layout,
  type PageContext,
  say,
  flowingRow,
} from './layout.js';
import {
  chosenOfficeQuery,
  ChosenOffice,
  officeChoiceOf,
  OfficePicker,
  siteChoicesOf,
  type SiteChoice,
  postedOffice,
  type OfficeChoice,
} from './office-fields.js';
import { awayUnlessStaff, callApi, failedAnswer, formKey, html, type ApiAnswer } from './session.js';

type PlanItem = Awaited<ReturnType<typeof listVisitPlans>>[number];

/** What a plan form holds, as typed: every recurrence kind's parameters, only the chosen kind's being sent. */
interface PlanFormValues {
  name: string;
  place: string;
  kind: string;
  times: string;
  weekday: string;
  nth: string[];
  min: string;
  max: string;
  teamUserIds: string[];
  siteIds: string[];
}

/** The form a refusal belongs to (planId null: the new plan's), and what was typed in it. */
type Refusal = { planId: string | null; problem: Problem } & (
  | { form: 'status' }
  | { form: 'backfill'; values: { from: string; to: string } }
  | { form: 'plan'; values: PlanFormValues }
);

const weekdays = {
  id: ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
};
const englishOrdinal = (n: number) => `${n}${['th', 'st', 'nd', 'rd'][n] ?? 'th'}`;
const englishTimes = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

/** "2 kali sebulan", "Kamis ke-2 dan ke-4 setiap bulan" / "twice a month", "the 2nd and 4th Thursday of each month". */
export function recurrenceInWords(rule: Recurrence, lang: PageContext['lang']): string {
  switch (rule.kind) {
    case 'times_per_month':
      return lang === 'id' ? `${rule.times} kali sebulan` : `${englishTimes(rule.times)} a month`;
    case 'range_per_month':
      return lang === 'id' ? `${rule.min}–${rule.max} kali sebulan` : `${rule.min}–${rule.max} times a month`;
    case 'nth_weekday': {
      const day = weekdays[lang][rule.weekday - 1]!;
      const nths = [...new Set(rule.nth)].sort((a, b) => (a === -1 ? 1 : b === -1 ? -1 : a - b));
      const joined = (parts: string[], and: string) =>
        parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} ${and} ${parts[parts.length - 1]}`;
      return lang === 'id'
        ? `${day} ${joined(
            nths.map((n) => (n === -1 ? 'terakhir' : `ke-${n}`)),
            'dan',
          )} setiap bulan`
        : `the ${joined(
            nths.map((n) => (n === -1 ? 'last' : englishOrdinal(n))),
            'and',
          )} ${day} of each month`;
    }
    default:
      throw new RangeError(`unknown recurrence: ${JSON.stringify(rule satisfies never)}`);
  }
}

const kinds = ['times_per_month', 'nth_weekday', 'range_per_month'] as const;
const kindLabels = {
  times_per_month: ['n kali sebulan, pada hari tetap', 'n times a month, on fixed days'],
  nth_weekday: ['hari tertentu minggu ke-n', 'a weekday of chosen weeks'],
  range_per_month: ['antara min dan max kali sebulan', 'between min and max times a month'],
} as const;
const nthChoices = [
  { value: '1', id: 'ke-1', en: '1st' },
  { value: '2', id: 'ke-2', en: '2nd' },
  { value: '3', id: 'ke-3', en: '3rd' },
  { value: '4', id: 'ke-4', en: '4th' },
  { value: '-1', id: 'terakhir', en: 'last' },
];

/** A plan's values as its change form shows them. */
function valuesOf(plan: PlanItem): PlanFormValues {
  const r = plan.recurrence;
  return {
    name: plan.name,
    place: plan.place,
    kind: r.kind,
    times: r.kind === 'times_per_month' ? String(r.times) : '',
    weekday: r.kind === 'nth_weekday' ? String(r.weekday) : '',
    nth: r.kind === 'nth_weekday' ? r.nth.map(String) : [],
    min: r.kind === 'range_per_month' ? String(r.min) : '',
    max: r.kind === 'range_per_month' ? String(r.max) : '',
    teamUserIds: plan.teamUserIds,
    siteIds: plan.siteIds,
  };
}

const emptyPlan: PlanFormValues = {
  name: '',
  place: '',
  kind: 'times_per_month',
  times: '2',
  weekday: '',
  nth: [],
  min: '',
  max: '',
  teamUserIds: [],
  siteIds: [],
};

/** The one message for exactly this path (the kind's, not its parameters'). */
const issueAt = (issues: Problem['errors'], path: string) =>
  issues?.find((i) => i.path === `body.${path}` || i.path === path)?.message;

/** A labelled field of one of the page's forms, its error beside it; the prefix keeps ids apart between forms. */
function FieldFrame(props: { id: string; label: string; error: string | undefined; children: JSX.Element }) {
  return (
    <div class={props.error ? 'field field-error' : 'field'}>
      <label for={props.id} safe>
        {props.label}
      </label>
      <ErrorLine id={props.id} error={props.error} />
      {props.children}
    </div>
  );
}

function TextInput(props: {
  prefix: string;
  name: string;
  label: string;
  value: string;
  error: string | undefined;
  inputmode?: 'numeric';
  type?: 'text' | 'month';
}) {
  const id = `${props.prefix}-${props.name}`;
  return (
    <FieldFrame id={id} label={props.label} error={props.error}>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        placeholder={props.type === 'month' ? 'YYYY-MM' : undefined}
        value={props.value}
        inputmode={props.inputmode}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
      />
    </FieldFrame>
  );
}

function SelectInput(props: {
  prefix: string;
  name: string;
  label: string;
  error: string | undefined;
  options: { value: string; label: string; selected: boolean }[];
  /** Marks the select whose value web/app.js reads to show the chosen recurrence kind's fields. */
  kindChoice?: boolean;
}) {
  const id = `${props.prefix}-${props.name}`;
  return (
    <FieldFrame id={id} label={props.label} error={props.error}>
      <select
        id={id}
        name={props.name}
        aria-describedby={props.error ? `${id}-error` : undefined}
        data-kind-choice={props.kindChoice ? '' : undefined}
      >
        {props.options.map((o) => (
          <option value={o.value} selected={o.selected} safe>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** The new plan's form (planId null) or one plan's change form: name, place, recurrence, team and sites. */
function PlanForm(props: {
  ctx: PageContext;
  planId: string | null;
  values: PlanFormValues;
  problem: Problem | null;
  staff: StaffMember[];
  sites: SiteChoice[];
  /** The office an administrator chose: the new plan's, and the one the page comes back for after the form. */
  office?: OfficeChoice | null;
}) {
  const { ctx, values } = props;
  const prefix = props.planId ? `f-plan-${props.planId.slice(0, 8)}` : 'f-new';
  const issues = props.problem?.errors ?? [];
  const field = (name: string) => issueFor(issues, name);
  const kindError = issueAt(issues, 'recurrence.kind') ?? issueAt(issues, 'recurrence');
  /** One of the form's text fields; the API names the recurrence's numbers under `recurrence.`. */
  const input = (name: 'name' | 'place' | 'times' | 'min' | 'max', label: string) => {
    const numeric = name !== 'name' && name !== 'place';
    return (
      <TextInput
        prefix={prefix}
        name={name}
        label={label}
        value={values[name]}
        error={field(numeric ? `recurrence.${name}` : name)}
        inputmode={numeric ? 'numeric' : undefined}
      />
    );
  };
  return (
    <form
      method="post"
      action={props.planId ? `/visits/plans/${props.planId}/change` : '/visits/plans'}
      class="subform"
      novalidate
      data-once
    >
      <h3 safe>{props.planId ? say(ctx, 'Ubah rencana', 'Change the plan') : say(ctx, 'Rencana baru', 'New plan')}</h3>
      {props.planId ? (
        <p class="hint" safe>
          {say(
            ctx,
            'Berlaku mulai bulan berikutnya; kunjungan yang sudah dibuat tetap pada hari, tempat dan timnya.',
            'From the next month on; visits already made keep their day, place and team.',
          )}
        </p>
      ) : (
        ''
      )}
      <ErrorSummary
        ctx={ctx}
        detail={props.problem && issues.length === 0 ? props.problem.detail : null}
        issues={issues.filter((i) => i.path === 'body.officeId')}
      />
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <ChosenOffice choice={props.office ?? null} />
      {input('name', say(ctx, 'Nama rencana', 'Name of the plan'))}
      {input('place', say(ctx, 'Tempat', 'Place'))}
      <SelectInput
        prefix={prefix}
        name="kind"
        label={say(ctx, 'Jadwal', 'Recurrence')}
        error={kindError}
        options={kinds.map((k) => ({
          value: k,
          label: say(ctx, kindLabels[k][0], kindLabels[k][1]),
          selected: values.kind === k,
        }))}
        kindChoice
      />
      {/* Each kind's parameters in its own group: web/app.js shows the chosen kind's only. */}
      <div data-kind="times_per_month">
        {input(
          'times',
          say(ctx, 'Berapa kali sebulan (n kali sebulan, 1–8)', 'How many times a month (n times a month, 1–8)'),
        )}
      </div>
      <div data-kind="nth_weekday">
        <SelectInput
          prefix={prefix}
          name="weekday"
          label={say(ctx, 'Hari (minggu ke-n)', 'Weekday (of chosen weeks)')}
          error={field('recurrence.weekday')}
          options={[
            { value: '', label: '—', selected: false },
            ...weekdays[ctx.lang].map((day, i) => ({
              value: String(i + 1),
              label: day,
              selected: values.weekday === String(i + 1),
            })),
          ]}
        />
        <CheckboxGroup
          prefix={prefix}
          name="nth"
          legend={say(ctx, 'Minggu ke berapa (minggu ke-n)', 'Which weeks (of chosen weeks)')}
          choices={nthChoices.map((c) => ({ value: c.value, label: ctx.lang === 'id' ? c.id : c.en }))}
          checked={values.nth}
          error={field('recurrence.nth')}
        />
      </div>
      <div data-kind="range_per_month">
        {input(
          'min',
          say(ctx, 'Paling sedikit sebulan (antara min dan max)', 'At least a month (between min and max)'),
        )}
        {input('max', say(ctx, 'Paling banyak sebulan (antara min dan max)', 'At most a month (between min and max)'))}
      </div>
      <CheckboxGroup
        prefix={prefix}
        name="teamUserIds"
        legend={say(ctx, 'Tim', 'Team')}
        choices={props.staff.map((m) => ({ value: m.id, label: m.name }))}
        checked={values.teamUserIds}
        error={field('teamUserIds')}
      />
      {props.sites.length > 0 ? (
        <CheckboxGroup
          prefix={prefix}
          name="siteIds"
          legend={say(ctx, 'Lokasi inventaris yang ditinjau (boleh kosong)', 'Sites of the inventory seen (optional)')}
          choices={props.sites.map((site) => ({ value: site.id, label: `${site.name} · ${site.regionName}` }))}
          checked={values.siteIds}
          error={field('siteIds')}
        />
      ) : (
        ''
      )}
      <button type="submit" class="button button-secondary" safe>
        {props.planId ? say(ctx, 'Simpan perubahan', 'Save the change') : say(ctx, 'Buat rencana', 'Create the plan')}
      </button>
    </form>
  );
}

function PlanSection(props: {
  ctx: PageContext;
  plan: PlanItem;
  refusal: Refusal | null;
  staff: StaffMember[];
  sites: SiteChoice[];
  office: OfficeChoice | null;
}) {
  const { ctx, plan } = props;
  const anchor = `plan-${plan.id.slice(0, 8)}`;
  const refused = props.refusal?.planId === plan.id ? props.refusal : null;
  const statusRefusal = refused?.form === 'status' ? refused.problem : null;
  const backfill = refused?.form === 'backfill' ? refused : null;
  const backfillIssues = backfill?.problem.errors ?? [];
  const change = refused?.form === 'plan' ? refused : null;
  const paused = plan.status === 'paused';
  const monthInput = (name: 'from' | 'to', label: string) => (
    <TextInput
      prefix={`f-${anchor}`}
      name={name}
      label={label}
      value={backfill?.values[name] ?? ''}
      error={issueFor(backfillIssues, name)}
      type="month"
    />
  );
  return (
    <section class="panel" id={anchor}>
      <h2 safe>{plan.name}</h2>
      <dl class="summary">
        {flowingRow(say(ctx, 'Tempat', 'Place'), plan.place)}
        {flowingRow(say(ctx, 'Jadwal', 'Recurrence'), recurrenceInWords(plan.recurrence, ctx.lang))}
        {flowingRow(say(ctx, 'Tim', 'Team'), plan.team.map((m) => m.name).join(', '))}
        {plan.sites.length > 0
          ? flowingRow(say(ctx, 'Lokasi', 'Sites'), plan.sites.map((site) => site.name).join(', '))
          : ''}
        {flowingRow(say(ctx, 'Keadaan', 'Status'), paused ? say(ctx, 'Dijeda', 'Paused') : say(ctx, 'Aktif', 'Active'))}
        {flowingRow(
          say(ctx, 'Tanggal berikutnya', 'Next dates'),
          paused
            ? say(ctx, 'tidak ada sampai dilanjutkan', 'none until resumed')
            : plan.nextDates.map((d) => formatDate(d, ctx.lang)).join('; ') || '—',
        )}
      </dl>
      <form
        method="post"
        action={`/visits/plans/${plan.id}/${paused ? 'resume' : 'pause'}`}
        class="inline-form"
        novalidate
        data-once
      >
        <FormGuards ctx={ctx} idempotencyKey={formKey()} />
        <ChosenOffice choice={props.office} />
        {statusRefusal ? (
          <p class="error-message" role="alert" safe>
            {statusRefusal.detail ?? statusRefusal.title}
          </p>
        ) : (
          ''
        )}
        <button type="submit" class="button button-secondary" safe>
          {paused ? say(ctx, 'Lanjutkan rencana', 'Resume the plan') : say(ctx, 'Jeda rencana', 'Pause the plan')}
        </button>
      </form>
      <form method="post" action={`/visits/plans/${plan.id}/backfill`} class="subform" novalidate data-once>
        <h3 safe>{say(ctx, 'Buat kunjungan bulan yang terlewat', 'Make the visits of missed months')}</h3>
        <p class="hint" safe>
          {say(
            ctx,
            'Bulan yang sudah mulai, paling banyak 24. Kunjungan yang sudah ada tidak dibuat lagi.',
            'Months that have begun, at most 24. Visits that exist already are not made again.',
          )}
        </p>
        <ErrorSummary
          ctx={ctx}
          detail={backfill && backfillIssues.length === 0 ? backfill.problem.detail : null}
          issues={[]}
        />
        <FormGuards ctx={ctx} idempotencyKey={formKey()} />
        <ChosenOffice choice={props.office} />
        {monthInput('from', say(ctx, 'Dari bulan', 'From month'))}
        {monthInput('to', say(ctx, 'Sampai bulan', 'To month'))}
        <button type="submit" class="button button-secondary" safe>
          {say(ctx, 'Buat kunjungan', 'Make the visits')}
        </button>
      </form>
      <PlanForm
        ctx={ctx}
        planId={plan.id}
        values={change?.values ?? valuesOf(plan)}
        problem={change?.problem ?? null}
        staff={props.staff}
        sites={props.sites}
        office={props.office}
      />
    </section>
  );
}

function PlansPage(props: {
  ctx: PageContext;
  /** The office's plans; null while an administrator has chosen no office. */
  plans: PlanItem[] | null;
  refusal: Refusal | null;
  /** The officers and managers of each office shown, by office id. */
  staff: Map<string, StaffMember[]>;
  /** The site inventory of the office shown. */
  sites: SiteChoice[];
  /** The office a new plan is for: the signed-in officer's or manager's, or the one an administrator chose. */
  officeId: string | null;
  /** An administrator's choice of office; null for an officer or manager. */
  office: OfficeChoice | null;
}) {
  const { ctx } = props;
  const creating = props.refusal?.planId === null && props.refusal.form === 'plan' ? props.refusal : null;
  const title = say(ctx, 'Rencana kunjungan', 'Visit plans');
  return (
    <Layout ctx={ctx} title={title}>
      <p>
        <a href={`/visits${props.office?.chosen ? `?officeId=${props.office.chosen.id}` : ''}`} safe>
          {`← ${say(ctx, 'Kalender kunjungan', 'Visit calendar')}`}
        </a>
      </p>
      <h1 safe>{title}</h1>
      {props.office ? <OfficePicker ctx={ctx} choice={props.office} action="/visits/plans" /> : ''}
      {props.plans === null ? (
        ''
      ) : props.plans.length === 0 ? (
        <p class="muted" safe>
          {say(
            ctx,
            'Kantor ini belum punya rencana kunjungan. Buat rencana pertama dengan formulir "Rencana baru" di bawah.',
            'This office has no visit plans yet. Make the first with the "New plan" form below.',
          )}
        </p>
      ) : (
        props.plans.map((plan) => (
          <PlanSection
            ctx={ctx}
            plan={plan}
            refusal={props.refusal}
            staff={props.staff.get(plan.officeId) ?? []}
            sites={props.sites}
            office={props.office}
          />
        ))
      )}
      {props.officeId ? (
        <section class="panel" id="new-plan">
          <PlanForm
            ctx={ctx}
            planId={null}
            values={creating?.values ?? emptyPlan}
            problem={creating?.problem ?? null}
            staff={props.staff.get(props.officeId) ?? []}
            sites={props.sites}
            office={props.office}
          />
        </section>
      ) : (
        ''
      )}
    </Layout>
  );
}

const one = (value: unknown) => (typeof value === 'string' ? value : '');
const many = (value: unknown) =>
  (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');

function planFormOf(form: Record<string, unknown>): PlanFormValues {
  return {
    name: one(form.name),
    place: one(form.place),
    kind: one(form.kind),
    times: one(form.times).trim(),
    weekday: one(form.weekday),
    nth: many(form.nth),
    min: one(form.min).trim(),
    max: one(form.max).trim(),
    teamUserIds: many(form.teamUserIds),
    siteIds: many(form.siteIds),
  };
}

/** The JSON body of a plan form: only the chosen kind's parameters; a blank number is left out, for the API to name. */
function planBodyOf(values: PlanFormValues) {
  const number = (v: string) => (v === '' ? undefined : Number(v));
  const recurrence =
    values.kind === 'times_per_month'
      ? { kind: values.kind, times: number(values.times) }
      : values.kind === 'nth_weekday'
        ? { kind: values.kind, weekday: number(values.weekday), nth: values.nth.map(Number) }
        : values.kind === 'range_per_month'
          ? { kind: values.kind, min: number(values.min), max: number(values.max) }
          : { kind: values.kind };
  return {
    name: values.name,
    place: values.place,
    recurrence,
    teamUserIds: values.teamUserIds,
    siteIds: values.siteIds,
  };
}

export default async function visitPlanPages(app: FastifyInstance) {
  /** The page, with an administrator's office (`named`: the query's or the posted form's) listed and offered. */
  async function showPlans(
    request: FastifyRequest,
    reply: FastifyReply,
    refusal: Refusal | null,
    named: unknown,
    status = 200,
  ) {
    const office = await officeChoiceOf(app, request, named);
    const principal = request.principal!;
    // An administrator sees one office's plans, once chosen; an officer or manager their own office's.
    const newPlanOffice = principal.officeId ?? office?.chosen?.id ?? null;
    let plans: PlanItem[] | null = null;
    let sites: SiteChoice[] = [];
    if (newPlanOffice) {
      const scope = office?.chosen ? `officeId=${office.chosen.id}` : '';
      const [answer, inventory] = await Promise.all([
        callApi<{ items: PlanItem[] }>(app, request, { method: 'GET', url: `/api/v1/visit-plans?${scope}` }),
        siteChoicesOf(app, request, newPlanOffice),
      ]);
      if (!answer.ok) throw failedAnswer(answer);
      plans = answer.body.items;
      sites = inventory;
    }
    const officeIds = [
      ...new Set([...(plans ?? []).map((p) => p.officeId), ...(newPlanOffice ? [newPlanOffice] : [])]),
    ];
    const staff = new Map(
      await Promise.all(officeIds.map(async (id) => [id, await officeStaff(app.db, principal, id)] as const)),
    );
    return html(
      reply,
      <PlansPage
        ctx={request.pageContext(reply)}
        plans={plans}
        refusal={refusal}
        staff={staff}
        sites={sites}
        officeId={newPlanOffice}
        office={office}
      />,
      status,
    );
  }

  const planIdOf = (request: FastifyRequest) => {
    const id = (request.params as { id: string }).id;
    if (!z.uuid().safeParse(id).success) throw notFound('Rencana kunjungan / Visit plan');
    return id;
  };

  app.get('/visits/plans', async (request, reply) => {
    const named = (request.query as { officeId?: unknown }).officeId;
    return awayUnlessStaff(request, reply, '/visits/plans') ?? showPlans(request, reply, null, named);
  });

  /**
   * Back to the plan after an action that went through (or is going through: a double submit), else its refusal; for
   * the office the form carried, so an administrator stays on the office they chose.
   */
  function afterAction(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    answer: ApiAnswer<unknown>,
    refusal: (problem: Problem) => Refusal,
  ) {
    const form = (request.body ?? {}) as Record<string, unknown>;
    if (answer.ok || answer.problem?.type === inProgressType) {
      return reply.redirect(`/visits/plans${chosenOfficeQuery(form)}#plan-${id.slice(0, 8)}`, 303);
    }
    if (answer.status === 404) throw notFound('Rencana kunjungan / Visit plan');
    return showPlans(request, reply, refusal(answer.problem!), form.officeId, answer.status);
  }

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/visits/plans/:id/${action}`, async (request, reply) => {
      const away = awayUnlessStaff(request, reply, '/visits/plans');
      if (away) return away;
      const id = planIdOf(request);
      const form = (request.body ?? {}) as Record<string, unknown>;
      const answer = await callApi(app, request, {
        method: 'POST',
        url: `/api/v1/visit-plans/${id}/${action}`,
        idempotencyKey: one(form.idempotencyKey),
      });
      return afterAction(request, reply, id, answer, (problem) => ({ planId: id, form: 'status', problem }));
    });
  }

  app.post('/visits/plans/:id/backfill', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, '/visits/plans');
    if (away) return away;
    const id = planIdOf(request);
    const form = (request.body ?? {}) as Record<string, unknown>;
    const values = { from: one(form.from).trim(), to: one(form.to).trim() };
    const answer = await callApi(app, request, {
      method: 'POST',
      url: `/api/v1/visit-plans/${id}/backfill`,
      body: values,
      idempotencyKey: one(form.idempotencyKey),
    });
    return afterAction(request, reply, id, answer, (problem) => ({ planId: id, form: 'backfill', problem, values }));
  });

  app.post('/visits/plans', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, '/visits/plans');
    if (away) return away;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const values = planFormOf(form);
    const answer = await callApi<{ id: string }>(app, request, {
      method: 'POST',
      url: '/api/v1/visit-plans',
      body: { ...planBodyOf(values), officeId: postedOffice(form) },
      idempotencyKey: one(form.idempotencyKey),
    });
    const here = `/visits/plans${chosenOfficeQuery(form)}`;
    if (answer.ok) return reply.redirect(`${here}#plan-${answer.body.id.slice(0, 8)}`, 303);
    if (answer.problem?.type === inProgressType) return reply.redirect(here, 303);
    const refusal: Refusal = { planId: null, form: 'plan', problem: answer.problem!, values };
    return showPlans(request, reply, refusal, form.officeId, answer.status);
  });

  app.post('/visits/plans/:id/change', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, '/visits/plans');
    if (away) return away;
    const id = planIdOf(request);
    const form = (request.body ?? {}) as Record<string, unknown>;
    const values = planFormOf(form);
    const answer = await callApi(app, request, {
      method: 'PATCH',
      url: `/api/v1/visit-plans/${id}`,
      body: planBodyOf(values),
      idempotencyKey: one(form.idempotencyKey),
    });
    return afterAction(request, reply, id, answer, (problem) => ({ planId: id, form: 'plan', problem, values }));
  });
}
