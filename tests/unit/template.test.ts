import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  type dueRuleSchema,
  findStep,
  templateLimits,
  validateTemplate,
  type ProgrammeTemplate,
  type TemplateIssue,
  type TemplateStep,
} from '../../domain/template.js';
import { builtInTemplates, halalRegular, halalSelfDeclare } from '../../domain/templates/index.js';
import type { DueRule } from '../../domain/types.js';

const copy = (template: ProgrammeTemplate): ProgrammeTemplate => structuredClone(template);

function indexOf(template: ProgrammeTemplate, key: string): number {
  const i = template.steps.findIndex((step) => step.key === key);
  if (i < 0) throw new Error(`no step ${key}`);
  return i;
}

function stepOf(template: ProgrammeTemplate, key: string): TemplateStep {
  return template.steps[indexOf(template, key)]!;
}

function issuesOf(input: unknown): TemplateIssue[] {
  const result = validateTemplate(input);
  if (result.ok) throw new Error('expected the template to be rejected');
  return result.issues;
}

/** The issue at `path`, whose message must be bilingual and contain both given fragments. */
function expectIssue(issues: TemplateIssue[], path: (string | number)[], id: string, en: string): string {
  const found = issues.filter((issue) => JSON.stringify(issue.path) === JSON.stringify(path));
  expect(found, `issues: ${JSON.stringify(issues)}`).not.toHaveLength(0);
  const [idPart, enPart] = found[0]!.message.split(' / ');
  expect(idPart).toContain(id);
  expect(enPart).toContain(en);
  return found[0]!.message;
}

function step(key: string, next: string | null, extra: Partial<TemplateStep> = {}): TemplateStep {
  return {
    key,
    name: { id: `Langkah ${key}`, en: `Step ${key}` },
    actor: 'officer',
    scope: 'business',
    due: { kind: 'working_days', days: 5 },
    reminders: [],
    overdueNotice: true,
    checklist: [],
    outcomes: [{ key: 'done', name: { id: 'Selesai', en: 'Done' }, next }],
    ...extra,
  };
}

/** a → b → c → end */
function tiny(): ProgrammeTemplate {
  return {
    key: 'tiny',
    version: 1,
    name: { id: 'Kecil', en: 'Tiny' },
    description: { id: 'Uji', en: 'Test' },
    firstStep: 'a',
    steps: [step('a', 'b'), step('b', 'c'), step('c', null)],
  };
}

describe('built-in templates', () => {
  it.each(builtInTemplates.map((t) => [t.key, t] as const))('%s is valid, version 1, already normalised', (_, t) => {
    const result = validateTemplate(t);
    expect(result.ok ? [] : result.issues).toEqual([]);
    expect(t.version).toBe(1);
    // Written in the parsed form, so what the code sees is exactly what the API would store.
    expect(result.ok && result.template).toEqual(t);
  });

  it('record the certificate where the programme ends in one', () => {
    const recording = builtInTemplates.flatMap((t) =>
      t.steps.filter((s) => s.recordsCertificate).map((s) => `${t.key}.${s.key}`),
    );
    expect(recording.sort()).toEqual([
      'haki-brand.certificate_recorded',
      'halal-regular.certificate_issuance',
      'halal-self-declare.certificate_issuance',
      'p3dn-tkdn.certificate_recorded',
    ]);
  });

  it('are the seven programmes, each key once', () => {
    expect(builtInTemplates.map((t) => t.key).sort()).toEqual([
      'e-katalog',
      'export-readiness',
      'haki-brand',
      'halal-regular',
      'halal-self-declare',
      'ikm-mentoring',
      'p3dn-tkdn',
    ]);
  });

  it('halal-regular carries the statutory limits of DOMAIN.md', () => {
    const due = (key: string): DueRule | null => stepOf(halalRegular, key).due;
    expect(due('bpjph_verification')).toEqual({ kind: 'working_days', days: 1 });
    expect(due('lph_assignment')).toEqual({ kind: 'working_days', days: 1 });
    expect(due('lph_audit')).toEqual({ kind: 'working_days', days: 15 });
    expect(due('fatwa_hearing')).toEqual({ kind: 'working_days', days: 3 });
    expect(due('komite_fatwa')).toEqual({ kind: 'working_days', days: 2 });
    expect(due('certificate_issuance')).toEqual({ kind: 'working_days', days: 1 });
    expect(stepOf(halalRegular, 'lph_audit').extendable).toBe(true);
    for (const key of [
      'bpjph_verification',
      'lph_assignment',
      'lph_audit',
      'fatwa_hearing',
      'komite_fatwa',
      'certificate_issuance',
    ])
      expect(stepOf(halalRegular, key).legalBasis).toMatch(/UU 6\/2023/);
  });

  it('halal-regular models the mentoring months, the audit loop and the Komite Fatwa fallback', () => {
    expect(halalRegular.firstStep).toBe('penyelia_halal_training');
    expect(stepOf(halalRegular, 'penyelia_halal_training').scope).toBe('cohort');
    const audit = stepOf(halalRegular, 'lph_audit');
    expect(audit.maxVisits).toBe(3);
    expect(audit.outcomes.find((o) => o.key === 'non_conformities')?.next).toBe('audit_corrections');
    expect(stepOf(halalRegular, 'audit_corrections').outcomes.map((o) => o.next)).toEqual(['lph_audit']);
    expect(stepOf(halalRegular, 'fatwa_hearing').outcomes.find((o) => o.key === 'missed')?.next).toBe('komite_fatwa');
    expect(stepOf(halalRegular, 'certificate_issuance').outcomes).toEqual([
      expect.objectContaining({ next: null, terminal: 'completed' }),
    ]);
  });

  it('no halal template uses the superseded 30 or 7 working-day limits', () => {
    for (const t of [halalRegular, halalSelfDeclare])
      for (const s of t.steps)
        if (s.due?.kind === 'working_days') expect([7, 30], `${t.key}.${s.key}`).not.toContain(s.due.days);
  });

  it('halal-self-declare carries its statutory limits and the 12-day target', () => {
    expect(stepOf(halalSelfDeclare, 'pph_verification').due).toEqual({ kind: 'working_days', days: 10 });
    expect(stepOf(halalSelfDeclare, 'komite_fatwa').due).toEqual({ kind: 'working_days', days: 1 });
    expect(halalSelfDeclare.description.id).toContain('12 hari kerja');
    expect(halalSelfDeclare.description.en).toContain('12 working days');
  });
});

describe('validateTemplate rejects', () => {
  it('an unknown next step', () => {
    const t = tiny();
    t.steps[1]!.outcomes[0]!.next = 'nowhere';
    expectIssue(
      issuesOf(t),
      ['steps', 1, 'outcomes', 0, 'next'],
      "Langkah berikutnya 'nowhere' tidak ada",
      "Unknown next step 'nowhere'",
    );
  });

  it('an unbounded loop, and accepts it once bounded', () => {
    const t = copy(halalRegular);
    delete stepOf(t, 'lph_audit').maxVisits;
    const message = expectIssue(
      issuesOf(t),
      ['steps', indexOf(t, 'lph_audit'), 'maxVisits'],
      'Putaran tanpa batas',
      'Unbounded loop',
    );
    expect(message).toContain("'audit_corrections'");
    stepOf(t, 'lph_audit').maxVisits = 2;
    expect(validateTemplate(t).ok).toBe(true);
  });

  it('a bounded step with no way out of its loop on its last visit', () => {
    const t = copy(halalRegular);
    delete stepOf(t, 'lph_audit').maxVisits;
    stepOf(t, 'audit_corrections').maxVisits = 2;
    expectIssue(
      issuesOf(t),
      ['steps', indexOf(t, 'audit_corrections'), 'outcomes'],
      "Langkah 'audit_corrections' dibatasi maxVisits",
      "Step 'audit_corrections' has maxVisits but every outcome leads back to it",
    );
  });

  it('a step looping to itself without maxVisits', () => {
    const t = tiny();
    t.steps[1]!.outcomes.push({ key: 'again', name: { id: 'Ulang', en: 'Again' }, next: 'b' });
    expectIssue(issuesOf(t), ['steps', 1, 'maxVisits'], "'b'", "'b'");
  });

  it('an unreachable step', () => {
    const t = tiny();
    t.steps.push(step('orphan', null));
    expectIssue(
      issuesOf(t),
      ['steps', 3, 'key'],
      "Langkah 'orphan' tidak dapat dicapai",
      "Step 'orphan' is unreachable",
    );
  });

  it('an unknown first step', () => {
    const t = tiny();
    t.firstStep = 'z';
    expectIssue(issuesOf(t), ['firstStep'], "Langkah pertama 'z' tidak ada", "Unknown first step 'z'");
  });

  it('steps from which the programme can never finish', () => {
    const t = tiny();
    t.steps[2]!.outcomes[0]!.next = 'b';
    t.steps[1]!.maxVisits = 2;
    const issues = issuesOf(t);
    for (const i of [0, 1, 2]) expectIssue(issues, ['steps', i, 'outcomes'], 'tidak ada jalan', 'No path');
  });

  it('reminders, escalation, overdue notice or extension on a step without a due date', () => {
    const t = tiny();
    t.steps[1] = step('b', 'c', {
      due: null,
      reminders: [{ relativeTo: 'after_due', workingDays: 2 }],
      escalation: { afterWorkingDays: 1, to: 'manager' },
      overdueNotice: true,
      extendable: true,
    });
    const issues = issuesOf(t);
    expectIssue(issues, ['steps', 1, 'reminders', 0], 'Pengingat membutuhkan tenggat', 'A reminder needs a due date');
    expectIssue(issues, ['steps', 1, 'escalation'], 'Eskalasi membutuhkan tenggat', 'Escalation needs a due date');
    expectIssue(issues, ['steps', 1, 'overdueNotice'], 'tidak punya tenggat', 'has none');
    expectIssue(issues, ['steps', 1, 'extendable'], 'tidak punya tenggat', 'has none');
  });

  it('reminders that collide or do not fit the limit', () => {
    const t = tiny();
    t.steps[0]!.reminders = [
      { relativeTo: 'on_due', workingDays: 2 },
      { relativeTo: 'before_due', workingDays: 0 },
      { relativeTo: 'before_due', workingDays: 5 },
      { relativeTo: 'after_due', workingDays: 1 },
      { relativeTo: 'after_due', workingDays: 1 },
    ];
    const issues = issuesOf(t);
    expectIssue(issues, ['steps', 0, 'reminders', 0, 'workingDays'], 'harus 0', 'must be 0');
    expectIssue(issues, ['steps', 0, 'reminders', 1, 'workingDays'], 'gunakan on_due', 'use on_due');
    expectIssue(issues, ['steps', 0, 'reminders', 2, 'workingDays'], 'tidak muat', 'does not fit');
    expectIssue(issues, ['steps', 0, 'reminders', 4], 'Pengingat ganda', 'Duplicate reminder');
  });

  it('unknown fields, at the field itself', () => {
    const t = tiny() as unknown as { steps: Record<string, unknown>[] } & Record<string, unknown>;
    t.colour = 'red';
    t.steps[1]!.colour = 'blue';
    (t.steps[2]!.outcomes as Record<string, unknown>[])[0]!.weight = 3;
    const issues = issuesOf(t);
    expectIssue(issues, ['colour'], "Kolom 'colour' tidak dikenal", "Unknown field 'colour'");
    expectIssue(issues, ['steps', 1, 'colour'], "Kolom 'colour'", "Unknown field 'colour'");
    expectIssue(issues, ['steps', 2, 'outcomes', 0, 'weight'], "Kolom 'weight'", "Unknown field 'weight'");
  });

  it('duplicate step, outcome and checklist keys', () => {
    const t = tiny();
    t.steps.push(step('c', null));
    t.steps[0]!.outcomes.push({ key: 'done', name: { id: 'Lagi', en: 'Again' }, next: 'c' });
    const doc = { key: 'ktp', name: { id: 'KTP', en: 'ID card' }, required: true };
    t.steps[1]!.checklist = [doc, doc];
    const issues = issuesOf(t);
    expectIssue(issues, ['steps', 3, 'key'], "Kunci langkah 'c' ganda", "Duplicate step key 'c'");
    expectIssue(issues, ['steps', 0, 'outcomes', 1, 'key'], "Kunci hasil 'done' ganda", "Duplicate outcome key 'done'");
    expectIssue(issues, ['steps', 1, 'checklist', 1, 'key'], "'ktp' ganda", "Duplicate checklist item key 'ktp'");
  });

  it('a terminal status on an outcome that continues', () => {
    const t = tiny();
    t.steps[0]!.outcomes[0]!.terminal = 'failed';
    expectIssue(issuesOf(t), ['steps', 0, 'outcomes', 0, 'terminal'], 'tidak bisa mengakhiri', 'cannot end');
  });

  it('a certificate-recording step that cannot complete the programme', () => {
    const t = tiny();
    t.steps[1]!.recordsCertificate = true;
    expectIssue(
      issuesOf(t),
      ['steps', 1, 'recordsCertificate'],
      "Langkah 'b' mencatat sertifikat",
      "Step 'b' records a certificate",
    );
  });

  it('a cohort step inside a loop', () => {
    const t = tiny();
    t.steps[0]!.scope = 'cohort';
    t.steps[1]!.maxVisits = 2;
    t.steps[1]!.outcomes.push({ key: 'redo', name: { id: 'Ulang', en: 'Redo' }, next: 'a' });
    expectIssue(issuesOf(t), ['steps', 0, 'scope'], "Langkah kohort 'a'", "Cohort step 'a'");
  });

  it('malformed values with bilingual messages', () => {
    const t = tiny() as unknown as Record<string, unknown> & { steps: Record<string, unknown>[] };
    t.key = 'Tiny Programme';
    t.version = 0;
    t.steps[0]!.due = { kind: 'weeks', weeks: 2 };
    t.steps[1]!.actor = 'mayor';
    const issues = issuesOf(t);
    expectIssue(issues, ['key'], 'kebab-case', 'kebab-case');
    expectIssue(issues, ['version'], 'Harus > 0', 'Must be > 0');
    expectIssue(issues, ['steps', 0, 'due', 'kind'], 'salah satu dari', 'one of');
    expectIssue(issues, ['steps', 1, 'actor'], 'salah satu dari', 'one of');
  });

  it('numbers past their bounds, naming each field, and accepts them at the bound', () => {
    const t = tiny();
    t.steps[0] = step('a', 'b', { due: { kind: 'working_days', days: 1e9 } });
    t.steps[1] = step('b', 'c', {
      due: { kind: 'calendar_days', days: 731 },
      reminders: [{ relativeTo: 'after_due', workingDays: 61 }],
      escalation: { afterWorkingDays: 61, to: 'manager' },
      maxVisits: 21,
    });
    t.steps[2] = step('c', null, { due: { kind: 'calendar_months', months: 25 } });
    const issues = issuesOf(t);
    expectIssue(issues, ['steps', 0, 'due', 'days'], 'Hari kerja paling banyak 260', 'Working days may be at most 260');
    expectIssue(issues, ['steps', 1, 'due', 'days'], 'paling banyak 730', 'at most 730');
    expectIssue(issues, ['steps', 1, 'reminders', 0, 'workingDays'], 'paling banyak 60', 'at most 60');
    expectIssue(issues, ['steps', 1, 'escalation', 'afterWorkingDays'], 'paling banyak 60', 'at most 60');
    expectIssue(issues, ['steps', 1, 'maxVisits'], 'paling banyak 20', 'maxVisits may be at most 20');
    expectIssue(issues, ['steps', 2, 'due', 'months'], 'Bulan paling banyak 24', 'Months may be at most 24');

    t.steps[0] = step('a', 'b', { due: { kind: 'working_days', days: templateLimits.workingDays } });
    t.steps[1] = step('b', 'c', { due: { kind: 'calendar_days', days: templateLimits.calendarDays } });
    t.steps[2] = step('c', null, { due: { kind: 'calendar_months', months: templateLimits.calendarMonths } });
    expect(validateTemplate(t).ok).toBe(true);
  });
});

describe('parsing', () => {
  it('fills in the defaults: overdue notice only with a due date, empty reminders and checklist', () => {
    const input = {
      key: 'defaults',
      version: 2,
      name: { id: 'Bawaan', en: 'Defaults' },
      description: { id: 'Uji', en: 'Test' },
      firstStep: 'a',
      steps: [
        {
          key: 'a',
          name: { id: 'A', en: 'A' },
          actor: 'business',
          scope: 'business',
          due: { kind: 'calendar_months', months: 1 },
          outcomes: [{ key: 'ok', name: { id: 'Ya', en: 'Yes' }, next: 'b' }],
        },
        {
          key: 'b',
          name: { id: 'B', en: 'B' },
          actor: 'officer',
          scope: 'cohort',
          due: null,
          outcomes: [{ key: 'ok', name: { id: 'Ya', en: 'Yes' }, next: null }],
        },
      ],
    };
    const result = validateTemplate(input);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.template.steps.map((s) => [s.overdueNotice, s.reminders, s.checklist])).toEqual([
      [true, [], []],
      [false, [], []],
    ]);
  });

  it('produces exactly the shared DueRule type', () => {
    expectTypeOf<z.output<typeof dueRuleSchema>>().toEqualTypeOf<DueRule>();
  });

  it('findStep finds a step by key', () => {
    expect(findStep(halalRegular, 'lph_audit')?.actor).toBe('lph');
    expect(findStep(halalRegular, 'nope')).toBeUndefined();
  });
});

describe('property', () => {
  const slug = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,8}){0,2}$/);

  it('redirecting any outcome of any built-in to a missing step is always rejected there', () => {
    const target = fc.nat().chain((n) => {
      const t = builtInTemplates[n % builtInTemplates.length]!;
      return fc.record({
        template: fc.constant(t),
        stepIndex: fc.nat({ max: t.steps.length - 1 }),
        outcomeSeed: fc.nat(),
        next: slug.filter((key) => !t.steps.some((s) => s.key === key)),
      });
    });
    fc.assert(
      fc.property(target, ({ template, stepIndex, outcomeSeed, next }) => {
        const t = copy(template);
        const outcomes = t.steps[stepIndex]!.outcomes;
        const outcomeIndex = outcomeSeed % outcomes.length;
        outcomes[outcomeIndex]!.next = next;
        const result = validateTemplate(t);
        expect(result.ok).toBe(false);
        const path = JSON.stringify(['steps', stepIndex, 'outcomes', outcomeIndex, 'next']);
        const issue = !result.ok && result.issues.find((i) => JSON.stringify(i.path) === path);
        expect(issue && issue.message).toBe(`Langkah berikutnya '${next}' tidak ada / Unknown next step '${next}'`);
      }),
      { numRuns: 300 },
    );
  });
});
