// The cached wall-clock formatting equals luxon's, including across a daylight-saving change and in zones whose
// offset is not a whole hour.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localDay, localMinute, wallClock } from '../../domain/local-time.js';

const zones = ['Asia/Makassar', 'Asia/Jakarta', 'Asia/Jayapura', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu'];

describe('local time', () => {
  it('equals luxon for any instant and zone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          const local = DateTime.fromMillis(ms, { zone });
          expect(localDay(ms, zone)).toBe(local.toISODate());
          expect(localMinute(ms, zone)).toBe(local.toFormat('yyyy-MM-dd HH:mm'));
          expect(wallClock(ms, zone).getUTCHours()).toBe(local.hour);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('changes offset at the very minute of a daylight-saving change', () => {
    // Berlin moved its clocks from 02:00 to 03:00 on 29 March 2026 (01:00 UTC).
    const change = Date.parse('2026-03-29T01:00:00Z');
    expect(localMinute(change - 60_000, 'Europe/Berlin')).toBe('2026-03-29 01:59');
    expect(localMinute(change, 'Europe/Berlin')).toBe('2026-03-29 03:00');
  });
});
