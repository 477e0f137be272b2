import { asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { offices, regions } from '../../db/schema.js';
import { recordAudit } from '../audit.js';
import { invalid } from '../../domain/errors.js';
import { hhmmSchema, problemResponses, timeZoneSchema } from '../schemas/common.js';

const officeSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  level: z.enum(['province', 'kabupaten', 'kota']),
  regionCode: z.string(),
  timeZone: z.string(),
  officeHoursStart: z.string(),
  officeHoursEnd: z.string(),
});

const createOfficeSchema = z
  .object({
    name: z.string().trim().min(3).max(200),
    level: z.enum(['province', 'kabupaten', 'kota']),
    regionCode: z
      .string()
      .regex(/^\d{2}(\d{2})?$/, 'kode wilayah Kemendagri 2 atau 4 digit / 2- or 4-digit Kemendagri code'),
    timeZone: timeZoneSchema,
    officeHoursStart: hhmmSchema.default('08:00'),
    officeHoursEnd: hhmmSchema.default('16:00'),
  })
  .strict()
  .refine((o) => o.officeHoursStart < o.officeHoursEnd, {
    path: ['officeHoursEnd'],
    message: 'jam tutup harus setelah jam buka / office hours must end after they start',
  })
  // JSON Schema cannot compare two fields: the rule is said in words.
  .meta({
    description: 'officeHoursEnd harus setelah officeHoursStart / officeHoursEnd must be after officeHoursStart',
  });

const officeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/offices',
    {
      onRequest: app.authorize(['admin', 'manager', 'officer', 'business']),
      schema: {
        tags: ['registry'],
        summary: 'Dinas Perindustrian offices with their time zone and office hours',
        response: { 200: z.object({ items: z.array(officeSchema) }), ...problemResponses },
      },
    },
    async () => ({ items: await app.db.select().from(offices).orderBy(asc(offices.name)) }),
  );

  app.post(
    '/offices',
    {
      onRequest: app.authorize(['admin']),
      schema: {
        tags: ['registry'],
        summary: 'Create an office',
        body: createOfficeSchema,
        response: { 201: officeSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const [region] = await app.db.select().from(regions).where(eq(regions.code, body.regionCode));
      if (!region) {
        throw invalid('Wilayah tidak dikenal / Unknown region', [
          {
            path: 'body.regionCode',
            message: `kode ${body.regionCode} tidak ada / no region with code ${body.regionCode}`,
          },
        ]);
      }
      const office = await app.db.transaction(async (tx) => {
        const [created] = await tx.insert(offices).values(body).returning();
        await recordAudit(tx, request, {
          action: 'office.create',
          entityType: 'office',
          entityId: created!.id,
          officeId: created!.id,
          after: created,
        });
        return created!;
      });
      return reply.status(201).send(office);
    },
  );
};

export default officeRoutes;
