// The office's visit plans: each plan's recurrence in words, team, status and next dates, with pause / resume and a
// backfill of missed months. Each button is a form posting through the JSON route in-process (callApi) with the form's
// idempotency key, so a double submit acts once; a refusal (a bad month, the scheduler unreachable) comes back as the
// page again with the reason beside the form that asked, and nothing changed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../domain/errors.js';
import type { Recurrence } from '../../domain/visit-recurrence.js';
import type { listVisitPlans } from '../../services/visits/plans.js';
import { inProgressType } from '../plugins/idempotency.js';
import type { Problem } from '../problem.js';
import { formatDate } from './i18n.js';
import { ErrorSummary, FormGuards, issueFor, Layout, type PageContext } from './layout.js';
import { callApi, formKey, html } from './session.js';

type PlanItem = Awaited<ReturnType<typeof listVisitPlans>>[number];

/** The form a refusal belongs to, and what was typed in it. */
interface Refusal {
  planId: string;
  form: 'status' | 'backfill';
  problem: Problem;
  values: { from?: string; to?: string };
}

const say = (ctx: PageContext, id: string, en: string) => (ctx.lang === 'id' ? id : en);

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

function MonthField(props: {
  ctx: PageContext;
  plan: string;
  name: 'from' | 'to';
  value: string;
  issues: Problem['errors'];
}) {
  const id = `f-${props.plan}-${props.name}`;
  const error = issueFor(props.issues ?? [], props.name);
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for={id} safe>
        {props.name === 'from'
          ? say(props.ctx, 'Dari bulan', 'From month')
          : say(props.ctx, 'Sampai bulan', 'To month')}
      </label>
      {error ? (
        <p class="error-message" id={`${id}-error`} safe>
          {error}
        </p>
      ) : (
        ''
      )}
      <input
        id={id}
        name={props.name}
        type="month"
        placeholder="YYYY-MM"
        value={props.value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
    </div>
  );
}

function PlanSection(props: { ctx: PageContext; plan: PlanItem; refusal: Refusal | null }) {
  const { ctx, plan } = props;
  const anchor = `plan-${plan.id.slice(0, 8)}`;
  const refused = props.refusal?.planId === plan.id ? props.refusal : null;
  const statusRefusal = refused?.form === 'status' ? refused.problem : null;
  const backfill = refused?.form === 'backfill' ? refused : null;
  const backfillIssues = backfill?.problem.errors ?? [];
  const paused = plan.status === 'paused';
  const row = (label: string, value: string) => (
    <div>
      <dt safe>{label}</dt>
      <dd safe>{value}</dd>
    </div>
  );
  return (
    <section class="panel" id={anchor}>
      <h2 safe>{plan.name}</h2>
      <dl class="summary">
        {row(say(ctx, 'Tempat', 'Place'), plan.place)}
        {row(say(ctx, 'Jadwal', 'Recurrence'), recurrenceInWords(plan.recurrence, ctx.lang))}
        {row(say(ctx, 'Tim', 'Team'), plan.team.map((m) => m.name).join(', '))}
        {row(say(ctx, 'Keadaan', 'Status'), paused ? say(ctx, 'Dijeda', 'Paused') : say(ctx, 'Aktif', 'Active'))}
        {row(
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
        <MonthField ctx={ctx} plan={anchor} name="from" value={backfill?.values.from ?? ''} issues={backfillIssues} />
        <MonthField ctx={ctx} plan={anchor} name="to" value={backfill?.values.to ?? ''} issues={backfillIssues} />
        <button type="submit" class="button button-secondary" safe>
          {say(ctx, 'Buat kunjungan', 'Make the visits')}
        </button>
      </form>
    </section>
  );
}

function PlansPage(props: { ctx: PageContext; plans: PlanItem[]; refusal: Refusal | null }) {
  const { ctx } = props;
  const title = say(ctx, 'Rencana kunjungan', 'Visit plans');
  return (
    <Layout ctx={ctx} title={title}>
      <p>
        <a href="/visits" safe>
          {`← ${say(ctx, 'Kalender kunjungan', 'Visit calendar')}`}
        </a>
      </p>
      <h1 safe>{title}</h1>
      {props.plans.length === 0 ? (
        <p class="muted" safe>
          {say(ctx, 'Kantor ini belum punya rencana kunjungan.', 'This office has no visit plans yet.')}
        </p>
      ) : (
        props.plans.map((plan) => <PlanSection ctx={ctx} plan={plan} refusal={props.refusal} />)
      )}
    </Layout>
  );
}

const one = (value: unknown) => (typeof value === 'string' ? value : '');

export default async function visitPlanPages(app: FastifyInstance) {
  const staffOnly = (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.principal) return reply.redirect(`/login?next=${encodeURIComponent('/visits/plans')}`, 303);
    if (request.principal.role === 'business') return reply.redirect('/', 303);
    return null;
  };

  async function showPlans(request: FastifyRequest, reply: FastifyReply, refusal: Refusal | null, status = 200) {
    const answer = await callApi<{ items: PlanItem[] }>(app, request, { method: 'GET', url: '/api/v1/visit-plans' });
    if (!answer.ok) throw Object.assign(new Error(answer.problem?.detail ?? 'failed'), { statusCode: answer.status });
    return html(
      reply,
      <PlansPage ctx={request.pageContext(reply)} plans={answer.body.items} refusal={refusal} />,
      status,
    );
  }

  const planIdOf = (request: FastifyRequest) => {
    const id = (request.params as { id: string }).id;
    if (!z.uuid().safeParse(id).success) throw notFound('Rencana kunjungan / Visit plan');
    return id;
  };

  app.get('/visits/plans', async (request, reply) => staffOnly(request, reply) ?? showPlans(request, reply, null));

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/visits/plans/:id/${action}`, async (request, reply) => {
      const away = staffOnly(request, reply);
      if (away) return away;
      const id = planIdOf(request);
      const form = (request.body ?? {}) as Record<string, unknown>;
      const answer = await callApi(app, request, {
        method: 'POST',
        url: `/api/v1/visit-plans/${id}/${action}`,
        idempotencyKey: one(form.idempotencyKey),
      });
      if (answer.ok || answer.problem?.type === inProgressType) {
        return reply.redirect(`/visits/plans#plan-${id.slice(0, 8)}`, 303);
      }
      if (answer.status === 404) throw notFound('Rencana kunjungan / Visit plan');
      return showPlans(
        request,
        reply,
        { planId: id, form: 'status', problem: answer.problem!, values: {} },
        answer.status,
      );
    });
  }

  app.post('/visits/plans/:id/backfill', async (request, reply) => {
    const away = staffOnly(request, reply);
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
    if (answer.ok || answer.problem?.type === inProgressType) {
      return reply.redirect(`/visits/plans#plan-${id.slice(0, 8)}`, 303);
    }
    if (answer.status === 404) throw notFound('Rencana kunjungan / Visit plan');
    return showPlans(request, reply, { planId: id, form: 'backfill', problem: answer.problem!, values }, answer.status);
  });
}
