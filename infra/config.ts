// Configuration comes only from the environment, validated once at start so a bad value fails with a clear message.
import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65_535);
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const rate = z.coerce.number().positive().max(100_000);

export const configSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalText.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  PG_PORT: port.default(5433),
  /**
   * The embedded Postgres syncs every commit to disk. `false` turns fsync, synchronous commit and full-page writes off:
   * faster, and a power cut or an OS crash may then lose or corrupt committed data. For throwaway test data only.
   */
  PG_DURABLE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('pendamping'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: optionalText,
  TEMPORAL_TEST_SERVER_PATH: optionalText,
  /** Run the worker inside the API process (development default); production runs workers apart. */
  RUN_WORKER: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * The port of a separate worker's health endpoint (`npm run worker`: /healthz, /readyz on HOST); unset, it serves none.
   */
  WORKER_HEALTH_PORT: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), port.optional()),
  /**
   * A workflow bundle built ahead (`bundleWorkflowCode`): the worker loads it instead of bundling workflows/ at each
   * start, which takes seconds. It must be built from the same workflows/ as the running code.
   */
  WORKFLOW_BUNDLE_PATH: optionalText,
  /**
   * How many workflows a worker keeps in memory between their tasks; a case not kept is replayed from its history at its
   * next timer or action (same result, more CPU: about 12 ms of worker CPU per reminder instead of 8.5). A case kept
   * after it has woken once holds about 90 KiB of the workflow thread's heap (mostly the SDK's stack traces of its
   * pending promises; one only started, about 11 KiB), and that heap is capped by the worker's --max-old-space-size
   * (package.json, 256 MiB): 1,500 kept fit in it with room, and keep the worker under 1 GiB (bench/README.md,
   * open-enrolments). 0 keeps none.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(0).max(1_000_000).default(1_500),
  ),
  /**
   * The API's cache of serialised read answers (one enrolment, the enrolment and registry lists), in MiB; 0 turns it
   * off. Kept correct by Postgres LISTEN/NOTIFY (infra/read-cache.ts); it holds one more database connection.
   */
  READ_CACHE_MB: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(0).max(65_536).default(64),
  ),
  PENDAMPING_ADMIN_TOKEN: optionalText.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  CORS_ORIGINS: optionalText,
  // Notification channels: each is off until configured (infra/notifications.ts).
  SMTP_URL: optionalText.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  SMTP_FROM: z.string().trim().min(3).default('pendamping <no-reply@pendamping.local>'),
  SMTP_RATE_PER_SECOND: rate.default(20),
  WHATSAPP_API_URL: z.url({ protocol: /^https?$/ }).default('https://graph.facebook.com/v21.0'),
  WHATSAPP_TOKEN: optionalText,
  WHATSAPP_PHONE_NUMBER_ID: optionalText.pipe(
    z
      .string()
      .regex(/^\d{5,20}$/, 'digits only')
      .optional(),
  ),
  WHATSAPP_RATE_PER_SECOND: rate.default(50),
  WEBHOOK_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  WEBHOOK_SECRET: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** Allow a webhook target on a private, loopback or link-local address, and plain http (a gateway on the LAN). */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  WEBHOOK_RATE_PER_SECOND: rate.default(20),
  /**
   * Where uploaded documents are kept: a folder under DATA_DIR (`documents/`) unless S3_BUCKET names a bucket of an
   * S3-compatible object store. Credentials come from S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, else the AWS SDK's own
   * chain (environment, instance role).
   */
  S3_BUCKET: optionalText,
  S3_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  S3_REGION: z.string().default('us-east-1'),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema
    .superRefine((c, ctx) => {
      if (c.WEBHOOK_URL && !c.WEBHOOK_SECRET)
        ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET'], message: 'required when WEBHOOK_URL is set' });
      if (!c.WHATSAPP_TOKEN !== !c.WHATSAPP_PHONE_NUMBER_ID)
        ctx.addIssue({
          code: 'custom',
          path: [c.WHATSAPP_TOKEN ? 'WHATSAPP_PHONE_NUMBER_ID' : 'WHATSAPP_TOKEN'],
          message: 'WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID go together',
        });
    })
    .safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Konfigurasi tidak valid / Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, DATA_DIR: resolve(parsed.data.DATA_DIR) };
}
