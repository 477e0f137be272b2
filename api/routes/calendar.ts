// The office calendar: decreed holidays and cuti bersama (national), office closures, and for a year nobody has
// decreed yet, the library's dates flagged "not decreed" until an officer enters the decree.
import { and, asc, eq, gte, isNull, lte, or } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { calendarDays, calendarYears, offices } from '../../db/schema.js';
import { fallbackClosedDates } from '../../domain/holiday-fallback.js';
import {
  addCalendarDay,
  decreeCalendarYear,
  removeCalendarDay,
  startCalendarFanOut,
  type CalendarChange,
  type CalendarDay,
} from '../../services/calendar-change.js';
import { auditContext } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { assertOfficeScope } from '../../services/principal.js';
import { notFound } from '../../domain/errors.js';
import { problemResponses, uuidParam } from '../schemas/common.js';

const dayKinds = ['holiday', 'cuti_bersama', 'office_closure'] as const;

const daySchema = z.object({
  id: z.uuid().nullable(),
  date: z.string(),
  kind: z.enum(dayKinds),
  nameId: z.string(),
  nameEn: z.string(),
  officeId: z.uuid().nullable(),
  source: z.enum(['decree', 'library', 'officer']),
});

const yearSchema = z.object({
  year: z.number().int(),
  decreed: z.boolean(),
  decree: z.string().nullable(),
  notice: z.string().nullable(),
  days: z.array(daySchema),
});

const yearParam = z.coerce.number().int().min(2000).max(2100);

const newDayBody = z
  .object({
    date: z.iso.date(),
    kind: z.enum(dayKinds),
    nameId: z.string().trim().min(2).max(200),
    nameEn: z.string().trim().min(2).max(200),
    /** Required for an office closure; national days have none. */
    officeId: z.uuid().optional(),
  })
  .strict()
  .refine((d) => (d.kind === 'office_closure') === (d.officeId !== undefined), {
    path: ['officeId'],
    message:
      'penutupan kantor wajib menyebut kantor; libur nasional tidak / an office closure names its office, a national day does not',
  });

const calendarRoutes: FastifyPluginAsyncZod = async (app) => {
  /**
   * Starts the fan-out of a committed correction; the signals themselves go on in the worker, not in this request.
   * A failed start is left to the reconciler (the outbox row stays), so the correction stands either way.
   */
  async function fanOut(change: CalendarChange, log: FastifyBaseLogger) {
    try {
      await startCalendarFanOut(app.db, app.temporal, app.taskQueue, change);
    } catch (err) {
      log.warn({ err }, 'calendar fan-out start failed; the reconciler will retry');
    }
  }

  const present = (day: CalendarDay): z.infer<typeof daySchema> => ({
    id: day.id,
    date: day.date,
    kind: day.kind,
    nameId: day.nameId,
    nameEn: day.nameEn,
    officeId: day.officeId,
    source: day.source,
  });

  app.get(
    '/calendar',
    {
      onRequest: app.authorize(['admin', 'manager', 'officer', 'business']),
      schema: {
        tags: ['calendar'],
        summary: 'Non-working days of a year: national holidays, cuti bersama and (with officeId) office closures',
        querystring: z.object({ year: yearParam, officeId: z.uuid().optional() }).strict(),
        response: { 200: yearSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { year, officeId } = request.query;
      const principal = principalOf(request);
      if (officeId) {
        const [office] = await app.db.select({ id: offices.id }).from(offices).where(eq(offices.id, officeId));
        if (!office) throw notFound('Kantor / Office');
        if (principal.role !== 'business') assertOfficeScope(principal, officeId, 'Kantor / Office');
      }
      const [decree] = await app.db.select().from(calendarYears).where(eq(calendarYears.year, year));
      const rows = await app.db
        .select()
        .from(calendarDays)
        .where(
          and(
            gte(calendarDays.date, `${year}-01-01`),
            lte(calendarDays.date, `${year}-12-31`),
            officeId
              ? or(isNull(calendarDays.officeId), eq(calendarDays.officeId, officeId))
              : isNull(calendarDays.officeId),
          ),
        )
        .orderBy(asc(calendarDays.date));
      const decreed = decree?.decreed ?? false;
      const days = rows.map(present);
      if (!decreed) {
        const entered = new Set(days.map((d) => d.date));
        for (const h of fallbackClosedDates(year)) {
          if (!entered.has(h.date))
            days.push({
              id: null,
              date: h.date,
              kind: 'holiday',
              nameId: h.nameId,
              nameEn: h.nameEn,
              officeId: null,
              source: 'library',
            });
        }
        days.sort((a, b) => a.date.localeCompare(b.date));
      }
      return {
        year,
        decreed,
        decree: decree?.decree ?? null,
        notice: decreed
          ? null
          : `SKB ${year} belum dimasukkan: tanggal dari pustaka, tanpa cuti bersama / The ${year} decree is not entered: library dates, no cuti bersama`,
        days,
      };
    },
  );

  app.post(
    '/calendar/days',
    {
      onRequest: app.authorize(['admin', 'manager', 'officer']),
      schema: {
        tags: ['calendar'],
        summary: 'Add a non-working day; running deadlines that have not passed move',
        body: newDayBody,
        response: { 201: daySchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { day, change } = await addCalendarDay(app.db, auditContext(request), request.body);
      await fanOut(change, request.log);
      return reply.status(201).send(present(day));
    },
  );

  app.delete(
    '/calendar/days/:id',
    {
      onRequest: app.authorize(['admin', 'manager', 'officer']),
      schema: {
        tags: ['calendar'],
        summary: 'Remove a non-working day entered by mistake',
        params: uuidParam,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await fanOut(await removeCalendarDay(app.db, auditContext(request), request.params.id), request.log);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/calendar/years/:year',
    {
      onRequest: app.authorize(['admin']),
      schema: {
        tags: ['calendar'],
        summary: "Mark a year's holidays as decreed (SKB 3 Menteri entered): the library's dates no longer apply",
        params: z.object({ year: yearParam }),
        body: z.object({ decree: z.string().trim().min(3).max(500) }).strict(),
        response: {
          200: z.object({ year: z.number().int(), decreed: z.boolean(), decree: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { saved, change } = await decreeCalendarYear(
        app.db,
        auditContext(request),
        request.params.year,
        request.body.decree,
      );
      await fanOut(change, request.log);
      return { year: saved.year, decreed: saved.decreed, decree: saved.decree };
    },
  );
};

export default calendarRoutes;
