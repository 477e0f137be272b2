// `npm run generate:ikm -- --rows 83000 [--invalid 0.01] [--seed 1] [--province 63|64] > ikm.csv`
// Realistic registry rows for import tests and benchmarks: Banjar names and trades, valid NIB (13 digits, unique for a
// seed) and KBLI, regions from the seed (both code systems for Kaltim), Banjarmasin's sentra; with --invalid, that share
// of rows carries one known defect each. Deterministic for a seed, so a second run re-imports as updates.
import { parseArgs } from 'node:util';
import { regionSeed } from '../db/seed/regions.js';
import { banjarmasinSentra } from '../db/seed/sentra.js';

const usage = 'usage: npm run generate:ikm -- --rows N [--invalid FRACTION] [--seed N] [--province 63|64] > ikm.csv';

function options() {
  try {
    const { values } = parseArgs({
      options: {
        rows: { type: 'string', default: '1000' },
        invalid: { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        province: { type: 'string', default: '63' },
      },
    });
    const rows = Number(values.rows);
    const invalid = Number(values.invalid);
    const seed = Number(values.seed);
    if (!Number.isInteger(rows) || rows < 1 || rows > 10_000_000)
      throw new Error('--rows must be a whole number from 1 to 10,000,000');
    if (!(invalid >= 0 && invalid <= 1)) throw new Error('--invalid must be a fraction from 0 to 1');
    if (!Number.isInteger(seed) || seed < 0 || seed > 9)
      throw new Error('--seed must be a digit (0–9): it is part of every NIB');
    if (values.province !== '63' && values.province !== '64')
      throw new Error('--province must be 63 (Kalsel) or 64 (Kaltim)');
    return { rows, invalid, seed, province: values.province };
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${usage}\n`);
    process.exit(2);
  }
}

/** mulberry32: small, fast and deterministic for a seed. */
function random(seed: number) {
  let a = seed * 0x9e3779b9;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const { rows, invalid, seed, province } = options();
const rand = random(seed + 1);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/** Trades of Banjar IKM: their KBLI, typical products, the words in their names, and the sentra that gathers them. */
const trades = [
  {
    kbli: ['10213', '10291', '10292'],
    products: ['amplang', 'kerupuk ikan haruan', 'ikan asin papuyu', 'abon ikan gabus', 'ikan pipih kering'],
    words: ['Amplang', 'Kerupuk Ikan', 'Ikan Asin', 'Abon Haruan'],
    sentra: 'Sentra Pengolahan Ikan Kuin',
    weight: 18,
  },
  {
    kbli: ['10710', '10792', '10794'],
    products: ['bingka kentang', 'kue lam', 'wadai cincin', 'amparan tatak', 'dodol kandangan', 'kue bingka barandam'],
    words: ['Wadai', 'Bingka', 'Kue Banjar', 'Dodol'],
    sentra: 'Sentra Kue Surgi Mufti',
    weight: 26,
  },
  {
    kbli: ['10750', '10793', '11040', '10761'],
    products: ['soto banjar bumbu instan', 'keripik kelakai', 'kopi aranio', 'sirup kayu manis', 'teh kelakai'],
    words: ['Olahan', 'Keripik', 'Kopi', 'Dapur'],
    sentra: null,
    weight: 16,
  },
  {
    kbli: ['13134', '13921'],
    products: ['kain sasirangan', 'kemeja sasirangan', 'selendang sasirangan', 'jilbab sasirangan'],
    words: ['Sasirangan', 'Galuh Sasirangan', 'Kain Banjar'],
    sentra: 'Sentra Sasirangan',
    weight: 16,
  },
  {
    kbli: ['16292', '22299'],
    products: ['tanggui', 'bakul purun', 'tas purun', 'tikar purun'],
    words: ['Anyaman', 'Tanggui', 'Purun'],
    sentra: 'Sentra Tanggui Kuin Cerucuk',
    weight: 10,
  },
  {
    kbli: ['16101', '16221', '31001'],
    products: ['papan ulin', 'kusen kayu', 'lemari kayu', 'perahu jukung'],
    words: ['Meubel', 'Kayu', 'Ulin', 'Jukung'],
    sentra: 'Sentra Pengolahan Kayu Alalak Tengah',
    weight: 14,
  },
];
const tradeWheel = trades.flatMap((t) => Array<typeof t>(t.weight).fill(t));
const sasiranganSentra = banjarmasinSentra.filter((s) => s.name.startsWith('Sentra Sasirangan')).map((s) => s.name);

const men = [
  'Muhammad',
  'Ahmad',
  'Abdul',
  'Rahmat',
  'Syahrani',
  'Fauzi',
  'Rusdi',
  'Mahmud',
  'Saberan',
  'Gusti',
  'Jumberi',
  'Arbani',
  'Zainal',
];
const women = [
  'Norhayati',
  'Siti',
  'Rusmini',
  'Aminah',
  'Fatimah',
  'Rabiatul',
  'Noorhasanah',
  'Mariani',
  'Salasiah',
  'Hamidah',
  'Rosmiati',
];
const lastNames = [
  'Rifani',
  'Arsyad',
  'Syarifuddin',
  'Gazali',
  'Noor',
  'Hasan',
  'Anshari',
  'Hidayat',
  'Fadillah',
  'Zakiah',
  'Adawiyah',
  'Rahmah',
  'Basri',
  'Mursyid',
  'Hairani',
];
const nicknames = [
  'Acil Ipah',
  'Julak Udin',
  'Nini Ramlah',
  'Galuh Intan',
  'Utuh Anang',
  'Amang Dullah',
  'Acil Imur',
  'Gusti Aulia',
  'Diang Nor',
  'Pambakal Isur',
  'Umay',
  'Kai Salman',
];
const prefixes = ['UD ', 'CV ', 'IKM ', 'Home Industri ', '', '', ''];
const streets: Record<string, string[]> = {
  '6371': [
    'Jl. Kuin Utara',
    'Jl. Kuin Cerucuk',
    'Jl. Alalak Tengah',
    'Jl. Sungai Jingah',
    'Jl. Pelambuan',
    'Jl. Seberang Mesjid',
    'Jl. Surgi Mufti',
    'Jl. Pangeran Antasari',
    'Jl. Kelayan A',
  ],
  default: ['Jl. A. Yani Km 5', 'Jl. Veteran', 'Jl. Pramuka', 'Jl. Sultan Adam', 'Jl. Pasar Lama', 'Jl. Mesjid Raya'],
};

const regionsOf = regionSeed.filter((r) => r.provinceCode === province);
// Banjarmasin, Banjar and Banjarbaru hold most of Kalsel's IKM; elsewhere the weights are even.
const regionWheel = regionsOf.flatMap((r) =>
  Array<typeof r>(province === '63' ? ({ '6371': 10, '6303': 5, '6372': 4 }[r.code] ?? 1) : 1).fill(r),
);

/** NIB i of seed s: '9', the seed, then i scrambled by a multiplier coprime with 10^11, so every i gives another NIB. */
const nibOf = (i: number) => `9${seed}${String((i * 7919 + 12_345) % 1e11).padStart(11, '0')}`;

const csvField = (v: string) => (/[",;\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const header = [
  'nama',
  'pemilik',
  'nib',
  'kbli',
  'kode_wilayah',
  'kode_bps',
  'alamat',
  'telepon',
  'email',
  'produk',
  'tenaga_kerja',
  'orientasi_ekspor',
  'sentra',
  'bahasa',
];

/** One defect per invalid row, each of a kind the importer must name. */
const defects: Array<(row: string[]) => void> = [
  (r) => (r[2] = r[2]!.slice(1)), // NIB of 12 digits
  (r) => (r[3] = 'KBLI1'),
  (r) => ((r[4] = '6399'), (r[5] = '')), // no such kabupaten/kota
  (r) => (r[0] = ''),
  (r) => (r[8] = 'bukan-surel'),
  (r) => (r[10] = '-3'),
  (r) => (r[11] = 'mungkin'),
  (r) => r.splice(9), // too few fields
];

function row(i: number): string[] {
  const trade = pick(tradeWheel);
  const region = pick(regionWheel);
  const nickname = pick(nicknames);
  const woman = rand() < 0.55;
  // H. and Hj.: the title of a man or a woman who made the hajj.
  const owner = `${rand() < 0.25 ? (woman ? 'Hj. ' : 'H. ') : ''}${pick(woman ? women : men)} ${pick(lastNames)}`;
  const name = `${pick(prefixes)}${pick(trade.words)} ${nickname}`;
  const products = [...new Set([pick(trade.products), pick(trade.products)])].slice(0, 1 + Math.floor(rand() * 2));
  const inBanjarmasin = region.code === '6371';
  const sentra =
    inBanjarmasin && trade.sentra && rand() < 0.4
      ? trade.sentra === 'Sentra Sasirangan'
        ? pick(sasiranganSentra)
        : trade.sentra
      : '';
  // Half the rows name the region by its BPS code only: the importer must map it back to Kemendagri.
  const byBps = rand() < 0.5;
  return [
    name,
    owner,
    nibOf(i),
    pick(trade.kbli),
    byBps ? '' : region.code,
    byBps ? region.bpsCode : '',
    `${pick(streets[region.code] ?? streets.default!)} RT ${String(1 + Math.floor(rand() * 40)).padStart(3, '0')}, ${region.name}`,
    `08${pick(['11', '12', '13', '21', '22', '52', '53', '77', '78'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`,
    rand() < 0.3 ? `${nickname.toLowerCase().replace(/\s+/g, '.')}${i}@example.id` : '',
    products.join('|'),
    String(1 + Math.floor(rand() ** 2 * 60)),
    rand() < 0.08 ? 'ya' : 'tidak',
    sentra,
    rand() < 0.03 ? 'en' : 'id',
  ];
}

async function write(line: string): Promise<void> {
  if (!process.stdout.write(line)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

let broken = 0;
let pending = header.join(',') + '\n';
for (let i = 0; i < rows; i++) {
  const r = row(i);
  if (invalid > 0 && rand() < invalid) {
    defects[broken % defects.length]!(r);
    broken++;
  }
  pending += r.map(csvField).join(',') + '\n';
  if (pending.length > 64 * 1024) {
    await write(pending);
    pending = '';
  }
}
await write(pending);
process.stderr.write(`generate:ikm: ${rows} rows (${broken} invalid), seed ${seed}, province ${province}\n`);
