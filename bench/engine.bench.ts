// The engine: how long a whole halal enrolment takes under time skipping, and how many history events it leaves
// (Temporal's limits are per history; fewer events also mean faster replays and recoveries).
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { validateTemplate } from '../domain/template.js';
import { halalRegular } from '../domain/templates/index.js';
import { temporalTestServer } from '../infra/temporal-binaries.js';
import { workflowsPath } from '../infra/worker.js';
import { driveEnrolment, standInActivities } from '../scripts/drive-enrolment.js';
import type { BenchMetric } from './run.js';

const runs = 5;

/** The smallest template there is: one step, one outcome. The baseline for the pipeline's wall time. */
const oneStep = (() => {
  const result = validateTemplate({
    key: 'baseline',
    version: 1,
    name: { id: 'Dasar', en: 'Baseline' },
    description: { id: 'Dasar', en: 'Baseline' },
    firstStep: 'only',
    steps: [
      {
        key: 'only',
        name: { id: 'Satu', en: 'One' },
        actor: 'officer',
        scope: 'business',
        due: { kind: 'working_days', days: 1 },
        outcomes: [{ key: 'done', name: { id: 'Selesai', en: 'Done' }, next: null }],
      },
    ],
  });
  if (!result.ok) throw new Error('baseline template invalid');
  return result.template;
})();

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export default async function engineBench(): Promise<BenchMetric[]> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const choice = temporalTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable:
        choice.type === 'existing-path' ? { type: 'existing-path', path: choice.path } : { type: 'cached-download' },
    },
  });
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'bench-engine',
    workflowBundle: bundle,
    activities: standInActivities,
  });
  const pipeline: number[] = [];
  const baseline: number[] = [];
  let events = 0;
  let steps = 0;
  await worker.runUntil(async () => {
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await driveEnrolment(env, oneStep, { workflowId: `bench-baseline-${i}`, taskQueue: 'bench-engine' });
      baseline.push(performance.now() - t);
      t = performance.now();
      const { handle, state } = await driveEnrolment(env, halalRegular, {
        workflowId: `bench-halal-${i}`,
        taskQueue: 'bench-engine',
        exerciseChanges: true,
      });
      pipeline.push(performance.now() - t);
      events = (await handle.fetchHistory()).events?.length ?? 0;
      steps = state.history.length;
    }
  });
  await env.teardown();
  const pipelineMs = median(pipeline);
  return [
    {
      metric: `history events per complete halal-regular enrolment (${steps} steps, with extension and pause)`,
      value: events,
      unit: 'events',
      goal: 500,
      better: 'lower',
    },
    {
      metric: 'full halal-regular pipeline under time skipping, median wall time',
      value: pipelineMs / 1000,
      unit: 's',
      goal: 3,
      better: 'lower',
    },
    {
      metric: 'pipeline wall time / one-step baseline (same run): a step costs at most a whole one-step enrolment',
      value: pipelineMs / median(baseline),
      unit: 'ratio',
      goal: steps,
      better: 'lower',
    },
  ];
}
