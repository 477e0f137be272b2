// Field work pages: the month's visit calendar, a visit's form (findings, close, follow-ups) made for a phone in the
// field, and the site inventory. Each reads and writes through the JSON routes (callApi), as the reader, so the
// checks, scope and audit are those of the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { eq } from 'drizzle-orm';
import { offices } from '../../db/schema.js';
import type { Problem } from '../problem.js';
import { inProgressType } from '../plugins/idempotency.js';
import { formatDate } from './i18n.js';
import { ErrorSummary, Field, FormGuards, issueFor, Layout, type PageContext } from './layout.js';
import { callApi, formKey, html } from './session.js';
import type { VisitDetail, VisitListItem } from '../../services/visits/visits.js';
import { siteKindNames, siteKinds, siteStateNames, siteStates, type SiteView } from '../../services/sites.js';

const say = (ctx: PageContext, id: string, en: string) => (ctx.lang === 'id' ? id : en);

const statusNames: Record<string, [string, string]> = {
  planned: ['Direncanakan', 'Planned'],
  closed: ['Selesai', 'Done'],
  cancelled: ['Dibatalkan', 'Cancelled'],
  open: ['Terbuka', 'Open'],
  done: ['Selesai', 'Done'],
};
const statusTag: Record<string, string> = {
  planned: 'tag',
  closed: 'tag tag-done',
  cancelled: 'tag tag-cancelled',
  open: 'tag tag-amber',
  done: 'tag tag-done',
};
const statusName = (ctx: PageContext, s: string) => (statusNames[s] ?? [s, s])[ctx.lang === 'id' ? 0 : 1];

function MonthPage(props: { ctx: PageContext; month: DateTime; visits: VisitListItem[] }) {
  const { ctx, month, visits } = props;
  const title = `${say(ctx, 'Kunjungan', 'Visits')} ${month.setLocale(ctx.lang).toFormat('LLLL yyyy')}`;
  const days = [...new Set(visits.map((v) => v.date))];
  const link = (m: DateTime) => `/visits?month=${m.toFormat('yyyy-MM')}`;
  return (
    <Layout ctx={ctx} title={title}>
      <h1 safe>{title}</h1>
      <nav class="pager" aria-label={say(ctx, 'Bulan', 'Month')}>
        <a href={link(month.minus({ months: 1 }))} safe>
          {`← ${month.minus({ months: 1 }).setLocale(ctx.lang).toFormat('LLL yyyy')}`}
        </a>
        <a href={link(month.plus({ months: 1 }))} safe>
          {`${month.plus({ months: 1 }).setLocale(ctx.lang).toFormat('LLL yyyy')} →`}
        </a>
      </nav>
      {days.length === 0 ? (
        <p class="muted" safe>
          {say(ctx, 'Belum ada kunjungan bulan ini.', 'No visits this month yet.')}
        </p>
      ) : (
        days.map((day) => (
          <section class="panel">
            <h2 safe>{formatDate(day, ctx.lang)}</h2>
            <ul>
              {visits
                .filter((v) => v.date === day)
                .map((v) => (
                  <li>
                    <a href={`/visits/${v.id}`} safe>
                      {v.place}
                    </a>{' '}
                    <span class={statusTag[v.status] ?? 'tag'} safe>
                      {statusName(ctx, v.status)}
                    </span>
                    {v.planName ? (
                      <span class="muted" safe>
                        {` · ${v.planName}`}
                      </span>
                    ) : (
                      ''
                    )}
                  </li>
                ))}
            </ul>
          </section>
        ))
      )}
    </Layout>
  );
}

function VisitPage(props: {
  ctx: PageContext;
  visit: VisitDetail;
  values: Record<string, string>;
  problem: Problem | null;
  form: 'visit' | 'follow-up' | null;
}) {
  const { ctx, visit, values } = props;
  const issues = props.problem?.errors ?? [];
  const visitIssues = props.form === 'visit' ? issues : [];
  const followIssues = props.form === 'follow-up' ? issues : [];
  const findingsError = issueFor(visitIssues, 'findings');
  const title = `${visit.place} · ${formatDate(visit.date, ctx.lang)}`;
  const row = (label: string, value: string) => (
    <div>
      <dt safe>{label}</dt>
      <dd safe>{value}</dd>
    </div>
  );
  return (
    <Layout ctx={ctx} title={title}>
      <p>
        <a href={`/visits?month=${visit.date.slice(0, 7)}`} safe>
          {`← ${say(ctx, 'Kalender kunjungan', 'Visit calendar')}`}
        </a>
      </p>
      <h1 safe>{visit.place}</h1>
      <dl class="summary">
        {row(say(ctx, 'Tanggal', 'Date'), formatDate(visit.date, ctx.lang))}
        {row(say(ctx, 'Keadaan', 'Status'), statusName(ctx, visit.status))}
        {row(say(ctx, 'Rencana', 'Plan'), visit.plan?.name ?? say(ctx, 'Kunjungan lepas', 'Ad-hoc visit'))}
        {row(say(ctx, 'Tim', 'Team'), visit.team.map((t) => t.name).join(', '))}
        {row(
          say(ctx, 'Usaha yang dikunjungi', 'Businesses visited'),
          visit.businesses.map((b) => b.name).join(', ') || '—',
        )}
        {visit.status !== 'planned' ? row(say(ctx, 'Temuan', 'Findings'), visit.findings ?? '—') : ''}
      </dl>
      {visit.status === 'planned' ? (
        <form method="post" action={`/visits/${visit.id}`} class="panel" novalidate data-once>
          <h2 safe>{say(ctx, 'Temuan', 'Findings')}</h2>
          <ErrorSummary ctx={ctx} detail={props.form === 'visit' ? props.problem?.detail : null} issues={visitIssues} />
          <FormGuards ctx={ctx} idempotencyKey={formKey()} />
          <div class={findingsError ? 'field field-error' : 'field'}>
            <label for="f-findings" safe>
              {say(ctx, 'Apa yang ditemukan di lapangan', 'What was found in the field')}
            </label>
            {findingsError ? (
              <p class="error-message" id="f-findings-error" safe>
                {findingsError}
              </p>
            ) : (
              ''
            )}
            <textarea
              id="f-findings"
              name="findings"
              rows="6"
              aria-invalid={findingsError ? 'true' : undefined}
              aria-describedby={findingsError ? 'f-findings-error' : undefined}
              safe
            >
              {values.findings ?? visit.findings ?? ''}
            </textarea>
          </div>
          <button type="submit" name="action" value="save" class="button button-secondary" safe>
            {say(ctx, 'Simpan', 'Save')}
          </button>{' '}
          <button type="submit" name="action" value="close" class="button" safe>
            {say(ctx, 'Simpan dan tutup kunjungan', 'Save and close the visit')}
          </button>
        </form>
      ) : (
        ''
      )}
      <section class="panel">
        <h2 safe>{say(ctx, 'Tindak lanjut', 'Follow-ups')}</h2>
        {visit.followUps.length === 0 ? (
          <p class="muted" safe>
            {say(ctx, 'Belum ada tindak lanjut.', 'No follow-ups yet.')}
          </p>
        ) : (
          <ul>
            {visit.followUps.map((f) => (
              <li>
                <span safe>{f.action}</span>{' '}
                <span class="muted" safe>
                  {`· ${say(ctx, 'tenggat', 'due')} ${formatDate(f.dueDate, ctx.lang)}`}
                </span>{' '}
                <span class={statusTag[f.status] ?? 'tag'} safe>
                  {statusName(ctx, f.status)}
                </span>
              </li>
            ))}
          </ul>
        )}
        {visit.status !== 'cancelled' ? (
          <form method="post" action={`/visits/${visit.id}/follow-ups`} novalidate data-once>
            <ErrorSummary
              ctx={ctx}
              detail={props.form === 'follow-up' ? props.problem?.detail : null}
              issues={followIssues}
            />
            <FormGuards ctx={ctx} idempotencyKey={formKey()} />
            <Field
              name="action"
              label={say(ctx, 'Tindak lanjut baru', 'New follow-up')}
              value={values.action}
              issues={followIssues}
            />
            <Field
              name="dueDate"
              type="date"
              label={say(ctx, 'Tenggat', 'Due date')}
              hint={say(
                ctx,
                'Hari libur atau cuti bersama bergeser ke hari kerja berikutnya.',
                'A holiday or cuti bersama moves to the next working day.',
              )}
              value={values.dueDate}
              issues={followIssues}
            />
            <button type="submit" class="button button-secondary" safe>
              {say(ctx, 'Tambah tindak lanjut', 'Add follow-up')}
            </button>
          </form>
        ) : (
          ''
        )}
      </section>
      {visit.attachments.length > 0 ? (
        <section class="panel">
          <h2 safe>{say(ctx, 'Foto dan dokumen', 'Photos and documents')}</h2>
          <ul>
            {visit.attachments.map((a) => (
              <li>
                <a href={`/api/v1/visit-attachments/${a.id}`} safe>
                  {a.fileName}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        ''
      )}
    </Layout>
  );
}

interface SiteQuery {
  wilayah?: string;
  kind?: string;
  state?: string;
  offset: number;
}
const sitePage = 25;

function SitesPage(props: { ctx: PageContext; sites: { items: SiteView[]; total: number }; q: SiteQuery }) {
  const { ctx, sites, q } = props;
  const lang = ctx.lang;
  const filterParams = new URLSearchParams(
    Object.entries({ wilayah: q.wilayah, kind: q.kind, state: q.state }).filter((e): e is [string, string] => !!e[1]),
  );
  const pageLink = (offset: number) => `/sites?${new URLSearchParams([...filterParams, ['offset', String(offset)]])}`;
  const exportLink = (format: string) =>
    `/api/v1/sites/export?${new URLSearchParams([...filterParams, ['format', format], ['lang', lang]])}`;
  const select = (name: string, label: string, options: [string, string][], value: string | undefined) => (
    <div class="field">
      <label for={`f-${name}`} safe>
        {label}
      </label>
      <select id={`f-${name}`} name={name}>
        <option value="" safe>
          {say(ctx, 'Semua', 'All')}
        </option>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value} safe>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
  const title = say(ctx, 'Inventaris lokasi industri', 'Industrial site inventory');
  return (
    <Layout ctx={ctx} title={title}>
      <h1 safe>{title}</h1>
      <form method="get" action="/sites" class="filters">
        {select(
          'wilayah',
          'Wilayah',
          ['I', 'II', 'III'].map((w) => [w, w]),
          q.wilayah,
        )}
        {select(
          'kind',
          say(ctx, 'Jenis', 'Kind'),
          siteKinds.map((k) => [k, siteKindNames[k][lang]]),
          q.kind,
        )}
        {select(
          'state',
          say(ctx, 'Keadaan', 'State'),
          siteStates.map((s) => [s, siteStateNames[s][lang]]),
          q.state,
        )}
        <button type="submit" class="button button-secondary" safe>
          {say(ctx, 'Saring', 'Filter')}
        </button>
      </form>
      <p>
        <span safe>{say(ctx, `${sites.total} lokasi. Unduh: `, `${sites.total} sites. Download: `)}</span>
        <a href={exportLink('csv')}>CSV</a> · <a href={exportLink('xlsx')}>XLSX</a>
      </p>
      <table class="table">
        <caption class="visually-hidden" safe>
          {title}
        </caption>
        <thead>
          <tr>
            {[
              say(ctx, 'Nama', 'Name'),
              say(ctx, 'Jenis', 'Kind'),
              say(ctx, 'Kabupaten/kota', 'Kabupaten/kota'),
              'Wilayah',
              say(ctx, 'Luas (ha)', 'Area (ha)'),
              say(ctx, 'Pemilik', 'Owner'),
              say(ctx, 'Keadaan', 'State'),
              say(ctx, 'Kunjungan terakhir', 'Last visit'),
            ].map((h) => (
              <th scope="col" safe>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sites.items.map((s) => (
            <tr>
              <td data-label={say(ctx, 'Nama', 'Name')} safe>
                {s.name}
              </td>
              <td data-label={say(ctx, 'Jenis', 'Kind')} safe>
                {siteKindNames[s.kind][lang]}
              </td>
              <td data-label={say(ctx, 'Kabupaten/kota', 'Kabupaten/kota')} safe>
                {s.regionName}
              </td>
              <td data-label="Wilayah" safe>
                {s.wilayah ?? '—'}
              </td>
              <td data-label={say(ctx, 'Luas (ha)', 'Area (ha)')} safe>
                {s.areaHa === null ? '—' : s.areaHa.toLocaleString(lang === 'id' ? 'id-ID' : 'en-GB')}
              </td>
              <td data-label={say(ctx, 'Pemilik', 'Owner')} safe>
                {s.owner ?? '—'}
              </td>
              <td data-label={say(ctx, 'Keadaan', 'State')} safe>
                {siteStateNames[s.state][lang]}
              </td>
              <td data-label={say(ctx, 'Kunjungan terakhir', 'Last visit')} safe>
                {s.lastVisitOn ? formatDate(s.lastVisitOn, lang) : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label={say(ctx, 'Halaman', 'Pages')}>
        {q.offset > 0 ? (
          <a href={pageLink(Math.max(0, q.offset - sitePage))} safe>
            {say(ctx, '← Sebelumnya', '← Previous')}
          </a>
        ) : (
          ''
        )}
        {q.offset + sitePage < sites.total ? (
          <a href={pageLink(q.offset + sitePage)} safe>
            {say(ctx, 'Berikutnya →', 'Next →')}
          </a>
        ) : (
          ''
        )}
      </nav>
    </Layout>
  );
}

export default async function visitPages(app: FastifyInstance) {
  const staffOnly = (request: FastifyRequest, reply: FastifyReply, next: string) => {
    if (!request.principal) return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    if (request.principal.role === 'business') return reply.redirect('/', 303);
    return null;
  };
  const fail = (answer: { status: number; problem: Problem | null }) =>
    Object.assign(new Error(answer.problem?.detail ?? 'failed'), { statusCode: answer.status });

  app.get('/visits', async (request, reply) => {
    const away = staffOnly(request, reply, request.url);
    if (away) return away;
    const [office] = request.principal!.officeId
      ? await app.db.select().from(offices).where(eq(offices.id, request.principal!.officeId))
      : [];
    const given = (request.query as { month?: string }).month ?? '';
    const parsed = DateTime.fromFormat(given, 'yyyy-MM');
    const month = parsed.isValid
      ? parsed
      : DateTime.now()
          .setZone(office?.timeZone ?? 'Asia/Jakarta')
          .startOf('month');
    const answer = await callApi<{ items: VisitListItem[] }>(app, request, {
      method: 'GET',
      url: `/api/v1/visits?month=${month.toFormat('yyyy-MM')}`,
    });
    if (!answer.ok) throw fail(answer);
    return html(reply, <MonthPage ctx={request.pageContext(reply)} month={month} visits={answer.body.items} />);
  });

  async function showVisit(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { values?: Record<string, string>; problem?: Problem | null; form?: 'visit' | 'follow-up' | null } = {},
    status = 200,
  ) {
    const answer = await callApi<VisitDetail>(app, request, { method: 'GET', url: `/api/v1/visits/${id}` });
    if (!answer.ok) throw fail(answer);
    return html(
      reply,
      <VisitPage
        ctx={request.pageContext(reply)}
        visit={answer.body}
        values={extra.values ?? {}}
        problem={extra.problem ?? null}
        form={extra.form ?? null}
      />,
      status,
    );
  }

  const idOf = (request: FastifyRequest) => {
    const id = (request.params as { id: string }).id;
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw Object.assign(new Error('not found'), { statusCode: 404 });
    return id;
  };

  app.get('/visits/:id', async (request, reply) => {
    const away = staffOnly(request, reply, request.url);
    if (away) return away;
    return showVisit(request, reply, idOf(request));
  });

  app.post('/visits/:id', async (request, reply) => {
    const away = staffOnly(request, reply, request.url);
    if (away) return away;
    const id = idOf(request);
    const form = (request.body ?? {}) as Record<string, string>;
    const findings = (form.findings ?? '').trim();
    const closing = form.action === 'close';
    const answer = await callApi(app, request, {
      method: closing ? 'POST' : 'PATCH',
      url: closing ? `/api/v1/visits/${id}/close` : `/api/v1/visits/${id}`,
      body: closing && !findings ? {} : { findings },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(`/visits/${id}`, 303);
    return showVisit(
      request,
      reply,
      id,
      { values: { findings }, problem: answer.problem, form: 'visit' },
      answer.status,
    );
  });

  app.post('/visits/:id/follow-ups', async (request, reply) => {
    const away = staffOnly(request, reply, request.url);
    if (away) return away;
    const id = idOf(request);
    const form = (request.body ?? {}) as Record<string, string>;
    const values = { action: (form.action ?? '').trim(), dueDate: form.dueDate ?? '' };
    const answer = await callApi(app, request, {
      method: 'POST',
      url: `/api/v1/visits/${id}/follow-ups`,
      body: values,
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(`/visits/${id}`, 303);
    return showVisit(request, reply, id, { values, problem: answer.problem, form: 'follow-up' }, answer.status);
  });

  app.get('/sites', async (request, reply) => {
    const away = staffOnly(request, reply, request.url);
    if (away) return away;
    const raw = request.query as Record<string, string | undefined>;
    const q: SiteQuery = {
      wilayah: ['I', 'II', 'III'].includes(raw.wilayah ?? '') ? raw.wilayah : undefined,
      kind: (siteKinds as readonly string[]).includes(raw.kind ?? '') ? raw.kind : undefined,
      state: (siteStates as readonly string[]).includes(raw.state ?? '') ? raw.state : undefined,
      offset: Math.max(0, Math.min(1_000_000, Number.parseInt(raw.offset ?? '0', 10) || 0)),
    };
    const params = new URLSearchParams(
      Object.entries({ wilayah: q.wilayah, kind: q.kind, state: q.state }).filter((e): e is [string, string] => !!e[1]),
    );
    params.set('limit', String(sitePage));
    params.set('offset', String(q.offset));
    const answer = await callApi<{ items: SiteView[]; total: number }>(app, request, {
      method: 'GET',
      url: `/api/v1/sites?${params}`,
    });
    if (!answer.ok) throw fail(answer);
    return html(reply, <SitesPage ctx={request.pageContext(reply)} sites={answer.body} q={q} />);
  });
}
