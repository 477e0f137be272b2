// The notifications inbox: the reader's own messages, newest first, a page at a time. It calls the service of
// GET /api/v1/notifications (services/notifications/inbox.ts) with the reader's principal, so scope is the API's.
import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { businesses, offices } from '../../db/schema.js';
import { listNotifications } from '../../services/notifications/inbox.js';
import { NotificationList } from './business-home.js';
import { Layout } from './layout.js';
import { html } from './session.js';

export default async function notificationPages(app: FastifyInstance) {
  app.get<{ Querystring: { before?: string } }>('/notifications', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login?next=/notifications', 303);
    const before = z.iso.datetime().safeParse(request.query.before);
    const page = await listNotifications(app.db, principal, {
      scope: 'inbox',
      limit: 50,
      ...(before.success ? { before: before.data } : {}),
    });
    const [office] = principal.officeId
      ? await app.db.select({ zone: offices.timeZone }).from(offices).where(eq(offices.id, principal.officeId))
      : principal.businessId
        ? await app.db
            .select({ zone: offices.timeZone })
            .from(businesses)
            .innerJoin(offices, eq(offices.id, businesses.officeId))
            .where(eq(businesses.id, principal.businessId))
        : [];
    const ctx = request.pageContext(reply);
    const items = page.items;
    return html(
      reply,
      <Layout ctx={ctx} title={ctx.t.notifications}>
        <h1 safe>{ctx.t.notifications}</h1>
        <NotificationList ctx={ctx} zone={office?.zone ?? 'Asia/Jakarta'} items={items} />
        {page.nextBefore ? (
          <p>
            <a href={`/notifications?before=${encodeURIComponent(page.nextBefore)}`} rel="next" safe>
              {`${ctx.t.next} →`}
            </a>
          </p>
        ) : (
          ''
        )}
      </Layout>,
    );
  });
}
