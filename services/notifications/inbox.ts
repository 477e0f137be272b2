// The in-app inbox and the delivery state, for the API and the pages. A business's inbox is shared by its contact and
// its users and shows only what was addressed to that business; a staff member's inbox shows what was addressed to
// them; officers and managers also see their office's notifications with the state of every delivery.
import { and, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { type Principal } from '../principal.js';
import { conflict, forbidden, notFound } from '../../domain/errors.js';

import type { Db, DbOrTx } from '../../db/client.js';
import {
  businesses,
  notificationDeliveries,
  notifications,
  users,
  type NotificationPreferences,
} from '../../db/schema.js';
import { outsideQuietHours } from '../../domain/quiet-hours.js';
import { recordAudit, type AuditContext } from '../audit.js';
import type { ChannelName } from './channels/types.js';
import type { Language } from './texts.js';

type NotificationRow = typeof notifications.$inferSelect;
type DeliveryRow = typeof notificationDeliveries.$inferSelect;

const none = '00000000-0000-0000-0000-000000000000';

/** What was addressed to this person: the business's rows for a business user, their own rows for staff. */
function inboxOf(p: Principal): SQL {
  if (p.role === 'business')
    return and(eq(notifications.businessId, p.businessId ?? none), eq(notifications.recipientRole, 'business'))!;
  return eq(notifications.recipientUserId, p.userId ?? none);
}

/** Everything a principal may see: its inbox, and for staff their office's notifications (administrators: all). */
function visibleTo(p: Principal): SQL | undefined {
  if (p.role === 'admin') return undefined;
  if (p.role === 'business') return inboxOf(p);
  return eq(notifications.officeId, p.officeId ?? none);
}

export interface ListQuery {
  scope: 'inbox' | 'office';
  unread?: boolean;
  enrolmentId?: string;
  recipientRole?: 'business' | 'officer' | 'manager';
  deliveryStatus?: DeliveryRow['status'];
  before?: string;
  limit: number;
}

export function present(n: NotificationRow, deliveries: DeliveryRow[]) {
  return {
    id: n.id,
    enrolmentId: n.enrolmentId,
    businessId: n.businessId,
    recipientRole: n.recipientRole,
    recipientUserId: n.recipientUserId,
    kind: n.kind,
    stepKey: n.stepKey,
    title: { id: n.titleId, en: n.titleEn },
    body: { id: n.bodyId, en: n.bodyEn },
    scheduledFor: n.scheduledFor.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
    planned: n.plannedAt !== null,
    deliveries: deliveries.map((d) => ({
      channel: d.channel,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      nextAttemptAt: d.status === 'queued' || d.status === 'sending' ? d.nextAttemptAt.toISOString() : null,
      lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
      sentAt: d.sentAt?.toISOString() ?? null,
      messageKey: d.messageKey,
      language: d.language,
    })),
  };
}

async function withDeliveries(db: DbOrTx, rows: NotificationRow[]) {
  if (rows.length === 0) return [];
  const deliveries = await db
    .select()
    .from(notificationDeliveries)
    .where(
      inArray(
        notificationDeliveries.notificationId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(notificationDeliveries.channel);
  return rows.map((r) =>
    present(
      r,
      deliveries.filter((d) => d.notificationId === r.id),
    ),
  );
}

export async function listNotifications(db: Db, p: Principal, q: ListQuery) {
  const conditions: (SQL | undefined)[] = [q.scope === 'inbox' || p.role === 'business' ? inboxOf(p) : visibleTo(p)];
  if (q.unread) conditions.push(isNull(notifications.readAt));
  if (q.enrolmentId) conditions.push(eq(notifications.enrolmentId, q.enrolmentId));
  if (q.recipientRole) conditions.push(eq(notifications.recipientRole, q.recipientRole));
  if (q.before) conditions.push(lt(notifications.scheduledFor, new Date(q.before)));
  if (q.deliveryStatus)
    conditions.push(
      sql`exists (select 1 from ${notificationDeliveries} d where d.notification_id = ${notifications.id}
        and d.status = ${q.deliveryStatus})`,
    );
  const rows = await db
    .select()
    .from(notifications)
    .where(and(...conditions))
    .orderBy(desc(notifications.scheduledFor), desc(notifications.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return {
    items: await withDeliveries(db, page),
    nextBefore: rows.length > q.limit ? page.at(-1)!.scheduledFor.toISOString() : null,
  };
}

export async function unreadCount(db: Db, p: Principal): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(inboxOf(p), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

/** A notification of one's own inbox; one only visible through the office is 403, one not visible at all 404. */
async function ownNotification(db: DbOrTx, p: Principal, id: string): Promise<NotificationRow> {
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.id, id), or(inboxOf(p), visibleTo(p) ?? sql`true`)));
  if (!row) throw notFound('Notifikasi / Notification');
  const [mine] = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.id, id), inboxOf(p)));
  if (!mine) throw forbidden('Notifikasi ini bukan untuk Anda / This notification is not addressed to you');
  return row;
}

export async function markRead(db: Db, source: AuditContext & { principal: Principal }, id: string) {
  return db.transaction(async (tx) => {
    const row = await ownNotification(tx, source.principal, id);
    if (row.readAt) return (await withDeliveries(tx, [row]))[0]!;
    const [updated] = await tx
      .update(notifications)
      .set({ readAt: new Date() })
      .where(eq(notifications.id, id))
      .returning();
    await recordAudit(tx, source, {
      action: 'notification.read',
      entityType: 'notification',
      entityId: id,
      officeId: row.officeId,
      businessId: row.businessId,
    });
    return (await withDeliveries(tx, [updated!]))[0]!;
  });
}

export async function markAllRead(db: Db, source: AuditContext & { principal: Principal }): Promise<number> {
  return db.transaction(async (tx) => {
    const marked = await tx
      .update(notifications)
      .set({ readAt: new Date() })
      .where(and(inboxOf(source.principal), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    if (marked.length > 0) {
      await recordAudit(tx, source, {
        action: 'notification.read_all',
        entityType: 'notification',
        entityId: source.principal.userId ?? source.principal.businessId ?? 'admin',
        officeId: source.principal.officeId,
        businessId: source.principal.businessId,
        after: { marked: marked.length },
      });
    }
    return marked.length;
  });
}

/**
 * Sends a notification again on its channels (or the ones named): each delivery is queued afresh with a new message key,
 * since receivers would rightly drop a second message with the old one. Quiet hours still hold.
 */
export async function resend(
  db: Db,
  source: AuditContext & { principal: Principal },
  id: string,
  channels: ChannelName[] | undefined,
  now = Date.now(),
) {
  return db.transaction(async (tx) => {
    const visible = visibleTo(source.principal);
    const [row] = await tx
      .select()
      .from(notifications)
      .where(and(eq(notifications.id, id), visible));
    if (!row) throw notFound('Notifikasi / Notification');
    const deliveries = await tx
      .select()
      .from(notificationDeliveries)
      .where(eq(notificationDeliveries.notificationId, id))
      .for('update');
    const chosen = deliveries.filter((d) => !channels || channels.includes(d.channel));
    if (chosen.length === 0)
      throw conflict(
        'Notifikasi ini tidak dikirim lewat saluran itu / This notification was not delivered on that channel',
        { channels: deliveries.map((d) => d.channel) },
      );
    const busy = chosen.find((d) => d.status === 'sending');
    if (busy)
      throw conflict(`Sedang dikirim lewat ${busy.channel} / Being sent through ${busy.channel} right now`, {
        channel: busy.channel,
      });
    for (const d of chosen) {
      const resends = d.resends + 1;
      const at = d.channel === 'webhook' ? now : outsideQuietHours(now, d.timeZone);
      await tx
        .update(notificationDeliveries)
        .set({
          status: 'queued',
          attempts: 0,
          resends,
          nextAttemptAt: new Date(at),
          lastError: null,
          messageKey: `${id}.${d.channel}.r${resends}`,
          updatedAt: new Date(now),
        })
        .where(eq(notificationDeliveries.id, d.id));
    }
    await recordAudit(tx, source, {
      action: 'notification.resend',
      entityType: 'notification',
      entityId: id,
      officeId: row.officeId,
      businessId: row.businessId,
      before: chosen.map((d) => ({ channel: d.channel, status: d.status, attempts: d.attempts })),
      after: { channels: chosen.map((d) => d.channel) },
    });
    return (await withDeliveries(tx, [row]))[0]!;
  });
}

export interface Preferences {
  language: Language;
  email: string | null;
  phone: string | null;
  channels: { email: boolean; whatsapp: boolean; webhook: boolean };
  digest: boolean;
}

const personless = () =>
  forbidden(
    'Token administrator dari lingkungan bukan milik seseorang / The environment administrator token belongs to nobody',
  );

const toPreferences = (
  language: Language,
  email: string | null,
  phone: string | null,
  p: NotificationPreferences,
): Preferences => ({
  language,
  email,
  phone,
  channels: { email: p.email, whatsapp: p.whatsapp, webhook: p.webhook },
  digest: p.digest,
});

/** A business user's preferences are their business's (its contact); a staff member's are their own. */
export async function preferencesOf(db: DbOrTx, p: Principal): Promise<Preferences> {
  if (p.role === 'business') {
    const [b] = await db
      .select()
      .from(businesses)
      .where(eq(businesses.id, p.businessId ?? none));
    if (!b) throw notFound('Usaha / Business');
    return toPreferences(b.preferredLanguage, b.email, b.phone, b.notificationPreferences);
  }
  if (!p.userId) throw personless();
  const [u] = await db.select().from(users).where(eq(users.id, p.userId));
  if (!u) throw notFound('Pengguna / User');
  return toPreferences(u.language, u.email, u.phone, u.notificationPreferences);
}

export async function setPreferences(
  db: Db,
  source: AuditContext & { principal: Principal },
  input: { language: Language; phone?: string | null; channels: Preferences['channels']; digest: boolean },
): Promise<Preferences> {
  const p = source.principal;
  return db.transaction(async (tx) => {
    const before = await preferencesOf(tx, p);
    const prefs: NotificationPreferences = { ...input.channels, digest: input.digest };
    const phone = input.phone === undefined ? {} : { phone: input.phone };
    if (p.role === 'business') {
      await tx
        .update(businesses)
        .set({ preferredLanguage: input.language, notificationPreferences: prefs, updatedAt: new Date(), ...phone })
        .where(eq(businesses.id, p.businessId!));
    } else {
      await tx
        .update(users)
        .set({ language: input.language, notificationPreferences: prefs, ...phone })
        .where(eq(users.id, p.userId!));
    }
    const after = await preferencesOf(tx, p);
    await recordAudit(tx, source, {
      action: 'notification_preferences.update',
      entityType: p.role === 'business' ? 'business' : 'user',
      entityId: p.role === 'business' ? p.businessId! : p.userId!,
      officeId: p.officeId,
      businessId: p.businessId,
      before,
      after,
    });
    return after;
  });
}
