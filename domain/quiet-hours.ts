// Quiet hours: no e-mail or WhatsApp between 21:00 and 07:00 in the office's zone. What falls in them waits for 07:00.
import { DateTime } from 'luxon';

export const quietFromHour = 21;
export const quietUntilHour = 7;

/** The first instant at or after `at` outside quiet hours in `zone`. */
export function outsideQuietHours(at: number, zone: string): number {
  const local = DateTime.fromMillis(at, { zone });
  if (local.hour >= quietUntilHour && local.hour < quietFromHour) return at;
  const morning = local.set({ hour: quietUntilHour, minute: 0, second: 0, millisecond: 0 });
  return (local.hour >= quietFromHour ? morning.plus({ days: 1 }) : morning).toMillis();
}
