// Notification texts as data: administrators and managers read them, replace them per language, restore the default,
// and preview a draft with example values.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listTexts, previewText, replaceText, restoreDefaultText } from '../../services/notifications/text-admin.js';
import { textKinds, type TextKind } from '../../services/notifications/texts.js';
import { problemResponses } from '../schemas/common.js';
import { sourceOf } from '../audit.js';

const kindSchema = z.enum(textKinds as [TextKind, ...TextKind[]]);
const languageSchema = z.enum(['id', 'en']);
const textEntry = z.object({ title: z.string(), body: z.string(), custom: z.boolean() });
const textSchema = z.object({
  kind: z.string(),
  placeholders: z.array(z.string()),
  id: textEntry,
  en: textEntry,
  defaults: z.object({
    id: z.object({ title: z.string(), body: z.string() }),
    en: z.object({ title: z.string(), body: z.string() }),
  }),
});
const params = z.object({ kind: kindSchema, language: languageSchema }).strict();
const editors = ['admin', 'manager'] as const;

const notificationTextRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/notification-texts',
    {
      onRequest: app.authorize(editors),
      schema: {
        tags: ['notifications'],
        summary: 'Every notification text in Bahasa Indonesia and English, its placeholders and its default',
        response: { 200: z.object({ items: z.array(textSchema) }), ...problemResponses },
      },
    },
    async () => ({ items: await listTexts(app.db) }),
  );

  app.put(
    '/notification-texts/:kind/:language',
    {
      onRequest: app.authorize(editors),
      schema: {
        tags: ['notifications'],
        summary: "Replace a kind's text in one language (placeholders in braces; an unknown one is a 400)",
        params,
        body: z.object({ title: z.string().trim().min(1).max(200), body: z.string().trim().min(1).max(2000) }).strict(),
        response: { 200: textSchema, ...problemResponses },
      },
    },
    async (request) =>
      replaceText(app.db, sourceOf(request), request.params.kind, request.params.language, request.body),
  );

  app.delete(
    '/notification-texts/:kind/:language',
    {
      onRequest: app.authorize(editors),
      schema: {
        tags: ['notifications'],
        summary: "Go back to a kind's default text in one language",
        params,
        response: { 200: textSchema, ...problemResponses },
      },
    },
    async (request) => restoreDefaultText(app.db, sourceOf(request), request.params.kind, request.params.language),
  );

  app.post(
    '/notification-texts/:kind/:language/preview',
    {
      onRequest: app.authorize(editors),
      schema: {
        tags: ['notifications'],
        summary: 'A text (the draft given, else the one in use) filled with example values',
        params,
        body: z
          .object({ title: z.string().max(200).optional(), body: z.string().max(2000).optional() })
          .strict()
          .nullish(),
        response: {
          200: z.object({ kind: z.string(), language: languageSchema, title: z.string(), body: z.string() }),
          ...problemResponses,
        },
      },
    },
    async (request) => previewText(app.db, request.params.kind, request.params.language, request.body ?? {}),
  );
};

export default notificationTextRoutes;
