import type { FastifyPluginAsync } from 'fastify';
import assistantRoutes from './assistants.js';
import auditRoutes from './audit.js';
import businessRoutes from './businesses.js';
import cohortRoutes from './cohorts.js';
import dashboardRoutes from './dashboard.js';
import intakeRoutes from './enrolment-intake.js';
import authRoutes from './auth.js';
import calendarRoutes from './calendar.js';
import enrolmentRoutes from './enrolments.js';
import invitationRoutes from './invitations.js';
import notificationRoutes from './notifications.js';
import officeRoutes from './offices.js';
import programmeRoutes from './programmes.js';
import quotaRoutes from './quotas.js';
import regionRoutes from './regions.js';
import sentraRoutes from './sentra.js';
import userRoutes from './users.js';

/** Everything under /api/v1. */
export const apiRoutes: FastifyPluginAsync = async (app) => {
  await app.register(regionRoutes);
  await app.register(officeRoutes);
  await app.register(businessRoutes);
  await app.register(sentraRoutes);
  await app.register(quotaRoutes);
  await app.register(cohortRoutes);
  await app.register(intakeRoutes);
  await app.register(enrolmentRoutes);
  await app.register(assistantRoutes);
  await app.register(calendarRoutes);
  await app.register(programmeRoutes);
  await app.register(notificationRoutes);
  await app.register(authRoutes);
  await app.register(userRoutes);
  await app.register(invitationRoutes);
  await app.register(auditRoutes);
  await app.register(dashboardRoutes);
};
