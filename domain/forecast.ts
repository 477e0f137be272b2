// Forecasts from observed durations: percentiles of a histogram of whole days, the rest of a case's way through its
// programme, and how far past forecasts were from what happened. Pure; services/dashboard.ts feeds it the summaries.
import type { ProgrammeTemplate, TemplateStep } from './template.js';

/** How many observations took each number of whole days. */
export type DayHistogram = ReadonlyMap<number, number>;

export interface Spread {
  /** 25th percentile, median, 75th percentile, in days. */
  low: number;
  median: number;
  high: number;
}

/** The smallest duration at or below which at least share q of the observations lie; null without any. */
export function percentile(histogram: DayHistogram, q: number): number | null {
  const entries = [...histogram.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const needed = q * total;
  let seen = 0;
  for (const [days, n] of entries) {
    seen += n;
    if (seen >= needed) return days;
  }
  return entries[entries.length - 1]![0];
}

export function spreadOf(histogram: DayHistogram): Spread | null {
  const median = percentile(histogram, 0.5);
  if (median === null) return null;
  return { low: percentile(histogram, 0.25)!, median, high: percentile(histogram, 0.75)! };
}

/**
 * A step nobody has finished yet is expected to take its due rule: a working day is 7/5 of a calendar day on
 * average, a month 30 days. A step without a due rule counts as a day, the least a step takes.
 */
export function dueRuleDays(step: Pick<TemplateStep, 'due'>): number {
  const due = step.due;
  if (!due) return 1;
  if (due.kind === 'working_days') return Math.ceil((due.days * 7) / 5);
  if (due.kind === 'calendar_days') return due.days;
  return due.months * 30;
}

/**
 * The usual way on from a step: each step's first outcome that leads on to a step not yet on the way (the templates
 * list the expected outcome first; the others are corrections, loops or failures). Includes `from` itself.
 */
export function usualPath(template: ProgrammeTemplate, from: string): readonly TemplateStep[] {
  let paths = usualPaths.get(template);
  if (!paths) {
    paths = new Map();
    usualPaths.set(template, paths);
  }
  let path = paths.get(from);
  if (!path) {
    path = walkUsualPath(template, from);
    paths.set(from, path);
  }
  return path;
}

// A template is not changed once loaded, and the dashboard asks for the way on from each step once per row of a
// summary (thousands a request): each template's ways are found once.
const usualPaths = new WeakMap<ProgrammeTemplate, Map<string, readonly TemplateStep[]>>();

function walkUsualPath(template: ProgrammeTemplate, from: string): readonly TemplateStep[] {
  const byKey = new Map(template.steps.map((s) => [s.key, s]));
  const path: TemplateStep[] = [];
  const seen = new Set<string>();
  let step = byKey.get(from);
  while (step && !seen.has(step.key)) {
    path.push(step);
    seen.add(step.key);
    const next = step.outcomes.find((o) => o.next !== null && !seen.has(o.next))?.next;
    step = next ? byKey.get(next) : undefined;
  }
  return path;
}

/** What each step is expected to take: observed, else its due rule (the same number at all three points). */
export type StepSpreads = ReadonlyMap<string, Spread>;

export function expectedSpread(step: TemplateStep, spreads: StepSpreads): Spread {
  const observed = spreads.get(step.key);
  if (observed) return observed;
  const days = dueRuleDays(step);
  return { low: days, median: days, high: days };
}

/**
 * Days still to go for a case at `stepKey` that has been in that step for `elapsedDays`: what is left of this step
 * (never below zero: a step taking longer than usual is expected to end any day) plus the usual way after it.
 */
export function remainingDays(
  template: ProgrammeTemplate,
  stepKey: string,
  elapsedDays: number,
  spreads: StepSpreads,
): Spread {
  const [current, ...rest] = usualPath(template, stepKey);
  if (!current) return { low: 0, median: 0, high: 0 };
  const own = expectedSpread(current, spreads);
  const total = {
    low: Math.max(0, own.low - elapsedDays),
    median: Math.max(0, own.median - elapsedDays),
    high: Math.max(0, own.high - elapsedDays),
  };
  for (const step of rest) {
    const s = expectedSpread(step, spreads);
    total.low += s.low;
    total.median += s.median;
    total.high += s.high;
  }
  return total;
}

/**
 * Mean absolute error, in days, of the forecast made when a case took its place (the median of the whole usual way)
 * against how long each finished case really took.
 */
export function meanAbsoluteError(forecastDays: number, actual: DayHistogram): { cases: number; days: number } | null {
  let cases = 0;
  let sum = 0;
  for (const [days, n] of actual) {
    cases += n;
    sum += n * Math.abs(days - forecastDays);
  }
  return cases === 0 ? null : { cases, days: sum / cases };
}

/**
 * The date a quota's free places run out at the pace so far this year (places taken per day since the year began),
 * as days from now; null when nothing was taken yet or no place is free.
 */
export function daysUntilQuotaRunsOut(free: number, takenSoFar: number, daysElapsed: number): number | null {
  if (free <= 0 || takenSoFar <= 0 || daysElapsed <= 0) return null;
  return Math.ceil(free / (takenSoFar / daysElapsed));
}
