// The IKM registry. Officers and managers see and change their own office's businesses (others answer 404); a business
// user sees only itself; administrators see every office and name the office they write to.
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { z } from 'zod';
import { businesses } from '../../db/schema.js';
import { CsvHeaderError, importBusinessesCsv, type ImportProgress } from '../../services/csv-import.js';
import {
  bpsCodeSchema,
  businessFieldsSchema,
  certificateInputSchema,
  kemendagriCodeSchema,
} from '../../services/registry.js';
import { createBusiness, deleteBusiness, officeForWrite, updateBusiness } from '../../services/registry-businesses.js';
import { decodeCursor, pageBusinesses, type BusinessFilter } from '../../services/registry-query.js';
import { presentBusinesses } from '../../services/registry.js';
import { principalOf } from '../plugins/auth.js';
import { cacheListAnswer } from '../plugins/read-cache.js';
import { type Principal, assertBusinessScope } from '../../services/principal.js';
import { invalid, notFound } from '../../domain/errors.js';
import { HttpProblem } from '../problem.js';
import { problemResponses, uuidParam } from '../schemas/common.js';
import { sourceOf } from '../audit.js';

const everyone = ['admin', 'manager', 'officer', 'business'] as const;
const staff = ['admin', 'manager', 'officer'] as const;

/** A CSV of 83,000 IKM is about 20 MB; the limit leaves room and applies to this route only. */
export const importBodyLimitBytes = 50 * 1024 * 1024;

export const businessSchema = z.object({
  id: z.uuid(),
  officeId: z.uuid(),
  name: z.string(),
  ownerName: z.string(),
  nib: z.string(),
  kbli: z.string(),
  regionCode: z.string().describe('Kemendagri code'),
  regionName: z.string(),
  address: z.string().nullable(),
  phone: z.string().nullable().describe('phone/WhatsApp number, +62…'),
  email: z.string().nullable(),
  products: z.array(z.string()),
  workers: z.number().int().nullable(),
  exportOriented: z.boolean(),
  sentra: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  preferredLanguage: z.enum(['id', 'en']),
  certified: z.boolean().describe('holds a valid certificate'),
  certificates: z.array(
    z.object({
      id: z.uuid(),
      kind: z.string(),
      number: z.string(),
      issuedOn: z.string(),
      scope: z.string(),
      status: z.enum(['valid', 'superseded', 'revoked']),
      enrolmentId: z.uuid().nullable(),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/**
 * What the registry list shows of each business. Contact details, products, workers, language and the certificates
 * themselves (`certified` says whether one is valid) are the detail's, `GET /businesses/{id}`: a list page stays small,
 * and does not hand out 50 owners' phone numbers and e-mail addresses at a time.
 */
const businessSummarySchema = businessSchema
  .pick({
    id: true,
    officeId: true,
    name: true,
    ownerName: true,
    nib: true,
    kbli: true,
    regionCode: true,
    regionName: true,
    exportOriented: true,
    sentra: true,
    certified: true,
    updatedAt: true,
  })
  .describe(
    'Ringkasan untuk daftar; kontak, produk dan sertifikat di GET /businesses/{id} / ' +
      'A summary for lists; contacts, products and certificates are in GET /businesses/{id}',
  );

const regionFields = {
  regionCode: kemendagriCodeSchema.optional().describe('Kemendagri kabupaten/kota code (give this or bpsCode)'),
  bpsCode: bpsCodeSchema.optional().describe('BPS kabupaten/kota code (give this or regionCode)'),
};

const createBody = businessFieldsSchema
  .extend({
    products: businessFieldsSchema.shape.products.default([]),
    exportOriented: businessFieldsSchema.shape.exportOriented.default(false),
    preferredLanguage: businessFieldsSchema.shape.preferredLanguage.default('id'),
    ...regionFields,
    sentraId: z.uuid().nullable().optional(),
    certificates: z.array(certificateInputSchema).max(20).optional().describe('certificates held, recorded by hand'),
    officeId: z.uuid().optional().describe('administrators only: the office the business belongs to'),
  })
  .strict();

const patchBody = businessFieldsSchema
  .partial()
  .extend({
    ...regionFields,
    sentraId: z.uuid().nullable().optional(),
    certificates: z
      .array(certificateInputSchema)
      .max(20)
      .optional()
      .describe('replaces the certificates recorded by hand'),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'tidak ada yang diubah / nothing to change' })
  // The same rule, said in the OpenAPI document.
  .meta({ minProperties: 1 });

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

const listQuery = z
  .object({
    q: z.string().trim().min(1).max(100).optional().describe('part of the name, or the start of the NIB'),
    regionCode: z
      .string()
      .regex(/^\d{2}(\d{2})?$/, 'kode Kemendagri 2 atau 4 digit / 2- or 4-digit Kemendagri code')
      .optional(),
    kbli: z
      .string()
      .regex(
        /^\d{1,5}(,\d{1,5})*$/,
        'awalan KBLI dipisah koma, mis. 10,11 / KBLI prefixes separated by commas, e.g. 10,11',
      )
      .transform((v) => v.split(','))
      .optional(),
    sentraId: z.uuid().optional(),
    exportOriented: flag.optional(),
    certified: flag.optional(),
    officeId: z.uuid().optional().describe('administrators: one office only'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(500).optional(),
  })
  .strict();

/** What a principal may list: its office, or itself; an administrator everything or the office it names. */
function visibleTo(
  principal: Principal,
  officeId: string | undefined,
): Pick<BusinessFilter, 'officeId' | 'businessId'> {
  if (principal.role === 'business') {
    if (!principal.businessId)
      throw new HttpProblem(403, 'Akun ini tidak terikat pada usaha / This account belongs to no business');
    return { businessId: principal.businessId };
  }
  if (principal.role === 'admin') return officeId ? { officeId } : {};
  if (officeId && officeId !== principal.officeId) {
    throw invalid('Kantor diambil dari akun Anda / The office comes from your account', [
      {
        path: 'querystring.officeId',
        message: 'hanya admin yang memilih kantor / only administrators choose the office',
      },
    ]);
  }
  if (!principal.officeId)
    throw new HttpProblem(403, 'Akun ini tidak terikat pada kantor / This account belongs to no office');
  return { officeId: principal.officeId };
}

/** Counts the bytes of a streamed body and stops it past the limit, which Fastify cannot do for a stream it hands over. */
function limitBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > max)
        done(
          new HttpProblem(
            413,
            `Berkas lebih dari ${max / 1024 / 1024} MB / The file is larger than ${max / 1024 / 1024} MB`,
          ),
        );
      else done(null, chunk);
    },
  });
}

const businessRoutes: FastifyPluginAsyncZod = async (app) => {
  // Only this plugin's routes take text/csv, and they take it as a stream. The stream is kept beside the request, not
  // as its body, so hooks that inspect bodies (input guard, idempotency fingerprint) never walk a socket's object graph.
  const csvBodies = new WeakMap<object, Readable>();
  app.addContentTypeParser(['text/csv', 'application/csv'], (request, payload, done) => {
    csvBodies.set(request, payload);
    done(null, undefined);
  });

  app.get(
    '/businesses',
    {
      onRequest: app.authorize(everyone),
      config: { readCache: 'scoped' },
      schema: {
        tags: ['registry'],
        summary: 'The IKM registry: search by name or NIB, filters, pages by an opaque cursor',
        description:
          'Tiap butir adalah ringkasan; kontak, produk dan sertifikat ada di GET /businesses/{id} / ' +
          'Each item is a summary; contacts, products and certificates are in GET /businesses/{id}',
        querystring: listQuery,
        response: {
          200: z.object({ items: z.array(businessSummarySchema), nextCursor: z.string().nullable() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, officeId, ...filters } = request.query;
      const after = cursor ? decodeCursor(cursor) : null;
      if (cursor && !after) {
        throw invalid('Kursor tidak valid / Invalid cursor', [
          {
            path: 'querystring.cursor',
            message: 'pakai nextCursor dari halaman sebelumnya / use nextCursor from the previous page',
          },
        ]);
      }
      const page = await pageBusinesses(
        app.db,
        { ...filters, ...visibleTo(principalOf(request), officeId) },
        { limit, after },
      );
      const answer = { items: await presentBusinesses(app.db, page.items), nextCursor: page.nextCursor };
      cacheListAnswer(request);
      return answer;
    },
  );

  app.get(
    '/businesses/:id',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['registry'],
        summary: 'One business',
        params: uuidParam,
        response: { 200: businessSchema, ...problemResponses },
      },
    },
    async (request) => {
      const [row] = await app.db.select().from(businesses).where(eq(businesses.id, request.params.id));
      if (!row) throw notFound('Usaha / Business');
      assertBusinessScope(principalOf(request), row, 'Usaha / Business');
      return (await presentBusinesses(app.db, [row]))[0]!;
    },
  );

  app.post(
    '/businesses',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['registry'],
        summary: 'Register a business',
        body: createBody,
        response: { 201: businessSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await createBusiness(app.db, sourceOf(request), request.body);
      return reply.status(201).send(created);
    },
  );

  app.patch(
    '/businesses/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['registry'],
        summary: 'Change a business',
        params: uuidParam,
        body: patchBody,
        response: { 200: businessSchema, ...problemResponses },
      },
    },
    async (request) => updateBusiness(app.db, sourceOf(request), request.params.id, request.body),
  );

  app.delete(
    '/businesses/:id',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['registry'],
        summary: 'Remove a business entered by mistake (not one with enrolments)',
        params: uuidParam,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await deleteBusiness(app.db, sourceOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/businesses/import',
    {
      onRequest: app.authorize(staff),
      bodyLimit: importBodyLimitBytes,
      schema: {
        tags: ['registry'],
        summary:
          'Import businesses from a CSV file (Content-Type: text/csv), upserting on NIB; bad rows are reported by line',
        description:
          'Columns (Indonesian or English names): nama/name, pemilik/owner_name, nib, kbli, kode_wilayah/region_code (Kemendagri) ' +
          'or kode_bps/bps_code, alamat/address, telepon/phone, email, produk/products (separated by |, ; or ,), ' +
          'tenaga_kerja/workers, orientasi_ekspor/export_oriented (ya/tidak), sentra (name), bahasa/preferred_language (id/en). ' +
          'Comma- or semicolon-separated. With Accept: application/x-ndjson the answer streams a progress line per ' +
          'batch of 1,000 rows ({"type":"progress","rows","imported","updated","rejected"}) and ends with the summary ' +
          '({"type":"summary",...}).',
        querystring: z
          .object({ officeId: z.uuid().optional().describe('administrators: the office to import into') })
          .strict(),
        response: {
          200: z.object({
            imported: z.number().int(),
            updated: z.number().int(),
            rejected: z.array(z.object({ line: z.number().int(), reason: z.string() })),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = csvBodies.get(request);
      if (!body) {
        throw new HttpProblem(
          415,
          'Kirim berkas CSV dengan Content-Type text/csv / Send the CSV file with Content-Type: text/csv',
        );
      }
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > importBodyLimitBytes) {
        throw new HttpProblem(
          413,
          `Berkas lebih dari ${importBodyLimitBytes / 1024 / 1024} MB / The file is larger than ${importBodyLimitBytes / 1024 / 1024} MB`,
        );
      }
      const office = await officeForWrite(app.db, principal, request.query.officeId, 'querystring.officeId');
      const limited = limitBytes(importBodyLimitBytes);
      body.on('error', (err) => limited.destroy(err)).pipe(limited);
      // With Accept: application/x-ndjson the client follows the import as it goes: a progress line per batch, then
      // the summary. The stream opens with the first batch, so a bad header still gets its 400 problem+json.
      const progress = /application\/x-ndjson/.test(request.headers.accept ?? '') ? new PassThrough() : null;
      const line = (value: object) => progress!.write(`${JSON.stringify(value)}\n`);
      let reportedRows = -1;
      const report = (p: ImportProgress) => {
        // The importer also reports when a batch adds no row (the final flush); one line per change is enough.
        if (p.rows === reportedRows) return;
        reportedRows = p.rows;
        open();
        line({ type: 'progress', ...p });
      };
      let opened = false;
      const open = () => {
        if (!progress || opened) return;
        opened = true;
        // A stream: the 200 schema describes the JSON answer, not this one.
        void reply.type('application/x-ndjson; charset=utf-8').send(progress as never);
      };
      try {
        const summary = await importBusinessesCsv(app.db, limited, {
          source: { requestId: request.id, principal },
          officeId: office.id,
          ...(progress ? { onProgress: report } : {}),
        });
        if (!progress) return summary;
        open();
        line({ type: 'summary', ...summary });
        progress.end();
        return reply;
      } catch (err) {
        if (progress && opened) {
          request.log.error({ err }, 'import failed after it had started streaming');
          line({
            type: 'error',
            detail:
              'Impor terhenti; baris yang sudah diproses tetap tersimpan / The import stopped; rows already processed are kept',
          });
          progress.end();
          return reply;
        }
        if (err instanceof CsvHeaderError) {
          throw invalid(
            `Baris kepala CSV tidak dapat dipakai / The CSV header cannot be used: ${err.message}`,
            err.issues.map((message) => ({ path: 'body', message })),
          );
        }
        throw err;
      }
    },
  );
};

export default businessRoutes;
