// `npm run bench [-- NAME]`: runs bench/NAME.bench.ts (every one without NAME). Each prints a table and writes
// bench/results/NAME.json with the machine it ran on. Ratios compare against a baseline measured in the same run,
// because the machines are shared and noisy; a benchmark never fails the test run.
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchMetric {
  metric: string;
  value: number;
  unit: string;
  goal: number;
  better: 'higher' | 'lower';
}

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv[2];
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((n) => !wanted || n === wanted);
if (names.length === 0) {
  console.error(
    `no benchmark named ${wanted}; have: ${readdirSync(dir)
      .filter((f) => f.endsWith('.bench.ts'))
      .join(', ')}`,
  );
  process.exit(2);
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
mkdirSync(join(dir, 'results'), { recursive: true });
for (const name of names) {
  const mod = (await import(join(dir, `${name}.bench.ts`))) as { default: () => Promise<BenchMetric[]> };
  console.log(`\n# ${name}`);
  const metrics = await mod.default();
  console.table(
    metrics.map((m) => ({
      metric: m.metric,
      value: Number(m.value.toPrecision(4)),
      unit: m.unit,
      goal: `${m.better === 'higher' ? '≥' : '≤'} ${m.goal}`,
      met: m.better === 'higher' ? m.value >= m.goal : m.value <= m.goal,
    })),
  );
  writeFileSync(
    join(dir, 'results', `${name}.json`),
    `${JSON.stringify({ machine, ranAt: new Date().toISOString(), metrics }, null, 2)}\n`,
  );
}
