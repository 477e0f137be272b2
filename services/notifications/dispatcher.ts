// Durable delivery, in the worker process. Two steps, each a short transaction on rows claimed with SKIP LOCKED, so any
// number of workers share the work and a crash loses nothing:
//
// 1. plan: a notification nobody planned yet gets one delivery row per channel its recipient wants and can be reached
//    on (preferences, address, language as they are now), for each channel configured here. E-mail and WhatsApp wait
//    outside quiet hours in the office's zone. A channel that is off plans nothing, so nothing waits for it.
// 2. dispatch: due deliveries are claimed (status `sending`, attempts + 1, a lease), sent through their channel at its
//    rate, and marked sent, queued again with backoff, or failed with the reason. A worker that dies mid-send leaves
//    its lease, which runs out; the next claim sends again with the same message key, so the only duplicate possible
//    (the provider accepted, we died before marking) carries the key receivers need to drop it.
//
// Every instant comes from `clock`, so tests drive quiet hours and retries without waiting.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { NotificationPreferences } from '../../db/schema.js';
import { outsideQuietHours } from '../../domain/quiet-hours.js';
import { rateLimiter, type RateLimiter } from './rate-limit.js';
import { DeliveryError, type Channel, type ChannelName, type OutgoingMessage } from './channels/types.js';
import { summaryKinds, type Language } from './texts.js';

export interface DispatcherOptions {
  database: Database;
  channels: Partial<Record<ChannelName, Channel>>;
  clock?: () => number;
  /** Deliveries claimed per claim (two per channel per round); twice as many notifications are planned. */
  batchSize?: number;
  /** How long a claim holds a delivery; past it, another worker may send it again. */
  leaseMs?: number;
  /** Attempts before a delivery is given up and shown as failed. */
  maxAttempts?: number;
  /** Wait before the next attempt after `attempt` failed ones. */
  backoffMs?: (attempt: number) => number;
  /** How often an idle dispatcher looks for work. */
  pollMs?: number;
  /** Work besides delivery, run on each round (the digests); returns how many notifications it wrote. */
  onRound?: (now: number) => Promise<number>;
  log?: (line: string) => void;
}

/** 30 s, 1 min, 2 min, … up to an hour, with ±20% jitter so that failures of one outage do not retry in step. */
export const defaultBackoffMs = (attempt: number) =>
  Math.min(3_600_000, 30_000 * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);

/** Routine notices an officer who takes the daily digest reads there, and in the inbox, rather than one by one. */
const digestedKinds = new Set(['step_opened', 'reminder', 'overdue']);
/** Channels held in quiet hours: they reach a person's phone. A webhook goes to a system. */
const quietChannels = new Set<ChannelName>(['email', 'whatsapp']);
/** A summary is a list; WhatsApp template parameters take no line breaks. */
const summaryChannels = new Set<ChannelName>(['email', 'webhook']);

export interface Recipient {
  role: 'business' | 'officer' | 'manager';
  kind: string;
  email: string | null;
  phone: string | null;
  prefs: NotificationPreferences | null;
}

/** The channels a notification goes out on, besides the inbox. */
export function channelsFor(r: Recipient, configured: readonly ChannelName[]): ChannelName[] {
  if (!r.prefs) return [];
  const prefs = r.prefs;
  if (r.role === 'officer' && prefs.digest && digestedKinds.has(r.kind)) return [];
  const summary = (summaryKinds as readonly string[]).includes(r.kind);
  return configured.filter((c) => {
    if (summary && !summaryChannels.has(c)) return false;
    if (c === 'email') return prefs.email && !!r.email;
    if (c === 'whatsapp') return prefs.whatsapp && !!r.phone;
    return prefs.webhook;
  });
}

type ClaimedRow = {
  id: string;
  channel: ChannelName;
  address: string;
  language: Language;
  time_zone: string;
  attempts: number;
  message_key: string;
  notification_id: string;
  kind: string;
  title_id: string;
  title_en: string;
  body_id: string;
  body_en: string;
  params: { id: string[]; en: string[] };
  recipient_role: 'business' | 'officer' | 'manager';
  recipient_user_id: string | null;
  recipient_name: string | null;
  enrolment_id: string | null;
  business_id: string | null;
  scheduled_for: Date | string;
};

type Outcome =
  | { id: string; sent: true; providerMessageId: string | null }
  | { id: string; sent: false; error: string; retryAt: number | null };

/**
 * Ids as one uuid[] parameter. Besides the join on a JSON record set, it lets the planner look rows up by primary key
 * rather than scan a table that only grows.
 */
const uuidArray = (ids: string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

async function mapPool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

export interface Dispatcher {
  /** Plans deliveries for a batch of new notifications; how many notifications it planned. */
  plan(): Promise<number>;
  /** Sends one claimed batch per channel; how many deliveries it finished or rescheduled. */
  dispatch(): Promise<number>;
  /** Rounds until there is nothing due. */
  drain(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db } = options.database;
  const clock = options.clock ?? Date.now;
  const batchSize = options.batchSize ?? 200;
  const leaseMs = options.leaseMs ?? 300_000;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoffMs = options.backoffMs ?? defaultBackoffMs;
  const pollMs = options.pollMs ?? 250;
  const log = options.log ?? (() => {});
  const channels = Object.values(options.channels).filter((c): c is Channel => c !== undefined);
  const configured = channels.map((c) => c.name);
  const limiters = new Map<ChannelName, RateLimiter>(channels.map((c) => [c.name, rateLimiter(c.ratePerSecond)]));

  async function plan(): Promise<number> {
    const now = clock();
    return db.transaction(async (tx) => {
      const rows = await tx.execute<{
        id: string;
        recipient_role: Recipient['role'];
        kind: string;
        scheduled_for: Date | string;
        time_zone: string | null;
        email: string | null;
        phone: string | null;
        language: Language | null;
        prefs: NotificationPreferences | null;
      }>(sql`
        select n.id, n.recipient_role, n.kind, n.scheduled_for, o.time_zone,
          coalesce(u.email, b.email) as email, coalesce(u.phone, b.phone) as phone,
          coalesce(u.language, b.preferred_language) as language,
          case when n.recipient_role = 'business' then b.notification_preferences
               when u.disabled_at is null then u.notification_preferences end as prefs
        from notifications n
        left join users u on u.id = n.recipient_user_id
        left join businesses b on n.recipient_role = 'business' and b.id = n.business_id
        left join offices o on o.id = n.office_id
        where n.planned_at is null
        order by n.created_at
        limit ${batchSize * 2}
        for update of n skip locked`);
      if (rows.length === 0) return 0;
      const deliveries = rows.flatMap((r) => {
        const zone = r.time_zone ?? 'Asia/Jakarta';
        const from = Math.max(new Date(r.scheduled_for).getTime(), now);
        return channelsFor({ ...r, role: r.recipient_role }, configured).map((channel) => ({
          notificationId: r.id,
          channel,
          address: channel === 'email' ? r.email! : channel === 'whatsapp' ? r.phone! : 'webhook',
          language: r.language ?? 'id',
          timeZone: zone,
          nextAttemptAt: new Date(quietChannels.has(channel) ? outsideQuietHours(from, zone) : from).toISOString(),
          messageKey: `${r.id}.${channel}`,
        }));
      });
      if (deliveries.length > 0) {
        await tx.execute(sql`
          insert into notification_deliveries
            (notification_id, channel, address, language, time_zone, next_attempt_at, message_key)
          select * from jsonb_to_recordset(${JSON.stringify(deliveries)}::jsonb) as d(
            "notificationId" uuid, channel text, address text, language text, "timeZone" text,
            "nextAttemptAt" timestamptz, "messageKey" text)
          on conflict do nothing`);
      }
      const ids = rows.map((r) => r.id);
      await tx.execute(sql`
        update notifications set planned_at = ${new Date(now).toISOString()}::timestamptz
        where id = any(${uuidArray(ids)})`);
      return rows.length;
    });
  }

  async function claim(channel: Channel, now: number): Promise<ClaimedRow[]> {
    // At most about 30 s of sending at the channel's rate per claim, well inside the lease.
    const limit = Math.max(1, Math.min(batchSize, Math.floor(channel.ratePerSecond * 30)));
    const at = new Date(now).toISOString();
    const rows = await db.execute<ClaimedRow>(sql`
      with due as (
        select id from notification_deliveries
        where channel = ${channel.name}
          and ((status = 'queued' and next_attempt_at <= ${at}::timestamptz)
            or (status = 'sending' and lease_until <= ${at}::timestamptz))
        order by next_attempt_at
        limit ${limit}
        for update skip locked),
      claimed as (
        update notification_deliveries d
        set status = 'sending', attempts = d.attempts + 1, last_attempt_at = ${at}::timestamptz,
          lease_until = ${new Date(now + leaseMs).toISOString()}::timestamptz, updated_at = ${at}::timestamptz
        from due where d.id = due.id
        returning d.*)
      select c.id, c.channel, c.address, c.language, c.time_zone, c.attempts, c.message_key, c.notification_id,
        n.kind, n.title_id, n.title_en, n.body_id, n.body_en, n.params, n.recipient_role, n.recipient_user_id,
        coalesce(u.name, b.name) as recipient_name, n.enrolment_id, n.business_id, n.scheduled_for
      from claimed c
      join notifications n on n.id = c.notification_id
      left join users u on u.id = n.recipient_user_id
      left join businesses b on n.recipient_role = 'business' and b.id = n.business_id`);
    return [...rows];
  }

  function messageOf(r: ClaimedRow): OutgoingMessage {
    const en = r.language === 'en';
    return {
      messageKey: r.message_key,
      notificationId: r.notification_id,
      kind: r.kind,
      language: r.language,
      address: r.address,
      title: en ? r.title_en : r.title_id,
      body: en ? r.body_en : r.body_id,
      params: r.params[r.language] ?? [],
      recipient: { role: r.recipient_role, userId: r.recipient_user_id, name: r.recipient_name ?? '' },
      enrolmentId: r.enrolment_id,
      businessId: r.business_id,
      occurredAt: new Date(r.scheduled_for),
    };
  }

  async function mark(outcomes: Outcome[], now: number): Promise<void> {
    if (outcomes.length === 0) return;
    const at = new Date(now).toISOString();
    const sent = outcomes.filter((o) => o.sent);
    const unsent = outcomes.filter((o) => !o.sent);
    // The lease guard: a delivery reclaimed by another worker after our lease ran out is that worker's to mark.
    if (sent.length > 0) {
      await db.execute(sql`
        update notification_deliveries d
        set status = 'sent', sent_at = ${at}::timestamptz, provider_message_id = v."providerMessageId",
          last_error = null, lease_until = null, updated_at = ${at}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(sent)}::jsonb) as v(id uuid, "providerMessageId" text)
        where d.id = v.id and d.id = any(${uuidArray(sent.map((o) => o.id))}) and d.status = 'sending'`);
    }
    if (unsent.length > 0) {
      const rows = unsent.map((o) => ({
        id: o.id,
        error: o.error.slice(0, 500),
        retryAt: o.retryAt === null ? null : new Date(o.retryAt).toISOString(),
      }));
      await db.execute(sql`
        update notification_deliveries d
        set status = case when v."retryAt" is null then 'failed' else 'queued' end,
          next_attempt_at = coalesce(v."retryAt", d.next_attempt_at), last_error = v.error, lease_until = null,
          updated_at = ${at}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, error text, "retryAt" timestamptz)
        where d.id = v.id and d.id = any(${uuidArray(rows.map((o) => o.id))}) and d.status = 'sending'`);
    }
  }

  async function dispatchChannel(channel: Channel): Promise<number> {
    const now = clock();
    const claimed = await claim(channel, now);
    if (claimed.length === 0) return 0;
    const limiter = limiters.get(channel.name)!;
    const outcomes: Outcome[] = [];
    await mapPool(claimed, channel.concurrency, async (row) => {
      await limiter.take();
      try {
        const { providerMessageId } = await channel.send(messageOf(row));
        outcomes.push({ id: row.id, sent: true, providerMessageId });
      } catch (err) {
        const failure = err instanceof DeliveryError ? err : new DeliveryError(String(err), false);
        const giveUp = failure.permanent || row.attempts >= maxAttempts;
        let retryAt = clock() + Math.max(backoffMs(row.attempts), failure.retryAfterMs ?? 0);
        if (quietChannels.has(channel.name)) retryAt = outsideQuietHours(retryAt, row.time_zone);
        outcomes.push({ id: row.id, sent: false, error: failure.message, retryAt: giveUp ? null : retryAt });
      }
    });
    await mark(outcomes, clock());
    return claimed.length;
  }

  async function dispatch(): Promise<number> {
    // Two claims in flight per channel: one batch's database work (claim, mark) overlaps the other's sending.
    const counts = await Promise.all(channels.flatMap((c) => [dispatchChannel(c), dispatchChannel(c)]));
    return counts.reduce((a, b) => a + b, 0);
  }

  async function round(): Promise<number> {
    const written = options.onRound ? await options.onRound(clock()) : 0;
    const [planned, sent] = await Promise.all([plan(), dispatch()]);
    return written + planned + sent;
  }

  let running: Promise<void> | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;

  async function loop(): Promise<void> {
    while (!stopping) {
      let busy = 0;
      try {
        busy = await round();
      } catch (err) {
        log(`notification delivery round failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (busy === 0 && !stopping) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, pollMs);
        });
        wake = null;
      }
    }
  }

  return {
    plan,
    dispatch,
    async drain() {
      while ((await round()) > 0);
    },
    start() {
      running ??= loop();
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
      await Promise.all(channels.map((c) => c.close()));
    },
  };
}
