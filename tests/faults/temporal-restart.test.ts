// The Temporal dev server restarted (stopped, then started again on the same SQLite file and port, as `npm start`
// runs it) while enrolments are being started and are opening their first steps: the worker reconnects by itself,
// every case opens its first step exactly once, and after the restart each still takes an action and opens its next.
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { eq, inArray } from 'drizzle-orm';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { stepInstances } from '../../db/schema.js';
import { halalSelfDeclare } from '../../domain/templates/index.js';
import { steadyPort } from '../../infra/ports.js';
import { startTemporalDevServer, type TemporalHandle } from '../../infra/temporal.js';
import { completeStepUpdate, enrolmentWorkflowType, type EnrolmentInput } from '../../workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createActiveEnrolment, createBusiness, createUser, kalselOffice } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';

const taskQueue = 'temporal-restart';
const cases = 20;

describe('the Temporal dev server restarted mid-run', () => {
  let dir: string;
  let ports: { port: number; uiPort: number };
  let temporal: TemporalHandle;
  let database: TestDatabase;
  let worker: Worker;
  let running: Promise<void>;

  const startServer = () => startTemporalDevServer({ dataDir: dir, ...ports, namespace: 'default' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pendamping-temporal-restart-'));
    chmodSync(dir, 0o755);
    ports = { port: await steadyPort(), uiPort: await steadyPort() };
    [temporal, database] = await Promise.all([startServer(), createTestDatabase()]);
    worker = await Worker.create({
      connection: await NativeConnection.connect({ address: temporal.address }),
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: createActivities({ database }),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await temporal?.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const firstSteps = (ids: string[]) =>
    database.db
      .select({ enrolmentId: stepInstances.enrolmentId, stepKey: stepInstances.stepKey, visit: stepInstances.visit })
      .from(stepInstances)
      .where(inArray(stepInstances.enrolmentId, ids));

  async function start(client: Client, enrolment: { id: string; workflowId: string }) {
    const input: EnrolmentInput = { enrolmentId: enrolment.id, template: halalSelfDeclare };
    await client.workflow.start(enrolmentWorkflowType, {
      workflowId: enrolment.workflowId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  it('loses nothing: every case opens its first step once and goes on after the restart', async () => {
    const { db } = database;
    const office = await kalselOffice(db);
    const officer = await createUser(db, 'officer', office.id);
    const enrolled = [];
    for (let i = 0; i < cases; i++) {
      const business = await createBusiness(db, office.id);
      enrolled.push(await createActiveEnrolment(db, halalSelfDeclare, business.id, office.id));
    }
    const ids = enrolled.map((e) => e.id);

    // Half are started before the restart; the server stops as soon as their first steps begin to open.
    for (const e of enrolled.slice(0, cases / 2)) await start(temporal.client, e);
    await waitFor(async () => (await firstSteps(ids)).length > 0, { what: 'a first step to open before the restart' });
    await temporal.stop();
    // The stopped server's sockets and database file can take a moment to be let go of: a start that finds them
    // still held exits at once, and is tried again.
    temporal = await waitFor(() => startServer(), {
      what: 'the dev server to start again on its database file',
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    // The rest after it, through the new server; a start repeated for one already running is harmless.
    for (const e of enrolled) await start(temporal.client, e);

    const opened = await waitFor(
      async () => {
        const rows = await firstSteps(ids);
        return rows.length >= cases ? rows : null;
      },
      { what: 'every case to open its first step after the restart', timeoutMs: 60_000 },
    );
    expect(opened).toHaveLength(cases);
    expect(new Set(opened.map((r) => r.enrolmentId)).size).toBe(cases);
    expect(opened.every((r) => r.stepKey === 'eligibility_check' && r.visit === 1)).toBe(true);

    for (const e of enrolled) {
      await temporal.client.workflow.getHandle(e.workflowId).executeUpdate(completeStepUpdate, {
        args: [
          {
            actor: { userId: officer.id, role: 'officer' },
            stepKey: 'eligibility_check',
            outcome: 'eligible',
            documents: halalSelfDeclare.steps[0]!.checklist.map((c) => c.key),
          },
        ],
      });
    }
    const next = await waitFor(
      async () => {
        const rows = await db.select().from(stepInstances).where(eq(stepInstances.stepKey, 'ikrar'));
        return rows.filter((r) => ids.includes(r.enrolmentId)).length >= cases ? rows : null;
      },
      { what: 'every case to open its second step' },
    );
    expect(new Set(next.map((r) => r.enrolmentId)).size).toBe(cases);
    expect(await firstSteps(ids)).toHaveLength(cases * 2);
  });
});
