// A manager's view of who carries what: each officer's open steps and how many are overdue (services/case-assignment
// officeWorkload, the same as GET /api/v1/workload), each number a link to the work queue filtered by that officer.
import type { FastifyInstance } from 'fastify';
import { forbidden } from '../../domain/errors.js';
import { officeWorkload, type OfficerLoad } from '../../services/case-assignment.js';
import { Layout, type PageContext } from './layout.js';
import { html } from './session.js';

function WorkloadPage(props: { ctx: PageContext; loads: OfficerLoad[] }) {
  const { ctx, loads } = props;
  const { t } = ctx;
  const nameOf = (l: OfficerLoad) => (l.userId === null ? t.unassigned : (l.name ?? t.formerStaff));
  // The queue lists the steps that wait for the office; the load counts every open step of the officer's cases.
  const queueOf = (l: OfficerLoad) => `/?assignee=${l.userId ?? 'none'}`;
  return (
    <Layout ctx={ctx} title={t.workloadTitle}>
      <h1 safe>{t.workloadTitle}</h1>
      <p class="lead" safe>
        {t.workloadIntro}
      </p>
      <table class="table workload">
        <caption class="visually-hidden" safe>
          {t.workloadTitle}
        </caption>
        <thead>
          <tr>
            <th scope="col" safe>
              {t.officer}
            </th>
            <th scope="col" class="numeric" safe>
              {t.openSteps}
            </th>
            <th scope="col" class="numeric" safe>
              {t.overdue}
            </th>
          </tr>
        </thead>
        <tbody>
          {loads.map((l) => (
            <tr data-user={l.userId ?? 'none'} class={l.overdue > 0 ? 'row-overdue' : undefined}>
              <th scope="row" data-label={t.officer}>
                <span safe>{nameOf(l)}</span>
                {l.role ? (
                  <span class="muted" safe>
                    {` (${t.roles[l.role] ?? l.role})`}
                  </span>
                ) : (
                  ''
                )}
              </th>
              <td data-label={t.openSteps} class="numeric open-steps">
                <a href={queueOf(l)} aria-label={`${t.queueOf(nameOf(l))}: ${l.openSteps} ${t.openSteps}`}>
                  {String(l.openSteps)}
                </a>
              </td>
              <td data-label={t.overdue} class="numeric overdue">
                <a href={queueOf(l)} aria-label={`${t.queueOf(nameOf(l))}: ${l.overdue} ${t.overdue}`}>
                  {String(l.overdue)}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export default async function workloadPages(app: FastifyInstance) {
  app.get('/workload', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login?next=%2Fworkload', 303);
    // The managers' page, as the API's: an officer sees their own queue; an administrator has no office's queue.
    if (principal.role !== 'manager' || !principal.officeId) {
      throw forbidden('Hanya untuk kepala bidang / For managers only');
    }
    const loads = await officeWorkload(app.db, principal, principal.officeId);
    return html(reply, <WorkloadPage ctx={request.pageContext(reply)} loads={loads} />);
  });
}
