// What a channel adapter receives and answers. Adapters know their provider and nothing of the database.
import type { Language } from '../texts.js';

export type ChannelName = 'email' | 'whatsapp' | 'webhook';
export const channelNames: readonly ChannelName[] = ['email', 'whatsapp', 'webhook'];

export interface OutgoingMessage {
  /** Stable across retries of this delivery: receivers drop a second message with the same key. */
  messageKey: string;
  notificationId: string;
  kind: string;
  language: Language;
  /** E-mail address, E.164 phone number or webhook URL. */
  address: string;
  title: string;
  body: string;
  /** The values of the kind's placeholders, in order: the WhatsApp template's parameters. */
  params: string[];
  recipient: { role: 'business' | 'officer' | 'manager'; userId: string | null; name: string };
  enrolmentId: string | null;
  businessId: string | null;
  occurredAt: Date;
}

export interface Channel {
  name: ChannelName;
  /** Messages per second the provider takes from us. */
  ratePerSecond: number;
  /** How many sends may be in flight at once. */
  concurrency: number;
  send(message: OutgoingMessage): Promise<{ providerMessageId: string | null }>;
  close(): Promise<void>;
}

/** A send that did not go through. `permanent`: trying again cannot help (a refused address, a bad request). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** The provider asked us to wait this long (HTTP 429 Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
