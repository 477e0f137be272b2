// Rows the engine tests need, written straight to the database (the registry and intake routes have their own tests).
import { eq } from 'drizzle-orm';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { hashToken } from '../../services/credentials.js';
import type { Db } from '../../db/client.js';
import {
  apiTokens,
  businesses,
  documents,
  enrolments,
  offices,
  programmes,
  programmeVersions,
  users,
} from '../../db/schema.js';
import { validateTemplate, type ProgrammeTemplate } from '../../domain/template.js';
import { enrolmentWorkflowId } from '../../services/workflows.js';

export const randomNib = () => String(randomInt(10 ** 12, 10 ** 13));

/** A test template's name, the same words in both languages. */
export const bilingual = (text: string) => ({ id: text, en: text });

/** A test's programme template, validated as a stored one is; an invalid one fails the test that builds it. */
export function testTemplate(input: unknown): ProgrammeTemplate {
  const result = validateTemplate(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.template;
}

export async function kalselOffice(db: Db) {
  const [office] = await db.select().from(offices).where(eq(offices.regionCode, '63'));
  return office!;
}

export async function createBusiness(
  db: Db,
  officeId: string,
  overrides: Partial<typeof businesses.$inferInsert> = {},
) {
  const [business] = await db
    .insert(businesses)
    .values({
      officeId,
      name: 'UD Amplang Kuin',
      ownerName: 'Hj. Siti Rahmah',
      nib: randomNib(),
      kbli: '10792',
      regionCode: '6371',
      ...overrides,
    })
    .returning();
  return business!;
}

export async function createUser(
  db: Db,
  role: 'officer' | 'manager' | 'business',
  officeId: string | null,
  businessId: string | null = null,
) {
  const [user] = await db
    .insert(users)
    .values({ name: `Test ${role}`, role, officeId, businessId })
    .returning();
  return user!;
}

/** An active enrolment of a business in the given template version, without a quota. */
export async function createActiveEnrolment(
  db: Db,
  template: ProgrammeTemplate,
  businessId: string,
  officeId: string,
  cohortId: string | null = null,
) {
  await db
    .insert(programmes)
    .values({ key: template.key, nameId: template.name.id, nameEn: template.name.en })
    .onConflictDoNothing();
  await db
    .insert(programmeVersions)
    .values({ programmeKey: template.key, version: template.version, template })
    .onConflictDoNothing();
  const [business] = await db.select().from(businesses).where(eq(businesses.id, businessId));
  const year = 2026;
  const [enrolment] = await db
    .insert(enrolments)
    .values({
      workflowId: enrolmentWorkflowId({ programmeKey: template.key, year, nib: business!.nib, round: 1 }),
      businessId,
      officeId,
      programmeKey: template.key,
      programmeVersion: template.version,
      year,
      status: 'active',
      cohortId,
      activatedAt: new Date(),
    })
    .returning();
  return enrolment!;
}

/** A bearer token for a user, valid for a year. */
export async function createToken(db: Db, userId: string): Promise<string> {
  const token = `t-${randomBytes(24).toString('hex')}`;
  await db.insert(apiTokens).values({
    userId,
    tokenHash: hashToken(token),
    kind: 'session',
    expiresAt: new Date(Date.now() + 365 * 86_400_000),
  });
  return token;
}

/**
 * Accepted documents for checklist items of a step, as the review of an upload leaves them: the recorded state a
 * completion is checked against. For tests about other things than documents (those go through the API).
 */
export async function acceptDocuments(db: Db, enrolmentId: string, stepKey: string, itemKeys: string[]) {
  await db.insert(documents).values(
    itemKeys.map((itemKey) => ({
      enrolmentId,
      stepKey,
      itemKey,
      version: 1,
      fileName: `${itemKey}.pdf`,
      sizeBytes: 1,
      contentType: 'application/pdf',
      sha256: '0'.repeat(64),
      storageKey: `${enrolmentId}/${randomUUID()}`,
      uploaderRole: 'officer' as const,
      status: 'accepted' as const,
      reviewedAt: new Date(),
    })),
  );
}
