// The registry import at the size of a provincial office's books: 83,000 generated rows (1% invalid), streamed into
// an empty registry through the service the CLI uses, then again through the API as a re-import (every row an update).
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { importBusinessesCsv, type ImportSummary } from '../services/csv-import.js';
import type { BenchMetric } from './run.js';
import { adminToken, startStack } from './stack.js';

const rows = 83_000;

/** Writes the file and answers how many rows the generator made invalid (it says so on stderr). */
function generate(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/generate-ikm.ts', '--rows', String(rows), '--invalid', '0.01'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.pipe(createWriteStream(path));
    let said = '';
    child.stderr.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const invalid = /\((\d+) invalid\)/.exec(said)?.[1];
      if (code !== 0) reject(new Error(`generate-ikm exited with ${code}`));
      else if (invalid === undefined) reject(new Error(`generate-ikm did not say how many rows it broke: ${said}`));
      else resolve(Number(invalid));
    });
  });
}

export default async function importBench(): Promise<BenchMetric[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pendamping-import-'));
  const path = join(dir, 'ikm.csv');
  const invalidRows = await generate(path);
  const stack = await startStack({ temporal: false });
  try {
    const source = {
      requestId: 'bench-import',
      principal: { userId: null, role: 'admin' as const, officeId: null, businessId: null },
    };
    const started = performance.now();
    const first: ImportSummary = await importBusinessesCsv(stack.database.db, createReadStream(path), {
      source,
      officeId: stack.kalselId,
    });
    const firstSeconds = (performance.now() - started) / 1000;

    const again = performance.now();
    const res = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/businesses/import?officeId=${stack.kalselId}`,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'text/csv' },
      payload: createReadStream(path),
    });
    const secondSeconds = (performance.now() - again) / 1000;
    const second = res.json() as ImportSummary;
    // Live memory, apart from the timed runs: collected every 200 ms, what stays is what the import holds on to.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const baseHeap = process.memoryUsage().heapUsed;
    let peakHeap = 0;
    const sample = setInterval(() => {
      gc();
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - baseHeap);
    }, 200);
    await importBusinessesCsv(stack.database.db, createReadStream(path), { source, officeId: stack.kalselId });
    clearInterval(sample);

    const accounted =
      first.imported + first.rejected.length === rows && second.updated === first.imported && second.imported === 0;

    return [
      {
        metric: `import of ${rows.toLocaleString('en')} rows into an empty registry (CLI path): time`,
        value: firstSeconds,
        unit: 's',
        goal: 60,
        better: 'lower',
      },
      {
        metric: 'import into an empty registry: rows per second',
        value: rows / firstSeconds,
        unit: 'rows/s',
        goal: 2000,
        better: 'higher',
      },
      {
        metric: 're-import of the same file through POST /businesses/import (all updates): rows per second',
        value: rows / secondSeconds,
        unit: 'rows/s',
        goal: 2000,
        better: 'higher',
      },
      {
        metric: 'rows not accounted for (imported + rejected ≠ rows, or re-import not all updates)',
        value: accounted ? 0 : 1,
        unit: 'count',
        goal: 0,
        better: 'lower',
      },
      {
        // Exactly: fewer means the importer let a broken row in, more that it refused a good one.
        metric: `rejected rows differing from the ${invalidRows.toLocaleString('en')} the generator made invalid`,
        value: Math.abs(first.rejected.length - invalidRows),
        unit: 'count',
        goal: 0,
        better: 'lower',
      },
      {
        metric: 'peak live heap growth during an import (the file is ~13 MB; streamed, it is never held)',
        value: peakHeap / 2 ** 20,
        unit: 'MiB',
        goal: 32,
        better: 'lower',
      },
    ];
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
