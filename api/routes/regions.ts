import { asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { regions } from '../../db/schema.js';
import { problemResponses } from '../schemas/common.js';

const regionSchema = z.object({
  code: z.string(),
  bpsCode: z.string(),
  name: z.string(),
  kind: z.enum(['province', 'kabupaten', 'kota']),
  provinceCode: z.string().nullable(),
  wilayah: z.string().nullable(),
});

const regionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/regions',
    {
      preHandler: app.authorize(['admin', 'manager', 'officer', 'business']),
      schema: {
        tags: ['registry'],
        summary: 'Kemendagri regions with their BPS codes and groupings (wilayah)',
        querystring: z.object({ province: z.string().regex(/^\d{2}$/, 'kode provinsi 2 digit / 2-digit province code').optional() }).strict(),
        response: { 200: z.object({ items: z.array(regionSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const { province } = request.query;
      const items = await app.db
        .select()
        .from(regions)
        .where(province ? eq(regions.provinceCode, province) : undefined)
        .orderBy(asc(regions.code));
      return { items };
    },
  );
};

export default regionRoutes;
