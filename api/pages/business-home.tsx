// A business's own page, what its invitation link opens (mobile first: a cheap phone, a WhatsApp link): each
// programme it is in with a progress bar, what it must do next with the documents and by when, whom to ask, and its
// notifications. Where the template makes the business the actor, it completes its own step here.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listNotifications } from '../../services/notifications/inbox.js';
import { businessProgress, type BusinessProgress, type ProgrammeProgress } from '../../services/business-progress.js';
import { listNotes, type CaseNote } from '../../services/case-notes.js';
import { listDocuments } from '../../services/documents/documents.js';
import { CompleteForm, type Refusal } from './case-pages.js';
import { blockingItems, NotesThread, StepDocuments, type DocumentStep } from './casework-views.js';
import { formatInstant } from './i18n.js';
import { Field, FormGuards, Layout, type PageContext } from './layout.js';
import { DueCell } from './queue-pages.js';
import { html } from './session.js';

export interface NotificationView {
  id: string;
  kind: string;
  title: { id: string; en: string };
  body: { id: string; en: string };
  scheduledFor: string;
}

export function NotificationList(props: { ctx: PageContext; zone: string; items: NotificationView[] }) {
  const { ctx } = props;
  if (props.items.length === 0) return <p safe>{ctx.t.noNotifications}</p>;
  return (
    <ul class="notifications">
      {props.items.map((n) => (
        <li>
          <strong safe>{n.title[ctx.lang]}</strong>
          <br />
          <span safe>{n.body[ctx.lang]}</span>
          <br />
          <span class="muted" safe>
            {formatInstant(new Date(n.scheduledFor), props.zone, ctx.lang)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The newest notifications the page shows; the rest are a link away, on the notifications page. */
const latestNotices = 5;

/** A programme on the business's page, with the documents of its open step and its shared notes. */
interface ProgrammeWork {
  progress: ProgrammeProgress;
  documents: DocumentStep | undefined;
  notes: CaseNote[];
}

function ProgrammeCard(props: { ctx: PageContext; zone: string; work: ProgrammeWork; refusal?: Refusal | undefined }) {
  const { ctx, zone, refusal } = props;
  const p = props.work.progress;
  const docs = props.work.documents;
  const { t, lang } = ctx;
  const done = p.done.length;
  const percent = Math.round((done / Math.max(1, p.totalSteps)) * 100);
  const next = p.next;
  const mine = next?.step.actor === 'business';
  const documents = docs ? (
    <StepDocuments
      ctx={ctx}
      zone={zone}
      enrolmentId={p.enrolmentId}
      step={docs}
      staff={false}
      canUpload={!ctx.invitation}
      refusal={refusal && 'target' in refusal ? refusal : undefined}
      back="home"
      level={4}
    />
  ) : (
    ''
  );
  const accepted = docs?.items.filter((i) => i.state === 'accepted').length ?? 0;
  // While others act on the step and no revision is asked of the business, its documents fold: on a phone, a card of
  // upload forms for someone else's step hides the programme where it must act.
  const foldDocuments = !mine && !refusal && !docs?.items.some((i) => i.state === 'needs_revision');
  return (
    <section class="card" aria-labelledby={`p-${p.enrolmentId}`}>
      <h2 id={`p-${p.enrolmentId}`} safe>
        {`${p.programmeName[lang]} ${p.year}`}
      </h2>
      <p>
        <strong class={`tag tag-${p.status}`} safe>
          {t.statuses[p.status] ?? p.status}
        </strong>
      </p>
      <div class="progress">
        <label for={`progress-${p.enrolmentId}`} safe>
          {`${t.progress}: ${t.stepsDone(done, p.totalSteps)}`}
        </label>
        <progress id={`progress-${p.enrolmentId}`} max="100" value={String(percent)}>
          {`${percent}%`}
        </progress>
      </div>
      {next ? (
        <div class={mine ? 'next next-mine' : 'next'}>
          <h3 safe>{mine ? t.doNext : `${t.waitingFor}: ${t.actors[next.step.actor] ?? next.step.actor}`}</h3>
          <p class="next-step" safe>
            {next.step.name[lang]}
          </p>
          {next.step.description ? <p safe>{next.step.description[lang]}</p> : ''}
          {next.dueAt ? (
            <p>
              <span safe>{`${t.byWhen}: `}</span>
              <DueCell ctx={ctx} zone={zone} item={next} />
            </p>
          ) : (
            ''
          )}
          {docs && docs.items.length > 0 ? (
            foldDocuments ? (
              <details class="subform">
                <summary safe>{`${t.documentsTitle} (${t.docsAccepted(accepted, docs.items.length)})`}</summary>
                {documents}
              </details>
            ) : (
              documents
            )
          ) : (
            ''
          )}
          {docs && ctx.invitation ? (
            <p class="notice" safe>
              {t.invitationActNotice}
            </p>
          ) : (
            ''
          )}
          {mine && !ctx.invitation && !next.paused ? (
            <CompleteForm
              ctx={ctx}
              enrolmentId={p.enrolmentId}
              step={next.step}
              blocking={blockingItems(docs, lang)}
              refusal={refusal}
              action={`/enrolments/${p.enrolmentId}/complete?back=home`}
            />
          ) : (
            ''
          )}
        </div>
      ) : p.waitlisted ? (
        <p safe>{t.statuses.waitlisted}</p>
      ) : (
        ''
      )}
      {p.done.length > 0 ? (
        <details>
          <summary safe>{`${t.doneSteps} (${p.done.length})`}</summary>
          <ul class="done-list">
            {p.done.map((d) => (
              <li>
                <span safe>{d.step.name[lang]}</span>{' '}
                <span class="muted" safe>
                  {formatInstant(d.completedAt, zone, lang)}
                </span>
              </li>
            ))}
          </ul>
        </details>
      ) : (
        ''
      )}
      <NotesThread
        ctx={ctx}
        zone={zone}
        enrolmentId={p.enrolmentId}
        notes={props.work.notes}
        canWrite={!ctx.invitation}
        refusal={refusal?.action === 'note' ? refusal : undefined}
        back="home"
        level={3}
        folded
      />
      <p>
        <a href={`/enrolments/${p.enrolmentId}`} safe>
          {t.timeline}
        </a>
      </p>
    </section>
  );
}

function BusinessHomePage(props: {
  ctx: PageContext;
  progress: BusinessProgress;
  work: ProgrammeWork[];
  notifications: NotificationView[];
  passwordError?: string;
  refusal?: { enrolmentId: string } & Refusal;
}) {
  const { ctx, progress } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={progress.businessName}>
      {ctx.invitation ? (
        <form method="post" action="/invite/accept" class="panel banner">
          <FormGuards ctx={ctx} />
          <p safe>{t.invitationBanner}</p>
          <Field
            name="password"
            label={t.newPassword}
            type="password"
            autocomplete="new-password"
            issues={props.passwordError ? [{ path: 'password', message: props.passwordError }] : []}
          />
          <button type="submit" class="button" safe>
            {t.setPassword}
          </button>
        </form>
      ) : (
        ''
      )}
      <h1 safe>{progress.businessName}</h1>
      <p class="lead" safe>
        {t.myProgrammes}
      </p>
      {progress.programmes.length === 0 ? <p safe>{t.noEnrolments}</p> : ''}
      {props.work.map((w) => (
        <ProgrammeCard
          ctx={ctx}
          zone={progress.zone}
          work={w}
          refusal={props.refusal?.enrolmentId === w.progress.enrolmentId ? props.refusal : undefined}
        />
      ))}
      <section class="card" aria-labelledby="contact">
        <h2 id="contact" safe>
          {t.contact}
        </h2>
        <p safe>{progress.office.name}</p>
        {progress.contact ? (
          <p>
            <span safe>{progress.contact.name}</span>
            {progress.contact.email ? (
              <>
                {' · '}
                <a href={`mailto:${progress.contact.email}`} safe>
                  {progress.contact.email}
                </a>
              </>
            ) : (
              ''
            )}
          </p>
        ) : (
          ''
        )}
      </section>
      <section class="card" aria-labelledby="notices">
        <h2 id="notices" safe>
          {t.notifications}
        </h2>
        <NotificationList ctx={ctx} zone={progress.zone} items={props.notifications} />
        {props.notifications.length === latestNotices ? (
          <p>
            <a href="/notifications" safe>{`${t.allNotifications} →`}</a>
          </p>
        ) : (
          ''
        )}
      </section>
    </Layout>
  );
}

export async function businessHome(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  extra: { passwordError?: string; refusal?: { enrolmentId: string } & Refusal },
  status = 200,
) {
  const principal = request.principal!;
  const [progress, notices] = await Promise.all([
    businessProgress(app.db, principal),
    listNotifications(app.db, principal, { scope: 'inbox', limit: latestNotices }),
  ]);
  const work = await Promise.all(
    progress.programmes.map(async (p): Promise<ProgrammeWork> => {
      const [documents, notes] = await Promise.all([
        p.next ? listDocuments(app.db, principal, p.enrolmentId) : null,
        listNotes(app.db, principal, p.enrolmentId),
      ]);
      return { progress: p, documents: documents?.steps.find((s) => s.open), notes };
    }),
  );
  return html(
    reply,
    <BusinessHomePage
      ctx={request.pageContext(reply)}
      progress={progress}
      work={work}
      notifications={notices.items}
      {...extra}
    />,
    status,
  );
}
