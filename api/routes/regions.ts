import { and, asc, eq } from 'drizzle-orm';
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
      onRequest: app.authorize(['admin', 'manager', 'officer', 'business']),
      schema: {
        tags: ['registry'],
        summary: 'Kemendagri regions with their BPS codes and groupings (wilayah)',
        querystring: z
          .object({
            province: z
              .string()
              .regex(/^\d{2}$/, 'kode provinsi 2 digit / 2-digit province code')
              .optional(),
            wilayah: z
              .string()
              .regex(/^[IVX]{1,4}$/, 'wilayah dalam angka Romawi, mis. II / wilayah as a Roman numeral, e.g. II')
              .optional(),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(regionSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const { province, wilayah } = request.query;
      const items = await app.db
        .select()
        .from(regions)
        .where(
          and(
            province ? eq(regions.provinceCode, province) : undefined,
            wilayah ? eq(regions.wilayah, wilayah) : undefined,
          ),
        )
        .orderBy(asc(regions.code));
      return { items };
    },
  );
};

export default regionRoutes;
