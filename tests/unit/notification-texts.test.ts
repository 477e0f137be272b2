import { describe, expect, it } from 'vitest';
import { outsideQuietHours } from '../../domain/quiet-hours.js';
import {
  defaultTexts,
  formatInstant,
  placeholders,
  textKinds,
  unknownPlaceholders,
} from '../../services/notifications/texts.js';

describe('notification texts', () => {
  it('writes dates the way people here read them, with the zone by its Indonesian name', () => {
    const at = Date.UTC(2026, 11, 11, 8, 0);
    expect(formatInstant(at, 'Asia/Makassar', 'id')).toBe('Jumat, 11 Desember 2026 pukul 16.00 WITA');
    expect(formatInstant(at, 'Asia/Makassar', 'en')).toBe('Friday 11 December 2026, 4:00 pm WITA');
    expect(formatInstant(at, 'Asia/Jakarta', 'id')).toBe('Jumat, 11 Desember 2026 pukul 15.00 WIB');
    expect(formatInstant(Date.UTC(2026, 11, 11, 15, 5), 'Asia/Jayapura', 'en')).toBe(
      'Saturday 12 December 2026, 12:05 am WIT',
    );
  });

  it('uses in every default text only placeholders its kind knows', () => {
    for (const kind of textKinds)
      for (const language of ['id', 'en'] as const)
        for (const text of Object.values(defaultTexts[kind][language]))
          expect(unknownPlaceholders(kind, text), `${kind} ${language}`).toEqual([]);
    expect(unknownPlaceholders('reminder', 'Hi {owner}, {step} by {due} {}')).toEqual(['owner', '']);
    expect(placeholders.waitlisted).toContain('position');
  });

  it('holds messages of quiet hours (21:00–07:00 in the zone) until seven', () => {
    const wita = (h: number, m = 0) => Date.UTC(2026, 11, 10, h - 8, m);
    expect(outsideQuietHours(wita(20, 59), 'Asia/Makassar')).toBe(wita(20, 59));
    expect(outsideQuietHours(wita(21), 'Asia/Makassar')).toBe(wita(31));
    expect(outsideQuietHours(wita(23, 30), 'Asia/Makassar')).toBe(wita(31));
    expect(outsideQuietHours(wita(30, 59), 'Asia/Makassar')).toBe(wita(31));
    expect(outsideQuietHours(wita(7), 'Asia/Makassar')).toBe(wita(7));
    // The same instant is 22:00 in WITA but 21:00 in WIB: both quiet; 06:30 WIB waits half an hour.
    expect(outsideQuietHours(Date.UTC(2026, 11, 10, 23, 30), 'Asia/Jakarta')).toBe(Date.UTC(2026, 11, 11, 0, 0));
  });
});
