// The dashboard's filters and figures as the API describes them (OpenAPI at /docs), shared by /dashboard and /reports.
import { z } from 'zod';
import { enrolmentStatuses } from '../../domain/types.js';
import { wilayahs } from '../../services/dashboard-scope.js';

export const dashboardQuery = z
  .object({
    officeId: z.uuid('harus UUID / must be a UUID').optional().describe('administrators only: one office'),
    programmeKey: z.string().min(1).max(100).optional(),
    year: z.coerce.number().int().min(2020).max(2100).optional().describe('programme year; this year when absent'),
    regionCode: z
      .string()
      .regex(/^\d{2}(\d{2})?$/, 'kode Kemendagri 2 atau 4 digit / 2- or 4-digit Kemendagri code')
      .optional()
      .describe('a kabupaten/kota (4 digits) or a province (2 digits)'),
    wilayah: z.enum(wilayahs).optional().describe("a province's grouping of kabupaten/kota (Kaltim I–III)"),
  })
  .strict();

export const listQuery = {
  status: z.enum(enrolmentStatuses).optional().describe('enrolments report: only this status'),
  step: z.string().min(1).max(64).optional().describe('enrolments report: only those whose open step this is'),
  cohortId: z.uuid('harus UUID / must be a UUID').optional(),
  quotaId: z.uuid('harus UUID / must be a UUID').optional(),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'bulan YYYY-MM / month as YYYY-MM')
    .optional()
    .describe('enrolments report: took their place in this month'),
};

const text = z.object({ id: z.string(), en: z.string() });
const spread = z.object({ low: z.number(), median: z.number(), high: z.number() });
const finish = { low: z.string(), expected: z.string(), high: z.string() };

/**
 * Field work: visits planned against done per month and per team member, follow-ups awaiting, prospects converted,
 * sites due a visit.
 */
export const visitFiguresSchema = z.object({
  year: z.number().int(),
  months: z.array(z.object({ month: z.string(), planned: z.number().int(), done: z.number().int() })),
  team: z.array(
    z.object({
      month: z.string(),
      userId: z.uuid(),
      name: z.string(),
      planned: z.number().int(),
      done: z.number().int(),
    }),
  ),
  followUps: z.object({ open: z.number().int(), overdue: z.number().int() }),
  prospects: z.object({
    found: z.number().int(),
    registered: z.number().int().describe('entered the registry'),
    enrolled: z.number().int().describe('registered and enrolled in a programme'),
  }),
  sites: z.object({
    total: z.number().int().describe('sites of the inventory'),
    dueForVisit: z.number().int().describe('never visited, or last visited 6 months ago or longer'),
  }),
});

export const dashboardSchema = z.object({
  filter: z.object({
    officeIds: z.array(z.string()),
    programmeKey: z.string().nullable(),
    year: z.number().int(),
    regionCodes: z.array(z.string()),
  }),
  generatedAt: z.string(),
  zone: z.string(),
  quotas: z.array(
    z.object({
      quotaId: z.string(),
      officeId: z.string(),
      programmeKey: z.string(),
      programmeName: text,
      regionCode: z.string().nullable(),
      regionName: z.string().nullable(),
      placesLimit: z.number().int(),
      placesUsed: z.number().int(),
      placesFree: z.number().int(),
      waitlisted: z.number().int(),
      months: z.array(
        z.object({ month: z.string(), taken: z.number().int(), cumulative: z.number().int(), evenPace: z.number() }),
      ),
      runsOutOn: z.string().nullable().describe('at the pace so far this year'),
      runsOutBeforeYearEnd: z.boolean().nullable(),
    }),
  ),
  pipeline: z.array(
    z.object({
      programmeKey: z.string(),
      programmeName: text,
      byStatus: z.record(z.string(), z.number().int()),
      steps: z.array(
        z.object({
          stepKey: z.string(),
          stepName: text,
          actor: z.string(),
          atStep: z.number().int(),
          days: spread.nullable().describe('quartiles of the days a finished visit took'),
          finished: z.number().int(),
        }),
      ),
    }),
  ),
  overdue: z.object({
    total: z.number().int(),
    escalated: z.number().int(),
    items: z.array(
      z.object({
        stepInstanceId: z.string(),
        enrolmentId: z.string(),
        businessName: z.string(),
        regionName: z.string(),
        programmeKey: z.string(),
        stepKey: z.string(),
        stepName: text,
        actor: z.string().describe('who must act'),
        dueAt: z.string(),
        workingDaysLate: z.number().int(),
        escalated: z.boolean(),
      }),
    ),
  }),
  sla: z.object({
    steps: z.array(
      z.object({
        officeId: z.string(),
        officeName: z.string(),
        programmeKey: z.string(),
        stepKey: z.string(),
        stepName: text,
        legalBasis: z.string(),
        limitWorkingDays: z.number().int(),
        finished: z.number().int(),
        withinLimit: z.number().int(),
        share: z.number().nullable(),
        months: z.array(
          z.object({
            month: z.string(),
            finished: z.number().int(),
            withinLimit: z.number().int(),
            share: z.number().nullable(),
          }),
        ),
      }),
    ),
    late: z.object({
      total: z.number().int(),
      items: z.array(
        z.object({
          enrolmentId: z.string(),
          businessName: z.string(),
          officeName: z.string(),
          programmeKey: z.string(),
          stepKey: z.string(),
          stepName: text,
          limitWorkingDays: z.number().int(),
          openedAt: z.string(),
          completedAt: z.string(),
          workingDaysTaken: z.number().int(),
        }),
      ),
    }),
  }),
  regions: z.array(
    z.object({
      regionCode: z.string(),
      regionName: z.string(),
      wilayah: z.string().nullable(),
      registered: z.number().int(),
      enrolled: z.number().int(),
      completed: z.number().int(),
      sentra: z.number().int(),
      sentraMembers: z.number().int(),
    }),
  ),
  wilayah: z.array(
    z.object({
      provinceCode: z.string(),
      wilayah: z.string(),
      registered: z.number().int(),
      enrolled: z.number().int(),
      completed: z.number().int(),
      sentra: z.number().int(),
      sentraMembers: z.number().int(),
    }),
  ),
  forecasts: z.object({
    yearEnd: z.string(),
    likelyToMissYearEnd: z.number().int(),
    atRisk: z.array(
      z.object({
        enrolmentId: z.string(),
        businessName: z.string(),
        programmeKey: z.string(),
        stepKey: z.string(),
        stepName: text,
        stepOpenedAt: z.string(),
        ...finish,
      }),
    ),
    cohorts: z.array(
      z.object({ cohortId: z.string(), name: z.string(), programmeKey: z.string(), open: z.number().int(), ...finish }),
    ),
    accuracy: z.array(
      z.object({
        programmeKey: z.string(),
        programmeName: text,
        forecastDays: z.number(),
        finishedCases: z.number().int(),
        meanAbsoluteErrorDays: z.number().nullable(),
      }),
    ),
  }),
  visits: visitFiguresSchema.describe('field work of the offices in view; not narrowed by programme or region'),
});
