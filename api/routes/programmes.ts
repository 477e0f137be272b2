// Programme templates: versioned data, never code. A published version is immutable; running enrolments keep theirs.
import { and, desc, eq, max } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { programmes, programmeVersions } from '../../db/schema.js';
import { validateTemplate, type TemplateIssue } from '../../domain/template.js';
import { recordAudit } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { conflict, notFound } from '../../domain/errors.js';
import { HttpProblem } from '../problem.js';
import { problemResponses } from '../schemas/common.js';

const everyone = ['admin', 'manager', 'officer', 'business'] as const;
const keyParam = z.object({
  key: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kunci program tidak valid / invalid programme key')
    .max(64),
});

const programmeSchema = z.object({
  key: z.string(),
  name: z.object({ id: z.string(), en: z.string() }),
  builtIn: z.boolean(),
  latestVersion: z.number().int(),
});
const versionSchema = z.object({
  key: z.string(),
  version: z.number().int(),
  publishedAt: z.string(),
  template: z.unknown(),
});

/** Template issues as problem+json field errors under the request body. */
function invalidTemplate(issues: TemplateIssue[]): HttpProblem {
  return new HttpProblem(
    400,
    `Template tidak valid / Invalid template: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    {
      errors: issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message })),
    },
  );
}

const programmeRoutes: FastifyPluginAsyncZod = async (app) => {
  const latest = () =>
    app.db
      .select({
        key: programmes.key,
        nameId: programmes.nameId,
        nameEn: programmes.nameEn,
        builtIn: programmes.builtIn,
        latestVersion: max(programmeVersions.version),
      })
      .from(programmes)
      .innerJoin(programmeVersions, eq(programmeVersions.programmeKey, programmes.key))
      .groupBy(programmes.key);

  const present = (r: Awaited<ReturnType<typeof latest>>[number]) => ({
    key: r.key,
    name: { id: r.nameId, en: r.nameEn },
    builtIn: r.builtIn,
    latestVersion: r.latestVersion ?? 0,
  });

  app.get(
    '/programmes',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['programmes'],
        summary: 'Programmes with their latest version',
        response: { 200: z.object({ items: z.array(programmeSchema) }), ...problemResponses },
      },
    },
    async () => ({ items: (await latest().orderBy(programmes.key)).map(present) }),
  );

  app.get(
    '/programmes/:key',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['programmes'],
        summary: 'A programme and its latest template',
        params: keyParam,
        response: { 200: programmeSchema.extend({ template: z.unknown() }), ...problemResponses },
      },
    },
    async (request) => {
      const [row] = await latest().where(eq(programmes.key, request.params.key));
      if (!row) throw notFound('Program / Programme');
      const [version] = await app.db
        .select()
        .from(programmeVersions)
        .where(and(eq(programmeVersions.programmeKey, row.key), eq(programmeVersions.version, row.latestVersion ?? 0)));
      return { ...present(row), template: version?.template ?? null };
    },
  );

  app.get(
    '/programmes/:key/versions',
    {
      onRequest: app.authorize(everyone),
      schema: {
        tags: ['programmes'],
        summary: 'Every published version of a programme, newest first',
        params: keyParam,
        response: { 200: z.object({ items: z.array(versionSchema) }), ...problemResponses },
      },
    },
    async (request) => {
      const rows = await app.db
        .select()
        .from(programmeVersions)
        .where(eq(programmeVersions.programmeKey, request.params.key))
        .orderBy(desc(programmeVersions.version));
      if (rows.length === 0) throw notFound('Program / Programme');
      return {
        items: rows.map((r) => ({
          key: r.programmeKey,
          version: r.version,
          publishedAt: r.publishedAt.toISOString(),
          template: r.template,
        })),
      };
    },
  );

  app.post(
    '/programmes/validate',
    {
      onRequest: app.authorize(['admin', 'manager', 'officer']),
      schema: {
        tags: ['programmes'],
        summary: 'Check a template without publishing it: every issue names its step and field',
        body: z.unknown(),
        response: { 200: z.object({ ok: z.literal(true) }), ...problemResponses },
      },
    },
    async (request) => {
      const result = validateTemplate(request.body);
      if (!result.ok) throw invalidTemplate(result.issues);
      return { ok: true as const };
    },
  );

  app.post(
    '/programmes/:key/versions',
    {
      onRequest: app.authorize(['admin', 'manager']),
      schema: {
        tags: ['programmes'],
        summary: 'Publish a new version (the next number); a new key creates the programme',
        params: keyParam,
        body: z.unknown(),
        response: { 201: versionSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { key } = request.params;
      const result = validateTemplate(request.body);
      if (!result.ok) throw invalidTemplate(result.issues);
      const template = result.template;
      if (template.key !== key) {
        throw new HttpProblem(
          400,
          `Kunci template ${template.key} berbeda dari alamat ${key} / Template key differs from the path`,
          {
            errors: [{ path: 'body.key', message: `harus ${key} / must be ${key}` }],
          },
        );
      }
      const saved = await app.db.transaction(async (tx) => {
        const [existing] = await tx.select().from(programmes).where(eq(programmes.key, key)).for('update');
        // Built-in programmes serve every office: changing them is an administrator's decision.
        if (existing?.builtIn && principalOf(request).role !== 'admin') {
          throw new HttpProblem(
            403,
            'Program bawaan hanya diubah oleh administrator / Built-in programmes are changed by an administrator only',
          );
        }
        if (!existing) await tx.insert(programmes).values({ key, nameId: template.name.id, nameEn: template.name.en });
        const [{ current } = { current: 0 }] = await tx
          .select({ current: max(programmeVersions.version) })
          .from(programmeVersions)
          .where(eq(programmeVersions.programmeKey, key));
        const version = (current ?? 0) + 1;
        if (template.version !== version) {
          throw conflict(
            `Versi berikutnya adalah ${version}, bukan ${template.version} / The next version is ${version}, not ${template.version}`,
            {
              errors: [{ path: 'body.version', message: `harus ${version} / must be ${version}` }],
            },
          );
        }
        const [row] = await tx
          .insert(programmeVersions)
          .values({ programmeKey: key, version, template, createdBy: principalOf(request).userId })
          .returning();
        await tx
          .update(programmes)
          .set({ nameId: template.name.id, nameEn: template.name.en })
          .where(eq(programmes.key, key));
        await recordAudit(tx, request, {
          action: 'programme.publish',
          entityType: 'programme_version',
          entityId: `${key}@${version}`,
          after: { key, version },
        });
        return row!;
      });
      return reply
        .status(201)
        .send({ key, version: saved.version, publishedAt: saved.publishedAt.toISOString(), template: saved.template });
    },
  );
};

export default programmeRoutes;
