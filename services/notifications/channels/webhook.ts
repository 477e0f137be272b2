// Signed webhooks, for SMS gateways and other systems: a JSON POST per message, with
//   X-Pendamping-Timestamp: unix seconds,
//   X-Pendamping-Signature: sha256=HMAC-SHA256(secret, "<timestamp>.<body>") in hex,
//   Idempotency-Key: the message key (the same on every retry of a message).
// A receiver checks the signature and refuses old timestamps (replays). The target must be a public https address
// unless private targets are allowed (a gateway on the office's own network); the check is made again on every
// connection, against the addresses the name resolves to then, so a name that later points inside (DNS rebinding)
// is refused too.
import { createHmac } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { assertSafeWebhookUrl, isPublicAddress } from '../../url-guard.js';
import { DeliveryError, retryAfterMs, type Channel, type OutgoingMessage } from './types.js';

export interface WebhookOptions {
  url: string;
  secret: string;
  allowPrivateTargets: boolean;
  ratePerSecond: number;
  clock?: () => number;
}

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookPayload(m: OutgoingMessage) {
  return {
    id: m.messageKey,
    notificationId: m.notificationId,
    kind: m.kind,
    occurredAt: m.occurredAt.toISOString(),
    language: m.language,
    recipient: m.recipient,
    enrolmentId: m.enrolmentId,
    businessId: m.businessId,
    title: m.title,
    body: m.body,
  };
}

const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const inside = addresses.find((a) => !isPublicAddress(a.address));
    if (inside || addresses.length === 0) {
      const error = Object.assign(new Error(`${hostname} resolves to ${inside?.address ?? 'nothing'}, not public`), {
        code: 'UNSAFE_TARGET',
      });
      return callback(error, '', 0);
    }
    if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
  guarded: boolean,
): Promise<{ status: number; retryAfter: string | null; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: 30_000,
        ...(guarded ? { lookup: publicOnlyLookup } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: (response.headers['retry-after'] as string | undefined) ?? null,
            text: Buffer.concat(chunks).toString('utf8').slice(0, 300),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end(body);
  });
}

/** Refuses a target the guard does not allow (UnsafeUrlError, 422), before the channel is used at all. */
export async function webhookChannel(options: WebhookOptions): Promise<Channel> {
  const url = options.allowPrivateTargets ? new URL(options.url) : (await assertSafeWebhookUrl(options.url)).url;
  const clock = options.clock ?? Date.now;
  const guarded = !options.allowPrivateTargets;
  return {
    name: 'webhook',
    ratePerSecond: options.ratePerSecond,
    concurrency: 10,
    async send(m) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (guarded && isIP(host) && !isPublicAddress(host)) {
        throw new DeliveryError(`${host} is not a public address`, true);
      }
      const body = JSON.stringify(webhookPayload(m));
      const timestamp = String(Math.floor(clock() / 1000));
      let answer: Awaited<ReturnType<typeof post>>;
      try {
        answer = await post(
          url,
          body,
          {
            'content-type': 'application/json',
            'idempotency-key': m.messageKey,
            'x-pendamping-timestamp': timestamp,
            'x-pendamping-signature': webhookSignature(options.secret, timestamp, body),
          },
          guarded,
        );
      } catch (err) {
        const unsafe = (err as { code?: string }).code === 'UNSAFE_TARGET';
        throw new DeliveryError(err instanceof Error ? err.message : String(err), unsafe);
      }
      if (answer.status >= 200 && answer.status < 300) return { providerMessageId: null };
      const passing = answer.status === 408 || answer.status === 429 || answer.status >= 500;
      throw new DeliveryError(
        `webhook ${answer.status}: ${answer.text}`,
        !passing,
        retryAfterMs(answer.retryAfter, clock()),
      );
    },
    async close() {},
  };
}
