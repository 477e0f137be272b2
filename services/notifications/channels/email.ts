// E-mail over SMTP (nodemailer, pooled connections). The Message-ID is the delivery's message key, so a receiver or its
// mail system can drop the duplicate a crash between the server's acceptance and our mark can cause.
import nodemailer from 'nodemailer';
import { DeliveryError, type Channel, type OutgoingMessage } from './types.js';

export interface EmailOptions {
  url: string;
  from: string;
  ratePerSecond: number;
  connections?: number;
}

/** The domain of the sender's address, for Message-IDs. */
function domainOf(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.split('@')[1]?.trim() || 'pendamping.local';
}

export function messageIdOf(messageKey: string, from: string): string {
  return `<${messageKey}@${domainOf(from)}>`;
}

export function emailChannel(options: EmailOptions): Channel {
  const connections = options.connections ?? 5;
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: connections,
    maxMessages: Infinity,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    name: 'email',
    ratePerSecond: options.ratePerSecond,
    concurrency: connections * 4,
    async send(m: OutgoingMessage) {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: m.address,
          subject: m.title,
          text: m.body,
          messageId: messageIdOf(m.messageKey, options.from),
          headers: { 'X-Pendamping-Kind': m.kind },
        });
        return { providerMessageId: info.messageId ?? null };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        // 5xx is the server's final word on this message (unknown mailbox, refused); 4xx and lost connections pass.
        throw new DeliveryError(
          err instanceof Error ? err.message : String(err),
          code !== undefined && code >= 500 && code < 600,
        );
      }
    },
    async close() {
      transport.close();
    },
  };
}
