// The office calendar: the year's national holidays, cuti bersama and the office's closures, and a form to add a
// closure. Both go through /api/v1/calendar, whose write also tells running enrolments their deadlines may move
// (services/calendar-change.ts), so the page and the API change the calendar in one way.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import { offices } from '../../db/schema.js';
import type { Problem } from '../problem.js';
import { inProgressType } from '../plugins/idempotency.js';
import { formatDate } from './i18n.js';
import { ErrorSummary, Field, FormGuards, Layout, type PageContext, say } from './layout.js';
import {
  chosenOfficeQuery,
  ChosenOffice,
  officeChoiceOf,
  OfficePicker,
  postedOffice,
  type OfficeChoice,
} from './office-fields.js';
import { callApi, failedAnswer, formKey, html } from './session.js';

interface CalendarYear {
  year: number;
  decreed: boolean;
  notice: string | null;
  days: {
    id: string | null;
    date: string;
    kind: string;
    nameId: string;
    nameEn: string;
    officeId: string | null;
    source: string;
  }[];
}

const kindNames = {
  holiday: ['Libur nasional', 'National holiday'],
  cuti_bersama: ['Cuti bersama', 'Collective leave'],
  office_closure: ['Kantor tutup', 'Office closed'],
} as Record<string, [string, string]>;

function CalendarPage(props: {
  ctx: PageContext;
  year: CalendarYear;
  values: Record<string, string>;
  problem: Problem | null;
  /** An administrator's choice of office, whose closures are shown and added; null for anyone else. */
  office: OfficeChoice | null;
  /** Whether the reader may add a closure here: staff, for their office or the one an administrator chose. */
  closable: boolean;
}) {
  const { ctx, year, values, office } = props;
  const issues = props.problem?.errors ?? [];
  const officeParam = office?.chosen ? `&officeId=${office.chosen.id}` : '';
  return (
    <Layout ctx={ctx} title={`${ctx.t.navCalendar} ${year.year}`}>
      <h1 safe>{`${ctx.t.navCalendar} ${year.year}`}</h1>
      {office ? <OfficePicker ctx={ctx} choice={office} action="/calendar" /> : ''}
      <nav class="pager" aria-label={say(ctx, 'Tahun', 'Year')}>
        <a href={`/calendar?year=${year.year - 1}${officeParam}`} safe>{`← ${year.year - 1}`}</a>
        <a href={`/calendar?year=${year.year + 1}${officeParam}`} safe>{`${year.year + 1} →`}</a>
      </nav>
      {year.notice ? (
        <p class="notice" safe>
          {year.notice}
        </p>
      ) : (
        ''
      )}
      <table class="table">
        <caption class="visually-hidden" safe>
          {`${ctx.t.navCalendar} ${year.year}`}
        </caption>
        <thead>
          <tr>
            <th scope="col" safe>
              {say(ctx, 'Tanggal', 'Date')}
            </th>
            <th scope="col" safe>
              {say(ctx, 'Nama', 'Name')}
            </th>
            <th scope="col" safe>
              {say(ctx, 'Jenis', 'Kind')}
            </th>
          </tr>
        </thead>
        <tbody>
          {year.days.map((d) => (
            <tr>
              <td data-label={say(ctx, 'Tanggal', 'Date')} safe>
                {formatDate(d.date, ctx.lang)}
              </td>
              <td data-label={say(ctx, 'Nama', 'Name')} safe>
                {ctx.lang === 'id' ? d.nameId : d.nameEn}
              </td>
              <td data-label={say(ctx, 'Jenis', 'Kind')}>
                <span class={d.kind === 'office_closure' ? 'tag tag-amber' : 'tag'} safe>
                  {(kindNames[d.kind] ?? [d.kind, d.kind])[ctx.lang === 'id' ? 0 : 1]}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.closable ? (
        <form method="post" action={`/calendar?year=${year.year}`} class="panel narrow" novalidate data-once>
          <h2 id="add-closure" safe>
            {say(ctx, 'Tambah hari kantor tutup', 'Add an office closure')}
          </h2>
          <ErrorSummary ctx={ctx} detail={props.problem?.detail} issues={issues} />
          <FormGuards ctx={ctx} idempotencyKey={formKey()} />
          <ChosenOffice choice={office} />
          <Field name="date" label={say(ctx, 'Tanggal', 'Date')} type="date" value={values.date} issues={issues} />
          <Field
            name="nameId"
            label={say(ctx, 'Keterangan (Bahasa Indonesia)', 'Description (Indonesian)')}
            value={values.nameId}
            issues={issues}
          />
          <Field
            name="nameEn"
            label={say(ctx, 'Keterangan (bahasa Inggris)', 'Description (English)')}
            value={values.nameEn}
            issues={issues}
          />
          <p class="hint" safe>
            {say(
              ctx,
              'Tenggat yang belum lewat bergeser satu hari kerja untuk setiap hari tutup di dalamnya.',
              'Deadlines not yet passed move by a working day for each closed day before them.',
            )}
          </p>
          <button type="submit" class="button" safe>
            {say(ctx, 'Tambah', 'Add')}
          </button>
        </form>
      ) : (
        ''
      )}
    </Layout>
  );
}

export default async function calendarPages(app: FastifyInstance) {
  /** The year, with the closures of the reader's office or of the one an administrator chose (`named`). */
  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    named: unknown,
    extra: { values?: Record<string, string>; problem?: Problem | null },
    status = 200,
  ) {
    const principal = request.principal!;
    const choice = principal.role === 'admin' ? await officeChoiceOf(app, request, named) : null;
    const officeId = principal.officeId ?? choice?.chosen?.id;
    const [office] = officeId ? await app.db.select().from(offices).where(eq(offices.id, officeId)) : [];
    const zone = office?.timeZone ?? 'Asia/Jakarta';
    const year = z.coerce
      .number()
      .int()
      .min(2000)
      .max(2100)
      .catch(DateTime.now().setZone(zone).year)
      .parse((request.query as { year?: string }).year ?? DateTime.now().setZone(zone).year);
    const answer = await callApi<CalendarYear>(app, request, {
      method: 'GET',
      url: `/api/v1/calendar?year=${year}${office ? `&officeId=${office.id}` : ''}`,
    });
    if (!answer.ok) throw failedAnswer(answer);
    return html(
      reply,
      <CalendarPage
        ctx={request.pageContext(reply)}
        year={answer.body}
        values={extra.values ?? {}}
        problem={extra.problem ?? null}
        office={choice}
        closable={principal.role !== 'business' && office !== undefined}
      />,
      status,
    );
  }

  app.get('/calendar', async (request, reply) => {
    if (!request.principal) return reply.redirect('/login?next=/calendar', 303);
    return show(request, reply, (request.query as { officeId?: unknown }).officeId, {});
  });

  app.post('/calendar', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return reply.redirect('/login?next=/calendar', 303);
    const form = (request.body ?? {}) as Record<string, string>;
    const values = { date: form.date ?? '', nameId: (form.nameId ?? '').trim(), nameEn: (form.nameEn ?? '').trim() };
    const answer = await callApi(app, request, {
      method: 'POST',
      url: '/api/v1/calendar/days',
      // An administrator's closure is for the office they chose; the route judges who may close which office.
      body: { ...values, kind: 'office_closure', officeId: principal.officeId ?? postedOffice(form) },
      idempotencyKey: form.idempotencyKey,
    });
    const year = /^\d{4}/.test(values.date) ? values.date.slice(0, 4) : '';
    // Back to the year, and an administrator to the office they chose.
    const back = new URLSearchParams(chosenOfficeQuery(form));
    back.set('year', year);
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(`/calendar?${back}`, 303);
    return show(request, reply, form.officeId, { values, problem: answer.problem }, answer.status);
  });
}
