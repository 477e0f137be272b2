import { z } from 'zod';

export const uuidParam = z.object({ id: z.uuid({ message: 'harus UUID / must be a UUID' }) });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose();

/**
 * The domain's error answers a route may give (an unknown or unseen object, a conflict, a rule of the domain), for the
 * OpenAPI description. Those of the plumbing every route shares (400, 401, 403, 413, 415, 429, 503) are added by
 * api/openapi.ts from the route's body, roles and rate limit.
 */
export const problemResponses = {
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
} as const;

export const timeZoneSchema = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return tz.includes('/');
    } catch {
      return false;
    }
  }, 'zona waktu IANA tidak dikenal / unknown IANA time zone (e.g. Asia/Makassar)');

export const hhmmSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'format HH:mm / must be HH:mm');
