// The dashboard pages: static files from web/, outside the API's OpenAPI description.
import type { FastifyPluginAsync } from 'fastify';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');

const webRoutes: FastifyPluginAsync = async (app) => {
  const index = await readFile(join(webDir, 'index.html'));
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(index),
  );
};

export default webRoutes;
