// Programme templates are data: officers write their own versions through the API, so everything the workflow relies on
// (known next steps, bounded loops, a way to finish from every step) is checked here before a version is stored.
// Pure: the workflow sandbox imports this module.
import { z } from 'zod';
import { actors, type DueRule, type LocalizedText } from './types.js';

/** A message every user can read: Bahasa Indonesia first, English second. */
function bilingual(id: string, en: string): string {
  return `${id} / ${en}`;
}

const kebabSlug = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, {
    error: bilingual(
      'Harus kebab-case: huruf kecil, angka dan tanda hubung (mis. halal-regular)',
      'Must be kebab-case: lowercase letters, digits and hyphens (e.g. halal-regular)',
    ),
  });

const snakeSlug = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, {
    error: bilingual(
      'Harus snake_case: huruf kecil, angka dan garis bawah (mis. lph_audit)',
      'Must be snake_case: lowercase letters, digits and underscores (e.g. lph_audit)',
    ),
  });

/**
 * Upper bounds of a template's numbers: well past any programme an office runs (a year of working days, two years of
 * calendar time, twenty visits of a step), and low enough that the calendar arithmetic stays instant. Without them a
 * template with 1e9 working days would hold the worker's event loop.
 */
export const templateLimits = {
  workingDays: 260,
  calendarDays: 730,
  calendarMonths: 24,
  noticeWorkingDays: 60,
  maxVisits: 20,
} as const;

const bounded = (max: number, id: string, en: string) =>
  z.int().max(max, { error: bilingual(`${id} paling banyak ${max}`, `${en} may be at most ${max}`) });

const localizedTextSchema = z.strictObject({
  id: z.string().trim().min(1),
  en: z.string().trim().min(1),
}) satisfies z.ZodType<LocalizedText>;

export const dueRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('working_days'),
    days: bounded(templateLimits.workingDays, 'Hari kerja', 'Working days').positive(),
  }),
  z.strictObject({
    kind: z.literal('calendar_days'),
    days: bounded(templateLimits.calendarDays, 'Hari kalender', 'Calendar days').positive(),
  }),
  z.strictObject({
    kind: z.literal('calendar_months'),
    months: bounded(templateLimits.calendarMonths, 'Bulan', 'Months').positive(),
  }),
]) satisfies z.ZodType<DueRule>;

export const reminderAnchors = ['before_due', 'on_due', 'after_due'] as const;
export type ReminderAnchor = (typeof reminderAnchors)[number];

/**
 * A reminder to whoever must act. `on_due` goes out on the due day itself (workingDays 0); `before_due` and `after_due`
 * go out that many working days before or after it. The overdue notice is separate (`overdueNotice`).
 */
const reminderSchema = z.strictObject({
  relativeTo: z.enum(reminderAnchors),
  workingDays: bounded(templateLimits.noticeWorkingDays, 'Hari kerja pengingat', 'Reminder working days').nonnegative(),
});

export const escalationTargets = ['manager', 'head_of_office'] as const;

const escalationSchema = z.strictObject({
  /** Counted from the due instant: 0 escalates as soon as the step is overdue. */
  afterWorkingDays: bounded(
    templateLimits.noticeWorkingDays,
    'Hari kerja eskalasi',
    'Escalation working days',
  ).nonnegative(),
  to: z.enum(escalationTargets),
});

const checklistItemSchema = z.strictObject({
  key: snakeSlug,
  name: localizedTextSchema,
  required: z.boolean(),
});

const outcomeSchema = z.strictObject({
  key: snakeSlug,
  name: localizedTextSchema,
  /** null: the programme ends with this outcome. */
  next: snakeSlug.nullable(),
  /** How the enrolment ends when `next` is null; a finishing outcome without it counts as completed. */
  terminal: z.enum(['completed', 'failed']).optional(),
});

export const stepScopes = ['business', 'cohort'] as const;

export const templateStepSchema = z
  .strictObject({
    key: snakeSlug,
    name: localizedTextSchema,
    description: localizedTextSchema.optional(),
    actor: z.enum(actors),
    /** 'cohort': one completion (a training day, say) completes the step for every enrolment of the cohort. */
    scope: z.enum(stepScopes),
    due: dueRuleSchema.nullable(),
    /** The regulation that sets the limit, e.g. 'UU 33/2014 jo. UU 6/2023 Pasal 31'. */
    legalBasis: z.string().trim().min(1).optional(),
    reminders: z.array(reminderSchema).max(20).default([]),
    overdueNotice: z.boolean().optional(),
    escalation: escalationSchema.optional(),
    /** Documents that must be handed in before the step can be completed. */
    checklist: z.array(checklistItemSchema).max(50).default([]),
    outcomes: z.array(outcomeSchema).min(1).max(20),
    /** How many times the step may be entered; bounds loops such as audit → corrections → re-audit. */
    maxVisits: bounded(templateLimits.maxVisits, 'Batas kunjungan', 'maxVisits').positive().optional(),
    /** Whether an officer may extend the due date (an LPH may ask BPJPH for more time, for instance). */
    extendable: z.boolean().optional(),
    /** Finishing this step as completed records the certificate (number, date, scope) that re-certification starts from. */
    recordsCertificate: z.boolean().optional(),
  })
  // An overdue notice only makes sense with a deadline, so that is the default.
  .transform(({ overdueNotice, ...step }) => ({ ...step, overdueNotice: overdueNotice ?? step.due !== null }));

export const templateCategories = ['certification', 'mentoring', 'training', 'export', 'licensing', 'other'] as const;

export const programmeTemplateSchema = z.strictObject({
  key: kebabSlug,
  version: z.int().positive(),
  name: localizedTextSchema,
  description: localizedTextSchema,
  category: z.enum(templateCategories).optional(),
  firstStep: snakeSlug,
  // The graph checks compare every pair of steps; this bound keeps them instant.
  steps: z.array(templateStepSchema).min(1).max(200),
});

/** What the API accepts: defaults (empty reminders and checklist, overdueNotice) not yet filled in. */
export type ProgrammeTemplateInput = z.input<typeof programmeTemplateSchema>;
export type ProgrammeTemplate = z.output<typeof programmeTemplateSchema>;
export type TemplateStep = ProgrammeTemplate['steps'][number];
export type TemplateOutcome = TemplateStep['outcomes'][number];

export interface TemplateIssue {
  path: (string | number)[];
  /** Bahasa Indonesia, then English: "… / …". */
  message: string;
}

export type TemplateValidation = { ok: true; template: ProgrammeTemplate } | { ok: false; issues: TemplateIssue[] };

export function findStep(template: ProgrammeTemplate, key: string): TemplateStep | undefined {
  return template.steps.find((step) => step.key === key);
}

/** Parses and checks a template; on success the returned template has its defaults filled in. */
export function validateTemplate(input: unknown): TemplateValidation {
  const parsed = programmeTemplateSchema.safeParse(input, { error: zodMessage });
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.flatMap(fromZodIssue) };
  const issues = semanticIssues(parsed.data);
  return issues.length === 0 ? { ok: true, template: parsed.data } : { ok: false, issues };
}

const typeNames: Record<string, [string, string]> = {
  string: ['teks', 'text'],
  number: ['angka', 'number'],
  int: ['bilangan bulat', 'integer'],
  boolean: ['boolean', 'boolean'],
  object: ['objek', 'object'],
  array: ['daftar', 'list'],
};

function zodMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return bilingual('Wajib diisi', 'Required');
      const [id, en] = typeNames[issue.expected] ?? [issue.expected, issue.expected];
      return bilingual(`Jenis tidak sesuai: harus ${id}`, `Wrong type: expected ${en}`);
    }
    case 'invalid_value': {
      const values = issue.values.map((value) => JSON.stringify(value)).join(', ');
      return bilingual(`Nilai harus salah satu dari: ${values}`, `Value must be one of: ${values}`);
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = String(small ? issue.minimum : issue.maximum);
      const strict = !issue.inclusive;
      if (issue.origin === 'array')
        return small
          ? bilingual(`Minimal ${bound} butir`, `At least ${bound} item(s)`)
          : bilingual(`Maksimal ${bound} butir`, `At most ${bound} item(s)`);
      if (issue.origin === 'string')
        return small
          ? bilingual(`Minimal ${bound} karakter`, `At least ${bound} character(s)`)
          : bilingual(`Maksimal ${bound} karakter`, `At most ${bound} character(s)`);
      const op = small ? (strict ? '>' : '≥') : strict ? '<' : '≤';
      return bilingual(`Harus ${op} ${bound}`, `Must be ${op} ${bound}`);
    }
    case 'invalid_union': {
      const options: unknown = 'options' in issue ? issue.options : undefined;
      if (Array.isArray(options)) {
        const values = options.map((value) => JSON.stringify(value)).join(', ');
        return bilingual(`Nilai harus salah satu dari: ${values}`, `Value must be one of: ${values}`);
      }
      return bilingual('Bentuk nilai tidak dikenali', 'Value matches none of the allowed shapes');
    }
    default:
      return bilingual('Nilai tidak valid', 'Invalid value');
  }
}

function fromZodIssue(issue: z.core.$ZodIssue): TemplateIssue[] {
  const path = issue.path.map((part) => (typeof part === 'number' ? part : String(part)));
  // One issue per unknown field, at the field itself, so the API can point at it.
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => ({
      path: [...path, key],
      message: bilingual(`Kolom '${key}' tidak dikenal`, `Unknown field '${key}'`),
    }));
  return [{ path, message: issue.message }];
}

function issueAt(path: (string | number)[], id: string, en: string): TemplateIssue {
  return { path, message: bilingual(id, en) };
}

function semanticIssues(template: ProgrammeTemplate): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  // The first step with a key is the one the graph uses; later duplicates are reported and left out.
  const indexByKey = new Map<string, number>();
  template.steps.forEach((step, i) => {
    if (indexByKey.has(step.key))
      issues.push(
        issueAt(['steps', i, 'key'], `Kunci langkah '${step.key}' ganda`, `Duplicate step key '${step.key}'`),
      );
    else indexByKey.set(step.key, i);
  });
  if (!indexByKey.has(template.firstStep))
    issues.push(
      issueAt(
        ['firstStep'],
        `Langkah pertama '${template.firstStep}' tidak ada`,
        `Unknown first step '${template.firstStep}'`,
      ),
    );

  template.steps.forEach((step, i) => {
    issues.push(...duplicateKeys(step.outcomes, ['steps', i, 'outcomes'], 'hasil', 'outcome'));
    issues.push(...duplicateKeys(step.checklist, ['steps', i, 'checklist'], 'dokumen', 'checklist item'));
    step.outcomes.forEach((outcome, j) => {
      if (outcome.next !== null && !indexByKey.has(outcome.next))
        issues.push(
          issueAt(
            ['steps', i, 'outcomes', j, 'next'],
            `Langkah berikutnya '${outcome.next}' tidak ada`,
            `Unknown next step '${outcome.next}'`,
          ),
        );
      if (outcome.next !== null && outcome.terminal !== undefined)
        issues.push(
          issueAt(
            ['steps', i, 'outcomes', j, 'terminal'],
            `Hasil '${outcome.key}' berlanjut ke '${outcome.next}', jadi tidak bisa mengakhiri program`,
            `Outcome '${outcome.key}' continues to '${outcome.next}', so it cannot end the programme`,
          ),
        );
    });
    if (step.recordsCertificate && !step.outcomes.some((o) => o.next === null && o.terminal === 'completed'))
      issues.push(
        issueAt(
          ['steps', i, 'recordsCertificate'],
          `Langkah '${step.key}' mencatat sertifikat, jadi perlu hasil dengan next: null dan terminal: 'completed'`,
          `Step '${step.key}' records a certificate, so it needs an outcome with next: null and terminal: 'completed'`,
        ),
      );
    issues.push(...timingIssues(step, i));
  });

  issues.push(...graphIssues(template, indexByKey));
  return issues;
}

function duplicateKeys(
  items: readonly { key: string }[],
  path: (string | number)[],
  id: string,
  en: string,
): TemplateIssue[] {
  const seen = new Set<string>();
  const issues: TemplateIssue[] = [];
  items.forEach((item, j) => {
    if (seen.has(item.key))
      issues.push(issueAt([...path, j, 'key'], `Kunci ${id} '${item.key}' ganda`, `Duplicate ${en} key '${item.key}'`));
    seen.add(item.key);
  });
  return issues;
}

function timingIssues(step: TemplateStep, i: number): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const at = (...rest: (string | number)[]): (string | number)[] => ['steps', i, ...rest];
  if (step.due === null) {
    const noDue = (what: string, whatEn: string): [string, string] => [
      `${what} membutuhkan tenggat, tetapi langkah '${step.key}' tidak punya tenggat (due: null)`,
      `${whatEn} needs a due date, but step '${step.key}' has none (due: null)`,
    ];
    step.reminders.forEach((_, j) => issues.push(issueAt(at('reminders', j), ...noDue('Pengingat', 'A reminder'))));
    if (step.escalation) issues.push(issueAt(at('escalation'), ...noDue('Eskalasi', 'Escalation')));
    if (step.overdueNotice)
      issues.push(issueAt(at('overdueNotice'), ...noDue('Pemberitahuan terlambat', 'An overdue notice')));
    if (step.extendable) issues.push(issueAt(at('extendable'), ...noDue('Perpanjangan', 'An extension')));
    return issues;
  }

  const seen = new Set<string>();
  step.reminders.forEach((reminder, j) => {
    const { relativeTo, workingDays } = reminder;
    if (relativeTo === 'on_due' && workingDays !== 0)
      issues.push(
        issueAt(
          at('reminders', j, 'workingDays'),
          'Pengingat on_due dikirim pada hari tenggat: workingDays harus 0',
          'An on_due reminder goes out on the due day: workingDays must be 0',
        ),
      );
    if (relativeTo !== 'on_due' && workingDays === 0)
      issues.push(
        issueAt(
          at('reminders', j, 'workingDays'),
          `Pengingat ${relativeTo} dengan 0 hari kerja sama dengan on_due: gunakan on_due`,
          `A ${relativeTo} reminder of 0 working days is the on_due reminder: use on_due`,
        ),
      );
    // A reminder due before the step even opens would go out at once, next to the step's own notification.
    if (relativeTo === 'before_due' && step.due?.kind === 'working_days' && workingDays >= step.due.days)
      issues.push(
        issueAt(
          at('reminders', j, 'workingDays'),
          `Pengingat ${workingDays} hari kerja sebelum tenggat tidak muat dalam tenggat ${step.due.days} hari kerja`,
          `A reminder ${workingDays} working days before the due date does not fit a ${step.due.days}-working-day limit`,
        ),
      );
    const identity = `${relativeTo}:${workingDays}`;
    if (seen.has(identity))
      issues.push(
        issueAt(
          at('reminders', j),
          `Pengingat ganda (${relativeTo}, ${workingDays} hari kerja)`,
          `Duplicate reminder (${relativeTo}, ${workingDays} working days)`,
        ),
      );
    seen.add(identity);
  });
  return issues;
}

function graphIssues(template: ProgrammeTemplate, indexByKey: ReadonlyMap<string, number>): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const nodes = [...indexByKey.values()];
  const successors = new Map<number, number[]>();
  for (const i of nodes) {
    const step = template.steps[i]!;
    const next = step.outcomes.flatMap((o) => (o.next === null ? [] : (indexByKey.get(o.next) ?? [])));
    successors.set(i, [...new Set(next)]);
  }
  const keyOf = (i: number): string => template.steps[i]!.key;

  const first = indexByKey.get(template.firstStep);
  if (first !== undefined) {
    const reached = reachableFrom([first], (i) => successors.get(i) ?? []);
    reached.add(first);
    for (const i of nodes)
      if (!reached.has(i))
        issues.push(
          issueAt(
            ['steps', i, 'key'],
            `Langkah '${keyOf(i)}' tidak dapat dicapai dari langkah pertama '${template.firstStep}'`,
            `Step '${keyOf(i)}' is unreachable from the first step '${template.firstStep}'`,
          ),
        );
  }

  const predecessors = new Map<number, number[]>(nodes.map((i) => [i, []]));
  for (const [from, tos] of successors) for (const to of tos) predecessors.get(to)!.push(from);
  const finishing = nodes.filter((i) => template.steps[i]!.outcomes.some((o) => o.next === null));
  const canFinish = reachableFrom(finishing, (i) => predecessors.get(i) ?? []);
  for (const i of finishing) canFinish.add(i);
  for (const i of nodes)
    if (!canFinish.has(i))
      issues.push(
        issueAt(
          ['steps', i, 'outcomes'],
          `Dari langkah '${keyOf(i)}' tidak ada jalan menuju hasil yang mengakhiri program (next: null)`,
          `No path from step '${keyOf(i)}' to an outcome that ends the programme (next: null)`,
        ),
      );

  // Steps with maxVisits cut every cycle through them, so a cycle is unbounded exactly when it survives their removal.
  const unbounded = (i: number): number[] =>
    (successors.get(i) ?? []).filter((j) => template.steps[j]!.maxVisits === undefined);
  const loopReach = new Map(
    nodes.filter((i) => template.steps[i]!.maxVisits === undefined).map((i) => [i, reachableFrom([i], unbounded)]),
  );
  const assigned = new Set<number>();
  for (const [i, reach] of loopReach) {
    if (!reach.has(i) || assigned.has(i)) continue;
    const cycle = [...loopReach.keys()].filter((j) => reach.has(j) && loopReach.get(j)!.has(i));
    for (const j of cycle) assigned.add(j);
    const keys = cycle.map((j) => `'${keyOf(j)}'`).join(', ');
    issues.push(
      issueAt(
        ['steps', cycle[0]!, 'maxVisits'],
        `Putaran tanpa batas: langkah ${keys} membentuk siklus tanpa maxVisits; beri maxVisits pada salah satunya`,
        `Unbounded loop: steps ${keys} form a cycle without maxVisits; set maxVisits on one of them`,
      ),
    );
  }

  const reach = new Map(nodes.map((i) => [i, reachableFrom([i], (j) => successors.get(j) ?? [])]));
  for (const i of nodes) {
    const step = template.steps[i]!;
    if (!reach.get(i)!.has(i)) continue;
    // A cohort step completes once for the whole cohort, so an enrolment that comes back to it would wait for ever.
    if (step.scope === 'cohort')
      issues.push(
        issueAt(
          ['steps', i, 'scope'],
          `Langkah kohort '${step.key}' berada dalam putaran; langkah kohort hanya dijalankan sekali`,
          `Cohort step '${step.key}' is inside a loop; a cohort step runs only once`,
        ),
      );
    // On its last visit a bounded step must offer a way out of the loop, or the enrolment is stuck.
    const leavesLoop = (o: TemplateOutcome): boolean => {
      if (o.next === null) return true;
      const j = indexByKey.get(o.next);
      return j !== undefined && j !== i && !reach.get(j)!.has(i);
    };
    if (step.maxVisits !== undefined && !step.outcomes.some(leavesLoop))
      issues.push(
        issueAt(
          ['steps', i, 'outcomes'],
          `Langkah '${step.key}' dibatasi maxVisits, tetapi setiap hasilnya kembali ke langkah itu; tambahkan hasil yang keluar dari putaran`,
          `Step '${step.key}' has maxVisits but every outcome leads back to it; add an outcome that leaves the loop`,
        ),
      );
  }
  return issues;
}

/** Nodes reachable from `starts` by at least one edge. */
function reachableFrom(starts: readonly number[], edges: (i: number) => readonly number[]): Set<number> {
  const seen = new Set<number>();
  const stack = starts.flatMap((i) => [...edges(i)]);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    stack.push(...edges(i));
  }
  return seen;
}
