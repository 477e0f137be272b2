import { sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { builtInTemplates } from '../../domain/templates/index.js';
import { calendarDays, calendarYears, offices, programmes, programmeVersions, regions } from '../schema.js';
import { decreedHolidays } from './holidays.js';
import { regionSeed } from './regions.js';
import { seedSentra } from './sentra.js';

/** The provincial Dinas Perindustrian offices we start with; both provinces are in WITA. */
export const provincialOffices = [
  {
    name: 'Dinas Perindustrian Provinsi Kalimantan Selatan',
    level: 'province' as const,
    regionCode: '63',
    timeZone: 'Asia/Makassar',
  },
  {
    name: 'Dinas Perindustrian dan Perdagangan Provinsi Kalimantan Timur',
    level: 'province' as const,
    regionCode: '64',
    timeZone: 'Asia/Makassar',
  },
];

/** Reference data every installation needs. Idempotent: safe on every start. */
export async function seedReference(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(regions)
      .values(regionSeed)
      .onConflictDoUpdate({
        target: regions.code,
        set: { bpsCode: sql`excluded.bps_code`, name: sql`excluded.name`, wilayah: sql`excluded.wilayah` },
      });
    const existing = await tx.select({ name: offices.name }).from(offices);
    const missing = provincialOffices.filter((o) => !existing.some((e) => e.name === o.name));
    if (missing.length > 0) await tx.insert(offices).values(missing);

    // Decreed years are seeded once; an officer's later corrections are never overwritten.
    for (const year of decreedHolidays) {
      const inserted = await tx
        .insert(calendarYears)
        .values({ year: year.year, decreed: true, decree: year.decree })
        .onConflictDoNothing()
        .returning();
      if (inserted.length === 0) continue;
      await tx
        .insert(calendarDays)
        .values(
          year.entries.map((e) => ({
            date: e.date,
            kind: e.kind,
            nameId: e.nameId,
            nameEn: e.nameEn,
            source: 'decree' as const,
          })),
        )
        .onConflictDoNothing();
    }

    // Built-in programmes as version 1; a changed built-in ships as a new version, never an edit of a running one.
    for (const template of builtInTemplates) {
      await tx
        .insert(programmes)
        .values({ key: template.key, nameId: template.name.id, nameEn: template.name.en, builtIn: true })
        .onConflictDoNothing();
      await tx
        .insert(programmeVersions)
        .values({ programmeKey: template.key, version: template.version, template })
        .onConflictDoNothing();
    }

    await seedSentra(tx, provincialOffices[0]!.name);
  });
}
