// Recording a notification: one row per recipient person, with a unique key, in the caller's transaction (so an event
// and its notice commit together, and a retried activity inserts nothing new). Delivery is separate: the dispatcher
// (dispatcher.ts) plans and sends each row's e-mail, WhatsApp and webhook messages.
import { eq, sql } from 'drizzle-orm';
import { executePrepared, type Db, type DbOrTx } from '../../db/client.js';
import { businesses, enrolments, notifications, offices, programmes } from '../../db/schema.js';
import type { TemplateStep } from '../../domain/template.js';
import type { LocalizedText } from '../../domain/types.js';
import { textsOf } from './text-store.js';
import { formatInstant, renderTexts, type Language, type NoticeKind } from './texts.js';

export type { NoticeKind } from './texts.js';

/** What a notice needs to know of its enrolment. */
export interface NoticeContext {
  enrolment: { id: string; businessId: string; officeId: string };
  businessName: string;
  zone: string;
  programmeNameId: string;
  programmeNameEn: string;
}

/** One event of an enrolment. The optional fields fill the placeholders of the kinds that use them. */
export interface Notice {
  kind: NoticeKind;
  /** The step the event is about; null for events of the whole enrolment. */
  step: TemplateStep | null;
  visit: number;
  /** Tells apart notices of the same kind and step visit (the reminder's index, an extension's count, ...). */
  occurrence: string;
  /** The instant of the event, from the workflow's clock. */
  at: number;
  /** The step's deadline after the event. */
  dueAt: number | null;
  /** extended, deadline_moved: the deadline before. */
  previousDueAt?: number | null;
  /** withdrawn, paused, extended, stuck, failed, recertification_started: why, in the words of whoever acted. */
  reason?: string;
  /** step_completed: the outcome's name. failed: used as the reason when no reason is given. */
  outcome?: LocalizedText;
  /** stuck: what went wrong; used as the reason. */
  detail?: string;
  /** certificate_issued. */
  certificateNumber?: string;
  /** waitlisted: 1 for the first in line. */
  waitlistPosition?: number;
  /** Who hears of it when the kind alone does not say (a shared note goes to the side that did not write it). */
  to?: Audience[];
}

export type Audience = 'business' | 'officer' | 'manager' | 'head_of_office';

/**
 * Who hears of an event. The party that must act hears of its step (the business for its own steps, the case's
 * officer for the office's and for those of external bodies, whose results officers record); an overdue business step
 * also reaches the officer; an escalation goes to the template's target; the enrolment's own milestones reach the
 * business and the officer; a stuck case reaches the officer and the managers. "The officer" is the case's assignee,
 * or every officer of the office while nobody handles it (recipientsOf).
 */
export function audienceOf(kind: NoticeKind, step: TemplateStep | null): Audience[] {
  const actor: Audience = step?.actor === 'business' ? 'business' : 'officer';
  switch (kind) {
    case 'enrolled':
    case 'waitlisted':
      return ['business'];
    case 'step_opened':
    case 'reminder':
      return [actor];
    case 'overdue':
    case 'extended':
    case 'deadline_moved':
      return actor === 'business' ? ['business', 'officer'] : ['officer'];
    case 'escalation':
      return [step?.escalation?.to === 'head_of_office' ? 'head_of_office' : 'manager'];
    case 'stuck':
      return ['officer', 'manager'];
    case 'promoted':
    case 'step_completed':
    case 'paused':
    case 'resumed':
    case 'withdrawn':
    case 'certificate_issued':
    case 'completed':
    case 'failed':
    case 'recertification_started':
      return ['business', 'officer'];
    case 'document_reviewed':
    case 'document_needs_revision':
      return ['business'];
    case 'note_shared':
      // The side that did not write it; the caller names it (`to`).
      return [];
  }
}

interface Recipient {
  role: 'business' | 'officer' | 'manager';
  /** Null for the business (its contact) and for a role of an office that has nobody in it. */
  userId: string | null;
}

/** An active officer or manager of the case's office, and whether the case is theirs. */
interface StaffMember {
  id: string;
  role: 'officer' | 'manager';
  head: boolean;
  assigned: boolean;
}

const staffOf = (db: DbOrTx, enrolmentId: string) =>
  db.execute<StaffMember & Record<string, unknown>>(sql`
    select u.id, u.role, u.head_of_office as head, coalesce(u.id = e.assignee_user_id, false) as assigned
    from enrolments e join users u on u.office_id = e.office_id
    where e.id = ${enrolmentId} and u.disabled_at is null and u.role in ('officer', 'manager')
    order by u.id`);

const onlyBusiness = (audience: Audience[]) => audience.every((a) => a === 'business');

/**
 * The people behind an audience. Officer: the case's assignee, while an active officer or manager of its office (a
 * manager who handles a case hears of it as its officer); otherwise, for a case nobody handles, every active officer
 * of the office. Manager: every manager. Head of office: the managers marked so, else every manager. A person is
 * listed once, under the first audience that names them.
 */
function recipientsAmong(staff: StaffMember[], audience: Audience[]): Recipient[] {
  const out: Recipient[] = [];
  if (audience.includes('business')) out.push({ role: 'business', userId: null });
  if (onlyBusiness(audience)) return out;
  const assignee = staff.filter((u) => u.assigned);
  const managers = staff.filter((u) => u.role === 'manager');
  const heads = managers.filter((u) => u.head);
  const people: Record<Exclude<Audience, 'business'>, StaffMember[]> = {
    officer: assignee.length > 0 ? assignee : staff.filter((u) => u.role === 'officer'),
    manager: managers,
    head_of_office: heads.length > 0 ? heads : managers,
  };
  const listed = new Set<string>();
  for (const a of audience) {
    if (a === 'business') continue;
    const role = a === 'officer' ? 'officer' : 'manager';
    // An office without such a person still gets the notice, addressed to the role: the office's list shows it.
    if (people[a].length === 0) out.push({ role, userId: null });
    for (const u of people[a]) {
      if (listed.has(u.id)) continue;
      listed.add(u.id);
      out.push({ role, userId: u.id });
    }
  }
  return out;
}

async function recipientsOf(db: DbOrTx, enrolmentId: string, audience: Audience[]): Promise<Recipient[]> {
  return recipientsAmong(onlyBusiness(audience) ? [] : [...(await staffOf(db, enrolmentId))], audience);
}

const noDue: Record<Language, string> = { id: 'tanpa tenggat', en: 'no deadline' };

function valuesOf(ctx: NoticeContext, notice: Notice, language: Language): Record<string, string> {
  const when = (ms: number | null | undefined) =>
    ms === null || ms === undefined ? noDue[language] : formatInstant(ms, ctx.zone, language);
  return {
    business: ctx.businessName,
    programme: language === 'id' ? ctx.programmeNameId : ctx.programmeNameEn,
    step: notice.step?.name[language] ?? '-',
    due: when(notice.dueAt),
    previousDue: when(notice.previousDueAt),
    reason: notice.reason ?? notice.detail ?? notice.outcome?.[language] ?? '-',
    outcome: notice.outcome?.[language] ?? '-',
    certificate: notice.certificateNumber ?? '-',
    position: notice.waitlistPosition === undefined ? '-' : String(notice.waitlistPosition),
  };
}

/** The rows of a notice for these recipients: its texts rendered in both languages. */
export async function noticeRows(
  db: DbOrTx,
  ctx: NoticeContext,
  notice: Notice,
  recipients: Recipient[],
): Promise<(typeof notifications.$inferInsert)[]> {
  const texts = await textsOf(db, notice.kind);
  const text = renderTexts(notice.kind, texts, {
    id: valuesOf(ctx, notice, 'id'),
    en: valuesOf(ctx, notice, 'en'),
  });
  const e = ctx.enrolment;
  const stepPart = notice.step ? `${notice.step.key}:${notice.visit}` : '-';
  return recipients.map((r) => ({
    dedupeKey: `${e.id}:${stepPart}:${notice.kind}:${notice.occurrence}:${r.userId ? `user-${r.userId}` : r.role}`,
    enrolmentId: e.id,
    businessId: e.businessId,
    officeId: e.officeId,
    recipientRole: r.role,
    recipientUserId: r.userId,
    kind: notice.kind,
    stepKey: notice.step?.key ?? null,
    titleId: text.title.id,
    titleEn: text.title.en,
    bodyId: text.body.id,
    bodyEn: text.body.en,
    params: text.params,
    scheduledFor: new Date(notice.at),
  }));
}

/**
 * The one entry point for every event of an enrolment: writes a notification row per recipient, in the caller's
 * transaction, each with a unique key so that a retry writes nothing new.
 */
export async function recordNotice(db: DbOrTx, ctx: NoticeContext, notice: Notice): Promise<void> {
  const recipients = await recipientsOf(db, ctx.enrolment.id, notice.to ?? audienceOf(notice.kind, notice.step));
  if (recipients.length === 0) return;
  await db
    .insert(notifications)
    .values(await noticeRows(db, ctx, notice, recipients))
    .onConflictDoNothing({ target: notifications.dedupeKey });
}

/**
 * A step's notice that the engine sends on its own (reminder, overdue, escalation: the notices of a case waiting on its
 * timers, most of what the worker records). In two round trips, each a prepared statement: one read of everything it
 * needs (the enrolment's context, the step's deadline, the office's staff when the audience needs them), then one
 * insert of its rows. False when the enrolment does not exist.
 */
export async function recordStepNotice(
  db: Db,
  notice: { enrolmentId: string; step: TemplateStep; visit: number; kind: NoticeKind; occurrence: string; at: number },
): Promise<boolean> {
  const audience = audienceOf(notice.kind, notice.step);
  const [row] = await executePrepared<{
    id: string;
    business_id: string;
    office_id: string;
    business_name: string;
    zone: string;
    programme_name_id: string;
    programme_name_en: string;
    due_at: Date | null;
    staff: StaffMember[];
  }>(
    db,
    sql`
      select e.id, e.business_id, e.office_id, b.name as business_name, o.time_zone as zone,
        p.name_id as programme_name_id, p.name_en as programme_name_en,
        (select s.due_at from step_instances s
          where s.enrolment_id = e.id and s.step_key = ${notice.step.key} and s.visit = ${notice.visit}) as due_at,
        case when ${!onlyBusiness(audience)}::boolean then coalesce((
          select json_agg(json_build_object('id', u.id, 'role', u.role, 'head', u.head_of_office,
            'assigned', coalesce(u.id = e.assignee_user_id, false)) order by u.id)
          from users u
          where u.office_id = e.office_id and u.disabled_at is null and u.role in ('officer', 'manager')
        ), '[]'::json) else '[]'::json end as staff
      from enrolments e
      join businesses b on b.id = e.business_id
      join offices o on o.id = e.office_id
      join programmes p on p.key = e.programme_key
      where e.id = ${notice.enrolmentId}`,
  );
  if (!row) return false;
  const ctx: NoticeContext = {
    enrolment: { id: row.id, businessId: row.business_id, officeId: row.office_id },
    businessName: row.business_name,
    zone: row.zone,
    programmeNameId: row.programme_name_id,
    programmeNameEn: row.programme_name_en,
  };
  const recipients = recipientsAmong(row.staff, audience);
  if (recipients.length === 0) return true;
  const { kind, step, visit, occurrence, at } = notice;
  const dueAt = row.due_at === null ? null : new Date(row.due_at).getTime();
  const rows = await noticeRows(db, ctx, { kind, step, visit, occurrence, at, dueAt }, recipients);
  // The rows as one JSON parameter, so that the statement's text is the same for any number of recipients.
  await executePrepared(
    db,
    sql`
      insert into notifications (dedupe_key, enrolment_id, business_id, office_id, recipient_role, recipient_user_id,
        kind, step_key, title_id, title_en, body_id, body_en, params, scheduled_for)
      select dedupe_key, enrolment_id, business_id, office_id, recipient_role, recipient_user_id,
        kind, step_key, title_id, title_en, body_id, body_en, params, scheduled_for
      from jsonb_populate_recordset(null::notifications, ${JSON.stringify(
        rows.map((r) => ({
          dedupe_key: r.dedupeKey,
          enrolment_id: r.enrolmentId,
          business_id: r.businessId,
          office_id: r.officeId,
          recipient_role: r.recipientRole,
          recipient_user_id: r.recipientUserId,
          kind: r.kind,
          step_key: r.stepKey,
          title_id: r.titleId,
          title_en: r.titleEn,
          body_id: r.bodyId,
          body_en: r.bodyEn,
          params: r.params,
          scheduled_for: r.scheduledFor!.toISOString(),
        })),
      )}::jsonb)
      on conflict (dedupe_key) do nothing`,
  );
  return true;
}

/** What a notice needs, read from the enrolment: for callers that hold only its id (intake, quotas). */
export async function noticeContextOf(db: DbOrTx, enrolmentId: string): Promise<NoticeContext | null> {
  const [row] = await db
    .select({
      enrolment: { id: enrolments.id, businessId: enrolments.businessId, officeId: enrolments.officeId },
      businessName: businesses.name,
      zone: offices.timeZone,
      programmeNameId: programmes.nameId,
      programmeNameEn: programmes.nameEn,
    })
    .from(enrolments)
    .innerJoin(businesses, eq(businesses.id, enrolments.businessId))
    .innerJoin(offices, eq(offices.id, enrolments.officeId))
    .innerJoin(programmes, eq(programmes.key, enrolments.programmeKey))
    .where(eq(enrolments.id, enrolmentId));
  return row ?? null;
}

/** recordNotice for an enrolment known by its id: waitlisted, promoted. */
export async function recordEnrolmentNotice(
  db: DbOrTx,
  enrolmentId: string,
  notice: Omit<Notice, 'step' | 'visit' | 'dueAt'>,
): Promise<void> {
  const ctx = await noticeContextOf(db, enrolmentId);
  if (ctx) await recordNotice(db, ctx, { ...notice, step: null, visit: 0, dueAt: null });
}

/**
 * The business's row of an intake event (enrolled, waitlisted), from what the intake already holds, so that the
 * enrolment's statement or transaction spends no query on it: the single-statement enrolment inserts it beside the
 * enrolment (enrolment-intake.ts). These texts have no date, so they need no zone.
 */
export async function intakeNoticeRow(
  db: DbOrTx,
  enrolment: NoticeContext['enrolment'],
  businessName: string,
  programmeName: LocalizedText,
  notice: { kind: 'enrolled' | 'waitlisted'; at: number; waitlistPosition?: number },
) {
  const ctx: NoticeContext = {
    enrolment,
    businessName,
    zone: 'UTC',
    programmeNameId: programmeName.id,
    programmeNameEn: programmeName.en,
  };
  const [row] = await noticeRows(db, ctx, { ...notice, step: null, visit: 0, occurrence: '0', dueAt: null }, [
    { role: 'business', userId: null },
  ]);
  return row!;
}

/** Records an intake event's row (see intakeNoticeRow) in the caller's transaction. */
export async function recordIntakeNotice(...args: Parameters<typeof intakeNoticeRow>): Promise<void> {
  await args[0]
    .insert(notifications)
    .values(await intakeNoticeRow(...args))
    .onConflictDoNothing({ target: notifications.dedupeKey });
}
