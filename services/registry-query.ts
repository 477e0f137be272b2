// Finding businesses: the registry list (search, filters, cursor pages) and the selections a bulk enrolment uses.
import { and, asc, eq, exists, gt, ilike, inArray, like, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { businesses, certificates, regions } from '../db/schema.js';

export interface BusinessFilter {
  /** Limits to one office (officers, managers; an admin's choice). */
  officeId?: string;
  /** Limits to one business (a business user). */
  businessId?: string;
  /** Part of the name, or the start of the NIB. */
  q?: string;
  /** A kabupaten/kota (4 digits) or a whole province (2 digits), Kemendagri codes. */
  regionCode?: string;
  /** KBLI prefixes, any of which matches ("10", "11" for food and drink). */
  kbli?: string[];
  sentraId?: string;
  exportOriented?: boolean;
  /** Holds a valid certificate (true) or none (false). */
  certified?: boolean;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function businessConditions(f: BusinessFilter): SQL | undefined {
  const valid = holdsValidCertificate();
  return and(
    f.officeId ? eq(businesses.officeId, f.officeId) : undefined,
    f.businessId ? eq(businesses.id, f.businessId) : undefined,
    f.q
      ? or(
          ilike(businesses.name, `%${escapeLike(f.q)}%`),
          /^\d+$/.test(f.q) ? like(businesses.nib, `${f.q}%`) : undefined,
        )
      : undefined,
    f.regionCode
      ? f.regionCode.length === 2
        ? inArray(
            businesses.regionCode,
            sql`(select ${regions.code} from ${regions} where ${regions.provinceCode} = ${f.regionCode})`,
          )
        : eq(businesses.regionCode, f.regionCode)
      : undefined,
    f.kbli && f.kbli.length > 0 ? or(...f.kbli.map((p) => like(businesses.kbli, `${p}%`))) : undefined,
    f.sentraId ? eq(businesses.sentraId, f.sentraId) : undefined,
    f.exportOriented === undefined ? undefined : eq(businesses.exportOriented, f.exportOriented),
    f.certified === undefined ? undefined : f.certified ? valid : sql`not ${valid}`,
  );
}

function holdsValidCertificate(): SQL {
  return exists(
    sql`(select 1 from ${certificates} where ${certificates.businessId} = ${businesses.id} and ${certificates.status} = 'valid')`,
  );
}

/** An opaque position in the name order: the last row's name and id, base64url-encoded. */
export function encodeCursor(row: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.name, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { name: string; id: string } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      /^[0-9a-f-]{36}$/.test(value[1])
    ) {
      return { name: value[0], id: value[1] };
    }
  } catch {
    // fall through: not one of ours
  }
  return null;
}

/** One page in (name, id) order, and the cursor of the next page when there is one. */
export async function pageBusinesses(
  db: DbOrTx,
  filter: BusinessFilter,
  page: { limit: number; after: { name: string; id: string } | null },
) {
  const after = page.after;
  const rows = await db
    .select()
    .from(businesses)
    .where(
      and(
        businessConditions(filter),
        after
          ? or(gt(businesses.name, after.name), and(eq(businesses.name, after.name), gt(businesses.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(asc(businesses.name), asc(businesses.id))
    .limit(page.limit + 1);
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  return { items, nextCursor: more ? encodeCursor(items[items.length - 1]!) : null };
}
