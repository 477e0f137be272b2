// Cohorts: the office's cohorts with their quota use and a form for a new one, one cohort with its members and their current steps, and
// enrolling businesses into it by a filter, a sentra or a list of NIBs, with a preview of who would get a place and
// who would wait before the officer confirms. The confirmed enrolment is POST /api/v1/cohorts/{id}/enrolments; the
// cohort is given to one officer in one action through PUT /api/v1/cohorts/{id}/assignee.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FieldIssue } from '../../domain/errors.js';
import {
  businessesByNib,
  cohortDetail,
  listCohorts,
  previewEnrolment,
  selectionChoices,
  type EnrolmentPreview,
} from '../../services/cohort-overview.js';
import { officeStaff } from '../../services/case-assignment.js';
import { programmeNames, type Selection } from '../../services/enrolment-intake.js';
import type { Problem } from '../problem.js';
import { inProgressType } from '../plugins/idempotency.js';
import { AssignForm, assigneeChoiceProblem, assigneeOfChoice } from './casework-views.js';
import { formatInstant } from './i18n.js';
import {
  ErrorSummary,
  Field,
  FormGuards,
  issueFor,
  Layout,
  RadioGroup,
  SelectField,
  yesNoOptions,
  type PageContext,
  say,
} from './layout.js';
import {
  ChosenOffice,
  officeChoiceOf,
  OfficePicker,
  postedOffice,
  RegionField,
  SentraField,
  type OfficeChoice,
} from './office-fields.js';
import { callApi, formKey, html, staffOnly } from './session.js';

function CohortList(props: {
  ctx: PageContext;
  /** The office's cohorts; null while an administrator has chosen no office. */
  cohorts: Awaited<ReturnType<typeof listCohorts>> | null;
  office: OfficeChoice | null;
  programmes: { key: string; name: { id: string; en: string } }[];
  values?: Record<string, string>;
  problem?: Problem | null;
}) {
  const { ctx } = props;
  const values = props.values ?? {};
  const issues = props.problem?.errors ?? [];
  const { t, lang } = ctx;
  return (
    <Layout ctx={ctx} title={t.navCohorts}>
      <h1 safe>{t.navCohorts}</h1>
      {props.office ? <OfficePicker ctx={ctx} choice={props.office} action="/cohorts" /> : ''}
      {props.cohorts ? <CohortTable ctx={ctx} cohorts={props.cohorts} /> : ''}
      {props.cohorts ? (
        <form method="post" action="/cohorts" class="panel narrow" novalidate data-once>
          <h2 id="new-cohort" safe>
            {say(ctx, 'Kohort baru', 'New cohort')}
          </h2>
          <ErrorSummary ctx={ctx} detail={props.problem?.detail} issues={issues} />
          <FormGuards ctx={ctx} idempotencyKey={formKey()} />
          <ChosenOffice choice={props.office} />
          <Field name="name" label={say(ctx, 'Nama kohort', 'Cohort name')} value={values.name} issues={issues} />
          <SelectField
            ctx={ctx}
            name="programmeKey"
            label={t.programme}
            empty={null}
            value={values.programmeKey}
            issues={issues}
            options={props.programmes.map((p) => ({ value: p.key, label: p.name[lang] }))}
          />
          <Field
            name="year"
            label={say(ctx, 'Tahun', 'Year')}
            value={values.year ?? String(new Date().getFullYear())}
            issues={issues}
            inputmode="numeric"
          />
          <button type="submit" class="button" safe>
            {say(ctx, 'Buat kohort', 'Create the cohort')}
          </button>
        </form>
      ) : (
        ''
      )}
    </Layout>
  );
}

function CohortTable(props: { ctx: PageContext; cohorts: Awaited<ReturnType<typeof listCohorts>> }) {
  const { ctx } = props;
  const { t, lang } = ctx;
  if (props.cohorts.length === 0)
    return (
      <p class="muted" safe>
        {say(ctx, 'Kantor ini belum punya kohort.', 'This office has no cohorts yet.')}
      </p>
    );
  return (
    <table class="table">
      <caption class="visually-hidden" safe>
        {t.navCohorts}
      </caption>
      <thead>
        <tr>
          <th scope="col" safe>
            {t.cohort}
          </th>
          <th scope="col" safe>
            {t.programme}
          </th>
          <th scope="col" safe>
            {say(ctx, 'Anggota', 'Members')}
          </th>
          <th scope="col" safe>
            {say(ctx, 'Kuota terpakai', 'Quota used')}
          </th>
        </tr>
      </thead>
      <tbody>
        {props.cohorts.map((c) => (
          <tr>
            <td data-label={t.cohort}>
              <a href={`/cohorts/${c.id}`} safe>
                {c.name}
              </a>
            </td>
            <td data-label={t.programme} safe>
              {`${c.programmeName[lang]} ${c.year}`}
            </td>
            <td data-label={say(ctx, 'Anggota', 'Members')} safe>
              {Object.entries(c.members)
                .map(([status, n]) => `${n} ${(t.statuses[status] ?? status).toLowerCase()}`)
                .join(', ') || '—'}
            </td>
            <td data-label={say(ctx, 'Kuota terpakai', 'Quota used')}>
              {c.quota ? (
                <>
                  <span safe>{`${c.quota.used} / ${c.quota.limit}`}</span>
                  <br />
                  <progress
                    max={String(c.quota.limit)}
                    value={String(c.quota.used)}
                    aria-label={`${say(ctx, 'Kuota terpakai', 'Quota used')} ${c.name}`}
                  ></progress>
                </>
              ) : (
                <span class="muted" safe>
                  {say(ctx, 'belum ada kuota', 'no quota yet')}
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the enrol form sends: one way of choosing, and its fields. */
const enrolForm = z.object({
  mode: z.enum(['filter', 'sentra', 'list']).catch('filter'),
  q: z.string().trim().max(100).default(''),
  regionCode: z.string().default(''),
  kbli: z.string().trim().max(200).default(''),
  exportOriented: z.enum(['', 'true', 'false']).catch(''),
  certified: z.enum(['', 'true', 'false']).catch(''),
  sentraId: z.string().default(''),
  nibs: z.string().max(200_000).default(''),
});
type EnrolForm = z.infer<typeof enrolForm>;

/** The form's choice as the API's selection, or the fields to correct. */
async function selectionOf(
  app: FastifyInstance,
  request: FastifyRequest,
  form: EnrolForm,
  ctx: PageContext,
  officeId: string,
): Promise<{ selection: Selection; issues: [] } | { selection: null; issues: FieldIssue[] }> {
  if (form.mode === 'sentra') {
    if (!z.uuid().safeParse(form.sentraId).success)
      return { selection: null, issues: [{ path: 'sentraId', message: say(ctx, 'Pilih sentra', 'Choose a sentra') }] };
    return { selection: { sentraId: form.sentraId }, issues: [] };
  }
  if (form.mode === 'list') {
    const nibs = [...new Set(form.nibs.split(/[\s,;]+/).filter(Boolean))];
    const bad = nibs.filter((n) => !/^\d{13}$/.test(n));
    if (nibs.length === 0 || bad.length > 0)
      return {
        selection: null,
        issues: [
          {
            path: 'nibs',
            message:
              nibs.length === 0
                ? say(ctx, 'Tulis paling sedikit satu NIB', 'Give at least one NIB')
                : say(
                    ctx,
                    `NIB harus 13 digit: ${bad.slice(0, 5).join(', ')}`,
                    `A NIB has 13 digits: ${bad.slice(0, 5).join(', ')}`,
                  ),
          },
        ],
      };
    const found = await businessesByNib(app.db, request.principal!, nibs, officeId);
    if (found.unknown.length > 0)
      return {
        selection: null,
        issues: [
          {
            path: 'nibs',
            message: say(
              ctx,
              `NIB tidak ada di registri kantor ini: ${found.unknown.slice(0, 5).join(', ')}`,
              `Not in this office's registry: ${found.unknown.slice(0, 5).join(', ')}`,
            ),
          },
        ],
      };
    return { selection: { businessIds: found.ids }, issues: [] };
  }
  const kbli = form.kbli ? form.kbli.split(/[\s,;]+/).filter(Boolean) : [];
  const issues: FieldIssue[] = [];
  if (kbli.some((k) => !/^\d{1,5}$/.test(k)) || kbli.length > 20)
    issues.push({
      path: 'kbli',
      message: say(ctx, 'Awalan KBLI 1–5 digit, dipisah koma', 'KBLI prefixes of 1–5 digits, comma-separated'),
    });
  if (form.regionCode && !/^\d{2}(\d{2})?$/.test(form.regionCode))
    issues.push({ path: 'regionCode', message: say(ctx, 'Pilih kabupaten/kota', 'Choose a regency/city') });
  const filter = {
    ...(form.q ? { q: form.q } : {}),
    ...(form.regionCode ? { regionCode: form.regionCode } : {}),
    ...(kbli.length > 0 ? { kbli } : {}),
    ...(form.exportOriented ? { exportOriented: form.exportOriented === 'true' } : {}),
    ...(form.certified ? { certified: form.certified === 'true' } : {}),
  };
  if (Object.keys(filter).length === 0)
    issues.push({
      path: 'q',
      message: say(ctx, 'Isi paling sedikit satu saringan', 'Fill in at least one filter'),
    });
  return issues.length > 0 ? { selection: null, issues } : { selection: { filter }, issues: [] };
}

function EnrolForm(props: {
  ctx: PageContext;
  cohortId: string;
  choices: Awaited<ReturnType<typeof selectionChoices>>;
  form: EnrolForm;
  issues: FieldIssue[];
}) {
  const { ctx, form, issues } = props;
  const { t } = ctx;
  return (
    <form method="post" action={`/cohorts/${props.cohortId}/preview`} class="panel" novalidate>
      <FormGuards ctx={ctx} />
      <h2 id="enrol" safe>
        {say(ctx, 'Daftarkan usaha', 'Enrol businesses')}
      </h2>
      <ErrorSummary ctx={ctx} issues={issues} />
      <RadioGroup
        id="mode"
        name="mode"
        legend={say(ctx, 'Pilih usaha dengan', 'Choose businesses by')}
        options={[
          { key: 'filter', value: 'filter', label: say(ctx, 'Saringan', 'Filter') },
          { key: 'sentra', value: 'sentra', label: 'Sentra' },
          { key: 'list', value: 'list', label: say(ctx, 'Daftar NIB', 'List of NIBs') },
        ]}
        checked={form.mode}
      />
      <fieldset class="fieldset">
        <legend safe>{say(ctx, 'Saringan', 'Filter')}</legend>
        <Field
          name="q"
          label={say(ctx, 'Nama atau awal NIB', 'Name or start of the NIB')}
          value={form.q}
          issues={issues}
        />
        <RegionField ctx={ctx} choices={props.choices} value={form.regionCode} issues={issues} empty={t.allRegions} />
        <Field
          name="kbli"
          label="KBLI"
          hint={say(
            ctx,
            'Awalan, dipisah koma: 10, 11 untuk makanan dan minuman',
            'Prefixes, comma-separated: 10, 11 for food and drink',
          )}
          value={form.kbli}
          issues={issues}
          inputmode="numeric"
        />
        <SelectField
          ctx={ctx}
          name="exportOriented"
          label={say(ctx, 'Berorientasi ekspor', 'Export-oriented')}
          empty={say(ctx, 'Semua', 'Any')}
          value={form.exportOriented}
          options={yesNoOptions(ctx)}
        />
        <SelectField
          ctx={ctx}
          name="certified"
          label={say(ctx, 'Sudah bersertifikat', 'Already certified')}
          empty={say(ctx, 'Semua', 'Any')}
          value={form.certified}
          options={yesNoOptions(ctx)}
        />
      </fieldset>
      <SentraField ctx={ctx} choices={props.choices} value={form.sentraId} issues={issues} empty="—" />
      <div class={issueFor(issues, 'nibs') ? 'field field-error' : 'field'}>
        <label for="f-nibs" safe>
          {say(ctx, 'Daftar NIB (satu per baris)', 'NIBs (one per line)')}
        </label>
        {issueFor(issues, 'nibs') ? (
          <p class="error-message" id="f-nibs-error" safe>
            {issueFor(issues, 'nibs')}
          </p>
        ) : (
          ''
        )}
        <textarea id="f-nibs" name="nibs" rows="3" safe>
          {form.nibs}
        </textarea>
      </div>
      <button type="submit" class="button button-secondary" safe>
        {say(ctx, 'Pratinjau', 'Preview')}
      </button>
    </form>
  );
}

async function cohortPage(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  extra: {
    form?: EnrolForm;
    issues?: FieldIssue[];
    problem?: Problem;
    result?: { active: number; waitlisted: number };
    assigned?: { count: number; userId: string | null };
    assignRefusal?: { problem: Problem; values: Record<string, string> };
  },
  status = 200,
) {
  const page = z.coerce
    .number()
    .int()
    .min(1)
    .catch(1)
    .parse((request.query as { page?: string }).page ?? 1);
  const detail = await cohortDetail(app.db, request.principal!, id, page);
  const [choices, staff] = await Promise.all([
    selectionChoices(app.db, request.principal!, detail.cohort.officeId),
    officeStaff(app.db, request.principal!, detail.cohort.officeId),
  ]);
  const ctx = request.pageContext(reply);
  const { t, lang } = ctx;
  const zone = detail.zone;
  return html(
    reply,
    <Layout ctx={ctx} title={detail.cohort.name}>
      <p class="caption" safe>
        {`${detail.programmeName[lang]} ${detail.cohort.year}`}
      </p>
      <h1 safe>{detail.cohort.name}</h1>
      {extra.result ? (
        <div class="notice" role="status" id="enrol-result">
          <p safe>
            {say(
              ctx,
              `${extra.result.active} usaha terdaftar aktif, ${extra.result.waitlisted} masuk daftar tunggu.`,
              `${extra.result.active} businesses enrolled, ${extra.result.waitlisted} on the waitlist.`,
            )}
          </p>
        </div>
      ) : (
        ''
      )}
      {extra.assigned ? (
        <div class="notice" role="status" id="assign-result">
          <p safe>
            {t.cohortAssigned(extra.assigned.count, staff.find((u) => u.id === extra.assigned?.userId)?.name ?? null)}
          </p>
        </div>
      ) : (
        ''
      )}
      {extra.problem ? <ErrorSummary ctx={ctx} detail={extra.problem.detail} issues={extra.problem.errors} /> : ''}
      <h2 safe>{`${say(ctx, 'Anggota', 'Members')} (${detail.total})`}</h2>
      {detail.members.length === 0 ? (
        <p safe>{say(ctx, 'Belum ada anggota.', 'No members yet.')}</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col" safe>
                {t.business}
              </th>
              <th scope="col" safe>
                {t.status}
              </th>
              <th scope="col" safe>
                {t.step}
              </th>
              <th scope="col" safe>
                {t.due}
              </th>
              <th scope="col" safe>
                {t.handledBy}
              </th>
            </tr>
          </thead>
          <tbody>
            {detail.members.map((m) => (
              <tr>
                <td data-label={t.business}>
                  <a href={`/enrolments/${m.enrolmentId}`} safe>
                    {m.businessName}
                  </a>
                </td>
                <td data-label={t.status}>
                  <strong class={`tag tag-${m.status}`} safe>
                    {t.statuses[m.status] ?? m.status}
                  </strong>
                </td>
                <td data-label={t.step} safe>
                  {m.stepName?.[lang] ?? '—'}
                </td>
                <td data-label={t.due} safe>
                  {m.dueAt ? formatInstant(m.dueAt, zone, lang) : '—'}
                </td>
                <td data-label={t.handledBy} class="assignee">
                  {m.assigneeName ? (
                    <span safe>{m.assigneeName}</span>
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
      {detail.pageCount > 1 ? (
        <nav class="pager" aria-label={t.page}>
          {detail.page > 1 ? <a href={`/cohorts/${id}?page=${detail.page - 1}`} safe>{`← ${t.previous}`}</a> : ''}
          <span safe>{`${t.page} ${detail.page} ${t.of} ${detail.pageCount}`}</span>
          {detail.page < detail.pageCount ? (
            <a href={`/cohorts/${id}?page=${detail.page + 1}`} safe>{`${t.next} →`}</a>
          ) : (
            ''
          )}
        </nav>
      ) : (
        ''
      )}
      <AssignForm
        ctx={ctx}
        action={`/cohorts/${id}/assignee`}
        title={t.assignCohortTitle}
        hint={t.assignCohortHint}
        button={t.assignCohortButton}
        staff={staff}
        current={null}
        refusal={extra.assignRefusal}
      />
      <EnrolForm
        ctx={ctx}
        cohortId={id}
        choices={choices}
        form={extra.form ?? enrolForm.parse({})}
        issues={extra.issues ?? []}
      />
    </Layout>,
    status,
  );
}

function PreviewPage(props: {
  ctx: PageContext;
  cohortId: string;
  cohortName: string;
  preview: EnrolmentPreview;
  selection: Selection;
}) {
  const { ctx, preview } = props;
  const list = (items: { name: string }[]) =>
    items.length === 0 ? (
      <p class="muted">—</p>
    ) : (
      <ul>
        {items.slice(0, 100).map((i) => (
          <li safe>{i.name}</li>
        ))}
        {items.length > 100 ? (
          <li safe>{say(ctx, `dan ${items.length - 100} lainnya`, `and ${items.length - 100} more`)}</li>
        ) : (
          ''
        )}
      </ul>
    );
  return (
    <Layout ctx={ctx} title={say(ctx, 'Pratinjau pendaftaran', 'Enrolment preview')}>
      <p class="caption" safe>
        {props.cohortName}
      </p>
      <h1 safe>{say(ctx, 'Pratinjau pendaftaran', 'Enrolment preview')}</h1>
      <ul class="counts">
        <li class="count">
          <span class="count-n" id="preview-active">
            {String(preview.active.length)}
          </span>{' '}
          <span safe>{say(ctx, 'akan aktif', 'would be active')}</span>
        </li>
        <li class="count count-amber">
          <span class="count-n" id="preview-waitlisted">
            {String(preview.waitlisted.length)}
          </span>{' '}
          <span safe>{say(ctx, 'masuk daftar tunggu', 'would wait')}</span>
        </li>
        <li class="count">
          <span class="count-n">{String(preview.skipped.length)}</span>{' '}
          <span safe>{say(ctx, 'dilewati', 'skipped')}</span>
        </li>
      </ul>
      <p class="muted" safe>
        {say(
          ctx,
          'Usaha berorientasi ekspor didahulukan. Tempat bisa terpakai pendaftaran lain sebelum Anda mengonfirmasi.',
          'Export-oriented businesses go first. A place can be taken by another enrolment before you confirm.',
        )}
      </p>
      <h2 safe>{say(ctx, 'Akan aktif', 'Would be active')}</h2>
      {list(preview.active)}
      <h2 safe>{say(ctx, 'Masuk daftar tunggu', 'Would wait')}</h2>
      {list(preview.waitlisted)}
      {preview.skipped.length > 0 ? (
        <>
          <h2 safe>
            {say(ctx, 'Dilewati (sudah terdaftar atau tanpa kuota)', 'Skipped (already enrolled or no quota)')}
          </h2>
          {list(preview.skipped)}
        </>
      ) : (
        ''
      )}
      <form method="post" action={`/cohorts/${props.cohortId}/enrol`} data-once>
        <FormGuards ctx={ctx} idempotencyKey={formKey()} />
        <input type="hidden" name="selection" value={JSON.stringify(props.selection)} />
        <button type="submit" class="button" safe>
          {say(ctx, 'Konfirmasi pendaftaran', 'Confirm enrolment')}
        </button>{' '}
        <a href={`/cohorts/${props.cohortId}`} safe>
          {say(ctx, 'Batal', 'Cancel')}
        </a>
      </form>
    </Layout>
  );
}

export default async function cohortPages(app: FastifyInstance) {
  /** The list, for an administrator of the office named (the query's or the posted form's). */
  async function cohortList(
    request: FastifyRequest,
    reply: FastifyReply,
    named: unknown,
    extra: { values?: Record<string, string>; problem?: Problem | null } = {},
    status = 200,
  ) {
    const office = await officeChoiceOf(app, request, named);
    const [cohorts, choices] = await Promise.all([
      office && !office.chosen ? null : listCohorts(app.db, request.principal!, office?.chosen?.id),
      programmeNames(app.db),
    ]);
    return html(
      reply,
      <CohortList ctx={request.pageContext(reply)} cohorts={cohorts} office={office} programmes={choices} {...extra} />,
      status,
    );
  }

  app.get('/cohorts', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect('/login?next=/cohorts', 303);
    return cohortList(request, reply, (request.query as { officeId?: unknown }).officeId);
  });

  app.post('/cohorts', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect('/login', 303);
    const form = (request.body ?? {}) as Record<string, string>;
    const values = { name: form.name ?? '', programmeKey: form.programmeKey ?? '', year: form.year ?? '' };
    const answer = await callApi<{ id: string }>(app, request, {
      method: 'POST',
      url: '/api/v1/cohorts',
      body: {
        name: values.name,
        programmeKey: values.programmeKey,
        // A number the API checks; anything else goes as typed, so the API names the field.
        year: /^\d{4}$/.test(values.year.trim()) ? Number(values.year.trim()) : values.year,
        officeId: postedOffice(form),
      },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.problem?.type === inProgressType) return reply.redirect('/cohorts', 303);
    if (answer.ok) return reply.redirect(`/cohorts/${answer.body.id}`, 303);
    return cohortList(request, reply, form.officeId, { values, problem: answer.problem }, answer.status);
  });

  app.get<{ Params: { id: string } }>('/cohorts/:id', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    if (!z.uuid().safeParse(request.params.id).success) return reply.callNotFound();
    const q = request.query as { active?: string; waitlisted?: string; assigned?: string; assignee?: string };
    const result =
      q.active !== undefined ? { active: Number(q.active) || 0, waitlisted: Number(q.waitlisted) || 0 } : undefined;
    const assigned =
      q.assigned !== undefined
        ? { count: Number(q.assigned) || 0, userId: q.assignee && q.assignee !== 'none' ? q.assignee : null }
        : undefined;
    return cohortPage(app, request, reply, request.params.id, {
      ...(result ? { result } : {}),
      ...(assigned ? { assigned } : {}),
    });
  });

  app.post<{ Params: { id: string } }>('/cohorts/:id/assignee', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect('/login', 303);
    const id = request.params.id;
    if (!z.uuid().safeParse(id).success) return reply.callNotFound();
    const body = (request.body ?? {}) as { userId?: string; idempotencyKey?: string };
    const userId = typeof body.userId === 'string' ? body.userId : '';
    const problem = assigneeChoiceProblem(request.pageContext(reply), userId);
    if (problem) return cohortPage(app, request, reply, id, { assignRefusal: { problem, values: { userId } } }, 400);
    const answer = await callApi<{ enrolmentIds: string[] }>(app, request, {
      method: 'PUT',
      url: `/api/v1/cohorts/${id}/assignee`,
      body: { userId: assigneeOfChoice(userId) },
      idempotencyKey: body.idempotencyKey,
    });
    if (answer.problem?.type === inProgressType) return reply.redirect(`/cohorts/${id}`, 303);
    if (answer.status === 404) return reply.callNotFound();
    if (!answer.ok) {
      return cohortPage(
        app,
        request,
        reply,
        id,
        { assignRefusal: { problem: answer.problem!, values: { userId } } },
        answer.status,
      );
    }
    const to = new URLSearchParams({ assigned: String(answer.body.enrolmentIds.length), assignee: userId });
    return reply.redirect(`/cohorts/${id}?${to.toString()}#assign-result`, 303);
  });

  app.post<{ Params: { id: string } }>('/cohorts/:id/preview', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect('/login', 303);
    const id = request.params.id;
    if (!z.uuid().safeParse(id).success) return reply.callNotFound();
    const form = enrolForm.parse(request.body ?? {});
    const ctx = request.pageContext(reply);
    const detail = await cohortDetail(app.db, request.principal!, id, 1);
    const chosen = await selectionOf(app, request, form, ctx, detail.cohort.officeId);
    if (!chosen.selection) return cohortPage(app, request, reply, id, { form, issues: chosen.issues }, 400);
    const preview = await previewEnrolment(app.db, request.principal!, id, chosen.selection);
    return html(
      reply,
      <PreviewPage
        ctx={ctx}
        cohortId={id}
        cohortName={detail.cohort.name}
        preview={preview}
        selection={chosen.selection}
      />,
    );
  });

  app.post<{ Params: { id: string } }>('/cohorts/:id/enrol', async (request, reply) => {
    if (!staffOnly(request)) return reply.redirect('/login', 303);
    const id = request.params.id;
    if (!z.uuid().safeParse(id).success) return reply.callNotFound();
    const body = request.body as { selection?: string; idempotencyKey?: string };
    let selection: unknown;
    try {
      selection = JSON.parse(body.selection ?? '');
    } catch {
      return reply.redirect(`/cohorts/${id}`, 303);
    }
    const answer = await callApi<{ active: number; waitlisted: number }>(app, request, {
      method: 'POST',
      url: `/api/v1/cohorts/${id}/enrolments`,
      body: selection,
      idempotencyKey: body.idempotencyKey,
    });
    if (answer.problem?.type === inProgressType) return reply.redirect(`/cohorts/${id}`, 303);
    if (!answer.ok) return cohortPage(app, request, reply, id, { problem: answer.problem! }, answer.status);
    return reply.redirect(`/cohorts/${id}?active=${answer.body.active}&waitlisted=${answer.body.waitlisted}`, 303);
  });
}
