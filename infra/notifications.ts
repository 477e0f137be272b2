// Notification delivery in the worker process: the channels configuration turns on, and the dispatcher that sends
// through them. A channel without configuration is off, says so once here, and nothing waits for it.
import type { Database } from '../db/client.js';
import { emailChannel } from '../services/notifications/channels/email.js';
import type { Channel, ChannelName } from '../services/notifications/channels/types.js';
import { webhookChannel } from '../services/notifications/channels/webhook.js';
import { whatsappChannel } from '../services/notifications/channels/whatsapp.js';
import { createDispatcher, type Dispatcher } from '../services/notifications/dispatcher.js';
import { runSummaries } from '../services/notifications/digest.js';
import { scanFollowUps } from '../services/visits/follow-ups.js';
import type { Config } from './config.js';

type ChannelConfig = Pick<
  Config,
  | 'SMTP_URL'
  | 'SMTP_FROM'
  | 'SMTP_RATE_PER_SECOND'
  | 'WHATSAPP_API_URL'
  | 'WHATSAPP_TOKEN'
  | 'WHATSAPP_PHONE_NUMBER_ID'
  | 'WHATSAPP_RATE_PER_SECOND'
  | 'WEBHOOK_URL'
  | 'WEBHOOK_SECRET'
  | 'WEBHOOK_ALLOW_PRIVATE_TARGETS'
  | 'WEBHOOK_RATE_PER_SECOND'
>;

/** The configured channels. A webhook target the guard refuses stops the start (UnsafeUrlError names it). */
export async function channelsFromConfig(
  config: ChannelConfig,
  say: (line: string) => void,
): Promise<Partial<Record<ChannelName, Channel>>> {
  const channels: Partial<Record<ChannelName, Channel>> = {};
  if (config.SMTP_URL) {
    channels.email = emailChannel({
      url: config.SMTP_URL,
      from: config.SMTP_FROM,
      ratePerSecond: config.SMTP_RATE_PER_SECOND,
    });
  } else say('notifications: e-mail off (SMTP_URL not set)');
  if (config.WHATSAPP_TOKEN && config.WHATSAPP_PHONE_NUMBER_ID) {
    channels.whatsapp = whatsappChannel({
      apiUrl: config.WHATSAPP_API_URL,
      token: config.WHATSAPP_TOKEN,
      phoneNumberId: config.WHATSAPP_PHONE_NUMBER_ID,
      ratePerSecond: config.WHATSAPP_RATE_PER_SECOND,
    });
  } else say('notifications: WhatsApp off (WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID not set)');
  if (config.WEBHOOK_URL && config.WEBHOOK_SECRET) {
    channels.webhook = await webhookChannel({
      url: config.WEBHOOK_URL,
      secret: config.WEBHOOK_SECRET,
      allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      ratePerSecond: config.WEBHOOK_RATE_PER_SECOND,
    });
  } else say('notifications: webhook off (WEBHOOK_URL not set)');
  return channels;
}

/**
 * Starts delivery, the officers' digests and managers' summaries, and the visits' follow-up notices; stop() lets the
 * current round finish.
 */
export async function startNotificationDelivery(
  config: ChannelConfig,
  database: Database,
  say: (line: string) => void,
): Promise<Dispatcher> {
  const channels = await channelsFromConfig(config, say);
  const dispatcher = createDispatcher({
    database,
    channels,
    onRound: async (now) => (await runSummaries(database.db, now)) + (await scanFollowUps(database.db, now)),
    log: say,
  });
  dispatcher.start();
  return dispatcher;
}
