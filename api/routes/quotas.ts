// Annual quotas: places per programme and year for an office, optionally for one of its regions. Managers set them and
// raise or lower them (never below the places in use); staff see places used and free and how many wait.
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { programmeYearFilter, programmeYearQuery } from '../programme-year-filter.js';
import { enrolments, offices, programmes, quotas, regions } from '../../db/schema.js';
import { changePlacesLimit, fillFromWaitlist } from '../../services/quota.js';
import { isUniqueViolation, officeForWrite } from '../../services/registry-businesses.js';
import { officeCovers } from '../../services/registry.js';
import { startEnrolments } from '../../services/workflows.js';
import { recordAudit } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { assertOfficeScope } from '../../services/principal.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { problemResponses, uuidParam } from '../schemas/common.js';

const staff = ['admin', 'manager', 'officer'] as const;
const managers = ['admin', 'manager'] as const;

const quotaSchema = z.object({
  id: z.uuid(),
  programmeKey: z.string(),
  year: z.number().int(),
  officeId: z.uuid(),
  regionCode: z.string().nullable().describe('null: the whole office'),
  placesLimit: z.number().int(),
  placesUsed: z.number().int(),
  placesFree: z.number().int(),
  waitlisted: z.number().int(),
  poolingDate: z.string().nullable().describe('from this date (office time zone) unused places serve the whole office'),
  pooled: z.boolean().describe('the pooling date has passed'),
  dailyCapPerAssistant: z.number().int().nullable().describe('applications a Pendamping PPH may verify per day'),
  updatedAt: z.string(),
});

const places = z.number().int().min(0).max(1_000_000);
const dailyCap = z.number().int().min(1).max(100);
const isoDate = z.iso.date('tanggal YYYY-MM-DD / date as YYYY-MM-DD');

const createBody = z
  .object({
    programmeKey: z.string().min(1).max(100),
    year: z.number().int().min(2020).max(2100),
    regionCode: z
      .string()
      .regex(/^\d{4}$/, 'kode kabupaten/kota Kemendagri 4 digit / 4-digit Kemendagri code')
      .optional(),
    placesLimit: places,
    poolingDate: isoDate.optional(),
    dailyCapPerAssistant: dailyCap.optional(),
    officeId: z.uuid().optional().describe('administrators only'),
  })
  .strict();

const patchBody = z
  .object({
    placesLimit: places.optional(),
    poolingDate: isoDate.nullable().optional(),
    dailyCapPerAssistant: dailyCap.nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'tidak ada yang diubah / nothing to change' })
  // The same rule, said in the OpenAPI document.
  .meta({ minProperties: 1 });

type QuotaRow = typeof quotas.$inferSelect;

const quotaRoutes: FastifyPluginAsyncZod = async (app) => {
  async function present(rows: QuotaRow[]) {
    const counts = await app.db
      .select({ quotaId: enrolments.quotaId, n: count() })
      .from(enrolments)
      .where(
        and(
          inArray(
            enrolments.quotaId,
            rows.map((q) => q.id),
          ),
          eq(enrolments.status, 'waitlisted'),
        ),
      )
      .groupBy(enrolments.quotaId);
    const waiting = new Map(counts.map((c) => [c.quotaId, c.n]));
    const zones = new Map(
      (await app.db.select({ id: offices.id, timeZone: offices.timeZone }).from(offices)).map((o) => [
        o.id,
        o.timeZone,
      ]),
    );
    return rows.map((q) => {
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: zones.get(q.officeId) ?? 'Asia/Makassar' }).format(
        new Date(),
      );
      return {
        id: q.id,
        programmeKey: q.programmeKey,
        year: q.year,
        officeId: q.officeId,
        regionCode: q.regionCode,
        placesLimit: q.placesLimit,
        placesUsed: q.placesUsed,
        placesFree: q.placesLimit - q.placesUsed,
        waitlisted: waiting.get(q.id) ?? 0,
        poolingDate: q.poolingDate,
        pooled: q.poolingDate !== null && q.poolingDate <= today,
        dailyCapPerAssistant: q.dailyCapPerAssistant,
        updatedAt: q.updatedAt.toISOString(),
      };
    });
  }

  async function loadVisible(request: Parameters<typeof principalOf>[0], id: string) {
    const [quota] = await app.db.select().from(quotas).where(eq(quotas.id, id));
    if (!quota) throw notFound('Kuota / Quota');
    assertOfficeScope(principalOf(request), quota.officeId, 'Kuota / Quota');
    return quota;
  }

  app.get(
    '/quotas',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['quotas'],
        summary: 'Quotas with places used and free and the waitlist length',
        querystring: programmeYearQuery,
        response: { 200: z.object({ items: z.array(quotaSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const rows = await app.db
        .select()
        .from(quotas)
        .where(programmeYearFilter(quotas, principalOf(request), request.query))
        .orderBy(asc(quotas.year), asc(quotas.programmeKey), asc(quotas.regionCode));
      return { items: await present(rows) };
    },
  );

  app.get(
    '/quotas/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['quotas'],
        summary: 'One quota',
        params: uuidParam,
        response: { 200: quotaSchema, ...problemResponses },
      },
    },
    async (request) => (await present([await loadVisible(request, request.params.id)]))[0]!,
  );

  app.post(
    '/quotas',
    {
      onRequest: app.authorize(managers),
      schema: {
        tags: ['quotas'],
        summary: 'Set the places of a programme year, for the office or one of its regions',
        body: createBody,
        response: { 201: quotaSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      const office = await officeForWrite(app.db, principal, body.officeId, 'body.officeId');
      const [programme] = await app.db.select().from(programmes).where(eq(programmes.key, body.programmeKey));
      if (!programme)
        throw invalid('Program tidak dikenal / Unknown programme', [
          { path: 'body.programmeKey', message: 'program tidak dikenal / unknown programme' },
        ]);
      if (body.regionCode) {
        const [region] = await app.db.select().from(regions).where(eq(regions.code, body.regionCode));
        if (!region || region.kind === 'province' || !officeCovers(office, region)) {
          throw invalid('Wilayah di luar kantor ini / Region outside this office', [
            {
              path: 'body.regionCode',
              message: 'bukan kabupaten/kota kantor ini / not a kabupaten/kota of this office',
            },
          ]);
        }
      }
      const created = await app.db
        .transaction(async (tx) => {
          const [row] = await tx
            .insert(quotas)
            .values({
              programmeKey: body.programmeKey,
              year: body.year,
              officeId: office.id,
              regionCode: body.regionCode ?? null,
              placesLimit: body.placesLimit,
              poolingDate: body.poolingDate ?? null,
              dailyCapPerAssistant: body.dailyCapPerAssistant ?? null,
            })
            .returning();
          await recordAudit(tx, request, {
            action: 'quota.create',
            entityType: 'quota',
            entityId: row!.id,
            officeId: office.id,
            after: row,
          });
          return row!;
        })
        .catch((err: unknown) => {
          if (isUniqueViolation(err, 'quotas_scope_unique')) {
            throw conflict(
              `Kuota ${body.programmeKey} ${body.year} untuk ${body.regionCode ?? 'seluruh kantor'} sudah ada; ubah yang itu / ` +
                `A ${body.programmeKey} ${body.year} quota for ${body.regionCode ?? 'the whole office'} exists already; change that one`,
            );
          }
          throw err;
        });
      return reply.status(201).send((await present([created]))[0]!);
    },
  );

  app.patch(
    '/quotas/:id',
    {
      onRequest: app.authorize(managers),
      schema: {
        tags: ['quotas'],
        summary:
          'Raise or lower the places (never below those in use: 409), change the pooling date or the daily cap; a raise promotes from the waitlist at once',
        params: uuidParam,
        body: patchBody,
        response: { 200: quotaSchema.extend({ promoted: z.array(z.uuid()) }), ...problemResponses },
      },
    },
    async (request) => {
      const quota = await loadVisible(request, request.params.id);
      const body = request.body;
      const at = new Date();
      const { after, promoted } = await app.db.transaction(async (tx) => {
        const [before] = await tx.select().from(quotas).where(eq(quotas.id, quota.id)).for('no key update');
        const promotedIds: string[] = [];
        if (body.placesLimit !== undefined) {
          promotedIds.push(...((await changePlacesLimit(tx, quota.id, body.placesLimit, at))?.promoted ?? []));
        }
        if (body.poolingDate !== undefined || body.dailyCapPerAssistant !== undefined) {
          await tx
            .update(quotas)
            .set({ poolingDate: body.poolingDate, dailyCapPerAssistant: body.dailyCapPerAssistant, updatedAt: at })
            .where(eq(quotas.id, quota.id));
          // An earlier pooling date may open this quota's free places to the whole office now.
          if (body.poolingDate !== undefined) promotedIds.push(...(await fillFromWaitlist(tx, quota.id, at)));
        }
        const [row] = await tx.select().from(quotas).where(eq(quotas.id, quota.id));
        await recordAudit(tx, request, {
          action: 'quota.update',
          entityType: 'quota',
          entityId: quota.id,
          officeId: quota.officeId,
          before,
          after: { ...row, promoted: promotedIds },
        });
        return { after: row!, promoted: promotedIds };
      });
      if (promoted.length > 0) {
        try {
          await startEnrolments(app.db, app.temporal, app.taskQueue, promoted);
        } catch (err) {
          request.log.warn({ err }, 'workflow start after a quota raise failed; the reconciler will retry');
        }
      }
      return { ...(await present([after]))[0]!, promoted };
    },
  );
};

export default quotaRoutes;
