// Demo accounts for a fresh development database: an administrator, and a manager and an officer of the
// Kalimantan Selatan provincial office. The passwords are public (README) and for demonstration only.
import { eq, sql } from 'drizzle-orm';
import { hashPassword, issueToken } from '../../services/credentials.js';
import type { Db } from '../client.js';
import { offices, users } from '../schema.js';
import { provincialOffices } from './index.js';

export interface DemoLogin {
  role: string;
  email: string;
  password: string;
  /** A bearer token of kind 'demo', valid for 30 days. */
  token: string;
}

const demoAccounts = [
  {
    role: 'admin',
    name: 'Admin Demo',
    email: 'admin@demo.pendamping.id',
    password: 'demo-admin-pendamping',
    office: false,
  },
  {
    role: 'manager',
    name: 'Kepala Bidang Demo',
    email: 'manager@demo.pendamping.id',
    password: 'demo-manager-pendamping',
    office: true,
  },
  {
    role: 'officer',
    name: 'Petugas Demo',
    email: 'officer@demo.pendamping.id',
    password: 'demo-officer-pendamping',
    office: true,
  },
] as const;

/** The demo officer: infra/demo-cases.ts acts as them. */
export const demoOfficerEmail = demoAccounts[2].email;

/** Creates the demo accounts only while there is no user at all; returns their logins, or nothing. */
export async function seedDemoUsers(db: Db): Promise<DemoLogin[]> {
  return db.transaction(async (tx) => {
    // Two starts racing on an empty database: the second waits here and then finds the first one's users.
    await tx.execute(sql`lock table users in share row exclusive mode`);
    const [anyUser] = await tx.select({ id: users.id }).from(users).limit(1);
    if (anyUser) return [];
    const [kalsel] = await tx
      .select({ id: offices.id })
      .from(offices)
      .where(eq(offices.name, provincialOffices[0]!.name));
    if (!kalsel) throw new Error('seedDemoUsers needs the reference seed (the Kalimantan Selatan office) first');
    const passwordHashes = await Promise.all(demoAccounts.map((a) => hashPassword(a.password)));
    const logins: DemoLogin[] = [];
    for (const [i, account] of demoAccounts.entries()) {
      const [user] = await tx
        .insert(users)
        .values({
          name: account.name,
          email: account.email,
          role: account.role,
          officeId: account.office ? kalsel.id : null,
          passwordHash: passwordHashes[i]!,
        })
        .returning({ id: users.id });
      const { token } = await issueToken(tx, user!.id, 'demo');
      logins.push({ role: account.role, email: account.email, password: account.password, token });
    }
    return logins;
  });
}
