// Enrolling businesses into a programme year. Each enrolment is one transaction: a quota place (or the waitlist), the
// enrolment row, an outbox row asking for its workflow when it is active, and the audit row. The workflows start after
// the commit (services/workflows.ts); a waitlisted enrolment gets its workflow only when it is promoted.
import { and, asc, count, eq, inArray, lte, max, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { type Principal, assertOfficeScope } from './principal.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import { recordAudit, type AuditContext } from './audit.js';
import { executePrepared, type Db, type DbOrTx } from '../db/client.js';
import { businesses, enrolments, programmes, programmeVersions, quotas } from '../db/schema.js';
import { intakeNoticeRow, recordEnrolmentNotice, recordIntakeNotice } from './notifications/record.js';
import { activateIfFree, lockUsableQuotas } from './quota.js';
import { isCheckViolation } from './registry-businesses.js';
import { businessConditions, type BusinessFilter } from './registry-query.js';
import { enrolmentWorkflowId, type StartTarget } from './workflows.js';
import type { ProgrammeTemplate } from '../domain/template.js';

export type EnrolmentRow = typeof enrolments.$inferSelect;
export type BusinessRow = typeof businesses.$inferSelect;
type QuotaRow = typeof quotas.$inferSelect;

/** What every enrolment of one request shares. */
export interface Intake {
  programmeKey: string;
  year: number;
  officeId: string;
  cohortId: string | null;
  /** The latest published version: the enrolment keeps it whatever is published later. */
  programmeVersion: number;
  /** That version's template, which the workflow is started with. */
  template: ProgrammeTemplate;
}

/** At most this many businesses per bulk request; a wider filter is refused, not cut short. */
export const maxBulk = 10_000;

/** Waitlist priority: export-oriented IKM first (the provinces pick export-quality businesses first), then arrival. */
export const priorityOf = (b: Pick<BusinessRow, 'exportOriented'>) => (b.exportOriented ? 1 : 0);

/** Every programme's key and names, by its Indonesian name: what a form offers, and what a page names a key by. */
export async function programmeNames(db: DbOrTx) {
  const rows = await db
    .select({ key: programmes.key, id: programmes.nameId, en: programmes.nameEn })
    .from(programmes)
    .orderBy(asc(programmes.nameId));
  return rows.map((p) => ({ key: p.key, name: { id: p.id, en: p.en } }));
}

/**
 * Published templates by programme and version. A published version never changes (api/routes/programmes.ts), so an
 * entry is good forever; which version is the latest is still asked of the database every time, since a version
 * published by another process, or whose publication date passes, must be taken at once.
 */
const templates = new Map<string, ProgrammeTemplate>();

export async function programmeTemplate(
  db: DbOrTx,
  programmeKey: string,
  version: number,
): Promise<ProgrammeTemplate | null> {
  const key = `${programmeKey}\u0000${version}`;
  const cached = templates.get(key);
  if (cached) return cached;
  const [row] = await db
    .select({ template: programmeVersions.template })
    .from(programmeVersions)
    .where(and(eq(programmeVersions.programmeKey, programmeKey), eq(programmeVersions.version, version)));
  if (!row) return null;
  templates.set(key, row.template as ProgrammeTemplate);
  return row.template as ProgrammeTemplate;
}

export async function latestProgrammeVersion(
  db: DbOrTx,
  programmeKey: string,
): Promise<{ version: number; template: ProgrammeTemplate } | null> {
  const [row] = await db
    .select({ version: max(programmeVersions.version) })
    .from(programmeVersions)
    .where(and(eq(programmeVersions.programmeKey, programmeKey), lte(programmeVersions.publishedAt, sql`now()`)));
  const template = row?.version ? await programmeTemplate(db, programmeKey, row.version) : null;
  return row?.version && template ? { version: row.version, template } : null;
}

/** What one enrolment needs to know of its business, home quota and programme (see intakeOf). */
export interface IntakeFound {
  business: Pick<BusinessRow, 'id' | 'nib' | 'officeId' | 'regionCode' | 'name' | 'exportOriented'>;
  homeQuotaId: string | null;
  programmeVersion: number | null;
}

/** The latest published version of each programme this process has seen, with its template (see enrolDirect). */
const latestSeen = new Map<string, { version: number; template: ProgrammeTemplate }>();

/** Remembers the latest version an intake read found, once its template is known. */
export function noteLatestVersion(programmeKey: string, version: number, template: ProgrammeTemplate): void {
  latestSeen.set(programmeKey, { version, template });
}

/**
 * Stands in for the business's name in the notice rendered before the statement knows the business: the statement
 * puts the name in its place. Made of characters no text or name holds.
 */
const businessNameMark = `\u2063business-${randomUUID()}\u2063`;

/** The part of both statements that reads what an enrolment needs to know: the business, its home quota, the version. */
const intakeRead = (businessId: string, target: Pick<Intake, 'programmeKey' | 'year'>) => sql`
  b as (
    select id, nib, office_id, region_code, name, export_oriented from businesses where id = ${businessId}::uuid),
  home as (
    select q.id from quotas q, b
    where q.programme_key = ${target.programmeKey} and q.year = ${target.year}::int
      and q.office_id = b.office_id and (q.region_code = b.region_code or q.region_code is null)
    order by q.region_code nulls last limit 1),
  latest as (
    select max(v.version) as version from programme_versions v
    where v.programme_key = ${target.programmeKey} and v.published_at <= now())`;

/** The columns both statements answer with: intakeOf's answer, null business columns when there is no such business. */
const foundColumns = sql`b.id, b.nib, b.office_id, b.region_code, b.name, b.export_oriented,
  (select id from home) as home_quota_id, (select version from latest) as programme_version`;

type FoundRow = {
  id: string | null;
  nib: string | null;
  office_id: string | null;
  region_code: string | null;
  name: string | null;
  export_oriented: boolean | null;
  home_quota_id: string | null;
  programme_version: number | null;
};

const foundOf = (row: FoundRow | undefined): IntakeFound | null =>
  row?.id
    ? {
        business: {
          id: row.id,
          nib: row.nib!,
          officeId: row.office_id!,
          regionCode: row.region_code!,
          name: row.name!,
          exportOriented: row.export_oriented!,
        },
        homeQuotaId: row.home_quota_id,
        programmeVersion: row.programme_version,
      }
    : null;

/**
 * What one enrolment needs to know before its transaction, in one read: the business, its home quota (its region's,
 * else the office-wide one; see homeQuota) and the programme's latest published version. Null if no such business.
 * The usual request gets the same answer from enrolDirect, with its enrolment written in the same round trip.
 */
export async function intakeOf(
  db: Db,
  businessId: string,
  target: Pick<Intake, 'programmeKey' | 'year'>,
): Promise<IntakeFound | null> {
  const [row] = await executePrepared<FoundRow>(
    db,
    sql`with ${intakeRead(businessId, target)} select ${foundColumns} from (select 1) one left join b on true`,
  );
  return foundOf(row);
}

/** The quotas of a programme year in an office, to find each business's home quota without a query per business. */
export async function quotasOf(
  db: DbOrTx,
  intake: Pick<Intake, 'programmeKey' | 'year' | 'officeId'>,
): Promise<QuotaRow[]> {
  return db
    .select()
    .from(quotas)
    .where(
      and(
        eq(quotas.programmeKey, intake.programmeKey),
        eq(quotas.year, intake.year),
        eq(quotas.officeId, intake.officeId),
      ),
    );
}

/** A business's home quota: its region's, else the office-wide one (no region). */
export function homeQuota(all: QuotaRow[], regionCode: string): QuotaRow | undefined {
  return all.find((q) => q.regionCode === regionCode) ?? all.find((q) => q.regionCode === null);
}

export const noQuota = (intake: Pick<Intake, 'programmeKey' | 'year'>, regionCode: string) =>
  `Belum ada kuota ${intake.programmeKey} ${intake.year} untuk wilayah ${regionCode} / ` +
  `No ${intake.programmeKey} ${intake.year} quota covers region ${regionCode}`;

export const alreadyEnrolled = (intake: Pick<Intake, 'programmeKey' | 'year'>) =>
  `Usaha ini sudah terdaftar di ${intake.programmeKey} ${intake.year} / ` +
  `This business is already enrolled in ${intake.programmeKey} ${intake.year}`;

class AlreadyEnrolled extends Error {}

export const startTargetOf = (e: EnrolmentRow, intake: Pick<Intake, 'template'>): StartTarget => ({
  enrolmentId: e.id,
  workflowId: e.workflowId,
  template: intake.template,
});

export type EnrolOutcome = { ok: true; enrolment: EnrolmentRow } | { ok: false; businessId: string; reason: string };

/** What both enrolment paths write the same way: a first-round enrolment of a business in this intake. */
function newEnrolment(
  source: AuditContext & { principal: Principal },
  intake: Intake,
  business: Pick<BusinessRow, 'id' | 'nib' | 'officeId' | 'exportOriented'>,
  homeQuotaId: string,
) {
  return {
    workflowId: enrolmentWorkflowId({
      programmeKey: intake.programmeKey,
      year: intake.year,
      nib: business.nib,
      round: 1,
    }),
    businessId: business.id,
    officeId: business.officeId,
    programmeKey: intake.programmeKey,
    programmeVersion: intake.programmeVersion,
    year: intake.year,
    cohortId: intake.cohortId,
    quotaId: homeQuotaId,
    priority: priorityOf(business),
    enrolledBy: source.principal.userId,
  };
}

/** A new active enrolment's row but its times, which the statement that writes it takes from the database. */
const activeEnrolmentFields = (
  enrolment: ReturnType<typeof newEnrolment>,
): Omit<EnrolmentRow, 'activatedAt' | 'createdAt' | 'updatedAt'> => ({
  id: randomUUID(),
  ...enrolment,
  round: 1,
  status: 'active',
  currentStep: null,
  parentEnrolmentId: null,
  withdrawReason: null,
  completedAt: null,
  withdrawnAt: null,
  stuckAt: null,
  stuckReason: null,
  assigneeUserId: null,
});

/**
 * The usual enrolment, a free place in the home quota, as one prepared statement: one transaction in one round trip,
 * without those of BEGIN and COMMIT, which on a busy machine cost more than the work, and parsed once per connection
 * rather than per enrolment (its text is the same for every enrolment). The row goes in first (as active), then the place
 * is taken, then the outbox and audit rows: locks in the same order as the transaction of enrolBusiness. The place is
 * taken without a condition: if the quota filled up since the statement read it, the quota's check constraint refuses
 * the place and with it the whole statement, and the caller takes the long way. The audit row holds the row as
 * Drizzle reads it (instants as JSON.stringify writes a Date). Null when no place was free, 'duplicate' when the
 * business is already enrolled in the programme year.
 */
async function enrolIntoFreePlace(
  db: Db,
  source: AuditContext & { principal: Principal },
  intake: Intake,
  business: Pick<BusinessRow, 'id' | 'nib' | 'officeId' | 'exportOriented' | 'name'>,
  homeQuotaId: string,
): Promise<EnrolmentRow | 'duplicate' | null> {
  const fields = activeEnrolmentFields(newEnrolment(source, intake, business, homeQuotaId));
  const notice = await intakeNoticeRow(
    db,
    { id: fields.id, businessId: fields.businessId, officeId: fields.officeId },
    business.name,
    intake.template.name,
    { kind: 'enrolled', at: Date.now() },
  );
  try {
    const [row] = await executePrepared<{ free: boolean; at: string | null }>(
      db,
      sql`
      with free as (
        select 1 from quotas where id = ${homeQuotaId} and places_used < places_limit),
      inserted as (
        insert into enrolments (id, workflow_id, business_id, office_id, programme_key, programme_version, year, round,
          cohort_id, quota_id, status, priority, enrolled_by, activated_at, created_at, updated_at)
        select ${fields.id}::uuid, ${fields.workflowId}, ${fields.businessId}::uuid, ${fields.officeId}::uuid,
          ${fields.programmeKey}, ${fields.programmeVersion}::int, ${fields.year}::int, ${fields.round}::int,
          ${fields.cohortId}::uuid, ${fields.quotaId}::uuid, 'active', ${fields.priority}::int,
          ${fields.enrolledBy}::uuid, t.at, t.at, t.at
        from (select clock_timestamp() as at) t
        where exists (select 1 from free)
        on conflict do nothing
        returning id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at),
      taken as (
        update quotas set places_used = places_used + 1, updated_at = now()
        where id = ${homeQuotaId} and exists (select 1 from inserted)),
      queued as (
        insert into outbox (kind, enrolment_id) select 'start_enrolment', id from inserted),
      audited as (
        insert into audit_log (actor_user_id, actor_role, action, entity_type, entity_id, office_id, business_id, after,
          request_id)
        select ${source.principal.userId}::uuid, ${source.principal.role}, 'enrolment.create', 'enrolment', id::text,
          ${fields.officeId}::uuid, ${fields.businessId}::uuid,
          ${JSON.stringify(fields)}::jsonb || jsonb_build_object('activatedAt', at, 'createdAt', at, 'updatedAt', at),
          ${source.requestId}
        from inserted),
      noticed as (
        insert into notifications (dedupe_key, enrolment_id, business_id, office_id, recipient_role, kind, title_id,
          title_en, body_id, body_en, params, scheduled_for)
        select ${notice.dedupeKey}, id, ${fields.businessId}::uuid, ${fields.officeId}::uuid, 'business', 'enrolled',
          ${notice.titleId}, ${notice.titleEn}, ${notice.bodyId}, ${notice.bodyEn}, ${JSON.stringify(notice.params)}::jsonb,
          at::timestamptz
        from inserted)
      select exists (select 1 from free) as free, (select at from inserted) as at`,
    );
    if (!row?.free) return null;
    if (!row.at) return 'duplicate';
    const at = new Date(row.at);
    return { ...fields, activatedAt: at, createdAt: at, updatedAt: at };
  } catch (err) {
    if (isCheckViolation(err, 'quotas_never_over_allocated')) return null;
    throw err;
  }
}

/** What enrolDirect found and did. */
export interface DirectOutcome {
  found: IntakeFound | null;
  /** The enrolment written, 'duplicate' if the business was enrolled already, null if nothing was written. */
  written: { enrolment: EnrolmentRow; intake: Intake } | 'duplicate' | null;
  /** A free place of the home quota was looked for (and none found if nothing was written): no need to look again. */
  triedFreePlace: boolean;
}

/**
 * The usual request in one round trip: reads what intakeOf reads and, in the same statement, writes the enrolment into
 * a free place of the home quota as enrolIntoFreePlace does, if the business is of `officeId` (null: any office) and
 * the programme's latest published version is still the one this process saw last (whose template it holds; until
 * it has seen one, or when a newer one is found, nothing is written and the caller takes the long way, which notes
 * the version it finds). The caller checks what was found exactly as after intakeOf: nothing is written in any case
 * it would refuse. What depends on the business is filled in by the statement: its office, priority and workflow ID,
 * and its name in the notice, rendered beforehand with a mark in its place.
 */
export async function enrolDirect(
  db: Db,
  source: AuditContext & { principal: Principal },
  target: Pick<Intake, 'programmeKey' | 'year' | 'cohortId'>,
  businessId: string,
  officeId: string | null,
): Promise<DirectOutcome> {
  const seen = latestSeen.get(target.programmeKey);
  if (!seen) return { found: await intakeOf(db, businessId, target), written: null, triedFreePlace: false };
  const intake: Intake = { ...target, officeId: '', programmeVersion: seen.version, template: seen.template };
  const placeholder = { nib: '', officeId: '', exportOriented: false };
  const fields = activeEnrolmentFields(newEnrolment(source, intake, { id: businessId, ...placeholder }, ''));
  // The workflow ID around the business's NIB, which the statement puts between.
  const [workflowPrefix, workflowSuffix] = enrolmentWorkflowId({ ...target, nib: '\u0000', round: 1 }).split('\u0000');
  const notice = await intakeNoticeRow(
    db,
    { id: fields.id, businessId, officeId: '' },
    businessNameMark,
    seen.template.name,
    { kind: 'enrolled', at: Date.now() },
  );
  type Row = FoundRow & { free: boolean; at: string | null; workflow_id: string; quota_id: string; priority: number };
  const written = executePrepared<Row>(
    db,
    sql`
    with ${intakeRead(businessId, target)},
    free as (
      select q.id from quotas q join home on home.id = q.id, b
      where q.places_used < q.places_limit and (select version from latest) = ${seen.version}::int
        and (${officeId}::uuid is null or b.office_id = ${officeId}::uuid)),
    inserted as (
      insert into enrolments (id, workflow_id, business_id, office_id, programme_key, programme_version, year, round,
        cohort_id, quota_id, status, priority, enrolled_by, activated_at, created_at, updated_at)
      select ${fields.id}::uuid, ${workflowPrefix} || b.nib || ${workflowSuffix}, b.id, b.office_id,
        ${fields.programmeKey}, ${fields.programmeVersion}::int, ${fields.year}::int, ${fields.round}::int,
        ${fields.cohortId}::uuid, free.id, 'active', case when b.export_oriented then 1 else 0 end,
        ${fields.enrolledBy}::uuid, t.at, t.at, t.at
      from b, free, (select clock_timestamp() as at) t
      on conflict do nothing
      returning id, workflow_id, office_id, quota_id, priority,
        to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at),
    taken as (
      update quotas set places_used = places_used + 1, updated_at = now()
      where id = (select quota_id from inserted)),
    queued as (
      insert into outbox (kind, enrolment_id) select 'start_enrolment', id from inserted),
    audited as (
      insert into audit_log (actor_user_id, actor_role, action, entity_type, entity_id, office_id, business_id, after,
        request_id)
      select ${source.principal.userId}::uuid, ${source.principal.role}, 'enrolment.create', 'enrolment', id::text,
        office_id, ${businessId}::uuid,
        ${JSON.stringify(fields)}::jsonb || jsonb_build_object('workflowId', workflow_id, 'officeId', office_id,
          'quotaId', quota_id, 'priority', priority, 'activatedAt', at, 'createdAt', at, 'updatedAt', at),
        ${source.requestId}
      from inserted),
    noticed as (
      insert into notifications (dedupe_key, enrolment_id, business_id, office_id, recipient_role, kind, title_id,
        title_en, body_id, body_en, params, scheduled_for)
      select ${notice.dedupeKey}, i.id, b.id, i.office_id, 'business', 'enrolled',
        replace(${notice.titleId}, ${businessNameMark}, b.name), replace(${notice.titleEn}, ${businessNameMark}, b.name),
        replace(${notice.bodyId}, ${businessNameMark}, b.name), replace(${notice.bodyEn}, ${businessNameMark}, b.name),
        replace(${JSON.stringify(notice.params)}, ${JSON.stringify(businessNameMark)}, to_jsonb(b.name)::text)::jsonb,
        i.at::timestamptz
      from inserted i, b)
    select ${foundColumns}, exists (select 1 from free) as free, i.at, i.workflow_id, i.quota_id, i.priority
    from (select 1) one left join b on true left join inserted i on true`,
  );
  let row: Row | undefined;
  try {
    [row] = await written;
  } catch (err) {
    // The place went to another enrolment since the statement read the quota (see enrolIntoFreePlace): the long way.
    if (!isCheckViolation(err, 'quotas_never_over_allocated')) throw err;
    return { found: await intakeOf(db, businessId, target), written: null, triedFreePlace: true };
  }
  const found = foundOf(row);
  const triedFreePlace = found !== null && found.programmeVersion === seen.version && found.homeQuotaId !== null;
  if (!row?.free) return { found, written: null, triedFreePlace };
  if (!row.at) return { found, written: 'duplicate', triedFreePlace };
  const at = new Date(row.at);
  return {
    found,
    written: {
      enrolment: {
        ...fields,
        workflowId: row.workflow_id,
        officeId: row.office_id!,
        quotaId: row.quota_id,
        priority: row.priority,
        activatedAt: at,
        createdAt: at,
        updatedAt: at,
      },
      intake: { ...intake, officeId: row.office_id! },
    },
    triedFreePlace,
  };
}

/**
 * Enrols one business in its own transaction. The row goes in first, as waitlisted, and only then is a quota place
 * claimed: a duplicate's insert may have to wait for the same business's enrolment row, which a withdrawal can hold
 * while it waits for the quota, so waiting for that row while holding the quota would close a deadlock. Locks are thus
 * always taken enrolment row first, quota second, as the withdrawal takes them. When the home quota has a free place
 * this is one statement (enrolIntoFreePlace), unless the caller has just found none (`triedFreePlace`); otherwise every
 * quota the business may use is tried.
 */
export async function enrolBusiness(
  db: Db,
  source: AuditContext & { principal: Principal },
  intake: Intake,
  business: Pick<BusinessRow, 'id' | 'nib' | 'officeId' | 'exportOriented' | 'name'>,
  homeQuotaId: string,
  options: { triedFreePlace?: boolean } = {},
): Promise<EnrolOutcome> {
  const fast = options.triedFreePlace ? null : await enrolIntoFreePlace(db, source, intake, business, homeQuotaId);
  if (fast === 'duplicate') return { ok: false, businessId: business.id, reason: alreadyEnrolled(intake) };
  if (fast) return { ok: true, enrolment: fast };
  try {
    const enrolment = await db.transaction(async (tx) => {
      const [queued] = await tx
        .insert(enrolments)
        .values({
          ...newEnrolment(source, intake, business, homeQuotaId),
          status: 'waitlisted',
          createdAt: sql`clock_timestamp()`,
          updatedAt: sql`clock_timestamp()`,
        })
        .onConflictDoNothing()
        .returning();
      if (!queued) throw new AlreadyEnrolled();
      // The home quota had no place a moment ago: try it once more, then lock every usable quota and try each in turn.
      let activatedAt = await activateIfFree(tx, homeQuotaId, queued.id, null);
      let quotaId = homeQuotaId;
      if (!activatedAt) {
        for (const id of await lockUsableQuotas(tx, homeQuotaId)) {
          activatedAt = await activateIfFree(tx, id, queued.id, null);
          quotaId = id;
          if (activatedAt) break;
        }
      }
      const row: EnrolmentRow = activatedAt
        ? { ...queued, status: 'active', quotaId, activatedAt, updatedAt: activatedAt }
        : queued;
      await recordAudit(tx, source, {
        action: 'enrolment.create',
        entityType: 'enrolment',
        entityId: row.id,
        officeId: row.officeId,
        businessId: row.businessId,
        after: row,
      });
      // While the quotas are locked every statement here holds back the next waitlisted enrolment: no context query.
      await recordIntakeNotice(
        tx,
        row,
        business.name,
        intake.template.name,
        row.status === 'active'
          ? { kind: 'enrolled', at: Date.now() }
          : { kind: 'waitlisted', at: Date.now(), waitlistPosition: (await waitlistPosition(tx, row))! },
      );
      return row;
    });
    return { ok: true, enrolment };
  } catch (err) {
    if (err instanceof AlreadyEnrolled) return { ok: false, businessId: business.id, reason: alreadyEnrolled(intake) };
    throw err;
  }
}

/** Businesses of a selection already enrolled in the programme year: they are skipped before any lock is taken. */
async function enrolledAlready(db: Db, intake: Intake, businessIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < businessIds.length; i += 5000) {
    const rows = await db
      .select({ businessId: enrolments.businessId })
      .from(enrolments)
      .where(
        and(
          eq(enrolments.programmeKey, intake.programmeKey),
          eq(enrolments.year, intake.year),
          eq(enrolments.round, 1),
          inArray(enrolments.businessId, businessIds.slice(i, i + 5000)),
        ),
      );
    for (const r of rows) found.add(r.businessId);
  }
  return found;
}

export interface BulkResult {
  enrolments: { businessId: string; enrolmentId: string; status: 'active' | 'waitlisted' }[];
  skipped: { businessId: string; reason: string }[];
}

/**
 * Enrols a selection one business at a time, export-oriented first, so the free places go to them first and the rest
 * queue behind them; one transaction each, as for a single enrolment. `onActive` hears of each active one once it is
 * committed, so its workflow can start while the others are enrolled.
 */
export async function enrolMany(
  db: Db,
  source: AuditContext & { principal: Principal },
  intake: Intake,
  selected: BusinessRow[],
  onActive: (target: StartTarget) => void = () => {},
): Promise<BulkResult> {
  const ordered = [...selected].sort((a, b) => priorityOf(b) - priorityOf(a));
  const all = await quotasOf(db, intake);
  const done = await enrolledAlready(
    db,
    intake,
    ordered.map((b) => b.id),
  );
  const result: BulkResult = { enrolments: [], skipped: [] };
  for (const business of ordered) {
    const home = homeQuota(all, business.regionCode);
    if (done.has(business.id)) {
      result.skipped.push({ businessId: business.id, reason: alreadyEnrolled(intake) });
    } else if (!home) {
      result.skipped.push({ businessId: business.id, reason: noQuota(intake, business.regionCode) });
    } else {
      const outcome = await enrolBusiness(db, source, intake, business, home.id);
      if (outcome.ok) {
        const e = outcome.enrolment;
        result.enrolments.push({
          businessId: e.businessId,
          enrolmentId: e.id,
          status: e.status as 'active' | 'waitlisted',
        });
        if (e.status === 'active') onActive(startTargetOf(e, intake));
      } else {
        result.skipped.push({ businessId: outcome.businessId, reason: outcome.reason });
      }
    }
  }
  return result;
}

export type Selection =
  { businessIds: string[] } | { sentraId: string } | { filter: Omit<BusinessFilter, 'officeId' | 'businessId'> };

/**
 * The businesses a bulk request names, all of one office. A listed id that is not a business of that office is a 400
 * naming its position, and nothing is enrolled.
 */
export async function selectBusinesses(db: Db, officeId: string, selection: Selection): Promise<BusinessRow[]> {
  if ('businessIds' in selection) {
    const rows: BusinessRow[] = [];
    for (let i = 0; i < selection.businessIds.length; i += 5000) {
      rows.push(
        ...(await db
          .select()
          .from(businesses)
          .where(
            and(eq(businesses.officeId, officeId), inArray(businesses.id, selection.businessIds.slice(i, i + 5000))),
          )),
      );
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = selection.businessIds.flatMap((id, i) => (byId.has(id) ? [] : [i]));
    if (missing.length > 0) {
      throw invalid(
        "Usaha tidak dikenal di kantor kohort ini / Businesses unknown in this cohort's office",
        missing.slice(0, 20).map((i) => ({
          path: `body.businessIds.${i}`,
          message: 'bukan usaha kantor ini / not a business of this office',
        })),
      );
    }
    return selection.businessIds.map((id) => byId.get(id)!);
  }
  const where =
    'sentraId' in selection
      ? and(eq(businesses.officeId, officeId), eq(businesses.sentraId, selection.sentraId))
      : businessConditions({ ...selection.filter, officeId });
  const [size] = await db.select({ n: count() }).from(businesses).where(where);
  if ((size?.n ?? 0) > maxBulk) {
    throw invalid(
      `Pilihan berisi ${size!.n} usaha, paling banyak ${maxBulk} / The selection holds ${size!.n} businesses, at most ${maxBulk}`,
      [
        {
          path: 'sentraId' in selection ? 'body.sentraId' : 'body.filter',
          message: 'persempit pilihan / narrow the selection',
        },
      ],
    );
  }
  return db.select().from(businesses).where(where).orderBy(asc(businesses.name), asc(businesses.id));
}

/** 1 for the first in line: among the enrolments waiting for the same quota, how many come before this one. */
export async function waitlistPosition(db: DbOrTx, e: EnrolmentRow): Promise<number | null> {
  if (e.status !== 'waitlisted' || !e.quotaId) return null;
  const [ahead] = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from enrolments w, enrolments me
    where me.id = ${e.id} and w.quota_id = me.quota_id and w.status = 'waitlisted'
      and (w.priority > me.priority or (w.priority = me.priority and (w.created_at, w.id) < (me.created_at, me.id)))`);
  return (ahead?.n ?? 0) + 1;
}

/**
 * Withdraws an enrolment still on the waitlist. It has no workflow and holds no place, so this is a change of the row
 * alone; the API calls it for a waitlisted enrolment instead of the workflow's withdraw update. If the enrolment was
 * promoted meanwhile it is active, and its workflow must withdraw it: 409.
 */
export async function withdrawWaitlisted(
  db: Db,
  request: AuditContext,
  enrolmentId: string,
  reason: string,
): Promise<EnrolmentRow> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(enrolments).where(eq(enrolments.id, enrolmentId)).for('no key update');
    if (!before) throw notFound('Pendaftaran / Enrolment');
    if (request.principal) assertOfficeScope(request.principal, before.officeId, 'Pendaftaran / Enrolment');
    if (before.status !== 'waitlisted') {
      throw conflict(
        `Pendaftaran berstatus ${before.status}, tidak lagi di daftar tunggu / The enrolment is ${before.status}, no longer waitlisted`,
        { status: before.status },
      );
    }
    const now = new Date();
    const [after] = await tx
      .update(enrolments)
      .set({ status: 'withdrawn', withdrawnAt: now, withdrawReason: reason, updatedAt: now })
      .where(eq(enrolments.id, enrolmentId))
      .returning();
    await recordAudit(tx, request, {
      action: 'enrolment.withdraw',
      entityType: 'enrolment',
      entityId: enrolmentId,
      officeId: before.officeId,
      businessId: before.businessId,
      before: { status: before.status },
      after: { status: after!.status, reason },
    });
    await recordEnrolmentNotice(tx, enrolmentId, { kind: 'withdrawn', occurrence: '0', at: now.getTime(), reason });
    return after!;
  });
}
