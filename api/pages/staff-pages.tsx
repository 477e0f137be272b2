// The office's staff, for its manager (kepala bidang) and for an administrator acting for an office: who works there,
// whether each has accepted their invitation, a new officer's account and its invitation link, a new link for one who
// lost theirs or forgot their password, disabling one who has left, and handing one person's running cases to
// another. Every write goes through the API (services/staff.ts, services/case-assignment.ts), so a page and the API
// refuse the same things.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { forbidden, type FieldIssue } from '../../domain/errors.js';
import type { Problem } from '../problem.js';
import { inProgressType } from '../plugins/idempotency.js';
import type { PublicUser } from '../schemas/users.js';
import { ErrorSummary, Field, FormGuards, Layout, SelectField, say, type PageContext } from './layout.js';
import {
  ChosenOffice,
  chosenOfficeQuery,
  officeChoiceOf,
  OfficePicker,
  postedOffice,
  type OfficeChoice,
} from './office-fields.js';
import { callApi, failedAnswer, formKey, html, originOf } from './session.js';

/** A link just made, shown once: the API keeps only its hash. */
interface IssuedLink {
  name: string;
  url: string;
  expiresAt: string;
}

interface NewStaffForm {
  values: Record<string, string>;
  problem: Problem;
}

/** A member of staff as the list gives them: with when their latest unused invitation link expires. */
type Listed = PublicUser & { invitationExpiresAt: string | null };

const dayOf = (ctx: PageContext, iso: string) =>
  new Date(iso).toLocaleDateString(ctx.lang === 'id' ? 'id-ID' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });

const stateOf = (ctx: PageContext, u: Listed, now: number) => {
  if (u.disabledAt) return { tag: 'tag tag-cancelled', text: say(ctx, 'Nonaktif', 'Disabled') };
  if (u.passwordSet) return { tag: 'tag tag-done', text: say(ctx, 'Aktif', 'Active') };
  if (u.invitationExpiresAt && Date.parse(u.invitationExpiresAt) > now) {
    const until = dayOf(ctx, u.invitationExpiresAt);
    return {
      tag: 'tag tag-amber',
      text: say(
        ctx,
        `Undangan belum dipakai, berlaku sampai ${until}`,
        `Invitation not yet used, valid until ${until}`,
      ),
    };
  }
  // The link ran out (or was revoked) before it was used: only a new one lets this person in.
  return {
    tag: 'tag tag-red',
    text: say(ctx, 'Undangan kedaluwarsa: buat tautan baru', 'Invitation expired: make a new link'),
  };
};

/** Whom the reader may re-invite and disable: a manager their office's officers, an administrator any staff. */
const manages = (ctx: PageContext, u: PublicUser) =>
  u.id !== ctx.principal?.userId && (ctx.principal?.role === 'admin' || u.role === 'officer');

function LinkNotice(props: { ctx: PageContext; link: IssuedLink }) {
  const { ctx, link } = props;
  const until = dayOf(ctx, link.expiresAt);
  return (
    <div class="notice" role="status" id="invitation">
      <p safe>
        {say(
          ctx,
          `Tautan undangan untuk ${link.name}. Kirim lewat WhatsApp atau email; tautan ini hanya ditampilkan sekali dan berlaku sampai ${until}. Dengan tautan ini ia menetapkan kata sandinya sendiri.`,
          `The invitation link for ${link.name}. Send it by WhatsApp or e-mail; it is shown only once and is valid until ${until}. With it they set their own password.`,
        )}
      </p>
      <p>
        <code id="invitation-link" safe>
          {link.url}
        </code>
      </p>
    </div>
  );
}

/** All of one person's running cases to another active member of the office's staff, or to nobody. */
function HandOverForm(props: { ctx: PageContext; from: Listed; staff: Listed[]; chosen: string }) {
  const { ctx, from } = props;
  const id = `handover-${from.id}`;
  const others = props.staff.filter((u) => u.id !== from.id && !u.disabledAt);
  return (
    <details class="subform">
      <summary safe>{say(ctx, 'Serahkan kasus…', 'Hand over the cases…')}</summary>
      <form method="post" action={`/staff/${from.id}/handover${props.chosen}`} data-once>
        <FormGuards ctx={ctx} idempotencyKey={formKey()} />
        <label for={id} safe>
          {say(ctx, `Kasus berjalan ${from.name} diserahkan kepada`, `${from.name}'s running cases go to`)}
        </label>
        <select id={id} name="userId">
          {others.map((u) => (
            <option value={u.id} safe>
              {u.name}
            </option>
          ))}
          <option value="" safe>
            {say(ctx, '— belum ditugaskan —', '— nobody yet —')}
          </option>
        </select>
        <button type="submit" class="button button-secondary" safe>
          {say(ctx, 'Serahkan', 'Hand over')}
        </button>
      </form>
    </details>
  );
}

function StaffPage(props: {
  ctx: PageContext;
  office: OfficeChoice | null;
  staff: Listed[];
  /** Open steps of each person's running cases, as the workload counts them. */
  loads: Map<string, number>;
  link: IssuedLink | null;
  form: NewStaffForm | null;
}) {
  const { ctx, office, staff } = props;
  const openSteps = (u: PublicUser) => props.loads.get(u.id) ?? 0;
  const now = Date.now();
  const { t } = ctx;
  const title = say(ctx, 'Staf kantor', 'Office staff');
  const issues: FieldIssue[] = props.form?.problem.errors ?? [];
  const values = props.form?.values ?? {};
  const chosen = office?.chosen ? `?officeId=${office.chosen.id}` : '';
  return (
    <Layout ctx={ctx} title={title}>
      <h1 safe>{title}</h1>
      {office ? <OfficePicker ctx={ctx} choice={office} action="/staff" /> : ''}
      {props.link ? <LinkNotice ctx={ctx} link={props.link} /> : ''}
      <p class="lead" safe>
        {say(
          ctx,
          'Petugas masuk dengan kata sandi yang mereka tetapkan sendiri lewat tautan undangan. Yang lupa kata sandi atau kehilangan tautannya mendapat tautan baru di sini; tautan lama tidak berlaku lagi.',
          'Officers log in with a password they set themselves through an invitation link. One who forgot the password or lost the link gets a new link here; the old one stops working.',
        )}
      </p>
      {staff.length === 0 ? (
        <p class="muted" safe>
          {say(ctx, 'Kantor ini belum punya staf.', 'This office has no staff yet.')}
        </p>
      ) : (
        <table class="table staff">
          <caption class="visually-hidden" safe>
            {title}
          </caption>
          <thead>
            <tr>
              <th scope="col" safe>
                {say(ctx, 'Nama', 'Name')}
              </th>
              <th scope="col">Email</th>
              <th scope="col" safe>
                {say(ctx, 'Peran', 'Role')}
              </th>
              <th scope="col" safe>
                {say(ctx, 'Keadaan', 'Status')}
              </th>
              <th scope="col" class="numeric" safe>
                {t.openSteps}
              </th>
              <th scope="col" safe>
                {say(ctx, 'Tindakan', 'Actions')}
              </th>
            </tr>
          </thead>
          <tbody>
            {staff.map((u) => {
              const state = stateOf(ctx, u, now);
              return (
                <tr id={`user-${u.id}`} data-user={u.id}>
                  <th scope="row" data-label={say(ctx, 'Nama', 'Name')} safe>
                    {u.name}
                  </th>
                  <td data-label="Email" safe>
                    {u.email ?? '—'}
                  </td>
                  <td data-label={say(ctx, 'Peran', 'Role')} safe>
                    {t.roles[u.role] ?? u.role}
                  </td>
                  <td data-label={say(ctx, 'Keadaan', 'Status')}>
                    <span class={state.tag} safe>
                      {state.text}
                    </span>
                  </td>
                  <td data-label={t.openSteps} class="numeric" safe>
                    {String(openSteps(u))}
                  </td>
                  <td data-label={say(ctx, 'Tindakan', 'Actions')}>
                    {manages(ctx, u) && !u.disabledAt ? (
                      <div class="row-actions">
                        <form method="post" action={`/staff/${u.id}/invite${chosen}`} data-once>
                          <FormGuards ctx={ctx} idempotencyKey={formKey()} />
                          <button type="submit" class="button button-secondary" safe>
                            {say(ctx, 'Tautan undangan baru', 'New invitation link')}
                          </button>
                        </form>
                        <details class="subform">
                          <summary safe>{say(ctx, 'Nonaktifkan…', 'Disable…')}</summary>
                          <form method="post" action={`/staff/${u.id}/disable${chosen}`} data-once>
                            <FormGuards ctx={ctx} idempotencyKey={formKey()} />
                            <p class="hint" safe>
                              {say(
                                ctx,
                                `${u.name} tidak dapat masuk lagi, dan semua sesi serta tautannya dicabut. Kasusnya tetap atas namanya sampai diserahkan kepada orang lain.`,
                                `${u.name} can no longer log in, and all their sessions and links are revoked. Their cases stay in their name until handed over.`,
                              )}
                            </p>
                            <button type="submit" class="button button-warning" safe>
                              {say(ctx, `Nonaktifkan ${u.name}`, `Disable ${u.name}`)}
                            </button>
                          </form>
                        </details>
                      </div>
                    ) : (
                      ''
                    )}
                    {openSteps(u) > 0 ? (
                      <HandOverForm ctx={ctx} from={u} staff={staff} chosen={chosen} />
                    ) : manages(ctx, u) && !u.disabledAt ? (
                      ''
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {!office || office.chosen ? (
        <form method="post" action={`/staff${chosen}`} class="panel" id="new-staff" novalidate data-once>
          <h2 safe>{say(ctx, 'Tambah staf', 'Add staff')}</h2>
          <ErrorSummary ctx={ctx} detail={issues.length === 0 ? props.form?.problem.detail : null} issues={issues} />
          <FormGuards ctx={ctx} idempotencyKey={formKey()} />
          <ChosenOffice choice={office} />
          <Field name="name" label={say(ctx, 'Nama', 'Name')} value={values.name} issues={issues} autocomplete="off" />
          <Field
            name="email"
            label="Email"
            type="email"
            value={values.email}
            issues={issues}
            autocomplete="off"
            hint={say(ctx, 'Untuk masuk; setiap orang satu email.', 'To log in with; one e-mail per person.')}
          />
          {ctx.principal?.role === 'admin' ? (
            <SelectField
              ctx={ctx}
              name="role"
              label={say(ctx, 'Peran', 'Role')}
              value={values.role ?? 'officer'}
              issues={issues}
              empty={null}
              options={(['officer', 'manager'] as const).map((r) => ({ value: r, label: t.roles[r] ?? r }))}
            />
          ) : (
            ''
          )}
          <button type="submit" class="button" safe>
            {say(ctx, 'Buat akun dan tautan undangan', 'Create the account and its invitation link')}
          </button>
        </form>
      ) : (
        ''
      )}
    </Layout>
  );
}

const query = z.object({ officeId: z.uuid().optional().catch(undefined) });

export default async function staffPages(app: FastifyInstance) {
  /** Managers and administrators; anyone else signed in is refused, as the API refuses them. */
  function guard(request: FastifyRequest, reply: FastifyReply) {
    const role = request.principal?.role;
    if (!role) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    if (role !== 'manager' && role !== 'admin')
      throw forbidden('Hanya untuk kepala bidang dan administrator / For managers and administrators only');
    return null;
  }

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { link?: IssuedLink; form?: NewStaffForm; status?: number } = {},
  ) {
    const ctx = request.pageContext(reply);
    const office = await officeChoiceOf(app, request, query.parse(request.query).officeId);
    let staff: Listed[] = [];
    const loads = new Map<string, number>();
    if (!office || office.chosen) {
      const params = (role: string) => {
        const p = new URLSearchParams({ role, limit: '100' });
        if (office?.chosen) p.set('officeId', office.chosen.id);
        return `/api/v1/users?${p}`;
      };
      // Business accounts belong to an office too; the staff are its managers and officers.
      const answers = await Promise.all(
        ['manager', 'officer'].map((role) =>
          callApi<{ items: Listed[] }>(app, request, { method: 'GET', url: params(role) }),
        ),
      );
      const workload = await callApi<{ items: { userId: string | null; openSteps: number }[] }>(app, request, {
        method: 'GET',
        url: `/api/v1/workload${office?.chosen ? `?officeId=${office.chosen.id}` : ''}`,
      });
      for (const answer of [...answers, workload]) if (!answer.ok) throw failedAnswer(answer);
      staff = answers.flatMap((a) => a.body.items);
      for (const l of workload.body.items) if (l.userId) loads.set(l.userId, l.openSteps);
    }
    return html(
      reply,
      <StaffPage
        ctx={ctx}
        office={office}
        staff={staff}
        loads={loads}
        link={extra.link ?? null}
        form={extra.form ?? null}
      />,
      extra.status,
    );
  }

  type Issued = { user: PublicUser; invitation: { url: string; expiresAt: string } };
  const linkOf = (request: FastifyRequest, issued: Issued): IssuedLink => ({
    name: issued.user.name,
    url: `${originOf(request)}${issued.invitation.url}`,
    expiresAt: issued.invitation.expiresAt,
  });

  app.get('/staff', async (request, reply) => guard(request, reply) ?? show(request, reply));

  app.post('/staff', async (request, reply) => {
    const away = guard(request, reply);
    if (away) return away;
    const form = (request.body ?? {}) as Record<string, string>;
    const values = { name: form.name ?? '', email: (form.email ?? '').trim(), role: form.role ?? 'officer' };
    const officeId = postedOffice(form);
    const answer = await callApi<Issued>(app, request, {
      method: 'POST',
      url: '/api/v1/users',
      body: {
        name: values.name,
        email: values.email,
        role: request.principal!.role === 'admin' ? values.role : 'officer',
        ...(request.principal!.role === 'admin' && officeId ? { officeId } : {}),
      },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok) return show(request, reply, { link: linkOf(request, answer.body) });
    // A double submit: the first one's link is on its own answer; this one shows the list.
    if (answer.problem?.type === inProgressType) return reply.redirect(`/staff${chosenOfficeQuery(form)}`, 303);
    if (answer.status === 403) throw forbidden(answer.problem!.detail);
    // An e-mail already in use is a fact about the field: say it beside the field.
    const problem =
      answer.status === 409
        ? { ...answer.problem!, errors: [{ path: 'body.email', message: answer.problem!.detail }] }
        : answer.problem!;
    return show(request, reply, { form: { values, problem }, status: answer.status });
  });

  app.post<{ Params: { id: string } }>('/staff/:id/invite', async (request, reply) => {
    const away = guard(request, reply);
    if (away) return away;
    if (!z.uuid().safeParse(request.params.id).success) return reply.callNotFound();
    const form = (request.body ?? {}) as Record<string, string>;
    const answer = await callApi<Issued>(app, request, {
      method: 'POST',
      url: `/api/v1/users/${request.params.id}/invitations`,
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok) return show(request, reply, { link: linkOf(request, answer.body) });
    if (answer.problem?.type === inProgressType)
      return reply.redirect(`/staff${chosenOfficeQuery(request.query as Record<string, unknown>)}`, 303);
    throw failedAnswer(answer);
  });

  app.post<{ Params: { id: string } }>('/staff/:id/handover', async (request, reply) => {
    const away = guard(request, reply);
    if (away) return away;
    if (!z.uuid().safeParse(request.params.id).success) return reply.callNotFound();
    const form = (request.body ?? {}) as Record<string, string>;
    const answer = await callApi(app, request, {
      method: 'PUT',
      url: `/api/v1/users/${request.params.id}/cases/assignee`,
      body: { userId: form.userId ? form.userId : null },
      idempotencyKey: form.idempotencyKey,
    });
    if (!answer.ok && answer.problem?.type !== inProgressType) throw failedAnswer(answer);
    return reply.redirect(
      `/staff${chosenOfficeQuery(request.query as Record<string, unknown>)}#user-${request.params.id}`,
      303,
    );
  });

  app.post<{ Params: { id: string } }>('/staff/:id/disable', async (request, reply) => {
    const away = guard(request, reply);
    if (away) return away;
    if (!z.uuid().safeParse(request.params.id).success) return reply.callNotFound();
    const form = (request.body ?? {}) as Record<string, string>;
    const answer = await callApi(app, request, {
      method: 'POST',
      url: `/api/v1/users/${request.params.id}/disable`,
      idempotencyKey: form.idempotencyKey,
    });
    if (!answer.ok && answer.problem?.type !== inProgressType) throw failedAnswer(answer);
    return reply.redirect(
      `/staff${chosenOfficeQuery(request.query as Record<string, unknown>)}#user-${request.params.id}`,
      303,
    );
  });
}
