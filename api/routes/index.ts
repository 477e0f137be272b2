import type { FastifyPluginAsync } from 'fastify';
import calendarRoutes from './calendar.js';
import enrolmentRoutes from './enrolments.js';
import notificationRoutes from './notifications.js';
import officeRoutes from './offices.js';
import programmeRoutes from './programmes.js';
import regionRoutes from './regions.js';

/** Everything under /api/v1. */
export const apiRoutes: FastifyPluginAsync = async (app) => {
  await app.register(regionRoutes);
  await app.register(officeRoutes);
  await app.register(enrolmentRoutes);
  await app.register(calendarRoutes);
  await app.register(programmeRoutes);
  await app.register(notificationRoutes);
};
