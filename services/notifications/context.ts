// What a notice needs to know of its enrolment, read in the caller's transaction.
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { businesses, enrolments, offices, programmes } from '../../db/schema.js';
import type { NoticeContext } from './record.js';

export async function noticeContextOf(db: DbOrTx, enrolmentId: string): Promise<NoticeContext> {
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
  if (!row) throw new Error(`enrolment ${enrolmentId} not found`);
  return row;
}
