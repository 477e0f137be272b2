// Wall-clock dates and times of instants in an office's zone, for the lists and reports that format a million of
// them: luxon asks Intl for the zone's offset at every instant, which is most of a report's time. Zones change their
// offset only on a quarter hour, so the offset found for an instant holds for its whole quarter hour. Pure.
import { IANAZone } from 'luxon';

const QUARTER_HOUR_MS = 900_000;
const offsets = new Map<string, number>();
// Enough for several years of quarter hours in a few zones; cleared rather than grown without end.
const maxOffsets = 100_000;

/** The zone's offset from UTC in milliseconds at an instant. */
export function zoneOffsetMs(ms: number, zone: string): number {
  const key = `${zone}\u0000${Math.floor(ms / QUARTER_HOUR_MS)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    offset = IANAZone.create(zone).offset(ms) * 60_000;
    if (offsets.size >= maxOffsets) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

/** A Date whose UTC fields are the wall clock in the zone at that instant: what a spreadsheet cell holds. */
export const wallClock = (ms: number, zone: string) => new Date(ms + zoneOffsetMs(ms, zone));

/** 'YYYY-MM-DD' in the zone. */
export const localDay = (ms: number, zone: string) => wallClock(ms, zone).toISOString().slice(0, 10);

/** 'YYYY-MM-DD HH:mm' in the zone. */
export const localMinute = (ms: number, zone: string) =>
  wallClock(ms, zone).toISOString().slice(0, 16).replace('T', ' ');
