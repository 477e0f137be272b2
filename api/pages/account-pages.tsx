// The reader's own account: who they are, how they are told of things (the language of their messages, e-mail,
// WhatsApp and its number, the morning digest for staff), and a new password. Both writes go through the API
// (PUT /api/v1/notification-preferences, POST /api/v1/auth/password), so the page refuses what the API refuses.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldIssue } from '../../domain/errors.js';
import type { Problem } from '../problem.js';
import { inProgressType } from '../plugins/idempotency.js';
import {
  CheckboxGroup,
  ErrorSummary,
  Field,
  FormGuards,
  issueFor,
  Layout,
  RadioGroup,
  say,
  summaryRow,
  type PageContext,
} from './layout.js';
import { callApi, failedAnswer, formKey, html } from './session.js';

interface Preferences {
  language: 'id' | 'en';
  email: string | null;
  phone: string | null;
  channels: { email: boolean; whatsapp: boolean; webhook: boolean };
  digest: boolean;
}

interface Me {
  /** null for the administrator token from the configuration. */
  user: { name: string; email: string | null } | null;
  /** `invitation`: a business reading by its link, before it has set a password. */
  token: { kind: string };
}

/** A refused form: which one, what the API said, and what was typed. */
interface Refusal {
  form: 'notifications' | 'password';
  problem: Problem;
  values: Record<string, string | string[]>;
}

function NotificationsForm(props: { ctx: PageContext; prefs: Preferences; refusal: Refusal | null }) {
  const { ctx, prefs } = props;
  const refused = props.refusal?.form === 'notifications' ? props.refusal : null;
  const issues: FieldIssue[] = refused?.problem.errors ?? [];
  const typed = refused?.values;
  const channels = typed
    ? ([] as string[]).concat(typed.channels ?? [])
    : (['email', 'whatsapp', 'webhook'] as const).filter((c) => prefs.channels[c]);
  const staff = ctx.principal?.role !== 'business';
  return (
    <form method="post" action="/account/notifications" class="panel" id="notifications" novalidate data-once>
      <h2 safe>{say(ctx, 'Pemberitahuan', 'Notifications')}</h2>
      <ErrorSummary ctx={ctx} detail={issues.length === 0 ? refused?.problem.detail : null} issues={issues} />
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <RadioGroup
        id="f-language"
        name="language"
        legend={say(ctx, 'Bahasa pesan', 'Language of messages')}
        checked={(typed?.language as string | undefined) ?? prefs.language}
        error={issueFor(issues, 'language')}
        options={[
          { key: 'id', value: 'id', label: 'Bahasa Indonesia' },
          { key: 'en', value: 'en', label: 'English' },
        ]}
      />
      <CheckboxGroup
        prefix="f"
        name="channels"
        legend={say(ctx, 'Kirim juga lewat', 'Also send by')}
        checked={channels}
        error={issueFor(issues, 'channels')}
        choices={[
          {
            value: 'email',
            label: prefs.email
              ? say(ctx, `Email ke ${prefs.email}`, `E-mail to ${prefs.email}`)
              : say(ctx, 'Email (belum ada alamat email)', 'E-mail (no e-mail address yet)'),
          },
          { value: 'whatsapp', label: say(ctx, 'WhatsApp ke nomor di bawah', 'WhatsApp to the number below') },
          ...(staff
            ? [{ value: 'webhook', label: say(ctx, 'Webhook kantor (SMS)', "The office's webhook (SMS)") }]
            : []),
        ]}
      />
      <Field
        name="phone"
        label={say(ctx, 'Nomor WhatsApp', 'WhatsApp number')}
        type="tel"
        inputmode="tel"
        autocomplete="tel"
        value={(typed?.phone as string | undefined) ?? prefs.phone ?? ''}
        issues={issues}
        hint={say(
          ctx,
          'Contoh +6281234567890. Kosongkan untuk menghapus nomor. Pesan tidak dikirim antara pukul 21.00 dan 07.00.',
          'For example +6281234567890. Leave empty to remove the number. No message is sent between 21:00 and 07:00.',
        )}
      />
      {staff ? (
        <div class="checkbox">
          <input
            type="checkbox"
            id="f-digest"
            name="digest"
            value="true"
            checked={typed ? typed.digest === 'true' : prefs.digest}
          />
          <label for="f-digest" safe>
            {say(
              ctx,
              'Ringkasan pagi: langkah baru, pengingat dan keterlambatan dikumpulkan dalam satu pesan setiap hari kerja',
              'Morning digest: new steps, reminders and overdue steps gathered in one message each working day',
            )}
          </label>
        </div>
      ) : (
        ''
      )}
      <p class="hint" safe>
        {say(
          ctx,
          'Semua pemberitahuan tetap ada di halaman Pemberitahuan.',
          'Every notification stays on the Notifications page too.',
        )}
      </p>
      <button type="submit" class="button" safe>
        {say(ctx, 'Simpan', 'Save')}
      </button>
    </form>
  );
}

function PasswordForm(props: { ctx: PageContext; refusal: Refusal | null }) {
  const { ctx } = props;
  const refused = props.refusal?.form === 'password' ? props.refusal : null;
  const issues: FieldIssue[] = refused?.problem.errors ?? [];
  return (
    <form method="post" action="/account/password" class="panel" id="password" novalidate data-once>
      <h2 safe>{say(ctx, 'Ganti kata sandi', 'Change the password')}</h2>
      <ErrorSummary ctx={ctx} detail={issues.length === 0 ? refused?.problem.detail : null} issues={issues} />
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <Field
        name="currentPassword"
        label={say(ctx, 'Kata sandi sekarang', 'Current password')}
        type="password"
        autocomplete="current-password"
        issues={issues}
      />
      <Field
        name="newPassword"
        label={ctx.t.newPassword}
        type="password"
        autocomplete="new-password"
        issues={issues}
        hint={say(
          ctx,
          'Perangkat lain yang masuk dengan akun ini akan keluar.',
          'Other devices logged in with this account are logged out.',
        )}
      />
      <button type="submit" class="button button-secondary" safe>
        {say(ctx, 'Ganti kata sandi', 'Change the password')}
      </button>
    </form>
  );
}

function AccountPage(props: {
  ctx: PageContext;
  me: Me;
  prefs: Preferences | null;
  saved: string | null;
  refusal: Refusal | null;
}) {
  const { ctx, me } = props;
  const title = say(ctx, 'Akun saya', 'My account');
  return (
    <Layout ctx={ctx} title={title}>
      <h1 safe>{title}</h1>
      {props.saved ? (
        <div class="notice" role="status">
          <p safe>
            {props.saved === 'password'
              ? say(ctx, 'Kata sandi diganti.', 'The password was changed.')
              : say(ctx, 'Pengaturan pemberitahuan disimpan.', 'The notification settings were saved.')}
          </p>
        </div>
      ) : (
        ''
      )}
      <dl class="summary">
        {summaryRow(
          say(ctx, 'Nama', 'Name'),
          me.user?.name ?? say(ctx, 'Administrator sistem', 'System administrator'),
        )}
        {summaryRow('Email', me.user?.email ?? '')}
        {summaryRow(say(ctx, 'Peran', 'Role'), ctx.t.roles[ctx.principal!.role] ?? ctx.principal!.role)}
      </dl>
      {me.token.kind === 'invitation' ? (
        <p safe>
          {say(
            ctx,
            'Anda membuka akun ini lewat tautan undangan. Tetapkan kata sandi di halaman Beranda terlebih dahulu; sesudah itu pengaturan pemberitahuan dapat diubah di sini.',
            'You opened this account by an invitation link. Set a password on the Home page first; after that the notification settings can be changed here.',
          )}
        </p>
      ) : props.prefs ? (
        <NotificationsForm ctx={ctx} prefs={props.prefs} refusal={props.refusal} />
      ) : (
        <p class="muted" safe>
          {say(
            ctx,
            'Token administrator dari konfigurasi tidak mempunyai akun, pengaturan pemberitahuan, atau kata sandi.',
            'The administrator token from the configuration has no account, notification settings or password.',
          )}
        </p>
      )}
      {me.user && me.token.kind !== 'invitation' ? <PasswordForm ctx={ctx} refusal={props.refusal} /> : ''}
    </Layout>
  );
}

export default async function accountPages(app: FastifyInstance) {
  async function show(request: FastifyRequest, reply: FastifyReply, refusal: Refusal | null = null, status = 200) {
    const [me, prefs] = await Promise.all([
      callApi<Me>(app, request, { method: 'GET', url: '/api/v1/auth/me' }),
      callApi<Preferences>(app, request, { method: 'GET', url: '/api/v1/notification-preferences' }),
    ]);
    if (!me.ok) throw failedAnswer(me);
    const saved = (request.query as { saved?: unknown }).saved;
    return html(
      reply,
      <AccountPage
        ctx={request.pageContext(reply)}
        me={me.body}
        prefs={prefs.ok ? prefs.body : null}
        saved={refusal === null && (saved === 'notifications' || saved === 'password') ? saved : null}
        refusal={refusal}
      />,
      status,
    );
  }

  const away = (request: FastifyRequest, reply: FastifyReply) =>
    request.principal ? null : reply.redirect('/login?next=%2Faccount', 303);

  app.get('/account', async (request, reply) => away(request, reply) ?? show(request, reply));

  app.post('/account/notifications', async (request, reply) => {
    const gone = away(request, reply);
    if (gone) return gone;
    const form = (request.body ?? {}) as Record<string, string | string[]>;
    const channels = ([] as string[]).concat(form.channels ?? []);
    const phone = typeof form.phone === 'string' ? form.phone.trim() : '';
    const answer = await callApi(app, request, {
      method: 'PUT',
      url: '/api/v1/notification-preferences',
      body: {
        language: form.language,
        phone: phone === '' ? null : phone,
        channels: {
          email: channels.includes('email'),
          whatsapp: channels.includes('whatsapp'),
          webhook: channels.includes('webhook'),
        },
        digest: form.digest === 'true',
      },
      idempotencyKey: typeof form.idempotencyKey === 'string' ? form.idempotencyKey : undefined,
    });
    if (answer.ok || answer.problem?.type === inProgressType)
      return reply.redirect('/account?saved=notifications#notifications', 303);
    return show(request, reply, { form: 'notifications', problem: answer.problem!, values: form }, answer.status);
  });

  app.post('/account/password', async (request, reply) => {
    const gone = away(request, reply);
    if (gone) return gone;
    const form = (request.body ?? {}) as Record<string, string>;
    const answer = await callApi(app, request, {
      method: 'POST',
      url: '/api/v1/auth/password',
      body: { currentPassword: form.currentPassword ?? '', newPassword: form.newPassword ?? '' },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok || answer.problem?.type === inProgressType)
      return reply.redirect('/account?saved=password#password', 303);
    // Nothing typed comes back: a password is never written into a page.
    return show(request, reply, { form: 'password', problem: answer.problem!, values: {} }, answer.status);
  });
}
