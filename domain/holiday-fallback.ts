// Library-computed Indonesian public holidays, only for years whose SKB 3 Menteri decree is not in the database yet.
// date-holidays is wrong in places (Idulfitri 2025 on 30–31 March instead of 31 March–1 April, 1 Muharam 2025 a day
// early) and knows no cuti bersama, so callers flag these dates "not decreed" until an officer corrects them.
// Lunar dates are astronomical estimates; Nyepi and Waisak exist only for the years the library has hard-coded.
import Holidays from 'date-holidays';

export interface FallbackHoliday {
  /** Local date, 'YYYY-MM-DD'. */
  date: string;
  nameId: string;
  nameEn: string;
}

// The library names 27 Rajab "Maulid Nabi Muhammad" in Bahasa Indonesia (its English name, Laylat al-Mi'raj, is right),
// which would show officers two Maulid Nabi a year.
const ISRA_MIKRAJ_RULE = '27 Rajab';
const ISRA_MIKRAJ_NAME_ID = 'Isra Mikraj Nabi Muhammad SAW';

/** Public holidays of `year`, one entry per date (names joined when two holidays share a date), sorted by date. */
export function fallbackClosedDates(year: number): FallbackHoliday[] {
  if (!Number.isInteger(year) || year < 1900 || year > 9999) throw new RangeError(`expected a year, got ${year}`);
  const holidays = new Holidays('ID');
  // Easter Sunday has been a national holiday since 2024; the library does not list it.
  holidays.setHoliday('easter', {
    name: { id: 'Kebangkitan Yesus Kristus (Paskah)', en: 'Easter Sunday' },
    type: 'public',
  });
  const english = new Map(holidays.getHolidays(year, 'en').map((h) => [`${h.date}|${h.rule}`, h.name]));
  const byDate = new Map<string, FallbackHoliday>();
  for (const h of holidays.getHolidays(year, 'id')) {
    if (h.type !== 'public') continue;
    // Lunar holidays carry an offset suffix ('2025-03-30 00:00:00 -0600'); the leading local date is the day off.
    const date = h.date.slice(0, 10);
    const nameId = h.rule === ISRA_MIKRAJ_RULE ? ISRA_MIKRAJ_NAME_ID : h.name;
    const nameEn = english.get(`${h.date}|${h.rule}`) ?? h.name;
    const existing = byDate.get(date);
    byDate.set(
      date,
      existing
        ? { date, nameId: `${existing.nameId} / ${nameId}`, nameEn: `${existing.nameEn} / ${nameEn}` }
        : { date, nameId, nameEn },
    );
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
