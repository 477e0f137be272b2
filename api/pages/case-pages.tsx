// A case: one enrolment's timeline, its open step as a form, and the officer's actions on it. The page calls the same
// services as GET /api/v1/enrolments/{id} and its action routes (services/enrolments.ts), with the same principal:
// the projection plus the one live workflow query for the case on screen; an action is a Workflow Update, and a
// refusal (the workflow's own reason) is shown beside the form that asked for it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, notFound, type FieldIssue } from '../../domain/errors.js';
import { findStep, type TemplateStep } from '../../domain/template.js';
import { caseView, type CaseView } from '../../services/case-view.js';
import { actOnEnrolment, type EnrolmentAction } from '../../services/enrolments.js';
import { urgencyOf } from '../../services/work-queue.js';
import { problemOf, type Problem } from '../problem.js';
import { completeBody, extendBody, reason } from '../routes/enrolments.js';
import { businessHome } from './business-home.js';
import { AssignForm, blockingItems, NotesThread, StepDocuments, type CaseworkRefusal } from './casework-views.js';
import { formatInstant, todayIn, zoneLabel } from './i18n.js';
import { Field, FormGuards, issueFor, Layout, type PageContext } from './layout.js';
import { DueCell } from './queue-pages.js';
import { formKey, html } from './session.js';

export type CaseAction = 'complete' | 'extend' | 'pause' | 'resume' | 'withdraw';

/** A refused action, shown beside the form that asked for it, with what the person had typed. */
export type Refusal =
  { action: CaseAction | 'assign'; problem: Problem; values?: Record<string, string> } | CaseworkRefusal;

type CaseData = CaseView;

const depsOf = (app: FastifyInstance) => ({ db: app.db, temporal: app.temporal, taskQueue: app.taskQueue });

/** An id that is no UUID names no enrolment: a 404 page rather than a database error. */
export const assertEnrolmentId = (id: string) => {
  if (!z.uuid().safeParse(id).success) throw notFound('Pendaftaran / Enrolment');
};

export async function loadCase(app: FastifyInstance, request: FastifyRequest, id: string): Promise<CaseData> {
  assertEnrolmentId(id);
  return caseView(depsOf(app), request.principal!, id, (err) => request.log.warn({ err }, 'status query failed'));
}

/** A closed step's documents in the timeline: each item's latest version, to open again later. */
function StepFiles(props: { ctx: PageContext; data: CaseData; stepKey: string }) {
  const { t, lang } = props.ctx;
  const latest = (props.data.documents.steps.find((d) => d.stepKey === props.stepKey)?.items ?? []).flatMap((i) =>
    i.versions[0] ? [{ name: i.name[lang], version: i.versions[0] }] : [],
  );
  if (latest.length === 0) return '';
  return (
    <>
      <dt safe>{t.documentsLabel}</dt>
      <dd>
        <ul class="versions">
          {latest.map(({ name, version: v }) => (
            <li class="version">
              <a href={`/documents/${v.id}`} download={v.fileName} safe>
                {`${name}: v${v.version} · ${v.fileName}`}
              </a>{' '}
              <span class="muted" safe>
                {`(${t.docStates[v.status] ?? v.status})`}
              </span>
            </li>
          ))}
        </ul>
      </dd>
    </>
  );
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
              {s.status !== 'open' && s.status !== 'paused' ? (
                <StepFiles ctx={ctx} data={data} stepKey={s.stepKey} />
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

function RefusalMessage(props: {
  ctx: PageContext;
  refusal: Refusal | undefined;
  action: Refusal['action'];
  /** The step whose checklist names the items a refused completion lists. */
  step?: TemplateStep;
}) {
  if (props.refusal?.action !== props.action) return '';
  const p = props.refusal.problem;
  const missing = Array.isArray(p.missingItems) ? (p.missingItems as string[]) : [];
  const nameOf = (key: string) => props.step?.checklist.find((c) => c.key === key)?.name[props.ctx.lang] ?? key;
  return (
    <div class="error-summary" role="alert" id={`refused-${props.action}`}>
      <h3 safe>{props.ctx.t.refused}</h3>
      <p safe>{p.detail}</p>
      {missing.length > 0 ? (
        <>
          <p safe>{`${props.ctx.t.missingItems}:`}</p>
          <ul>
            {missing.map((key) => (
              <li safe>{nameOf(key)}</li>
            ))}
          </ul>
        </>
      ) : (p.errors ?? []).length > 0 ? (
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

/**
 * The open step's outcomes as a form. Which documents are in is the recorded review state (shown above the form),
 * not boxes ticked here: the form says which required items still keep the step from completing.
 */
export function CompleteForm(props: {
  ctx: PageContext;
  enrolmentId: string;
  step: TemplateStep;
  /** The names of the required items not yet accepted. */
  blocking: string[];
  refusal?: Refusal | undefined;
  action?: string;
}) {
  const { ctx, step } = props;
  const { t, lang } = ctx;
  const issues = props.refusal?.action === 'complete' ? props.refusal.problem.errors : undefined;
  const blockingId = `blocking-${props.enrolmentId.slice(0, 8)}`;
  return (
    <form method="post" action={props.action ?? `/enrolments/${props.enrolmentId}/complete`} class="panel" data-once>
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <input type="hidden" name="step" value={step.key} />
      <RefusalMessage ctx={ctx} refusal={props.refusal} action="complete" step={step} />
      {props.blocking.length > 0 ? (
        <div class="notice blocking" id={blockingId}>
          <p safe>{`${t.blockingTitle}:`}</p>
          <ul>
            {props.blocking.map((name) => (
              <li safe>{name}</li>
            ))}
          </ul>
        </div>
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
      <button type="submit" class="button" aria-describedby={props.blocking.length > 0 ? blockingId : undefined} safe>
        {t.completeStep}
      </button>
    </form>
  );
}

function ReasonField(props: { ctx: PageContext; action: string; issues: FieldIssue[] | undefined; value?: string }) {
  const reasonError = issueFor(props.issues, 'reason');
  const id = `reason-${props.action}`;
  return (
    <div class={reasonError ? 'field field-error' : 'field'}>
      <label for={id} safe>
        {props.ctx.t.reason}
      </label>
      {reasonError ? (
        <p class="error-message" id={`${id}-error`} safe>
          {reasonError}
        </p>
      ) : (
        ''
      )}
      <textarea
        id={id}
        name="reason"
        rows="2"
        aria-invalid={reasonError ? 'true' : undefined}
        aria-describedby={reasonError ? `${id}-error` : undefined}
        safe
      >
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

function ReasonForm(props: {
  ctx: PageContext;
  id: string;
  action: Exclude<CaseAction, 'complete' | 'extend'>;
  label: string;
  refusal?: Refusal | undefined;
  warning?: boolean;
}) {
  const { ctx, id, action } = props;
  const issues = props.refusal?.action === action ? props.refusal.problem.errors : undefined;
  return (
    <form method="post" action={`/enrolments/${id}/${action}`} class="panel action-form" data-once>
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <h3 safe>{props.label}</h3>
      <RefusalMessage ctx={ctx} refusal={props.refusal} action={action} />
      {action !== 'resume' ? <ReasonField ctx={ctx} action={action} issues={issues} /> : ''}
      <button type="submit" class={props.warning ? 'button button-warning' : 'button button-secondary'} safe>
        {props.label}
      </button>
    </form>
  );
}

/**
 * Extending the open step's deadline: by a number of working days, or to a chosen date (the end of that office day
 * in the office's zone). A date the engine will not take (not after the current deadline) is shown beside the field.
 */
function ExtendForm(props: { ctx: PageContext; id: string; zone: string; now: number; refusal?: Refusal | undefined }) {
  const { ctx, id } = props;
  const { t } = ctx;
  const refusal = props.refusal?.action === 'extend' ? props.refusal : undefined;
  const values = refusal && 'values' in refusal ? (refusal.values ?? {}) : {};
  const toDate = values.extendBy === 'date';
  // The engine's own refusal of a date names no field; it is about the date, so it is shown there.
  const issues: FieldIssue[] | undefined =
    refusal && toDate && (refusal.problem.errors ?? []).length === 0 && refusal.problem.status !== 409
      ? [{ path: 'body.newDueDate', message: refusal.problem.detail }]
      : refusal?.problem.errors;
  const shownAbove = refusal && issues === refusal.problem.errors ? refusal : undefined;
  const dateError = issueFor(issues, 'newDueDate');
  const dateId = 'f-newDueDate';
  return (
    <form method="post" action={`/enrolments/${id}/extend`} class="panel action-form" data-once>
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <h3 safe>{t.extend}</h3>
      <RefusalMessage ctx={ctx} refusal={shownAbove} action="extend" />
      <fieldset class="fieldset">
        <legend safe>{t.extendBy}</legend>
        <div class="radio">
          <input type="radio" id="extend-by-days" name="extendBy" value="days" checked={!toDate} />
          <label for="extend-by-days" safe>
            {t.extendByDays}
          </label>
        </div>
        <div class="radio">
          <input type="radio" id="extend-by-date" name="extendBy" value="date" checked={toDate} />
          <label for="extend-by-date" safe>
            {t.extendToDate}
          </label>
        </div>
      </fieldset>
      <Field
        name="addWorkingDays"
        label={t.addWorkingDays}
        type="number"
        inputmode="numeric"
        value={values.addWorkingDays ?? '5'}
        issues={issues}
      />
      <div class={dateError ? 'field field-error' : 'field'}>
        <label for={dateId} safe>
          {t.newDueDate}
        </label>
        <p class="hint" id={`${dateId}-hint`} safe>
          {t.newDueDateHint(zoneLabel(props.zone))}
        </p>
        {dateError ? (
          <p class="error-message" id={`${dateId}-error`} safe>
            {dateError}
          </p>
        ) : (
          ''
        )}
        <input
          type="date"
          id={dateId}
          name="newDueDate"
          value={values.newDueDate ?? ''}
          min={todayIn(props.zone, props.now)}
          aria-invalid={dateError ? 'true' : undefined}
          aria-describedby={dateError ? `${dateId}-hint ${dateId}-error` : `${dateId}-hint`}
        />
      </div>
      <ReasonField ctx={ctx} action="extend" issues={issues} value={values.reason} />
      <button type="submit" class="button button-secondary" safe>
        {t.extend}
      </button>
    </form>
  );
}

function CasePage(props: { ctx: PageContext; data: CaseData; refusal?: Refusal | undefined }) {
  const { ctx, data, refusal } = props;
  const { t, lang } = ctx;
  const d = data.detail;
  const open = d.steps.find((s) => s.status === 'open' || s.status === 'paused');
  const openDef = open ? findStep(data.template, open.stepKey) : undefined;
  const staff = ctx.principal?.role !== 'business';
  const mayComplete =
    openDef && open?.status === 'open' && (staff || (openDef.actor === 'business' && !ctx.invitation));
  const running = d.status === 'active' || d.status === 'paused';
  const openDocs = data.documents.steps.find((s) => s.open && s.stepKey === open?.stepKey);
  // The forms this state offers; a refusal of an action whose form is gone (the case moved on) is shown on top.
  const offered = new Set<string>([
    ...(mayComplete ? ['complete'] : []),
    ...(staff && d.status === 'active' ? ['extend', 'pause'] : []),
    ...(staff && d.status === 'paused' ? ['resume'] : []),
    ...(staff && (running || d.status === 'waitlisted') ? ['withdraw', 'assign'] : []),
    ...(ctx.invitation ? [] : ['note']),
    ...(openDocs?.items ?? []).flatMap((i) => [
      ...(i.state !== 'accepted' && !ctx.invitation ? [`upload:${i.itemKey}`] : []),
      ...(staff && i.versions[0]?.status === 'submitted' ? [`review:${i.versions[0].id}`] : []),
    ]),
  ]);
  const refusalKey = refusal && 'target' in refusal ? `${refusal.action}:${refusal.target}` : refusal?.action;
  const orphan = refusal && !offered.has(refusalKey ?? '') ? refusal : undefined;
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
        <dt safe>{t.assignee}</dt>
        <dd class="assignee">
          {data.assignee ? (
            <span safe>{data.assignee.name}</span>
          ) : (
            <span class="muted" safe>
              {t.unassigned}
            </span>
          )}
        </dd>
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
              {openDocs && openDocs.items.length > 0 ? (
                <StepDocuments
                  ctx={ctx}
                  zone={data.zone}
                  enrolmentId={d.id}
                  step={openDocs}
                  staff={staff}
                  canUpload={!ctx.invitation}
                  refusal={refusal && 'target' in refusal ? refusal : undefined}
                />
              ) : (
                ''
              )}
              {mayComplete ? (
                <CompleteForm
                  ctx={ctx}
                  enrolmentId={d.id}
                  step={openDef}
                  blocking={blockingItems(openDocs, lang)}
                  refusal={refusal}
                />
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
          <NotesThread
            ctx={ctx}
            zone={data.zone}
            enrolmentId={d.id}
            notes={data.notes}
            canWrite={!ctx.invitation}
            refusal={refusal?.action === 'note' ? refusal : undefined}
          />
          <h2 safe>{t.timeline}</h2>
          <Timeline ctx={ctx} data={data} />
        </section>
        {staff && (running || d.status === 'waitlisted') ? (
          <section class="column-side" aria-labelledby="actions">
            <h2 id="actions" safe>
              {t.actions}
            </h2>
            <AssignForm
              ctx={ctx}
              action={`/enrolments/${d.id}/assignee`}
              title={t.assignTitle}
              button={t.assignButton}
              staff={data.staff}
              current={data.assignee?.id ?? 'none'}
              refusal={refusal?.action === 'assign' ? refusal : undefined}
            />
            {d.status === 'active' ? (
              <>
                <ExtendForm ctx={ctx} id={d.id} zone={data.zone} now={data.now} refusal={refusal} />
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

/** The case page as an answer: after a refused form, with the reason beside that form and the given status. */
export async function casePage(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  refusal?: Refusal,
  status = 200,
) {
  const data = await loadCase(app, request, id);
  return html(reply, <CasePage ctx={request.pageContext(reply)} data={data} refusal={refusal} />, status);
}

type Form = Record<string, string | string[] | undefined>;
export const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

const issuesOf = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message }));

/** The form's fields as the action, checked with the schemas of the action routes; or the fields to correct. */
function actionOf(action: CaseAction, form: Form): { action: EnrolmentAction } | { issues: FieldIssue[] } {
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
        ...(one(form.note).trim() ? { note: one(form.note).trim() } : {}),
        ...certificate,
      });
      if (!parsed.success) return { issues: issuesOf(parsed.error) };
      return { action: { kind: 'complete', stepKey: one(form.step), ...parsed.data } };
    }
    case 'extend': {
      // Each way of extending is checked on its own, so a mistake names its own field (the union would name neither).
      const [byDays, toDate] = extendBody.options;
      if (one(form.extendBy) === 'date') {
        const parsed = toDate.safeParse({ reason: one(form.reason), newDueDate: one(form.newDueDate) });
        if (!parsed.success) return { issues: issuesOf(parsed.error) };
        return { action: { kind: 'extend', ...parsed.data } };
      }
      const parsed = byDays.safeParse({ reason: one(form.reason), addWorkingDays: Number(one(form.addWorkingDays)) });
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
  answer: (refusal: Refusal, status: number) => Promise<unknown>,
) {
  const form = (request.body ?? {}) as Form;
  const values = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, one(v)]));
  const checked = actionOf(action, form);
  if ('issues' in checked) {
    const problem: Problem = {
      type: 'https://pendamping.id/problems/400',
      title: 'Permintaan tidak valid / Bad request',
      status: 400,
      detail: checked.issues.map((i) => i.message).join('; '),
      errors: checked.issues,
    };
    return answer({ action, problem, values }, 400);
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
    return answer({ action, problem: problem.toProblem(), values }, problem.status);
  }
  return reply.redirect(back, 303);
}

const actions: CaseAction[] = ['complete', 'extend', 'pause', 'resume', 'withdraw'];

export default async function casePages(app: FastifyInstance) {
  app.get<{ Params: { id: string } }>('/enrolments/:id', async (request, reply) => {
    if (!request.principal) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    return casePage(app, request, reply, request.params.id);
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
          return actOnCase(app, request, reply, id, action, '/', async (refusal, status) =>
            businessHome(app, request, reply, { refusal: { enrolmentId: id, ...refusal } }, status),
          );
        }
        return actOnCase(app, request, reply, id, action, `/enrolments/${id}`, async (refusal, status) =>
          casePage(app, request, reply, id, refusal, status),
        );
      },
    );
  }
}
