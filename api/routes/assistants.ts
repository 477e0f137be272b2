// Booking a Pendamping PPH (halal process assistant) to verify an enrolment on a day. One assistant may take at most
// the quota's daily cap of verifications a day (10 under the self-declare rules); concurrent bookings of the same
// assistant and day are serialised with a transaction-scoped advisory lock, so the cap holds under any concurrency.
import { and, count, eq, ne, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assistantAssignments, enrolments, quotas } from '../../db/schema.js';
import { recordAudit } from '../audit.js';
import { principalOf } from '../plugins/auth.js';
import { assertOfficeScope } from '../../services/principal.js';
import { conflict, notFound } from '../../domain/errors.js';
import { problemResponses, uuidParam } from '../schemas/common.js';

const staff = ['admin', 'manager', 'officer'] as const;

const assignmentSchema = z.object({
  enrolmentId: z.uuid(),
  assistantId: z.string(),
  assistantName: z.string(),
  verificationDate: z.string(),
  /** Verifications the assistant has on that date, this one included. */
  bookedThatDay: z.number().int(),
  dailyCap: z.number().int().nullable(),
});

const body = z
  .object({
    assistantId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9./-]{1,50}$/, 'nomor registrasi Pendamping PPH / the assistant registration number'),
    assistantName: z.string().trim().min(2).max(200),
    verificationDate: z.iso.date(),
  })
  .strict();

const assistantRoutes: FastifyPluginAsyncZod = async (app) => {
  async function visibleEnrolment(request: Parameters<typeof principalOf>[0], id: string) {
    const [row] = await app.db
      .select({ enrolment: enrolments, dailyCap: quotas.dailyCapPerAssistant })
      .from(enrolments)
      .leftJoin(quotas, eq(quotas.id, enrolments.quotaId))
      .where(eq(enrolments.id, id));
    if (!row) throw notFound('Pendaftaran / Enrolment');
    assertOfficeScope(principalOf(request), row.enrolment.officeId, 'Pendaftaran / Enrolment');
    return row;
  }

  const bookedOn = (assistantId: string, date: string) =>
    app.db
      .select({ n: count() })
      .from(assistantAssignments)
      .where(and(eq(assistantAssignments.assistantId, assistantId), eq(assistantAssignments.verificationDate, date)))
      .then(([r]) => r?.n ?? 0);

  app.get(
    '/enrolments/:id/assistant',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: 'The Pendamping PPH booked to verify this enrolment',
        params: uuidParam,
        response: { 200: assignmentSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { dailyCap } = await visibleEnrolment(request, request.params.id);
      const [a] = await app.db
        .select()
        .from(assistantAssignments)
        .where(eq(assistantAssignments.enrolmentId, request.params.id));
      if (!a) throw notFound('Pendamping PPH');
      return {
        enrolmentId: a.enrolmentId,
        assistantId: a.assistantId,
        assistantName: a.assistantName,
        verificationDate: a.verificationDate,
        bookedThatDay: await bookedOn(a.assistantId, a.verificationDate),
        dailyCap,
      };
    },
  );

  app.put(
    '/enrolments/:id/assistant',
    {
      onRequest: app.authorize(staff),
      schema: {
        tags: ['enrolments'],
        summary: "Book a Pendamping PPH for this enrolment's verification on a day, within the daily cap",
        params: uuidParam,
        body,
        response: { 200: assignmentSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { enrolment, dailyCap } = await visibleEnrolment(request, request.params.id);
      if (enrolment.status !== 'active' && enrolment.status !== 'paused') {
        throw conflict(`Pendaftaran berstatus ${enrolment.status} / Enrolment is ${enrolment.status}`);
      }
      const { assistantId, assistantName, verificationDate } = request.body;
      return app.db.transaction(async (tx) => {
        await tx.execute(
          sql`select pg_advisory_xact_lock(hashtext(${`assistant:${assistantId}:${verificationDate}`}))`,
        );
        const [{ others } = { others: 0 }] = await tx
          .select({ others: count() })
          .from(assistantAssignments)
          .where(
            and(
              eq(assistantAssignments.assistantId, assistantId),
              eq(assistantAssignments.verificationDate, verificationDate),
              ne(assistantAssignments.enrolmentId, enrolment.id),
            ),
          );
        if (dailyCap !== null && others >= dailyCap) {
          throw conflict(
            `${assistantName} sudah ${others} verifikasi pada ${verificationDate} (batas ${dailyCap} sehari) / ` +
              `${assistantName} already has ${others} verifications on ${verificationDate} (at most ${dailyCap} a day)`,
            { bookedThatDay: others, dailyCap },
          );
        }
        const values = { assistantId, assistantName, verificationDate, assignedBy: principalOf(request).userId };
        const [saved] = await tx
          .insert(assistantAssignments)
          .values({ enrolmentId: enrolment.id, ...values })
          .onConflictDoUpdate({ target: assistantAssignments.enrolmentId, set: values })
          .returning();
        await recordAudit(tx, request, {
          action: 'enrolment.assistant.book',
          entityType: 'enrolment',
          entityId: enrolment.id,
          officeId: enrolment.officeId,
          businessId: enrolment.businessId,
          after: values,
        });
        return {
          enrolmentId: saved!.enrolmentId,
          assistantId,
          assistantName,
          verificationDate,
          bookedThatDay: others + 1,
          dailyCap,
        };
      });
    },
  );
};

export default assistantRoutes;
