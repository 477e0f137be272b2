// The home page: an officer's or manager's work queue; a business's own progress page (business-home.tsx).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { workQueue, type QueueItem, type WorkQueue } from '../../services/work-queue.js';
import { businessHome } from './business-home.js';
import { html } from './session.js';
import { formatInstant } from './i18n.js';
import { Layout, SelectField, type PageContext } from './layout.js';

const queueQuery = z.object({
  programme: z.string().max(100).optional(),
  cohort: z.uuid().optional().catch(undefined),
  step: z.string().max(64).optional(),
  region: z.string().max(10).optional(),
  // Anything else than mine, unassigned or a user id is no filter (a mangled bookmark shows the whole queue).
  assignee: z
    .union([z.enum(['me', 'none']), z.uuid()])
    .optional()
    .catch(undefined),
  due: z.enum(['overdue', 'soon']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export function DueCell(props: {
  ctx: PageContext;
  zone: string;
  item: Pick<QueueItem, 'dueAt' | 'urgency' | 'workingDaysLeft'>;
}) {
  const { ctx, item } = props;
  if (!item.dueAt)
    return (
      <span class="muted" safe>
        {ctx.t.noDeadline}
      </span>
    );
  const tag =
    item.urgency === 'overdue' ? (
      <strong class="tag tag-red" safe>
        {ctx.t.overdue}
      </strong>
    ) : item.urgency === 'soon' ? (
      <strong class="tag tag-amber" safe>
        {ctx.t.dueSoon}
      </strong>
    ) : (
      ''
    );
  return (
    <>
      <span class="due" safe>
        {formatInstant(item.dueAt, props.zone, ctx.lang)}
      </span>{' '}
      {tag}
      <br />
      <span class="muted" safe>
        {ctx.t.workingDaysLeft(item.workingDaysLeft ?? 0)}
      </span>
    </>
  );
}

function QueuePage(props: { ctx: PageContext; queue: WorkQueue; filter: z.infer<typeof queueQuery> }) {
  const { ctx, queue, filter } = props;
  const { t, lang } = ctx;
  // The queue under the current filters, at a page, and with the deadline filter given (the counts link to it).
  const link = (page: number, due: typeof filter.due) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filter, due, page })) {
      if (v !== undefined && v !== '') params.set(k, String(v));
    }
    return `/?${params.toString()}`;
  };
  return (
    <Layout ctx={ctx} title={t.queueTitle}>
      <h1 safe>{t.queueTitle}</h1>
      <p class="lead" safe>
        {t.queueIntro}
      </p>
      <ul class="counts" aria-label={lang === 'id' ? 'Ringkasan' : 'Summary'}>
        {[
          { due: 'overdue' as const, n: queue.counts.overdue, label: t.overdue, tone: 'count count-red' },
          { due: 'soon' as const, n: queue.counts.dueSoon, label: t.dueSoon, tone: 'count count-amber' },
          { due: undefined, n: queue.counts.open, label: t.open, tone: 'count' },
        ].map((c) => (
          <li class={c.tone}>
            <a href={link(1, c.due)} aria-current={filter.due === c.due ? 'true' : undefined}>
              <span class="count-n">{String(c.n)}</span> <span safe>{c.label}</span>
            </a>
          </li>
        ))}
      </ul>
      <form method="get" action="/" class="filters">
        <SelectField
          ctx={ctx}
          name="programme"
          label={t.programme}
          empty={t.allProgrammes}
          value={filter.programme}
          options={queue.options.programmes.map((p) => ({ value: p.key, label: p.name[lang] }))}
        />
        <SelectField
          ctx={ctx}
          name="cohort"
          label={t.cohort}
          empty={t.allCohorts}
          value={filter.cohort}
          options={queue.options.cohorts.map((c) => ({ value: c.id, label: c.name }))}
        />
        <SelectField
          ctx={ctx}
          name="step"
          label={t.step}
          empty={t.allSteps}
          value={filter.step}
          options={queue.options.steps.map((s) => ({ value: s.key, label: s.name[lang] }))}
        />
        <SelectField
          ctx={ctx}
          name="region"
          label={t.region}
          empty={t.allRegions}
          value={filter.region}
          options={queue.options.regions.map((r) => ({ value: r.code, label: r.name }))}
        />
        <SelectField
          ctx={ctx}
          name="assignee"
          label={t.handledBy}
          empty={t.handledByAll}
          value={filter.assignee}
          options={[
            { value: 'me', label: t.handledByMe },
            { value: 'none', label: t.unassigned },
            ...queue.options.staff.map((u) => ({ value: u.id, label: u.name })),
          ]}
        />
        <SelectField
          ctx={ctx}
          name="due"
          label={t.due}
          empty={t.allDeadlines}
          value={filter.due}
          options={[
            { value: 'overdue', label: t.overdue },
            { value: 'soon', label: t.dueSoon },
          ]}
        />
        <button type="submit" class="button button-secondary" safe>
          {t.filter}
        </button>
      </form>
      {queue.items.length === 0 ? (
        <p safe>{t.noneWaiting}</p>
      ) : (
        <table class="table queue">
          <caption class="visually-hidden" safe>
            {t.queueTitle}
          </caption>
          <thead>
            <tr>
              <th scope="col" safe>
                {t.due}
              </th>
              <th scope="col" safe>
                {t.business}
              </th>
              <th scope="col" safe>
                {t.step}
              </th>
              <th scope="col" safe>
                {t.programme}
              </th>
              <th scope="col" safe>
                {t.handledBy}
              </th>
            </tr>
          </thead>
          <tbody>
            {queue.items.map((item) => (
              <tr class={`row-${item.urgency}`}>
                <td data-label={t.due}>
                  <DueCell ctx={ctx} zone={queue.zone} item={item} />
                </td>
                <td data-label={t.business}>
                  <a href={`/enrolments/${item.enrolmentId}`} safe>
                    {item.businessName}
                  </a>
                  <br />
                  <span class="muted" safe>
                    {item.regionName}
                  </span>
                </td>
                <td data-label={t.step}>
                  <span safe>{item.stepName[lang]}</span>
                  <br />
                  <span class="muted" safe>
                    {t.actors[item.actor] ?? item.actor}
                  </span>
                </td>
                <td data-label={t.programme} safe>
                  {item.programmeName[lang]}
                </td>
                <td data-label={t.handledBy} class="assignee">
                  {item.assignee ? (
                    <span safe>{item.assignee.name}</span>
                  ) : (
                    <span class="muted" safe>
                      {t.unassigned}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label={t.page}>
        {queue.page > 1 ? (
          <a href={link(queue.page - 1, filter.due)} rel="prev" safe>
            {`← ${t.previous}`}
          </a>
        ) : (
          ''
        )}
        <span safe>{`${t.page} ${queue.page} ${t.of} ${queue.pageCount}`}</span>
        {queue.page < queue.pageCount ? (
          <a href={link(queue.page + 1, filter.due)} rel="next" safe>
            {`${t.next} →`}
          </a>
        ) : (
          ''
        )}
      </nav>
    </Layout>
  );
}

export default async function queuePages(app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login', 303);
    if (principal.role === 'business') return businessHome(app, request, reply, {});
    // An administrator belongs to no office and so has no work queue: their home is the dashboard of every office.
    if (principal.role === 'admin') return reply.redirect('/dashboard', 303);
    const filter = queueQuery.parse(request.query ?? {});
    const queue = await workQueue(app.db, principal, {
      programmeKey: filter.programme || undefined,
      cohortId: filter.cohort,
      stepKey: filter.step || undefined,
      regionCode: filter.region || undefined,
      ...(filter.assignee ? { assignee: filter.assignee } : {}),
      ...(filter.due ? { due: filter.due } : {}),
      page: filter.page,
    });
    return html(reply, <QueuePage ctx={request.pageContext(reply)} queue={queue} filter={filter} />);
  });
}
