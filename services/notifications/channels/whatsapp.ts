// WhatsApp Business Cloud API: a template message (business-initiated messages must use a pre-approved template).
// Each notification kind has a template `pendamping_<kind>` approved in Bahasa Indonesia (`id`) and English (`en`),
// whose body parameters are the kind's placeholders in order (texts.ts). The message key travels as
// biz_opaque_callback_data, which the status webhooks echo back.
import { DeliveryError, retryAfterMs, type Channel, type OutgoingMessage } from './types.js';

export interface WhatsAppOptions {
  /** e.g. https://graph.facebook.com/v21.0 */
  apiUrl: string;
  token: string;
  phoneNumberId: string;
  ratePerSecond: number;
  fetch?: typeof fetch;
}

export const whatsappTemplateName = (kind: string) => `pendamping_${kind}`;

export function whatsappRequestBody(m: OutgoingMessage) {
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    // The API takes the number in international form without the plus.
    to: m.address.replace(/^\+/, ''),
    type: 'template',
    template: {
      name: whatsappTemplateName(m.kind),
      language: { code: m.language },
      components: [{ type: 'body', parameters: m.params.map((text) => ({ type: 'text', text })) }],
    },
    biz_opaque_callback_data: m.messageKey,
  };
}

/** The wamid of an accepted message; a body we cannot read still means accepted (2xx). */
function messageIdIn(text: string): string | null {
  try {
    return (JSON.parse(text) as { messages?: { id?: string }[] }).messages?.[0]?.id ?? null;
  } catch {
    return null;
  }
}

export function whatsappChannel(options: WhatsAppOptions): Channel {
  const endpoint = `${options.apiUrl.replace(/\/+$/, '')}/${encodeURIComponent(options.phoneNumberId)}/messages`;
  const doFetch = options.fetch ?? fetch;
  return {
    name: 'whatsapp',
    ratePerSecond: options.ratePerSecond,
    concurrency: 20,
    async send(m) {
      let response: Response;
      try {
        response = await doFetch(endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(whatsappRequestBody(m)),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        throw new DeliveryError(err instanceof Error ? err.message : String(err), false);
      }
      const text = await response.text();
      if (!response.ok) {
        // 429 and 5xx pass; any other 4xx (bad number, unknown template) will answer the same next time.
        const passing = response.status === 429 || response.status >= 500;
        throw new DeliveryError(
          `WhatsApp ${response.status}: ${text.slice(0, 300)}`,
          !passing,
          retryAfterMs(response.headers.get('retry-after')),
        );
      }
      return { providerMessageId: messageIdIn(text) };
    },
    async close() {},
  };
}
