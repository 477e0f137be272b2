// The office calendar: decreed holidays and cuti bersama (national), office closures, and for a year nobody has
// decreed yet, the library's dates flagged "not decreed" until an officer enters the decree.
import { and, asc, eq, gte, isNull, lte, or } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { calendarDays, calendarYears, offices } from '../../db/schema.js';
import { fallbackClosedDates } from '../../domain/holiday-fallback.js';
import { signalCalendarChange } from '../../services/calendar-change.js';
import { recordAudit } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { assertOfficeScope } from '../../services/principal.js';
import { conflict, notFound } from '../../domain/errors.js';
import { HttpProblem } from '../problem.js';
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
  /** Tells running enrolments after the answer is sent: the correction is committed, the signals may take a while. */
  function afterChange(officeId: string | null, log: { error: (o: object, m: string) => void }) {
    void signalCalendarChange(app.db, app.temporal, officeId).catch((err: unknown) =>
      log.error({ err }, 'calendar change signals failed'),
    );
  }

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
      const days: z.infer<typeof daySchema>[] = rows.map((r) => ({
        id: r.id,
        date: r.date,
        kind: r.kind,
        nameId: r.nameId,
        nameEn: r.nameEn,
        officeId: r.officeId,
        source: r.source,
      }));
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
      const principal = principalOf(request);
      const body = request.body;
      if (body.officeId) {
        const [office] = await app.db.select({ id: offices.id }).from(offices).where(eq(offices.id, body.officeId));
        if (!office) throw notFound('Kantor / Office');
        assertOfficeScope(principal, body.officeId, 'Kantor / Office');
      } else if (principal.role !== 'admin') {
        // A national day moves the deadlines of every office, so it is not one office's decision.
        throw new HttpProblem(
          403,
          'Libur nasional hanya diubah oleh administrator / National days are changed by an administrator only',
        );
      }
      const day = await app.db.transaction(async (tx) => {
        const [created] = await tx
          .insert(calendarDays)
          .values({ ...body, officeId: body.officeId ?? null, source: 'officer' })
          .onConflictDoNothing()
          .returning();
        if (!created)
          throw conflict(
            `${body.date} sudah tercatat sebagai ${body.kind} / ${body.date} is already recorded as ${body.kind}`,
          );
        await recordAudit(tx, request, {
          action: 'calendar.day.add',
          entityType: 'calendar_day',
          entityId: created.id,
          officeId: created.officeId,
          after: created,
        });
        return created;
      });
      afterChange(day.officeId, request.log);
      return reply.status(201).send({
        id: day.id,
        date: day.date,
        kind: day.kind,
        nameId: day.nameId,
        nameEn: day.nameEn,
        officeId: day.officeId,
        source: day.source,
      });
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
      const principal = principalOf(request);
      const [day] = await app.db.select().from(calendarDays).where(eq(calendarDays.id, request.params.id));
      if (!day) throw notFound('Hari libur / Day');
      if (day.officeId) assertOfficeScope(principal, day.officeId, 'Hari libur / Day');
      else if (principal.role !== 'admin') {
        throw new HttpProblem(
          403,
          'Libur nasional hanya diubah oleh administrator / National days are changed by an administrator only',
        );
      }
      await app.db.transaction(async (tx) => {
        await tx.delete(calendarDays).where(eq(calendarDays.id, day.id));
        await recordAudit(tx, request, {
          action: 'calendar.day.remove',
          entityType: 'calendar_day',
          entityId: day.id,
          officeId: day.officeId,
          before: day,
        });
      });
      afterChange(day.officeId, request.log);
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
      const { year } = request.params;
      const row = await app.db.transaction(async (tx) => {
        const [saved] = await tx
          .insert(calendarYears)
          .values({ year, decreed: true, decree: request.body.decree })
          .onConflictDoUpdate({
            target: calendarYears.year,
            set: { decreed: true, decree: request.body.decree, updatedAt: new Date() },
          })
          .returning();
        await recordAudit(tx, request, {
          action: 'calendar.year.decree',
          entityType: 'calendar_year',
          entityId: String(year),
          after: saved,
        });
        return saved!;
      });
      afterChange(null, request.log);
      return { year: row.year, decreed: row.decreed, decree: row.decree };
    },
  );
};

export default calendarRoutes;
