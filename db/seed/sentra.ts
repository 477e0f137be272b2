// Banjarmasin's sentra industri, formed so that IKM "naik kelas"; they belong to the Kalimantan Selatan provincial office.
import { eq } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { offices, sentra } from '../schema.js';

export const banjarmasinSentra = [
  {
    name: 'Sentra Pengolahan Ikan Kuin',
    description: 'Pengolahan ikan (amplang, kerupuk, ikan asin) di Kuin / Fish processing in Kuin',
  },
  { name: 'Sentra Sasirangan Pelambuan', description: 'Kain sasirangan di Pelambuan / Sasirangan cloth in Pelambuan' },
  {
    name: 'Sentra Sasirangan Sungai Jingah',
    description: 'Kain sasirangan di Sungai Jingah / Sasirangan cloth in Sungai Jingah',
  },
  {
    name: 'Sentra Sasirangan Seberang Mesjid',
    description: 'Kain sasirangan di Seberang Mesjid / Sasirangan cloth in Seberang Mesjid',
  },
  {
    name: 'Sentra Tanggui Kuin Cerucuk',
    description: 'Topi tanggui dari daun nipah di Kuin Cerucuk / Tanggui palm-leaf hats in Kuin Cerucuk',
  },
  { name: 'Sentra Kue Surgi Mufti', description: 'Kue dan wadai Banjar di Surgi Mufti / Banjar cakes in Surgi Mufti' },
  {
    name: 'Sentra Pengolahan Kayu Alalak Tengah',
    description: 'Pengolahan kayu di Alalak Tengah / Wood processing in Alalak Tengah',
  },
];

/** Idempotent: a sentra already there (by office and name) is left as officers have kept it. */
export async function seedSentra(tx: Tx, kalselOfficeName: string): Promise<void> {
  const [kalsel] = await tx.select({ id: offices.id }).from(offices).where(eq(offices.name, kalselOfficeName));
  if (!kalsel) return;
  await tx
    .insert(sentra)
    .values(banjarmasinSentra.map((s) => ({ ...s, officeId: kalsel.id, regionCode: '6371' })))
    .onConflictDoNothing({ target: [sentra.officeId, sentra.name] });
}
