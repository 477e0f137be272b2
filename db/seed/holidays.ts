// Decreed national holidays and cuti bersama (SKB 3 Menteri), the committed copy of shared/data/holidays-id.json.
// The app seeds its editable calendar from this file and never reads ../shared at run time. Decreed data wins over any
// library: date-holidays gets several of these dates wrong and knows nothing of cuti bersama.
// A year is listed only once its decree is out; a later year falls back to domain/holiday-fallback.ts, flagged "not decreed".
// The decree names cuti bersama in Bahasa Indonesia only; their English names are ours.

export interface DecreedHolidayEntry {
  /** Local date, 'YYYY-MM-DD'. */
  date: string;
  kind: 'holiday' | 'cuti_bersama';
  nameId: string;
  nameEn: string;
}

export interface DecreedHolidayYear {
  year: number;
  decree: string;
  entries: DecreedHolidayEntry[];
}

export const decreedHolidays: DecreedHolidayYear[] = [
  {
    year: 2025,
    decree: 'SKB No. 1017/2024, 2/2024, 2/2024 (14 Oct 2024): 17 holidays, 10 cuti bersama',
    // 18 Aug 2025 was reported as an extra day off added mid-year; it is not in the decree, so it is not
    // listed here: offices that closed enter it as an office closure.
    entries: [
      { date: '2025-01-01', kind: 'holiday', nameId: 'Tahun Baru 2025 Masehi', nameEn: "New Year's Day" },
      { date: '2025-01-27', kind: 'holiday', nameId: 'Isra Mikraj Nabi Muhammad SAW', nameEn: "Isra and Mi'raj" },
      {
        date: '2025-01-28',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Tahun Baru Imlek',
        nameEn: 'Collective leave: Chinese New Year',
      },
      { date: '2025-01-29', kind: 'holiday', nameId: 'Tahun Baru Imlek 2576 Kongzili', nameEn: 'Chinese New Year' },
      {
        date: '2025-03-28',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Hari Suci Nyepi',
        nameEn: 'Collective leave: Day of Silence',
      },
      {
        date: '2025-03-29',
        kind: 'holiday',
        nameId: 'Hari Suci Nyepi (Tahun Baru Saka 1947)',
        nameEn: 'Day of Silence',
      },
      { date: '2025-03-31', kind: 'holiday', nameId: 'Idulfitri 1446 H', nameEn: 'Eid al-Fitr' },
      { date: '2025-04-01', kind: 'holiday', nameId: 'Idulfitri 1446 H', nameEn: 'Eid al-Fitr' },
      {
        date: '2025-04-02',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Idulfitri',
        nameEn: 'Collective leave: Eid al-Fitr',
      },
      {
        date: '2025-04-03',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Idulfitri',
        nameEn: 'Collective leave: Eid al-Fitr',
      },
      {
        date: '2025-04-04',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Idulfitri',
        nameEn: 'Collective leave: Eid al-Fitr',
      },
      {
        date: '2025-04-07',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Idulfitri',
        nameEn: 'Collective leave: Eid al-Fitr',
      },
      { date: '2025-04-18', kind: 'holiday', nameId: 'Wafat Yesus Kristus', nameEn: 'Good Friday' },
      { date: '2025-04-20', kind: 'holiday', nameId: 'Kebangkitan Yesus Kristus (Paskah)', nameEn: 'Easter Sunday' },
      { date: '2025-05-01', kind: 'holiday', nameId: 'Hari Buruh Internasional', nameEn: 'Labour Day' },
      { date: '2025-05-12', kind: 'holiday', nameId: 'Hari Raya Waisak 2569 BE', nameEn: 'Vesak' },
      {
        date: '2025-05-13',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Hari Raya Waisak',
        nameEn: 'Collective leave: Vesak',
      },
      { date: '2025-05-29', kind: 'holiday', nameId: 'Kenaikan Yesus Kristus', nameEn: 'Ascension Day' },
      {
        date: '2025-05-30',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Kenaikan Yesus Kristus',
        nameEn: 'Collective leave: Ascension Day',
      },
      { date: '2025-06-01', kind: 'holiday', nameId: 'Hari Lahir Pancasila', nameEn: 'Pancasila Day' },
      { date: '2025-06-06', kind: 'holiday', nameId: 'Iduladha 1446 H', nameEn: 'Eid al-Adha' },
      {
        date: '2025-06-09',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Iduladha',
        nameEn: 'Collective leave: Eid al-Adha',
      },
      { date: '2025-06-27', kind: 'holiday', nameId: '1 Muharam Tahun Baru Islam 1447 H', nameEn: 'Islamic New Year' },
      { date: '2025-08-17', kind: 'holiday', nameId: 'Proklamasi Kemerdekaan', nameEn: 'Independence Day' },
      { date: '2025-09-05', kind: 'holiday', nameId: 'Maulid Nabi Muhammad SAW', nameEn: "Prophet's Birthday" },
      { date: '2025-12-25', kind: 'holiday', nameId: 'Kelahiran Yesus Kristus', nameEn: 'Christmas Day' },
      {
        date: '2025-12-26',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Kelahiran Yesus Kristus',
        nameEn: 'Collective leave: Christmas Day',
      },
    ],
  },
  {
    year: 2026,
    decree: 'SKB No. 1497/2025, 2/2025, 5/2025 (19 Sep 2025): 17 holidays, 8 cuti bersama',
    entries: [
      { date: '2026-01-01', kind: 'holiday', nameId: 'Tahun Baru 2026 Masehi', nameEn: "New Year's Day" },
      { date: '2026-01-16', kind: 'holiday', nameId: 'Isra Mikraj Nabi Muhammad SAW', nameEn: "Isra and Mi'raj" },
      {
        date: '2026-02-16',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Tahun Baru Imlek',
        nameEn: 'Collective leave: Chinese New Year',
      },
      { date: '2026-02-17', kind: 'holiday', nameId: 'Tahun Baru Imlek 2577 Kongzili', nameEn: 'Chinese New Year' },
      {
        date: '2026-03-18',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Hari Suci Nyepi',
        nameEn: 'Collective leave: Day of Silence',
      },
      {
        date: '2026-03-19',
        kind: 'holiday',
        nameId: 'Hari Suci Nyepi (Tahun Baru Saka 1948)',
        nameEn: 'Day of Silence',
      },
      {
        date: '2026-03-20',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Idulfitri',
        nameEn: 'Collective leave: Eid al-Fitr',
      },
      { date: '2026-03-21', kind: 'holiday', nameId: 'Idulfitri 1447 H', nameEn: 'Eid al-Fitr' },
      { date: '2026-03-22', kind: 'holiday', nameId: 'Idulfitri 1447 H', nameEn: 'Eid al-Fitr' },
      {
        date: '2026-03-23',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Idulfitri',
        nameEn: 'Collective leave: Eid al-Fitr',
      },
      {
        date: '2026-03-24',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Idulfitri',
        nameEn: 'Collective leave: Eid al-Fitr',
      },
      { date: '2026-04-03', kind: 'holiday', nameId: 'Wafat Yesus Kristus', nameEn: 'Good Friday' },
      { date: '2026-04-05', kind: 'holiday', nameId: 'Kebangkitan Yesus Kristus (Paskah)', nameEn: 'Easter Sunday' },
      { date: '2026-05-01', kind: 'holiday', nameId: 'Hari Buruh Internasional', nameEn: 'Labour Day' },
      { date: '2026-05-14', kind: 'holiday', nameId: 'Kenaikan Yesus Kristus', nameEn: 'Ascension Day' },
      {
        date: '2026-05-15',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Kenaikan Yesus Kristus',
        nameEn: 'Collective leave: Ascension Day',
      },
      { date: '2026-05-27', kind: 'holiday', nameId: 'Iduladha 1447 H', nameEn: 'Eid al-Adha' },
      {
        date: '2026-05-28',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Iduladha',
        nameEn: 'Collective leave: Eid al-Adha',
      },
      { date: '2026-05-31', kind: 'holiday', nameId: 'Hari Raya Waisak 2570 BE', nameEn: 'Vesak' },
      { date: '2026-06-01', kind: 'holiday', nameId: 'Hari Lahir Pancasila', nameEn: 'Pancasila Day' },
      { date: '2026-06-16', kind: 'holiday', nameId: '1 Muharam Tahun Baru Islam 1448 H', nameEn: 'Islamic New Year' },
      { date: '2026-08-17', kind: 'holiday', nameId: 'Proklamasi Kemerdekaan', nameEn: 'Independence Day' },
      { date: '2026-08-25', kind: 'holiday', nameId: 'Maulid Nabi Muhammad SAW', nameEn: "Prophet's Birthday" },
      {
        date: '2026-12-24',
        kind: 'cuti_bersama',
        nameId: 'Cuti bersama Kelahiran Yesus Kristus',
        nameEn: 'Collective leave: Christmas Day',
      },
      { date: '2026-12-25', kind: 'holiday', nameId: 'Kelahiran Yesus Kristus', nameEn: 'Christmas Day' },
    ],
  },
];
