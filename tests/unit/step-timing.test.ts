// A case's reminders are spread over the first quarter hour of office hours by an offset of its own, so that an
// office's reminders of a morning do not all fall on the worker at one instant.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { reminderOffset, reminderSpreadMs, spreadReminders, type Notice } from '../../domain/step-timing.js';

describe('reminderOffset', () => {
  it('gives every case a whole second within the spread, the same each time', () => {
    fc.assert(
      fc.property(fc.uuid(), (key) => {
        const offset = reminderOffset(key);
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset).toBeLessThan(reminderSpreadMs);
        expect(offset % 1000).toBe(0);
        expect(reminderOffset(key)).toBe(offset);
      }),
    );
  });

  it('spreads 10,000 cases evenly: no minute of the quarter hour gets twice its share', () => {
    const perMinute = new Array<number>(reminderSpreadMs / 60_000).fill(0);
    for (let i = 0; i < 10_000; i++) perMinute[Math.floor(reminderOffset(randomUUID()) / 60_000)]!++;
    const share = 10_000 / perMinute.length;
    for (const n of perMinute) {
      expect(n).toBeGreaterThan(share / 2);
      expect(n).toBeLessThan(share * 2);
    }
  });
});

describe('spreadReminders', () => {
  const opening = Date.UTC(2026, 2, 2, 0, 0); // 08:00 WITA
  const notices: Notice[] = [
    { kind: 'reminder', at: opening },
    { kind: 'overdue', at: opening + 86_400_000 },
    { kind: 'reminder', at: opening + 86_400_000 },
    { kind: 'escalation', at: opening + 3 * 86_400_000 },
  ];

  it('moves only the reminders, all by the case offset, and keeps them in order of instant', () => {
    const key = randomUUID();
    const offset = reminderOffset(key);
    expect(spreadReminders(notices, key)).toEqual([
      { kind: 'reminder', at: opening + offset },
      { kind: 'overdue', at: opening + 86_400_000 },
      { kind: 'reminder', at: opening + 86_400_000 + offset },
      { kind: 'escalation', at: opening + 3 * 86_400_000 },
    ]);
  });
});
