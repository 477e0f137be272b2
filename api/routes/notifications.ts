// Notifications: each person's inbox, the office's notifications with their delivery state, resending, and each
// person's channel preferences and language. The work is in services/notifications/inbox.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { phoneSchema } from '../../services/registry.js';
import {
  listNotifications,
  markAllRead,
  markRead,
  preferencesOf,
  resend,
  setPreferences,
  unreadCount,
} from '../../services/notifications/inbox.js';
import { channelNames } from '../../services/notifications/channels/types.js';
import { principalOf } from '../plugins/auth.js';
import { problemResponses, uuidParam } from '../schemas/common.js';
import { sourceOf } from '../audit.js';

const deliveryStatuses = ['queued', 'sending', 'sent', 'failed'] as const;
const recipientRoles = ['business', 'officer', 'manager'] as const;
const localized = z.object({ id: z.string(), en: z.string() });

const notificationSchema = z.object({
  id: z.uuid(),
  enrolmentId: z.uuid().nullable(),
  businessId: z.uuid().nullable(),
  recipientRole: z.enum(recipientRoles),
  recipientUserId: z.uuid().nullable(),
  kind: z.string(),
  stepKey: z.string().nullable(),
  title: localized,
  body: localized,
  scheduledFor: z.string(),
  readAt: z.string().nullable(),
  /** false until the dispatcher has decided the channels. */
  planned: z.boolean(),
  deliveries: z.array(
    z.object({
      channel: z.enum(channelNames as ['email', 'whatsapp', 'webhook']),
      status: z.enum(deliveryStatuses),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      nextAttemptAt: z.string().nullable(),
      lastAttemptAt: z.string().nullable(),
      sentAt: z.string().nullable(),
      messageKey: z.string(),
      language: z.enum(['id', 'en']),
    }),
  ),
});

const preferencesSchema = z.object({
  language: z.enum(['id', 'en']),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  channels: z.object({ email: z.boolean(), whatsapp: z.boolean(), webhook: z.boolean() }),
  digest: z.boolean(),
});

const everyone = ['admin', 'manager', 'officer', 'business'] as const;
const staff = ['admin', 'manager', 'officer'] as const;
const noBody = z.object({}).strict().nullish();

const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/notifications',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['notifications'],
        summary:
          "Your inbox (scope=inbox), or for staff the office's notifications with their delivery state (scope=office)",
        querystring: z
          .object({
            scope: z.enum(['inbox', 'office']).default('inbox'),
            unread: z
              .enum(['true', 'false'])
              .transform((v) => v === 'true')
              .optional(),
            enrolmentId: z.uuid().optional(),
            recipientRole: z.enum(recipientRoles).optional(),
            deliveryStatus: z.enum(deliveryStatuses).optional(),
            before: z.iso.datetime().optional(),
            limit: z.coerce.number().int().min(1).max(100).default(50),
          })
          .strict(),
        response: {
          200: z.object({ items: z.array(notificationSchema), nextBefore: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => listNotifications(app.db, principalOf(request), request.query),
  );

  app.get(
    '/notifications/unread-count',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['notifications'],
        summary: 'How many notifications of your inbox are unread',
        response: { 200: z.object({ unread: z.number().int() }), ...problemResponses },
      },
    },
    async (request) => ({ unread: await unreadCount(app.db, principalOf(request)) }),
  );

  app.post(
    '/notifications/:id/read',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['notifications'],
        summary: 'Mark a notification of your inbox as read',
        params: uuidParam,
        // A POST without a body arrives as null.
        body: noBody,
        response: { 200: notificationSchema, ...problemResponses },
      },
    },
    async (request) => markRead(app.db, sourceOf(request), request.params.id),
  );

  app.post(
    '/notifications/read-all',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['notifications'],
        summary: 'Mark every notification of your inbox as read',
        body: noBody,
        response: { 200: z.object({ marked: z.number().int() }), ...problemResponses },
      },
    },
    async (request) => ({
      marked: await markAllRead(app.db, sourceOf(request)),
    }),
  );

  app.post(
    '/notifications/:id/resend',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['notifications'],
        summary: 'Send a notification again on its channels (or those named), with a new message key',
        params: uuidParam,
        body: z
          .object({
            channels: z
              .array(z.enum(channelNames as ['email', 'whatsapp', 'webhook']))
              .min(1)
              .max(3)
              .optional(),
          })
          .strict()
          .nullish(),
        response: { 202: notificationSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const sent = await resend(app.db, sourceOf(request), request.params.id, request.body?.channels);
      return reply.code(202).send(sent);
    },
  );

  app.get(
    '/notification-preferences',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['notifications'],
        summary: "Your channels and language (a business user: the business contact's)",
        response: { 200: preferencesSchema, ...problemResponses },
      },
    },
    async (request) => preferencesOf(app.db, principalOf(request)),
  );

  app.put(
    '/notification-preferences',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['notifications'],
        summary: 'Set your channels, language and WhatsApp number',
        body: z
          .object({
            language: z.enum(['id', 'en']),
            phone: z.string().max(32).pipe(phoneSchema).nullable().optional(),
            channels: z.object({ email: z.boolean(), whatsapp: z.boolean(), webhook: z.boolean() }).strict(),
            digest: z.boolean(),
          })
          .strict(),
        response: { 200: preferencesSchema, ...problemResponses },
      },
    },
    async (request) => setPreferences(app.db, sourceOf(request), request.body),
  );
};

export default notificationRoutes;
