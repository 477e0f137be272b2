// The case work a case page and a business's own page share: the checklist items of the open step with their
// document versions, review and upload forms, and the notes thread. Typed functions of their data, as every template.
import type { Children } from '@kitajs/html';
import type { StaffMember } from '../../services/case-assignment.js';
import type { CaseNote } from '../../services/case-notes.js';
import type { DocumentList } from '../../services/documents/documents.js';
import type { Problem } from '../problem.js';
import { acceptedFiles } from '../uploads.js';
import { formatInstant, formatSize } from './i18n.js';
import { FormGuards, issueFor, RadioGroup, type PageContext } from './layout.js';
import { formKey } from './session.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface HtmlInputTag {
      /** Which camera a phone opens for a file field (HTML Media Capture); kitajs does not list it. */
      capture?: undefined | 'user' | 'environment';
    }
  }
}

export type DocumentStep = DocumentList['steps'][number];
type Item = DocumentStep['items'][number];
type Version = Item['versions'][number];

/** A refused form of the case work, shown beside that form: which item's upload, which document's review, or a note. */
export interface CaseworkRefusal {
  action: 'upload' | 'review' | 'note';
  problem: Problem;
  /** The checklist item (upload) or the document (review) whose form refused. */
  target?: string;
  /** What the person had typed, given back so nothing is lost. */
  values?: Record<string, string>;
}

/** Element ids must stay unique when a business's page shows several cases. */
const scoped = (enrolmentId: string, name: string) => `${name}-${enrolmentId.slice(0, 8)}`;

const query = (back: 'home' | undefined) => (back ? `?back=${back}` : '');

function problemText(problem: Problem): string {
  const issues = problem.errors ?? [];
  return issues.length > 0 ? issues.map((i) => i.message).join('; ') : problem.detail;
}

/** A heading at the level its place on the page needs (a case page's section, or inside a business's card). */
function Heading(props: { level: 2 | 3 | 4 | 5; id?: string; children?: Children }) {
  switch (props.level) {
    case 2:
      return <h2 id={props.id}>{props.children}</h2>;
    case 3:
      return <h3 id={props.id}>{props.children}</h3>;
    case 4:
      return <h4 id={props.id}>{props.children}</h4>;
    default:
      return <h5 id={props.id}>{props.children}</h5>;
  }
}

/** One version and its download link; `round` names the step's visit it came in, for the versions of earlier ones. */
function VersionLine(props: { ctx: PageContext; zone: string; version: Version; round?: boolean }) {
  const { ctx, version: v } = props;
  const { t, lang } = ctx;
  const who = v.uploaderName ? `${v.uploaderName} (${t.roles[v.uploaderRole] ?? v.uploaderRole})` : v.uploaderRole;
  return (
    <li class="version">
      <a href={`/documents/${v.id}`} download={v.fileName} safe>
        {`v${v.version} · ${v.fileName}`}
      </a>{' '}
      {props.round ? (
        <span class="muted" safe>
          {`· ${t.round(v.visit)} `}
        </span>
      ) : (
        ''
      )}
      <span class="muted" safe>
        {`· ${formatSize(v.sizeBytes, lang)} · ${t.uploadedBy} ${who} · ${formatInstant(new Date(v.uploadedAt), props.zone, lang)}`}
      </span>{' '}
      <strong class={`tag doc-${v.status}`} safe>
        {t.docStates[v.status] ?? v.status}
      </strong>
      {v.reviewedAt && v.reviewerName ? (
        <span class="muted" safe>
          {` · ${t.reviewedBy} ${v.reviewerName}`}
        </span>
      ) : (
        ''
      )}
    </li>
  );
}

function ReviewForm(props: {
  ctx: PageContext;
  enrolmentId: string;
  version: Version;
  itemName: string;
  refusal: CaseworkRefusal | undefined;
}) {
  const { ctx, version: v } = props;
  const { t } = ctx;
  const refusal = props.refusal?.action === 'review' && props.refusal.target === v.id ? props.refusal : undefined;
  const issues = refusal?.problem.errors;
  const reasonError = issueFor(issues, 'reason');
  const decisionError = issueFor(issues, 'decision');
  const general = refusal && !reasonError && !decisionError ? refusal.problem.detail : undefined;
  const id = `review-${v.id}`;
  return (
    <form method="post" action={`/enrolments/${props.enrolmentId}/documents/${v.id}/review`} class="subform" data-once>
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      {general ? (
        <p class="error-message" role="alert" id={`${id}-refused`} safe>
          {general}
        </p>
      ) : (
        ''
      )}
      <RadioGroup
        id={id}
        name="decision"
        legend={`${t.reviewDecision}: ${props.itemName} v${v.version}`}
        options={[
          { key: 'accepted', value: 'accepted', label: t.acceptDocument },
          { key: 'revision', value: 'needs_revision', label: t.needsRevision },
        ]}
        // A refused acceptance is not ticked again: the reviewer chooses anew.
        checked={refusal?.values?.decision === 'needs_revision' ? 'needs_revision' : undefined}
        error={decisionError}
        required
      />
      <div class={reasonError ? 'field field-error' : 'field'}>
        <label for={`${id}-reason`} safe>
          {t.revisionReasonLabel}
        </label>
        {reasonError ? (
          <p class="error-message" id={`${id}-reason-error`} safe>
            {reasonError}
          </p>
        ) : (
          ''
        )}
        <textarea
          id={`${id}-reason`}
          name="reason"
          rows="2"
          aria-invalid={reasonError ? 'true' : undefined}
          aria-describedby={reasonError ? `${id}-reason-error` : undefined}
          safe
        >
          {refusal?.values?.reason ?? ''}
        </textarea>
      </div>
      <button type="submit" class="button button-secondary" safe>
        {t.saveReview}
      </button>
    </form>
  );
}

function UploadForm(props: {
  ctx: PageContext;
  enrolmentId: string;
  stepKey: string;
  item: Item;
  refusal: CaseworkRefusal | undefined;
  back: 'home' | undefined;
}) {
  const { ctx, item } = props;
  const { t } = ctx;
  const refusal =
    props.refusal?.action === 'upload' && props.refusal.target === item.itemKey ? props.refusal : undefined;
  const id = scoped(props.enrolmentId, `upload-${item.itemKey}`);
  const describedBy = [`${id}-hint`, refusal ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <form
      method="post"
      enctype="multipart/form-data"
      action={`/enrolments/${props.enrolmentId}/steps/${props.stepKey}/documents/${item.itemKey}${query(props.back)}`}
      class="subform upload-form"
      data-once
    >
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <div class={refusal ? 'field field-error' : 'field'}>
        <label for={id} safe>
          {item.state === 'missing' ? t.uploadFile : t.uploadNewVersion}
        </label>
        <p class="hint" id={`${id}-hint`} safe>
          {t.uploadHint}
        </p>
        {refusal ? (
          <p class="error-message" id={`${id}-error`} role="alert" safe>
            {`${t.uploadRefused}: ${problemText(refusal.problem)}`}
          </p>
        ) : (
          ''
        )}
        <input
          type="file"
          id={id}
          name="file"
          accept={acceptedFiles}
          aria-describedby={describedBy}
          aria-invalid={refusal ? 'true' : undefined}
        />
      </div>
      {/* A field of its own for the camera: `capture` on the only field would keep a phone from picking a PDF. */}
      <div class="field">
        <label for={`${id}-photo`} safe>
          {t.takePhoto}
        </label>
        <input type="file" id={`${id}-photo`} name="photo" accept="image/jpeg,image/png" capture="environment" />
      </div>
      <button type="submit" class="button" safe>
        {t.uploadButton}
      </button>
    </form>
  );
}

/**
 * The open step's checklist: each item's state (with the reason of a revision), its versions with their download
 * links, for staff a review form for a version awaiting review, and an upload form while the item takes versions.
 */
export function StepDocuments(props: {
  ctx: PageContext;
  zone: string;
  enrolmentId: string;
  step: DocumentStep;
  staff: boolean;
  canUpload: boolean;
  refusal?: CaseworkRefusal | undefined;
  back?: 'home';
  /** The level of this section's heading: 3 under a case page's open step, 4 inside a business's card. */
  level?: 3 | 4;
}) {
  const { ctx, step } = props;
  const { t, lang } = ctx;
  const headingId = scoped(props.enrolmentId, 'documents');
  const level = props.level ?? 3;
  return (
    <section class="documents" aria-labelledby={headingId}>
      <Heading level={level} id={headingId}>
        <span safe>{t.documentsTitle}</span>
      </Heading>
      {step.visit > 1 ? (
        <p class="muted" safe>
          {t.stepRound(step.visit)}
        </p>
      ) : (
        ''
      )}
      <ul class="doc-items">
        {step.items.map((item) => {
          const latest = item.versions[0];
          return (
            <li class={`doc-item doc-item-${item.state}`} id={scoped(props.enrolmentId, `item-${item.itemKey}`)}>
              <Heading level={level === 3 ? 4 : 5}>
                <span safe>{`${item.name[lang]}${item.required ? ` (${t.required})` : ''}`}</span>{' '}
                <strong class={`tag doc-${item.state}`} safe>
                  {t.docStates[item.state] ?? item.state}
                </strong>
              </Heading>
              {item.state === 'needs_revision' && latest?.reviewReason ? (
                <p class="revision">
                  <strong safe>{`${t.revisionReason}: `}</strong>
                  <span safe>{latest.reviewReason}</span>
                </p>
              ) : (
                ''
              )}
              {item.versions.length > 0 ? (
                <ul class="versions" aria-label={`${t.versions}: ${item.name[lang]}`}>
                  {item.versions.map((v) => (
                    <VersionLine ctx={ctx} zone={props.zone} version={v} />
                  ))}
                </ul>
              ) : (
                ''
              )}
              {item.earlierVersions.length > 0 ? (
                <details class="subform">
                  <summary safe>{`${t.earlierRounds} (${item.earlierVersions.length})`}</summary>
                  <ul class="versions" aria-label={`${t.earlierRounds}: ${item.name[lang]}`}>
                    {item.earlierVersions.map((v) => (
                      <VersionLine ctx={ctx} zone={props.zone} version={v} round />
                    ))}
                  </ul>
                </details>
              ) : (
                ''
              )}
              {props.staff && latest?.status === 'submitted' ? (
                <ReviewForm
                  ctx={ctx}
                  enrolmentId={props.enrolmentId}
                  version={latest}
                  itemName={item.name[lang]}
                  refusal={props.refusal}
                />
              ) : (
                ''
              )}
              {props.canUpload && item.state === 'submitted' ? (
                // A version waits for review: a new one is the exception, so its form folds (two file fields are
                // half a phone's screen).
                <details
                  class="subform"
                  open={props.refusal?.action === 'upload' && props.refusal.target === item.itemKey}
                >
                  <summary safe>{t.uploadNewVersion}</summary>
                  <UploadForm
                    ctx={ctx}
                    enrolmentId={props.enrolmentId}
                    stepKey={step.stepKey}
                    item={item}
                    refusal={props.refusal}
                    back={props.back}
                  />
                </details>
              ) : props.canUpload && item.state !== 'accepted' ? (
                <UploadForm
                  ctx={ctx}
                  enrolmentId={props.enrolmentId}
                  stepKey={step.stepKey}
                  item={item}
                  refusal={props.refusal}
                  back={props.back}
                />
              ) : (
                ''
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The required items of a step not yet accepted: what keeps its completion back. */
export const blockingItems = (step: DocumentStep | undefined, lang: PageContext['lang']) =>
  (step?.items ?? []).filter((i) => i.required && i.state !== 'accepted').map((i) => i.name[lang]);

/**
 * The notes thread, oldest first, and a form to add one. Staff choose internal (the default) or shared; a business
 * writes shared notes only. No note is edited: a correction is a new note.
 */
export function NotesThread(props: {
  ctx: PageContext;
  zone: string;
  enrolmentId: string;
  notes: CaseNote[];
  canWrite: boolean;
  refusal?: CaseworkRefusal | undefined;
  back?: 'home';
  /** A heading level that fits the page: 2 on a case page, 3 inside a business's programme card. */
  level?: 2 | 3;
  /** The form to write a note folds under its label (a business's page on a phone), unless it was just refused. */
  folded?: boolean;
}) {
  const { ctx, notes } = props;
  const { t, lang } = ctx;
  const staff = ctx.principal?.role !== 'business';
  const refusal = props.refusal?.action === 'note' ? props.refusal : undefined;
  const bodyError = refusal ? (issueFor(refusal.problem.errors, 'body') ?? problemText(refusal.problem)) : undefined;
  const id = scoped(props.enrolmentId, 'notes');
  // Built only for a reader who may write: its idempotency key is fresh per form.
  const form = props.canWrite ? (
    <form method="post" action={`/enrolments/${props.enrolmentId}/notes${query(props.back)}`} data-once>
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <div class={bodyError ? 'field field-error' : 'field'}>
        <label for={`${id}-body`} safe>
          {t.writeNote}
        </label>
        <p class="hint" id={`${id}-hint`} safe>
          {staff ? t.notesNeverEdited : `${t.businessNoteHint} ${t.notesNeverEdited}`}
        </p>
        {bodyError ? (
          <p class="error-message" id={`${id}-error`} role="alert" safe>
            {bodyError}
          </p>
        ) : (
          ''
        )}
        <textarea
          id={`${id}-body`}
          name="body"
          rows="3"
          required
          aria-invalid={bodyError ? 'true' : undefined}
          aria-describedby={bodyError ? `${id}-hint ${id}-error` : `${id}-hint`}
          safe
        >
          {refusal?.values?.body ?? ''}
        </textarea>
      </div>
      {staff ? (
        <RadioGroup
          id={id}
          name="visibility"
          legend={t.noteVisibility}
          options={[
            { key: 'internal', value: 'internal', label: t.internalNote },
            { key: 'shared', value: 'shared', label: t.sharedNote },
          ]}
          checked={refusal?.values?.visibility === 'shared' ? 'shared' : 'internal'}
        />
      ) : (
        <input type="hidden" name="visibility" value="shared" />
      )}
      <button type="submit" class="button button-secondary" safe>
        {t.addNote}
      </button>
    </form>
  ) : (
    ''
  );
  return (
    <section class="notes" aria-labelledby={id}>
      <Heading level={props.level ?? 2} id={id}>
        <span safe>{t.notesTitle}</span>
      </Heading>
      {staff ? (
        ''
      ) : (
        <p class="hint" safe>
          {t.notesIntroBusiness}
        </p>
      )}
      {notes.length === 0 ? (
        <p class="muted" safe>
          {t.noNotes}
        </p>
      ) : (
        <ol class="note-list">
          {notes.map((n) => (
            <li class={`note note-${n.visibility}`}>
              <p class="note-meta">
                <strong safe>{n.authorName ?? t.roles[n.authorRole] ?? n.authorRole}</strong>{' '}
                <span class="muted" safe>
                  {`(${t.roles[n.authorRole] ?? n.authorRole}) · ${formatInstant(new Date(n.createdAt), props.zone, lang)}`}
                </span>{' '}
                {staff ? (
                  <strong class={`tag note-tag-${n.visibility}`} safe>
                    {n.visibility === 'shared' ? t.sharedTag : t.internalTag}
                  </strong>
                ) : (
                  ''
                )}
              </p>
              <p class="note-body" safe>
                {n.body}
              </p>
            </li>
          ))}
        </ol>
      )}
      {props.canWrite && props.folded && !refusal ? (
        <details class="subform">
          <summary safe>{t.writeNote}</summary>
          {form}
        </details>
      ) : (
        form
      )}
    </section>
  );
}

/** The assignment form's "unassigned": a choice of its own, so that not choosing at all unassigns nobody by mistake. */
const unassignedChoice = 'none';

/** What the API is asked for a choice of the form: a user id as sent (for it to accept or name), or null. */
export const assigneeOfChoice = (choice: string) => (choice === unassignedChoice ? null : choice);

/** Nothing chosen: refused beside the field before the API is asked, in its problem shape. */
export function assigneeChoiceProblem(ctx: PageContext, choice: string): Problem | null {
  if (choice !== '') return null;
  return {
    type: 'https://pendamping.id/problems/400',
    title: 'Permintaan tidak valid / Bad request',
    status: 400,
    detail: ctx.t.chooseAssignee,
    errors: [{ path: 'body.userId', message: ctx.t.chooseAssignee }],
  };
}

/**
 * Whom a case (or a whole cohort) goes to: a form posting to `action` with the office's staff and "unassigned"; a
 * cohort's form starts with nothing chosen, since it changes every case at once.
 * A refusal is shown beside the field: the field's own message, or the API's reason when it named no field (a case
 * that finished meanwhile).
 */
export function AssignForm(props: {
  ctx: PageContext;
  action: string;
  title: string;
  hint?: string;
  button: string;
  staff: StaffMember[];
  current: string | null;
  refusal: { problem: Problem; values?: Record<string, string> } | undefined;
}) {
  const { ctx, refusal } = props;
  const { t } = ctx;
  const id = `assign-${props.action.split('/')[1] ?? 'case'}`;
  const error = refusal ? (issueFor(refusal.problem.errors, 'userId') ?? refusal.problem.detail) : undefined;
  const chosen = refusal?.values?.userId ?? props.current ?? '';
  const choices = [
    { value: unassignedChoice, label: t.unassigned },
    ...props.staff.map((u) => ({ value: u.id, label: `${u.name} (${t.roles[u.role] ?? u.role})` })),
  ];
  const describedBy = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <form method="post" action={props.action} class="panel action-form assign-form" data-once>
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <h3 safe>{props.title}</h3>
      <div class={error ? 'field field-error' : 'field'}>
        <label for={id} safe>
          {t.assignee}
        </label>
        {props.hint ? (
          <p class="hint" id={`${id}-hint`} safe>
            {props.hint}
          </p>
        ) : (
          ''
        )}
        {error ? (
          <p class="error-message" id={`${id}-error`} role="alert" safe>
            {error}
          </p>
        ) : (
          ''
        )}
        <select
          id={id}
          name="userId"
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
        >
          {chosen === '' ? (
            <option value="" selected safe>
              {t.chooseAssignee}
            </option>
          ) : (
            ''
          )}
          {choices.map((c) => (
            <option value={c.value} selected={chosen === c.value} safe>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button button-secondary" safe>
        {props.button}
      </button>
    </form>
  );
}
