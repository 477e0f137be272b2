// The list filter that quotas and cohorts share: a programme year of the caller's office (an administrator may name one
// office, or see all).
import { and, eq, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { type Principal } from './principal.js';

export const programmeYearQuery = z
  .object({
    programmeKey: z.string().max(100).optional(),
    year: z.coerce.number().int().min(2020).max(2100).optional(),
    officeId: z.uuid().optional().describe('administrators: one office only'),
  })
  .strict();

// Staff always have an office; should one not, this matches no row rather than every office's.
const noOffice = '00000000-0000-0000-0000-000000000000';

export function programmeYearFilter(
  columns: { officeId: PgColumn; programmeKey: PgColumn; year: PgColumn },
  principal: Principal,
  query: z.infer<typeof programmeYearQuery>,
): SQL | undefined {
  const office = principal.role === 'admin' ? query.officeId : (principal.officeId ?? noOffice);
  return and(
    office ? eq(columns.officeId, office) : undefined,
    query.programmeKey ? eq(columns.programmeKey, query.programmeKey) : undefined,
    query.year ? eq(columns.year, query.year) : undefined,
  );
}
