// Demo data for a fresh development database, so `npm start` shows something to work with: the demo accounts, a few
// IKM of Banjarmasin in their sentra and four elsewhere in the province, this year's halal quota and a cohort, a
// business's own login, and a year of finished cases for the managers' dashboard (demo-history.ts).
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { hashPassword, issueToken } from '../../services/credentials.js';
import type { Db } from '../client.js';
import { businesses, cohorts, offices, quotas, sentra, users } from '../schema.js';
import { seedDemoHistory } from './demo-history.js';
import { seedDemoUsers, type DemoLogin } from './demo-users.js';
import { provincialOffices } from './index.js';

interface DemoBusiness {
  name: string;
  ownerName: string;
  nib: string;
  kbli: string;
  /** Banjarmasin (6371) unless given. */
  regionCode?: string;
  sentra?: string;
  exportOriented: boolean;
}

const demoBusinesses: DemoBusiness[] = [
  {
    name: 'UD Amplang Ikan Haruan Kuin',
    ownerName: 'Hj. Siti Rahmah',
    nib: '9120001234501',
    kbli: '10213',
    sentra: 'Sentra Pengolahan Ikan Kuin',
    exportOriented: true,
  },
  {
    name: 'Sasirangan Seberang Mesjid',
    ownerName: 'Ahmad Fauzi',
    nib: '9120001234502',
    kbli: '13134',
    sentra: 'Sentra Sasirangan Seberang Mesjid',
    exportOriented: true,
  },
  {
    name: 'Tanggui Kuin Cerucuk',
    ownerName: 'Rusmini',
    nib: '9120001234503',
    kbli: '16299',
    sentra: 'Sentra Tanggui Kuin Cerucuk',
    exportOriented: false,
  },
  {
    name: 'Kue Bingka Surgi Mufti',
    ownerName: 'Nur Aini',
    nib: '9120001234504',
    kbli: '10710',
    sentra: 'Sentra Kue Surgi Mufti',
    exportOriented: false,
  },
  {
    name: 'CV Kayu Alalak Tengah',
    ownerName: 'Bahrani',
    nib: '9120001234505',
    kbli: '16221',
    sentra: 'Sentra Pengolahan Kayu Alalak Tengah',
    exportOriented: false,
  },
  // Not enrolled anywhere yet: food and drink IKM across the province for an officer to enrol by filter.
  {
    name: 'Dodol Kandangan Hj. Mariam',
    ownerName: 'Hj. Mariam',
    nib: '9120001234506',
    kbli: '10732',
    regionCode: '6306',
    exportOriented: false,
  },
  {
    name: 'Madu Kelulut Martapura',
    ownerName: 'Syahrani',
    nib: '9120001234507',
    kbli: '10799',
    regionCode: '6303',
    exportOriented: true,
  },
  {
    name: 'Kerupuk Ikan Pipih Kotabaru',
    ownerName: 'Masitah',
    nib: '9120001234508',
    kbli: '10213',
    regionCode: '6302',
    exportOriented: false,
  },
  {
    name: 'Kopi Aranio Banjarbaru',
    ownerName: 'Rahmadi',
    nib: '9120001234509',
    kbli: '10761',
    regionCode: '6372',
    exportOriented: false,
  },
];

const businessPassword = 'demo-business-pendamping';

/** The first five demo businesses by NIB, in the order above: infra/demo-cases.ts enrols them and moves their cases along. */
export const demoBusinessNibs = demoBusinesses.slice(0, 5).map((b) => b.nib);

/** Only on a database without users: returns the logins to print, or nothing on later starts. */
export async function seedDemo(db: Db): Promise<DemoLogin[]> {
  const logins = await seedDemoUsers(db);
  if (logins.length === 0) return [];
  return db.transaction(async (tx) => {
    const [kalsel] = await tx.select().from(offices).where(eq(offices.name, provincialOffices[0]!.name));
    const office = kalsel!;
    const sentraRows = await tx
      .select({ id: sentra.id, name: sentra.name })
      .from(sentra)
      .where(eq(sentra.officeId, office.id));
    const rows = await tx
      .insert(businesses)
      .values(
        demoBusinesses.map((b) => ({
          officeId: office.id,
          name: b.name,
          ownerName: b.ownerName,
          nib: b.nib,
          kbli: b.kbli,
          regionCode: b.regionCode ?? '6371',
          exportOriented: b.exportOriented,
          sentraId: sentraRows.find((s) => s.name === b.sentra)?.id ?? null,
        })),
      )
      .onConflictDoNothing()
      .returning();
    const year = DateTime.now().setZone(office.timeZone).year;
    await tx
      .insert(quotas)
      .values({ programmeKey: 'halal-regular', year, officeId: office.id, placesLimit: 20 })
      .onConflictDoNothing();
    const existingCohort = await tx
      .select({ id: cohorts.id })
      .from(cohorts)
      .where(and(eq(cohorts.officeId, office.id), eq(cohorts.programmeKey, 'halal-regular'), eq(cohorts.year, year)));
    if (existingCohort.length === 0) {
      await tx.insert(cohorts).values({
        officeId: office.id,
        programmeKey: 'halal-regular',
        year,
        name: `Kelompok Halal ${year} Banjarmasin`,
      });
    }
    await seedDemoHistory(tx, office.id);
    const owner = rows[0];
    if (!owner) return logins;
    const [user] = await tx
      .insert(users)
      .values({
        name: owner.ownerName,
        email: 'business@demo.pendamping.id',
        role: 'business',
        officeId: office.id,
        businessId: owner.id,
        passwordHash: await hashPassword(businessPassword),
      })
      .returning({ id: users.id });
    const { token } = await issueToken(tx, user!.id, 'demo');
    return [...logins, { role: 'business', email: 'business@demo.pendamping.id', password: businessPassword, token }];
  });
}
