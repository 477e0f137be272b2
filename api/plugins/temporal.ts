import type { Client } from '@temporalio/client';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    temporal: Client;
    taskQueue: string;
  }
}

export default fp<{ client: Client; taskQueue: string }>(
  async (app, { client, taskQueue }) => {
    app.decorate('temporal', client);
    app.decorate('taskQueue', taskQueue);
  },
  { name: 'temporal' },
);
