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

/** Error answers every route may give, for the OpenAPI description. */
export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
  429: problemSchema,
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
