// Rows and principals the quota and intake tests need in numbers.
import type { Db } from '../../db/client.js';
import { businesses } from '../../db/schema.js';
import { createToken, createUser } from '../helpers/fixtures.js';

let serial = 0;

/** Businesses of an office, inserted in one statement; NIBs unique within the run. */
export async function insertBusinesses(
  db: Db,
  officeId: string,
  n: number,
  shape: (i: number) => Partial<typeof businesses.$inferInsert> = () => ({}),
) {
  const base = `${process.pid % 100}`.padStart(2, '0');
  const rows = Array.from({ length: n }, (_, i) => ({
    officeId,
    name: `IKM Uji ${++serial}`,
    ownerName: 'Hj. Rusmini',
    nib: `6${base}${String(serial).padStart(10, '0')}`,
    kbli: '10792',
    regionCode: '6371',
    ...shape(i),
  }));
  const out: (typeof businesses.$inferSelect)[] = [];
  for (let i = 0; i < rows.length; i += 1000)
    out.push(
      ...(await db
        .insert(businesses)
        .values(rows.slice(i, i + 1000))
        .returning()),
    );
  return out;
}

/**
 * Officers of one office, each with a bearer token: one-by-one enrolment is limited per principal (a guard against
 * mass enrolment from one account), so many concurrent requests come from many officers, as they would at an office.
 */
export async function officerHeaders(db: Db, officeId: string, n: number): Promise<{ authorization: string }[]> {
  const headers: { authorization: string }[] = [];
  for (let i = 0; i < n; i++)
    headers.push({ authorization: `Bearer ${await createToken(db, (await createUser(db, 'officer', officeId)).id)}` });
  return headers;
}
