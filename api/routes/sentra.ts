// Sentra industri: named clusters of IKM of one trade in one region. A business joins one through its sentraId.
import { and, asc, count, eq, inArray, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { businesses, sentra } from '../../db/schema.js';
import { isUniqueViolation, officeForWrite } from '../../services/registry-businesses.js';
import {
  bpsCodeSchema,
  kemendagriCodeSchema,
  loadRegionIndex,
  officeCovers,
  outsideOffice,
  resolveRegion,
} from '../../services/registry.js';
import { recordAudit } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { assertOfficeScope } from '../../services/principal.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { problemResponses, uuidParam } from '../schemas/common.js';

const staff = ['admin', 'manager', 'officer'] as const;
/** The first members by name shown with a sentra; the registry pages through the rest (?sentraId=). */
const membersShown = 100;

const sentraSchema = z.object({
  id: z.uuid(),
  officeId: z.uuid(),
  regionCode: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  memberCount: z.number().int(),
});
const detailSchema = sentraSchema.extend({
  members: z
    .array(z.object({ id: z.uuid(), name: z.string(), nib: z.string(), exportOriented: z.boolean() }))
    .describe(`the first ${membersShown} by name`),
});

const name = z.string().trim().min(3).max(200);
const description = z.string().trim().max(1000);

type SentraRow = typeof sentra.$inferSelect;

const duplicate = (n: string) =>
  conflict(`Sentra "${n}" sudah ada di kantor ini / A sentra "${n}" exists already in this office`);

const sentraRoutes: FastifyPluginAsyncZod = async (app) => {
  async function present(rows: SentraRow[]) {
    const counts = await app.db
      .select({ sentraId: businesses.sentraId, n: count() })
      .from(businesses)
      .where(
        inArray(
          businesses.sentraId,
          rows.map((s) => s.id),
        ),
      )
      .groupBy(businesses.sentraId);
    const members = new Map(counts.map((c) => [c.sentraId, c.n]));
    return rows.map((s) => ({
      id: s.id,
      officeId: s.officeId,
      regionCode: s.regionCode,
      name: s.name,
      description: s.description,
      memberCount: members.get(s.id) ?? 0,
    }));
  }

  async function detail(row: SentraRow) {
    const members = await app.db
      .select({
        id: businesses.id,
        name: businesses.name,
        nib: businesses.nib,
        exportOriented: businesses.exportOriented,
      })
      .from(businesses)
      .where(eq(businesses.sentraId, row.id))
      .orderBy(asc(businesses.name), asc(businesses.id))
      .limit(membersShown);
    return { ...(await present([row]))[0]!, members };
  }

  async function loadVisible(request: Parameters<typeof principalOf>[0], id: string) {
    const [row] = await app.db.select().from(sentra).where(eq(sentra.id, id));
    if (!row) throw notFound('Sentra');
    assertOfficeScope(principalOf(request), row.officeId, 'Sentra');
    return row;
  }

  app.get(
    '/sentra',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['registry'],
        summary: 'Sentra industri of the office, with their member counts',
        querystring: z
          .object({
            regionCode: z
              .string()
              .regex(/^\d{4}$/, 'kode kabupaten/kota Kemendagri 4 digit / 4-digit Kemendagri code')
              .optional(),
            officeId: z.uuid().optional().describe('administrators: one office only'),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(sentraSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const scope = principal.role === 'admin' ? request.query.officeId : (principal.officeId ?? '');
      const where: (SQL | undefined)[] = [
        scope ? eq(sentra.officeId, scope) : undefined,
        request.query.regionCode ? eq(sentra.regionCode, request.query.regionCode) : undefined,
      ];
      const rows = await app.db
        .select()
        .from(sentra)
        .where(and(...where))
        .orderBy(asc(sentra.name));
      return { items: await present(rows) };
    },
  );

  app.get(
    '/sentra/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['registry'],
        summary: 'One sentra and its members',
        params: uuidParam,
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => detail(await loadVisible(request, request.params.id)),
  );

  app.post(
    '/sentra',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['registry'],
        summary: 'Form a sentra in a kabupaten/kota of the office',
        body: z
          .object({
            name,
            description: description.optional(),
            regionCode: kemendagriCodeSchema.optional().describe('Kemendagri code (or bpsCode)'),
            bpsCode: bpsCodeSchema.optional(),
            officeId: z.uuid().optional().describe('administrators only'),
          })
          .strict(),
        response: { 201: detailSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body;
      const office = await officeForWrite(app.db, principal, body.officeId, 'body.officeId');
      const resolved = resolveRegion(await loadRegionIndex(app.db), body, {
        regionCode: 'body.regionCode',
        bpsCode: 'body.bpsCode',
      });
      if ('issue' in resolved) throw invalid('Wilayah tidak valid / Invalid region', [resolved.issue]);
      if (!officeCovers(office, resolved.region)) {
        throw invalid('Wilayah di luar kantor ini / Region outside this office', [
          { path: body.regionCode ? 'body.regionCode' : 'body.bpsCode', message: outsideOffice(resolved.region) },
        ]);
      }
      const created = await app.db
        .transaction(async (tx) => {
          const [row] = await tx
            .insert(sentra)
            .values({
              name: body.name,
              description: body.description ?? null,
              regionCode: resolved.region.code,
              officeId: office.id,
            })
            .returning();
          await recordAudit(tx, request, {
            action: 'sentra.create',
            entityType: 'sentra',
            entityId: row!.id,
            officeId: office.id,
            after: row,
          });
          return row!;
        })
        .catch((err: unknown) => {
          throw isUniqueViolation(err, 'sentra_office_name_unique') ? duplicate(body.name) : err;
        });
      return reply.status(201).send(await detail(created));
    },
  );

  app.patch(
    '/sentra/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['registry'],
        summary: 'Rename a sentra or change its description',
        params: uuidParam,
        body: z
          .object({ name: name.optional(), description: description.nullable().optional() })
          .strict()
          .refine((b) => Object.keys(b).length > 0, { message: 'tidak ada yang diubah / nothing to change' })
          // The same rule, said in the OpenAPI document.
          .meta({ minProperties: 1 }),
        response: { 200: detailSchema, ...problemResponses },
      },
    },
    async (request) => {
      const before = await loadVisible(request, request.params.id);
      const updated = await app.db
        .transaction(async (tx) => {
          const [row] = await tx.update(sentra).set(request.body).where(eq(sentra.id, before.id)).returning();
          await recordAudit(tx, request, {
            action: 'sentra.update',
            entityType: 'sentra',
            entityId: before.id,
            officeId: before.officeId,
            before,
            after: row,
          });
          return row!;
        })
        .catch((err: unknown) => {
          throw isUniqueViolation(err, 'sentra_office_name_unique') ? duplicate(request.body.name ?? '') : err;
        });
      return detail(updated);
    },
  );

  app.delete(
    '/sentra/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['registry'],
        summary: 'Dissolve a sentra that has no members',
        params: uuidParam,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const before = await loadVisible(request, request.params.id);
      await app.db.transaction(async (tx) => {
        // Holding the row keeps a business from joining between the count and the delete.
        await tx.select({ id: sentra.id }).from(sentra).where(eq(sentra.id, before.id)).for('update');
        const [members] = await tx.select({ n: count() }).from(businesses).where(eq(businesses.sentraId, before.id));
        if (members && members.n > 0) {
          throw conflict(`Sentra ini masih punya ${members.n} anggota / This sentra still has ${members.n} members`, {
            memberCount: members.n,
          });
        }
        await tx.delete(sentra).where(eq(sentra.id, before.id));
        await recordAudit(tx, request, {
          action: 'sentra.delete',
          entityType: 'sentra',
          entityId: before.id,
          officeId: before.officeId,
          before,
        });
      });
      return reply.status(204).send(null);
    },
  );
};

export default sentraRoutes;
