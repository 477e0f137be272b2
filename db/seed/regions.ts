// Kemendagri and BPS codes of Kalimantan Selatan and Kalimantan Timur (from the project's reference data).
// The two systems differ for four Kaltim kabupaten: we store both, show Kemendagri's and accept either on import.
export interface RegionSeed {
  code: string;
  bpsCode: string;
  name: string;
  kind: 'province' | 'kabupaten' | 'kota';
  provinceCode: string | null;
  wilayah: string | null;
}

export const regionSeed: RegionSeed[] = [
  { code: '63', bpsCode: '63', name: 'Kalimantan Selatan', kind: 'province', provinceCode: null, wilayah: null },
  { code: '6301', bpsCode: '6301', name: 'Tanah Laut', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6302', bpsCode: '6302', name: 'Kotabaru', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6303', bpsCode: '6303', name: 'Banjar', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6304', bpsCode: '6304', name: 'Barito Kuala', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6305', bpsCode: '6305', name: 'Tapin', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6306', bpsCode: '6306', name: 'Hulu Sungai Selatan', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6307', bpsCode: '6307', name: 'Hulu Sungai Tengah', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6308', bpsCode: '6308', name: 'Hulu Sungai Utara', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6309', bpsCode: '6309', name: 'Tabalong', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6310', bpsCode: '6310', name: 'Tanah Bumbu', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6311', bpsCode: '6311', name: 'Balangan', kind: 'kabupaten', provinceCode: '63', wilayah: null },
  { code: '6371', bpsCode: '6371', name: 'Banjarmasin', kind: 'kota', provinceCode: '63', wilayah: null },
  { code: '6372', bpsCode: '6372', name: 'Banjarbaru', kind: 'kota', provinceCode: '63', wilayah: null },
  { code: '64', bpsCode: '64', name: 'Kalimantan Timur', kind: 'province', provinceCode: null, wilayah: null },
  { code: '6401', bpsCode: '6401', name: 'Paser', kind: 'kabupaten', provinceCode: '64', wilayah: 'I' },
  { code: '6402', bpsCode: '6403', name: 'Kutai Kartanegara', kind: 'kabupaten', provinceCode: '64', wilayah: 'III' },
  { code: '6403', bpsCode: '6405', name: 'Berau', kind: 'kabupaten', provinceCode: '64', wilayah: 'I' },
  { code: '6407', bpsCode: '6402', name: 'Kutai Barat', kind: 'kabupaten', provinceCode: '64', wilayah: 'III' },
  { code: '6408', bpsCode: '6404', name: 'Kutai Timur', kind: 'kabupaten', provinceCode: '64', wilayah: 'II' },
  { code: '6409', bpsCode: '6409', name: 'Penajam Paser Utara', kind: 'kabupaten', provinceCode: '64', wilayah: 'I' },
  { code: '6411', bpsCode: '6411', name: 'Mahakam Ulu', kind: 'kabupaten', provinceCode: '64', wilayah: 'III' },
  { code: '6471', bpsCode: '6471', name: 'Balikpapan', kind: 'kota', provinceCode: '64', wilayah: 'I' },
  { code: '6472', bpsCode: '6472', name: 'Samarinda', kind: 'kota', provinceCode: '64', wilayah: 'II' },
  { code: '6474', bpsCode: '6474', name: 'Bontang', kind: 'kota', provinceCode: '64', wilayah: 'II' },
];
