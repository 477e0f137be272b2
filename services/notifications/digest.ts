// The daily digest and the managers' weekly summary: one message listing many items instead of dozens.
// Each working morning (07:00–12:00 in the office's zone, so a worker that was down at seven still sends it) a member
// of staff who takes the digest gets the steps of their cases due by tomorrow, overdue, and escalated (an officer: the
// cases assigned to them and those nobody handles; a manager: those assigned to them); on Monday mornings a manager
// gets the office's figures of the week. Each is a notification with a unique key per person and day (or
// week), so every worker may try and only one row is written.
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { DbOrTx } from '../../db/client.js';
import { notifications } from '../../db/schema.js';
import { DEFAULT_WORK_WEEK } from '../../domain/calendar.js';
import { textsOf } from './text-store.js';
import { formatDay, formatInstant, renderTexts, type Language } from './texts.js';

const windowFromHour = 7;
const windowUntilHour = 12;

export interface DigestItem {
  enrolmentId: string;
  stepKey: string;
  businessName: string;
  programme: Record<Language, string>;
  step: Record<Language, string>;
  dueAt: number;
  state: 'due' | 'overdue' | 'escalated';
}

/**
 * A person's items: open steps of the enrolments assigned to them and, for an officer, of those nobody handles (no
 * assignee, or one who is no longer active staff of the office: the same rule as the notices, record.ts), due by the
 * end of tomorrow, or overdue; overdue ones with an escalation notice count as escalated. Most urgent first.
 */
export async function officerDigestItems(db: DbOrTx, officerId: string, now: number): Promise<DigestItem[]> {
  const rows = await db.execute<{
    enrolment_id: string;
    step_key: string;
    business_name: string;
    programme_id: string;
    programme_en: string;
    step_name: { id: string; en: string } | null;
    due_at: Date | string;
    escalated: boolean;
  }>(sql`
    select e.id as enrolment_id, s.step_key, b.name as business_name, p.name_id as programme_id,
      p.name_en as programme_en,
      (select st->'name' from jsonb_array_elements(v.template->'steps') st where st->>'key' = s.step_key) as step_name,
      s.due_at,
      exists (select 1 from notifications x where x.enrolment_id = e.id and x.step_key = s.step_key
              and x.kind = 'escalation') as escalated
    from users me
    join offices o on o.id = me.office_id
    join enrolments e on e.office_id = me.office_id and e.status = 'active'
    join step_instances s on s.enrolment_id = e.id and s.status = 'open'
    join businesses b on b.id = e.business_id
    join programmes p on p.key = e.programme_key
    join programme_versions v on v.programme_key = e.programme_key and v.version = e.programme_version
    where me.id = ${officerId}
      and (e.assignee_user_id = me.id or (me.role = 'officer' and not exists (
        select 1 from users r where r.id = e.assignee_user_id and r.role in ('officer', 'manager')
          and r.disabled_at is null and r.office_id = e.office_id)))
      and s.due_at < (date_trunc('day', ${new Date(now).toISOString()}::timestamptz at time zone o.time_zone)
                      + interval '2 days') at time zone o.time_zone
    order by s.due_at, b.name, e.id`);
  return [...rows].map((r) => {
    const dueAt = new Date(r.due_at).getTime();
    return {
      enrolmentId: r.enrolment_id,
      stepKey: r.step_key,
      businessName: r.business_name,
      programme: { id: r.programme_id, en: r.programme_en },
      step: r.step_name ?? { id: r.step_key, en: r.step_key },
      dueAt,
      state: dueAt >= now ? 'due' : r.escalated ? 'escalated' : 'overdue',
    };
  });
}

const stateWords: Record<DigestItem['state'], Record<Language, string>> = {
  due: { id: 'tenggat', en: 'due' },
  overdue: { id: 'terlambat sejak', en: 'overdue since' },
  escalated: { id: 'dieskalasi, terlambat sejak', en: 'escalated, overdue since' },
};

function itemLines(items: DigestItem[], zone: string, language: Language): string {
  return items
    .map(
      (i) =>
        `• ${i.businessName} — ${i.programme[language]}: ${i.step[language]} — ${stateWords[i.state][language]} ` +
        formatInstant(i.dueAt, zone, language),
    )
    .join('\n');
}

type StaffRow = {
  id: string;
  name: string;
  office_id: string;
  office_name: string;
  time_zone: string;
};

/** Is this local date a working day of the office: a weekday and no holiday, cuti bersama or closure? */
async function isWorkingDate(db: DbOrTx, officeId: string, date: DateTime): Promise<boolean> {
  if (!DEFAULT_WORK_WEEK.includes(date.weekday)) return false;
  const [closed] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from calendar_days
    where date = ${date.toISODate()}::date and (office_id is null or office_id = ${officeId}::uuid)`);
  return (closed?.n ?? 0) === 0;
}

async function writeSummary(
  db: DbOrTx,
  person: StaffRow,
  role: 'officer' | 'manager',
  kind: 'daily_digest' | 'weekly_summary',
  dedupeKey: string,
  now: number,
  values: Record<Language, Record<string, string>>,
): Promise<number> {
  const text = renderTexts(kind, await textsOf(db, kind), values);
  const written = await db
    .insert(notifications)
    .values({
      dedupeKey,
      officeId: person.office_id,
      recipientRole: role,
      recipientUserId: person.id,
      kind,
      titleId: text.title.id,
      titleEn: text.title.en,
      bodyId: text.body.id,
      bodyEn: text.body.en,
      params: text.params,
      scheduledFor: new Date(now),
    })
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .returning({ id: notifications.id });
  return written.length;
}

/**
 * Writes the digest of one member of staff for the local date of `now`, if they have items; how many rows it wrote.
 * It is addressed to them as the officer of their cases, like the notices it gathers.
 */
export async function writeOfficerDigest(db: DbOrTx, officer: StaffRow, now: number): Promise<number> {
  const items = await officerDigestItems(db, officer.id, now);
  if (items.length === 0) return 0;
  const today = DateTime.fromMillis(now, { zone: officer.time_zone });
  const values = (language: Language) => ({
    name: officer.name,
    date: formatDay(now, officer.time_zone, language),
    count: String(items.length),
    items: itemLines(items, officer.time_zone, language),
  });
  return writeSummary(db, officer, 'officer', 'daily_digest', `digest:${officer.id}:${today.toISODate()}`, now, {
    id: values('id'),
    en: values('en'),
  });
}

/** Writes a manager's summary of the office's week up to `now`. */
export async function writeManagerSummary(db: DbOrTx, manager: StaffRow, now: number): Promise<number> {
  const local = DateTime.fromMillis(now, { zone: manager.time_zone });
  const at = new Date(now).toISOString();
  const [f] = await db.execute<{
    active: number;
    waitlisted: number;
    overdue: number;
    escalations: number;
    completed: number;
  }>(sql`
    select
      (select count(*)::int from enrolments where office_id = ${manager.office_id} and status = 'active') as active,
      (select count(*)::int from enrolments where office_id = ${manager.office_id} and status = 'waitlisted') as waitlisted,
      (select count(*)::int from step_instances s join enrolments e on e.id = s.enrolment_id
        where e.office_id = ${manager.office_id} and s.status = 'open' and s.due_at < ${at}::timestamptz) as overdue,
      (select count(distinct (enrolment_id, step_key))::int from notifications
        where office_id = ${manager.office_id} and kind = 'escalation'
          and scheduled_for > ${at}::timestamptz - interval '7 days') as escalations,
      (select count(*)::int from enrolments where office_id = ${manager.office_id} and status = 'completed'
          and completed_at > ${at}::timestamptz - interval '7 days') as completed`);
  const figures: Record<Language, string> = {
    id: [
      `• Pendaftaran aktif: ${f!.active}`,
      `• Daftar tunggu: ${f!.waitlisted}`,
      `• Langkah terlambat: ${f!.overdue}`,
      `• Eskalasi 7 hari terakhir: ${f!.escalations}`,
      `• Selesai 7 hari terakhir: ${f!.completed}`,
    ].join('\n'),
    en: [
      `• Active enrolments: ${f!.active}`,
      `• Waitlisted: ${f!.waitlisted}`,
      `• Overdue steps: ${f!.overdue}`,
      `• Escalations in the last 7 days: ${f!.escalations}`,
      `• Completed in the last 7 days: ${f!.completed}`,
    ].join('\n'),
  };
  const week = `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`;
  const values = (language: Language) => ({
    name: manager.name,
    office: manager.office_name,
    week,
    figures: figures[language],
  });
  return writeSummary(db, manager, 'manager', 'weekly_summary', `summary:${manager.id}:${week}`, now, {
    id: values('id'),
    en: values('en'),
  });
}

const lastRun = new WeakMap<object, number>();

/**
 * Writes every digest and summary due at `now` that is not written yet. Called on each round of the dispatcher; it
 * looks at most once a minute.
 */
export async function runSummaries(db: DbOrTx, now: number): Promise<number> {
  const previous = lastRun.get(db);
  if (previous !== undefined && now - previous < 60_000 && now >= previous) return 0;
  lastRun.set(db, now);
  const at = new Date(now).toISOString();
  // Staff who take the digest, with what they have not had yet: today's digest (officers, and managers who handle a
  // running case), this week's summary (managers, on Mondays).
  const staff = await db.execute<StaffRow & { role: 'officer' | 'manager'; digest_due: boolean; summary_due: boolean }>(
    sql`
    select * from (
      select u.id, u.name, u.role, u.office_id, o.name as office_name, o.time_zone,
        (u.role = 'officer' or exists (select 1 from enrolments e where e.assignee_user_id = u.id and e.status = 'active'))
          and not exists (select 1 from notifications n where n.dedupe_key =
            'digest:' || u.id || ':' || to_char(${at}::timestamptz at time zone o.time_zone, 'YYYY-MM-DD')) as digest_due,
        u.role = 'manager' and extract(isodow from ${at}::timestamptz at time zone o.time_zone) = 1
          and not exists (select 1 from notifications n where n.dedupe_key =
            'summary:' || u.id || ':' || to_char(${at}::timestamptz at time zone o.time_zone, 'IYYY-"W"IW')) as summary_due
      from users u join offices o on o.id = u.office_id
      where u.disabled_at is null and u.role in ('officer', 'manager')
        and (u.notification_preferences->>'digest')::boolean
        and extract(hour from ${at}::timestamptz at time zone o.time_zone) >= ${windowFromHour}
        and extract(hour from ${at}::timestamptz at time zone o.time_zone) < ${windowUntilHour}
    ) s
    where digest_due or summary_due
    order by office_id, id`,
  );
  let written = 0;
  const workingByOffice = new Map<string, boolean>();
  for (const person of staff) {
    if (person.summary_due) written += await writeManagerSummary(db, person, now);
    if (!person.digest_due) continue;
    let working = workingByOffice.get(person.office_id);
    if (working === undefined) {
      working = await isWorkingDate(db, person.office_id, DateTime.fromMillis(now, { zone: person.time_zone }));
      workingByOffice.set(person.office_id, working);
    }
    if (working) written += await writeOfficerDigest(db, person, now);
  }
  return written;
}
