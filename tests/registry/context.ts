// One app on its own database, with people of two offices: what the registry, quota and intake tests share.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import type { App } from '../../api/app.js';
import { offices } from '../../db/schema.js';
import { testAdminToken } from '../helpers/app.js';
import type { TestDatabase } from '../helpers/db.js';
import { createBusiness, createToken, createUser } from '../helpers/fixtures.js';
import { startTestStack } from '../helpers/stack.js';

export interface RegistryContext {
  database: TestDatabase;
  env: TestWorkflowEnvironment;
  app: App;
  kalselId: string;
  kaltimId: string;
  /** Authorization headers by who is asking. */
  as: {
    admin: { authorization: string };
    officer: { authorization: string };
    manager: { authorization: string };
    kaltimOfficer: { authorization: string };
    business: { authorization: string };
  };
  /** The business the business user belongs to (Kalsel). */
  ownBusinessId: string;
  close(): Promise<void>;
}

export async function createRegistryContext(): Promise<RegistryContext> {
  const stack = await startTestStack();
  const { database, env, app } = stack;
  const db = database.db;
  const [kalsel] = await db.select().from(offices).where(eq(offices.regionCode, '63'));
  const [kaltim] = await db.select().from(offices).where(eq(offices.regionCode, '64'));
  const bearer = async (
    role: 'officer' | 'manager' | 'business',
    officeId: string | null,
    businessId: string | null = null,
  ) => ({
    authorization: `Bearer ${await createToken(db, (await createUser(db, role, officeId, businessId)).id)}`,
  });
  const own = await createBusiness(db, kalsel!.id, { name: 'Amplang Acil Ipah', nib: '9120000000001' });
  return {
    database,
    env,
    app,
    kalselId: kalsel!.id,
    kaltimId: kaltim!.id,
    as: {
      admin: { authorization: `Bearer ${testAdminToken}` },
      officer: await bearer('officer', kalsel!.id),
      manager: await bearer('manager', kalsel!.id),
      kaltimOfficer: await bearer('officer', kaltim!.id),
      business: await bearer('business', null, own.id),
    },
    ownBusinessId: own.id,
    close: stack.stop,
  };
}

let nibCounter = 0;
/** A NIB unique within a test run. */
export const nextNib = () => `81${String(process.pid % 1000).padStart(3, '0')}${String(++nibCounter).padStart(8, '0')}`;
