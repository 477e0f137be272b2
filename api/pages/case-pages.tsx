// A case: one enrolment's timeline, its open step as a form, and the officer's actions on it. The page calls the same
// services as GET /api/v1/enrolments/{id} and its action routes (services/enrolments.ts), with the same principal:
// the projection plus the one live workflow query for the case on screen; an action is a Workflow Update, and a
// refusal (the workflow's own reason) is shown beside the form that asked for it.
import { eq, inArray } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { loadOfficeCalendar } from '../../activities/calendar.js';
import { cohorts, enrolments, offices, stepInstances, users } from '../../db/schema.js';
import { DomainError, notFound, type FieldIssue } from '../../domain/errors.js';
import { findStep, type ProgrammeTemplate, type TemplateStep } from '../../domain/template.js';
import { programmeTemplate } from '../../services/enrolment-intake.js';
import { actOnEnrolment, getEnrolment, type EnrolmentAction, type EnrolmentDetail } from '../../services/enrolments.js';
import { urgencyOf } from '../../services/work-queue.js';
import { problemOf, type Problem } from '../problem.js';
import { completeBody, extendBody, reason } from '../routes/enrolments.js';
import { businessHome } from './business-home.js';
import { formatInstant } from './i18n.js';
import { Field, FormGuards, issueFor, Layout, type PageContext } from './layout.js';
import { DueCell } from './queue-pages.js';
import { formKey, html } from './session.js';

export type CaseAction = 'complete' | 'extend' | 'pause' | 'resume' | 'withdraw';

/** A refused action, shown beside the form that asked for it. */
export interface Refusal {
  action: CaseAction;
  problem: Problem;
}

interface CaseData {
  detail: EnrolmentDetail;
  template: ProgrammeTemplate;
  zone: string;
  cohortName: string | null;
  /** Who completed each step visit, and the note they left, from the projection. */
  closedBy: Map<string, { name: string | null; note: string | null }>;
  now: number;
  cal: Awaited<ReturnType<typeof loadOfficeCalendar>>;
}

const depsOf = (app: FastifyInstance) => ({ db: app.db, temporal: app.temporal, taskQueue: app.taskQueue });

/** An id that is no UUID names no enrolment: a 404 page rather than a database error. */
const assertEnrolmentId = (id: string) => {
  if (!z.uuid().safeParse(id).success) throw notFound('Pendaftaran / Enrolment');
};

export async function loadCase(app: FastifyInstance, request: FastifyRequest, id: string): Promise<CaseData> {
  assertEnrolmentId(id);
  const detail = await getEnrolment(depsOf(app), request.principal!, id, {
    live: true,
    onQueryError: (err) => request.log.warn({ err }, 'status query failed'),
  });
  const [template, [office], closed] = await Promise.all([
    programmeTemplate(app.db, detail.programmeKey, detail.programmeVersion),
    app.db
      .select({ zone: offices.timeZone, cohortName: cohorts.name })
      .from(enrolments)
      .innerJoin(offices, eq(offices.id, enrolments.officeId))
      .leftJoin(cohorts, eq(cohorts.id, enrolments.cohortId))
      .where(eq(enrolments.id, id)),
    app.db
      .select({ key: stepInstances.stepKey, visit: stepInstances.visit, name: users.name, note: stepInstances.note })
      .from(stepInstances)
      .leftJoin(users, eq(users.id, stepInstances.completedBy))
      .where(inArray(stepInstances.enrolmentId, [id])),
  ]);
  const now = Date.now();
  return {
    detail,
    template: template!,
    zone: office!.zone,
    cohortName: office!.cohortName,
    closedBy: new Map(closed.map((c) => [`${c.key}#${c.visit}`, { name: c.name, note: c.note }])),
    now,
    cal: await loadOfficeCalendar(app.db, detail.officeId, now),
  };
}

function Timeline(props: { ctx: PageContext; data: CaseData }) {
  const { ctx, data } = props;
  const { t, lang } = ctx;
  return (
    <ol class="timeline">
      {data.detail.steps.map((s) => {
        const def = findStep(data.template, s.stepKey);
        const closed = data.closedBy.get(`${s.stepKey}#${s.visit}`);
        const outcome = def?.outcomes.find((o) => o.key === s.outcome);
        const due = s.dueAt ? new Date(s.dueAt) : null;
        return (
          <li class={`timeline-item timeline-${s.status}`}>
            <h3>
              <span safe>{def?.name[lang] ?? s.stepKey}</span>
              {s.visit > 1 ? <span class="muted" safe>{` (${s.visit}×)`}</span> : ''}{' '}
              <strong class={`tag tag-${s.status}`} safe>
                {t.stepStatuses[s.status] ?? s.status}
              </strong>
            </h3>
            <dl class="summary">
              <dt safe>{t.opened}</dt>
              <dd safe>{formatInstant(new Date(s.openedAt), data.zone, lang)}</dd>
              {due ? (
                <>
                  <dt safe>{t.due}</dt>
                  <dd>
                    {s.status === 'open' ? (
                      <DueCell
                        ctx={ctx}
                        zone={data.zone}
                        item={{ dueAt: due, ...urgencyOf(due, data.now, data.cal) }}
                      />
                    ) : (
                      <span safe>{formatInstant(due, data.zone, lang)}</span>
                    )}
                  </dd>
                </>
              ) : (
                ''
              )}
              {s.completedAt ? (
                <>
                  <dt safe>{t.done}</dt>
                  <dd safe>
                    {`${formatInstant(new Date(s.completedAt), data.zone, lang)}${closed?.name ? ` ${t.by} ${closed.name}` : ''}`}
                  </dd>
                </>
              ) : (
                ''
              )}
              {s.outcome ? (
                <>
                  <dt safe>{t.outcome}</dt>
                  <dd safe>{outcome?.name[lang] ?? s.outcome}</dd>
                </>
              ) : (
                ''
              )}
              {closed?.note ? (
                <>
                  <dt safe>{t.noteLabel}</dt>
                  <dd safe>{closed.note}</dd>
                </>
              ) : (
                ''
              )}
              {s.extensions > 0 ? (
                <>
                  <dt safe>{t.extensions}</dt>
                  <dd>{String(s.extensions)}</dd>
                </>
              ) : (
                ''
              )}
              {s.pausedAt ? (
                <>
                  <dt safe>{t.pausedSince}</dt>
                  <dd safe>{formatInstant(new Date(s.pausedAt), data.zone, lang)}</dd>
                </>
              ) : (
                ''
              )}
            </dl>
          </li>
        );
      })}
    </ol>
  );
}

function RefusalMessage(props: { ctx: PageContext; refusal: Refusal | undefined; action: CaseAction }) {
  if (props.refusal?.action !== props.action) return '';
  const p = props.refusal.problem;
  return (
    <div class="error-summary" role="alert" id={`refused-${props.action}`}>
      <h3 safe>{props.ctx.t.refused}</h3>
      <p safe>{p.detail}</p>
      {(p.errors ?? []).length > 0 ? (
        <ul>
          {(p.errors ?? []).map((e) => (
            <li safe>{e.message}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </div>
  );
}

/** The open step's checklist and outcomes as one form: the person ticks what was handed in and picks the result. */
export function CompleteForm(props: {
  ctx: PageContext;
  enrolmentId: string;
  step: TemplateStep;
  refusal?: Refusal;
  action?: string;
}) {
  const { ctx, step } = props;
  const { t, lang } = ctx;
  const issues = props.refusal?.action === 'complete' ? props.refusal.problem.errors : undefined;
  return (
    <form method="post" action={props.action ?? `/enrolments/${props.enrolmentId}/complete`} class="panel" data-once>
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <input type="hidden" name="step" value={step.key} />
      <RefusalMessage ctx={ctx} refusal={props.refusal} action="complete" />
      {step.checklist.length > 0 ? (
        <fieldset class="fieldset">
          <legend safe>{t.checklist}</legend>
          {step.checklist.map((item) => (
            <div class="checkbox">
              <input type="checkbox" id={`doc-${item.key}`} name="documents" value={item.key} />
              <label for={`doc-${item.key}`} safe>
                {`${item.name[lang]}${item.required ? ` (${t.required})` : ''}`}
              </label>
            </div>
          ))}
        </fieldset>
      ) : (
        ''
      )}
      <fieldset class="fieldset">
        <legend safe>{t.outcome}</legend>
        {step.outcomes.map((o, i) => (
          <div class="radio">
            <input type="radio" id={`outcome-${o.key}`} name="outcome" value={o.key} checked={i === 0} />
            <label for={`outcome-${o.key}`} safe>
              {o.name[lang]}
            </label>
          </div>
        ))}
      </fieldset>
      {step.recordsCertificate ? (
        <fieldset class="fieldset">
          <legend safe>{t.certificateNumber}</legend>
          <Field name="certificateNumber" label={t.certificateNumber} issues={issues} />
          <Field name="certificateIssuedOn" label={t.certificateIssuedOn} type="date" issues={issues} />
          <Field name="certificateScope" label={t.certificateScope} issues={issues} />
        </fieldset>
      ) : (
        ''
      )}
      <div class="field">
        <label for={`note-${step.key}`} safe>
          {t.note}
        </label>
        <textarea id={`note-${step.key}`} name="note" rows="2"></textarea>
      </div>
      <button type="submit" class="button" safe>
        {t.completeStep}
      </button>
    </form>
  );
}

function ReasonForm(props: {
  ctx: PageContext;
  id: string;
  action: Exclude<CaseAction, 'complete'>;
  label: string;
  refusal?: Refusal;
  days?: boolean;
  warning?: boolean;
}) {
  const { ctx, id, action } = props;
  const issues = props.refusal?.action === action ? props.refusal.problem.errors : undefined;
  const reasonError = issueFor(issues, 'reason');
  return (
    <form method="post" action={`/enrolments/${id}/${action}`} class="panel action-form" data-once>
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <h3 safe>{props.label}</h3>
      <RefusalMessage ctx={ctx} refusal={props.refusal} action={action} />
      {props.days ? (
        <Field
          name="addWorkingDays"
          label={ctx.t.addWorkingDays}
          type="number"
          inputmode="numeric"
          value="5"
          issues={issues}
        />
      ) : (
        ''
      )}
      {action !== 'resume' ? (
        <div class={reasonError ? 'field field-error' : 'field'}>
          <label for={`reason-${action}`} safe>
            {ctx.t.reason}
          </label>
          {reasonError ? (
            <p class="error-message" id={`reason-${action}-error`} safe>
              {reasonError}
            </p>
          ) : (
            ''
          )}
          <textarea
            id={`reason-${action}`}
            name="reason"
            rows="2"
            aria-invalid={reasonError ? 'true' : undefined}
            aria-describedby={reasonError ? `reason-${action}-error` : undefined}
          ></textarea>
        </div>
      ) : (
        ''
      )}
      <button type="submit" class={props.warning ? 'button button-warning' : 'button button-secondary'} safe>
        {props.label}
      </button>
    </form>
  );
}

function CasePage(props: { ctx: PageContext; data: CaseData; refusal?: Refusal }) {
  const { ctx, data, refusal } = props;
  const { t, lang } = ctx;
  const d = data.detail;
  const open = d.steps.find((s) => s.status === 'open' || s.status === 'paused');
  const openDef = open ? findStep(data.template, open.stepKey) : undefined;
  const staff = ctx.principal?.role !== 'business';
  const mayComplete =
    openDef && open?.status === 'open' && (staff || (openDef.actor === 'business' && !ctx.invitation));
  const running = d.status === 'active' || d.status === 'paused';
  // The forms this state offers; a refusal of an action whose form is gone (the case moved on) is shown on top.
  const offered = new Set<CaseAction>([
    ...(mayComplete ? (['complete'] as const) : []),
    ...(staff && d.status === 'active' ? (['extend', 'pause'] as const) : []),
    ...(staff && d.status === 'paused' ? (['resume'] as const) : []),
    ...(staff && (running || d.status === 'waitlisted') ? (['withdraw'] as const) : []),
  ]);
  const orphan = refusal && !offered.has(refusal.action) ? refusal : undefined;
  return (
    <Layout ctx={ctx} title={`${d.businessName} · ${d.programmeName[lang]}`}>
      <p class="caption" safe>
        {`${d.programmeName[lang]} ${d.year}`}
      </p>
      <h1 safe>{d.businessName}</h1>
      <dl class="summary">
        <dt safe>{t.status}</dt>
        <dd>
          <strong class={`tag tag-${d.status}`} safe>
            {t.statuses[d.status] ?? d.status}
          </strong>
        </dd>
        {staff ? (
          <>
            <dt safe>{t.business}</dt>
            <dd>
              <a href={`/businesses/${d.businessId}`} safe>
                {d.businessName}
              </a>
            </dd>
          </>
        ) : (
          ''
        )}
        {d.cohortId && staff ? (
          <>
            <dt safe>{t.cohort}</dt>
            <dd>
              <a href={`/cohorts/${d.cohortId}`} safe>
                {data.cohortName ?? t.cohort}
              </a>
            </dd>
          </>
        ) : (
          ''
        )}
      </dl>
      {orphan ? <RefusalMessage ctx={ctx} refusal={orphan} action={orphan.action} /> : ''}
      {running && d.live === null ? (
        <p class="notice" safe>
          {t.liveUnavailable}
        </p>
      ) : (
        ''
      )}
      <div class="columns">
        <section class="column-main" aria-labelledby="open-step">
          {open && openDef ? (
            <>
              <h2 id="open-step" safe>
                {`${t.openStep}: ${openDef.name[lang]}`}
              </h2>
              <p>
                <span safe>{`${t.actor}: ${t.actors[openDef.actor] ?? openDef.actor}`}</span>
              </p>
              {mayComplete ? (
                <CompleteForm ctx={ctx} enrolmentId={d.id} step={openDef} refusal={refusal} />
              ) : (
                <p class="notice" safe>
                  {open.status === 'paused' ? t.pausedStep : t.notYourStep}
                </p>
              )}
            </>
          ) : (
            <h2 id="open-step" safe>
              {t.statuses[d.status] ?? d.status}
            </h2>
          )}
          <h2 safe>{t.timeline}</h2>
          <Timeline ctx={ctx} data={data} />
        </section>
        {staff && (running || d.status === 'waitlisted') ? (
          <section class="column-side" aria-labelledby="actions">
            <h2 id="actions" safe>
              {t.actions}
            </h2>
            {d.status === 'active' ? (
              <>
                <ReasonForm ctx={ctx} id={d.id} action="extend" label={t.extend} refusal={refusal} days />
                <ReasonForm ctx={ctx} id={d.id} action="pause" label={t.pause} refusal={refusal} />
              </>
            ) : (
              ''
            )}
            {d.status === 'paused' ? (
              <ReasonForm ctx={ctx} id={d.id} action="resume" label={t.resume} refusal={refusal} />
            ) : (
              ''
            )}
            <ReasonForm ctx={ctx} id={d.id} action="withdraw" label={t.withdraw} refusal={refusal} warning />
          </section>
        ) : (
          ''
        )}
      </div>
    </Layout>
  );
}

type Form = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
const many = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The form's fields as the action, checked with the schemas of the action routes; or the fields to correct. */
function actionOf(action: CaseAction, form: Form): { action: EnrolmentAction } | { issues: FieldIssue[] } {
  const issuesOf = (error: z.ZodError) =>
    error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message }));
  switch (action) {
    case 'complete': {
      const certificate = one(form.certificateNumber)
        ? {
            certificate: {
              number: one(form.certificateNumber),
              issuedOn: one(form.certificateIssuedOn),
              scope: one(form.certificateScope),
            },
          }
        : {};
      const parsed = completeBody.safeParse({
        outcome: one(form.outcome),
        documents: many(form.documents),
        ...(one(form.note).trim() ? { note: one(form.note).trim() } : {}),
        ...certificate,
      });
      if (!parsed.success) return { issues: issuesOf(parsed.error) };
      return { action: { kind: 'complete', stepKey: one(form.step), ...parsed.data } };
    }
    case 'extend': {
      const parsed = extendBody.safeParse({
        reason: one(form.reason),
        addWorkingDays: Number(one(form.addWorkingDays)),
      });
      if (!parsed.success) return { issues: issuesOf(parsed.error) };
      return { action: { kind: 'extend', ...parsed.data } };
    }
    case 'resume':
      return { action: { kind: 'resume' } };
    default: {
      const parsed = z.object({ reason }).safeParse({ reason: one(form.reason) });
      if (!parsed.success) return { issues: issuesOf(parsed.error) };
      return { action: { kind: action, reason: parsed.data.reason } };
    }
  }
}

/**
 * Applies one action of a case's form and answers as a page: on success back to where the form was (post, redirect,
 * get), on refusal that page again with the reason beside the form and nothing changed. The form's hidden key is
 * the action's identity (its Update ID), so a double-clicked submit is applied once, by Temporal itself.
 */
export async function actOnCase(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  action: CaseAction,
  back: string,
  render: (refusal: Refusal) => Promise<JSX.Element>,
) {
  const form = (request.body ?? {}) as Form;
  const checked = actionOf(action, form);
  if ('issues' in checked) {
    const problem: Problem = {
      type: 'https://pendamping.id/problems/400',
      title: 'Permintaan tidak valid / Bad request',
      status: 400,
      detail: checked.issues.map((i) => i.message).join('; '),
      errors: checked.issues,
    };
    return html(reply, await render({ action, problem }), 400);
  }
  const key = one(form.idempotencyKey);
  try {
    await actOnEnrolment(depsOf(app), { requestId: request.id, principal: request.principal! }, id, checked.action, {
      actionId: /^[\w-]{16,100}$/.test(key) ? `page-${key}` : undefined,
      requestId: request.id,
    });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const problem = problemOf(err);
    return html(reply, await render({ action, problem: problem.toProblem() }), problem.status);
  }
  return reply.redirect(back, 303);
}

const actions: CaseAction[] = ['complete', 'extend', 'pause', 'resume', 'withdraw'];

export default async function casePages(app: FastifyInstance) {
  app.get<{ Params: { id: string } }>('/enrolments/:id', async (request, reply) => {
    if (!request.principal) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    const data = await loadCase(app, request, request.params.id);
    return html(reply, <CasePage ctx={request.pageContext(reply)} data={data} />);
  });

  for (const action of actions) {
    app.post<{ Params: { id: string }; Querystring: { back?: string } }>(
      `/enrolments/:id/${action}`,
      async (request, reply) => {
        if (!request.principal) return reply.redirect('/login', 303);
        const id = request.params.id;
        assertEnrolmentId(id);
        // A business completes its own step from its home page, and comes back there.
        if (request.query.back === 'home') {
          return actOnCase(app, request, reply, id, action, '/', async (refusal) =>
            businessHome(app, request, reply, { refusal: { enrolmentId: id, ...refusal } }, 422),
          );
        }
        return actOnCase(app, request, reply, id, action, `/enrolments/${id}`, async (refusal) => (
          <CasePage ctx={request.pageContext(reply)} data={await loadCase(app, request, id)} refusal={refusal} />
        ));
      },
    );
  }
}
