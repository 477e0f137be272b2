// The businesses and sites a visit or a plan names must be the office's own: its registry's, its inventory's.
import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { businesses, sites } from '../../db/schema.js';
import { invalid } from '../../domain/errors.js';

/** Refuses ids that are not rows of the office's own: its registry's businesses or its inventory's sites. */
export async function assertOwn(
  db: DbOrTx,
  officeId: string,
  ids: string[],
  of: { table: typeof businesses | typeof sites; path: string; title: string; where: string },
) {
  if (ids.length === 0) return;
  const found = await db
    .select({ id: of.table.id })
    .from(of.table)
    .where(and(inArray(of.table.id, ids), eq(of.table.officeId, officeId)));
  const known = new Set(found.map((b) => b.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw invalid(of.title, [{ path: of.path, message: `${of.where}: ${unknown.join(', ')}` }]);
  }
}
export const businessesOf = {
  table: businesses,
  path: 'body.businessIds',
  title: 'Usaha tidak dikenal / Unknown business',
  where: "tidak ada di registri kantor ini / not in this office's registry",
};
export const sitesOf = {
  table: sites,
  path: 'body.siteIds',
  title: 'Lokasi tidak dikenal / Unknown site',
  where: "tidak ada di inventaris kantor ini / not in this office's inventory",
};
