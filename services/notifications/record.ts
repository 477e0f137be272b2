// Recording a notification: one row per recipient, with a unique key, in the caller's transaction. Delivery is separate.
import type { DbOrTx } from '../../db/client.js';
import { notifications } from '../../db/schema.js';
import type { TemplateStep } from '../../domain/template.js';
import { noticeText, type NoticeKind } from './texts.js';

/** What a notice needs to know of its enrolment. */
export interface NoticeContext {
  enrolment: { id: string; businessId: string; officeId: string };
  businessName: string;
  zone: string;
  programmeNameId: string;
  programmeNameEn: string;
}

type Recipient = 'business' | 'officer' | 'manager';

/** Who hears of a notice: the party that must act, the office for an overdue step, the managers for an escalation. */
function recipientsOf(kind: NoticeKind, step: TemplateStep | null): Recipient[] {
  const actsAlone = step?.actor === 'business' ? 'business' : 'officer';
  switch (kind) {
    case 'step_opened':
    case 'reminder':
      return [actsAlone];
    case 'overdue':
      return actsAlone === 'business' ? ['business', 'officer'] : ['officer'];
    case 'escalation':
      return ['manager'];
    case 'completed':
    case 'failed':
    case 'withdrawn':
      return ['business', 'officer'];
    case 'stuck':
      return ['officer', 'manager'];
  }
}

export async function recordNotice(
  db: DbOrTx,
  ctx: NoticeContext,
  notice: {
    kind: NoticeKind;
    step: TemplateStep | null;
    visit: number;
    occurrence: string;
    at: number;
    dueAt: number | null;
    /** What went wrong, for a stuck case. */
    detail?: string;
  },
): Promise<void> {
  const text = noticeText(notice.kind, {
    stepName: notice.step?.name ?? { id: '', en: '' },
    programmeName: { id: ctx.programmeNameId, en: ctx.programmeNameEn },
    businessName: ctx.businessName,
    dueAt: notice.dueAt,
    zone: ctx.zone,
    ...(notice.detail ? { detail: notice.detail } : {}),
  });
  const e = ctx.enrolment;
  const stepPart = notice.step ? `${notice.step.key}:${notice.visit}` : '-';
  await db
    .insert(notifications)
    .values(
      recipientsOf(notice.kind, notice.step).map((recipientRole) => ({
        dedupeKey: `${e.id}:${stepPart}:${notice.kind}:${notice.occurrence}:${recipientRole}`,
        enrolmentId: e.id,
        businessId: e.businessId,
        officeId: e.officeId,
        recipientRole,
        channel: 'in_app' as const,
        kind: notice.kind,
        stepKey: notice.step?.key ?? null,
        titleId: text.title.id,
        titleEn: text.title.en,
        bodyId: text.body.id,
        bodyEn: text.body.en,
        scheduledFor: new Date(notice.at),
      })),
    )
    .onConflictDoNothing({ target: notifications.dedupeKey });
}
