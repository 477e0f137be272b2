// Creating and renaming cohorts (named batches of a programme year in an office); reading them: cohort-overview.ts.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { cohorts, programmes } from '../db/schema.js';
import { invalid, notFound } from '../domain/errors.js';
import { recordAudit, type AuditContext } from './audit.js';
import { assertOfficeScope, type Principal } from './principal.js';
import { officeForWrite } from './registry-businesses.js';

const what = 'Kohort / Cohort';

export type CohortRow = typeof cohorts.$inferSelect;

/** A cohort the principal may see, or not found. */
export async function visibleCohort(db: Db, principal: Principal, id: string): Promise<CohortRow> {
  const [cohort] = await db.select().from(cohorts).where(eq(cohorts.id, id));
  if (!cohort) throw notFound(what);
  assertOfficeScope(principal, cohort.officeId, what);
  return cohort;
}

/** A cohort in the principal's office, or in the one an administrator names (officeForWrite judges). */
export async function createCohort(
  db: Db,
  source: AuditContext & { principal: Principal },
  input: { name: string; programmeKey: string; year: number; officeId?: string | undefined },
): Promise<CohortRow> {
  const office = await officeForWrite(db, source.principal, input.officeId, 'body.officeId');
  const [programme] = await db.select().from(programmes).where(eq(programmes.key, input.programmeKey));
  if (!programme)
    throw invalid('Program tidak dikenal / Unknown programme', [
      { path: 'body.programmeKey', message: 'program tidak dikenal / unknown programme' },
    ]);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(cohorts)
      .values({ name: input.name, programmeKey: input.programmeKey, year: input.year, officeId: office.id })
      .returning();
    await recordAudit(tx, source, {
      action: 'cohort.create',
      entityType: 'cohort',
      entityId: row!.id,
      officeId: office.id,
      after: row,
    });
    return row!;
  });
}

export async function renameCohort(
  db: Db,
  source: AuditContext & { principal: Principal },
  id: string,
  name: string,
): Promise<CohortRow> {
  const before = await visibleCohort(db, source.principal, id);
  return db.transaction(async (tx) => {
    const [row] = await tx.update(cohorts).set({ name }).where(eq(cohorts.id, before.id)).returning();
    await recordAudit(tx, source, {
      action: 'cohort.update',
      entityType: 'cohort',
      entityId: before.id,
      officeId: before.officeId,
      before,
      after: row,
    });
    return row!;
  });
}
