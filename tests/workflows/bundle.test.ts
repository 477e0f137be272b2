import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import { workflowsPath } from '../../infra/worker.js';

function collectingLogger() {
  const errors: string[] = [];
  const ignore = () => {};
  const logger = {
    info: ignore,
    warn: ignore,
    debug: ignore,
    trace: ignore,
    log: ignore,
    error: (m: string) => errors.push(m),
  };
  return { logger: logger as never, errors };
}

describe('workflow bundle', () => {
  it('the suite bundle contains every workflow type', () => {
    const code = readFileSync(inject('workflowBundlePath'), 'utf8');
    for (const type of ['enrolmentWorkflow', 'reconcileWorkflow', 'calendarFanOutWorkflow'])
      expect(code).toContain(type);
  });

  it('fails to bundle workflow code that imports node:fs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pendamping-bad-wf-'));
    const file = join(dir, 'bad.ts');
    const real = relative(dir, workflowsPath).replace(/\\/g, '/');
    writeFileSync(
      file,
      `import { readFileSync } from 'node:fs';\nexport { enrolmentWorkflow } from '${real.replace(/\.ts$/, '.js')}';\n` +
        `export async function leaky(): Promise<string> { return readFileSync('/etc/hostname', 'utf8'); }\n`,
    );
    const { logger, errors } = collectingLogger();
    await expect(bundleWorkflowCode({ workflowsPath: file, logger })).rejects.toThrow(/Webpack finished with errors/);
    // The worker names the forbidden module, so a developer sees what to move into an activity.
    expect(errors.join('\n')).toMatch(/node:fs/);
  });
});
