// `DATABASE_URL=… npm run generate:history -- --businesses 100000 --enrolments 1000000`
// The registry generator's companion for the dashboard at national scale: businesses of the Kalimantan Selatan office
// across its kabupaten/kota, and enrolments in five programmes over this year and last with step histories (finished
// steps, some past their due date, the open step of a running case, the cancelled step of a withdrawn one). Written by
// set-based statements on the server with the row triggers off, then the dashboard summaries rebuilt from the rows:
// a million enrolments one trigger at a time would take the better part of an hour on two cores.
import { eq } from 'drizzle-orm';
import { parseArgs } from 'node:util';
import { connectDatabase, type Database } from '../db/client.js';
import { offices } from '../db/schema.js';
import { usualPath } from '../domain/forecast.js';
import { builtInTemplates } from '../domain/templates/index.js';
import { rebuildDashboardSummaries } from '../services/dashboard-summaries.js';

const programmes = ['halal-regular', 'halal-self-declare', 'ikm-mentoring', 'export-readiness', 'haki-brand'];

export async function generateHistory(
  database: Database,
  options: { businesses: number; enrolments: number; year: number },
): Promise<void> {
  const { sql } = database;
  const [office] = await database.db.select().from(offices).where(eq(offices.regionCode, '63'));
  if (!office) throw new Error('run the migrations and seed first (npm start does both)');
  if (options.enrolments > options.businesses * programmes.length * 2) {
    throw new Error(`at most ${programmes.length * 2} enrolments per business (programmes × two years)`);
  }
  const paths = programmes.flatMap((key) => {
    const template = builtInTemplates.find((t) => t.key === key)!;
    return usualPath(template, template.firstStep).map((step, idx) => ({
      key,
      idx,
      step: step.key,
      actor: step.actor,
    }));
  });
  await sql.begin(async (tx) => {
    // Generated rows are consistent by construction; the row triggers' summaries are rebuilt once at the end, and the
    // copies the step trigger would fill in (office, whether the office acts) are written here.
    await tx`set local session_replication_role = replica`;
    await tx`create temp table gen_paths (programme_key text, idx int, step_key text, actor text) on commit drop`;
    await tx`insert into gen_paths ${tx(paths.map((p) => ({ programme_key: p.key, idx: p.idx, step_key: p.step, actor: p.actor })))}`;
    await tx`create temp table gen_regions on commit drop as
      select row_number() over (order by code) - 1 as i, code from regions where province_code = ${office.regionCode}`;
    await tx`insert into businesses (office_id, name, owner_name, nib, kbli, region_code, export_oriented)
      select ${office.id}, 'IKM Uji ' || g, 'Pemilik ' || g, lpad((7000000000000 + g)::text, 13, '0'), '10213',
        (select code from gen_regions where i = g % (select count(*) from gen_regions)), g % 10 = 0
      from generate_series(0, ${options.businesses - 1}) g`;
    await tx`create temp table gen_businesses on commit drop as
      select row_number() over (order by nib) - 1 as i, id from businesses where nib like '7%' and office_id = ${office.id}`;
    await tx`insert into quotas (programme_key, year, office_id, places_limit)
      select p, y, ${office.id}, 1000000 from unnest(${programmes}::text[]) p, unnest(${[options.year, options.year - 1]}::int[]) y
      on conflict do nothing`;
    // i → business i % N, programme and year from i / N; a status and pace from a hash of i.
    await tx`create temp table gen on commit drop as
      select g as i, gen_random_uuid() as id, b.id as business_id,
        (${programmes}::text[])[1 + (g / ${options.businesses}) % ${programmes.length}] as programme_key,
        ${options.year} - (g / ${options.businesses} / ${programmes.length})::int as year,
        (g * 2654435761::bigint) % 100 as h, 1 + g % 10 as dur
      from generate_series(0, ${options.enrolments - 1}) g
        join gen_businesses b on b.i = g % ${options.businesses}`;
    await tx`alter table gen add column status text, add column steps int, add column last_idx int,
      add column activated_at timestamptz`;
    await tx`update gen set steps = (select count(*) from gen_paths p where p.programme_key = gen.programme_key)`;
    await tx`update gen set
      status = case
        when year < ${options.year} then case when h < 80 then 'completed' when h < 92 then 'withdrawn' else 'failed' end
        else case when h < 5 then 'waitlisted' when h < 10 then 'withdrawn' when h < 40 then 'completed'
          when h < 45 then 'paused' else 'active' end end,
      activated_at = make_timestamptz(year, 1, 6, 1, 0, 0, 'UTC') + ((i::bigint * 7919) % 150) * interval '1 day'`;
    await tx`update gen set last_idx = case when status in ('completed', 'failed') then steps - 1
      when status = 'waitlisted' then -1 else ((i::bigint * 31) % steps)::int end`;
    await tx`insert into enrolments (id, workflow_id, business_id, office_id, programme_key, programme_version, year,
        quota_id, status, current_step, activated_at, completed_at, withdrawn_at, created_at, updated_at)
      select gen.id, 'gen-' || gen.i, gen.business_id, ${office.id}, gen.programme_key, 1, gen.year,
        (select q.id from quotas q where q.office_id = ${office.id} and q.programme_key = gen.programme_key
          and q.year = gen.year and q.region_code is null),
        gen.status,
        case when gen.status in ('active', 'paused') then
          (select step_key from gen_paths p where p.programme_key = gen.programme_key and p.idx = gen.last_idx) end,
        case when gen.status <> 'waitlisted' then gen.activated_at end,
        case when gen.status in ('completed', 'failed') then gen.activated_at + gen.steps * gen.dur * interval '1 day' end,
        case when gen.status = 'withdrawn' then gen.activated_at + (gen.last_idx + 1) * gen.dur * interval '1 day' end,
        gen.activated_at, gen.activated_at
      from gen`;
    // Step j opened after j steps of `dur` days and took `dur` days; its due date falls 2 days either side.
    await tx`insert into step_instances (enrolment_id, step_key, visit, status, opened_at, due_at, completed_at, outcome,
        office_id, office_acts)
      select gen.id, p.step_key, 1,
        case when p.idx < gen.last_idx or gen.status in ('completed', 'failed') then 'done'
          when gen.status = 'withdrawn' then 'cancelled' when gen.status = 'paused' then 'paused' else 'open' end,
        gen.activated_at + p.idx * gen.dur * interval '1 day',
        gen.activated_at + (p.idx * gen.dur + gen.dur + (gen.i + p.idx) % 5 - 2) * interval '1 day',
        case when p.idx < gen.last_idx or gen.status in ('completed', 'failed') then
          gen.activated_at + (p.idx + 1) * gen.dur * interval '1 day' - interval '1 hour' end,
        case when p.idx < gen.last_idx or gen.status in ('completed', 'failed') then 'done' end,
        ${office.id}::uuid, p.actor <> 'business'
      from gen join gen_paths p on p.programme_key = gen.programme_key and p.idx <= gen.last_idx`;
    await tx`update quotas q set places_used = least(q.places_limit, (select count(*) from enrolments e
      where e.quota_id = q.id and e.status in ('active', 'paused', 'completed', 'failed')))
      where q.office_id = ${office.id}`;
  });
  await rebuildDashboardSummaries(database.db);
  // The planner's statistics of the rows and of the rebuilt summaries: without them it sorts where it would hash.
  await sql`analyze`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      businesses: { type: 'string', default: '100000' },
      enrolments: { type: 'string', default: '1000000' },
      year: { type: 'string', default: String(new Date().getUTCFullYear()) },
    },
  });
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL must point at a migrated and seeded database\n');
    process.exit(2);
  }
  const database = connectDatabase(url);
  const started = performance.now();
  await generateHistory(database, {
    businesses: Number(values.businesses),
    enrolments: Number(values.enrolments),
    year: Number(values.year),
  });
  process.stderr.write(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  await database.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
