// The notifications inbox: a business's own messages, or the office's notices with their delivery state. It shows
// what GET /api/v1/notifications answers the reader, so scope and paging are the route's.
import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import { businesses, offices } from '../../db/schema.js';
import { NotificationList, type NotificationView } from './business-home.js';
import { Layout } from './layout.js';
import { callApi, html } from './session.js';

export default async function notificationPages(app: FastifyInstance) {
  app.get<{ Querystring: { before?: string } }>('/notifications', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login?next=/notifications', 303);
    const before =
      typeof request.query.before === 'string' ? `&before=${encodeURIComponent(request.query.before)}` : '';
    const answer = await callApi<{ items: NotificationView[]; nextBefore: string | null }>(app, request, {
      method: 'GET',
      url: `/api/v1/notifications?limit=50${before}`,
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
    const items = answer.ok ? answer.body.items : [];
    return html(
      reply,
      <Layout ctx={ctx} title={ctx.t.notifications}>
        <h1 safe>{ctx.t.notifications}</h1>
        <NotificationList ctx={ctx} zone={office?.zone ?? 'Asia/Jakarta'} items={items} />
        {answer.ok && answer.body.nextBefore ? (
          <p>
            <a href={`/notifications?before=${encodeURIComponent(answer.body.nextBefore)}`} rel="next" safe>
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
