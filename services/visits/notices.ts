// Notices of field visits: the team's reminder the working day before a visit, and a follow-up's reminder, overdue
// notice and escalation. One row per person with a unique key, like an enrolment's notices (../notifications/record.ts),
// so a retried activity or a second scan writes nothing new; the dispatcher delivers them by the person's preferences.
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { notifications, users } from '../../db/schema.js';
import { textsOf } from '../notifications/text-store.js';
import { renderTexts, type Language, type VisitKind } from '../notifications/texts.js';

export interface VisitNotice {
  kind: VisitKind;
  officeId: string;
  /** What the notice is about and which occurrence: `visit:<id>`, `follow-up:<id>`. */
  subject: string;
  userIds: string[];
  at: number;
  values: Record<Language, Record<string, string>>;
}

/** Writes the notice for each active person of the list; how many rows were new. */
export async function recordVisitNotice(db: DbOrTx, notice: VisitNotice): Promise<number> {
  if (notice.userIds.length === 0) return 0;
  const people = await db
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(and(inArray(users.id, notice.userIds), isNull(users.disabledAt)));
  const staff = people.filter((p) => p.role === 'officer' || p.role === 'manager');
  if (staff.length === 0) return 0;
  const text = renderTexts(notice.kind, await textsOf(db, notice.kind), notice.values);
  const written = await db
    .insert(notifications)
    .values(
      staff.map((p) => ({
        dedupeKey: `${notice.subject}:${notice.kind}:user-${p.id}`,
        officeId: notice.officeId,
        recipientRole: p.role as 'officer' | 'manager',
        recipientUserId: p.id,
        kind: notice.kind,
        titleId: text.title.id,
        titleEn: text.title.en,
        bodyId: text.body.id,
        bodyEn: text.body.en,
        params: text.params,
        scheduledFor: new Date(notice.at),
      })),
    )
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .returning({ id: notifications.id });
  return written.length;
}

/** The active managers of an office: who hears of an escalated follow-up. */
export async function managersOf(db: DbOrTx, officeId: string): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.officeId, officeId), eq(users.role, 'manager'), isNull(users.disabledAt)));
  return rows.map((r) => r.id);
}
