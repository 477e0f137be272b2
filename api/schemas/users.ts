// How a user and a freshly issued token are shown. Password and token hashes never leave the database: the
// response schemas below list what is shown, and the serializer drops everything else.
import { z } from 'zod';
import { roles } from '../../domain/types.js';
import type { users } from '../../db/schema.js';
import { accountView } from '../../services/staff.js';

export const publicUserSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string().nullable(),
  role: z.enum(roles),
  officeId: z.uuid().nullable(),
  businessId: z.uuid().nullable(),
  /** Whether the user has set a password (accepted an invitation). */
  passwordSet: z.boolean(),
  disabledAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

export type PublicUser = z.infer<typeof publicUserSchema>;

/** What the API shows of an account: the services' view, checked against the schema above by the response. */
export const toPublicUser = (user: typeof users.$inferSelect): PublicUser => accountView(user);

export const sessionSchema = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  expiresAt: z.iso.datetime(),
  user: publicUserSchema,
});

export const invitationSchema = z.object({
  /** Shown once; only its hash is stored. */
  token: z.string(),
  /** The page where the invited person opens the invitation and sets a password. */
  url: z.string(),
  expiresAt: z.iso.datetime(),
});

export const emailSchema = z.email('alamat email tidak valid / invalid email address').max(254);

/** An action that takes no input: a body, if any, must be an empty object. */
export const noBody = z.object({}).strict().nullish();
