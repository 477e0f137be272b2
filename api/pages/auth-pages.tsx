// Logging in and out, the language switch, and an invitation link. Each calls the JSON route it stands for, so the
// password check, its rate limit per client address and the audit rows are the API's own.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sessionCookie } from '../plugins/auth.js';
import { invitationHolder } from '../../services/invitations.js';
import { businessHome } from './business-home.js';
import { langs, type Lang } from './i18n.js';
import { ErrorSummary, Field, FormGuards, Layout, type PageContext } from './layout.js';
import { callApi, endSession, html, localPath, rememberLang, startSession } from './session.js';

interface Session {
  token: string;
  expiresAt: string;
}

function LoginPage(props: { ctx: PageContext; next: string; email?: string; error?: string }) {
  const { ctx } = props;
  const { t } = ctx;
  const issues = props.error ? [{ path: 'email', message: props.error }] : [];
  return (
    <Layout ctx={ctx} title={t.loginTitle}>
      <div class="narrow">
        <ErrorSummary ctx={ctx} issues={issues} />
        <h1 safe>{t.loginTitle}</h1>
        <form method="post" action="/login" novalidate>
          <FormGuards ctx={ctx} />
          <input type="hidden" name="next" value={props.next} />
          <Field
            name="email"
            label={t.email}
            type="email"
            autocomplete="username"
            value={props.email}
            issues={issues}
          />
          <Field name="password" label={t.password} type="password" autocomplete="current-password" />
          <button type="submit" class="button" safe>
            {t.loginButton}
          </button>
        </form>
      </div>
    </Layout>
  );
}

function SetPasswordPage(props: { ctx: PageContext; token: string; name: string; error?: string }) {
  const { ctx } = props;
  const issues = props.error ? [{ path: 'password', message: props.error }] : [];
  return (
    <Layout ctx={ctx} title={ctx.t.setPassword}>
      <div class="narrow">
        <ErrorSummary ctx={ctx} issues={issues} />
        <h1 safe>{ctx.lang === 'id' ? `Selamat datang, ${props.name}` : `Welcome, ${props.name}`}</h1>
        <form method="post" action="/invite/accept" novalidate>
          <FormGuards ctx={ctx} />
          <input type="hidden" name="token" value={props.token} />
          <Field
            name="password"
            label={ctx.t.newPassword}
            type="password"
            autocomplete="new-password"
            issues={issues}
          />
          <button type="submit" class="button" safe>
            {ctx.t.setPassword}
          </button>
        </form>
      </div>
    </Layout>
  );
}

const loginForm = z.object({
  email: z.string().max(320).default(''),
  password: z.string().max(128).default(''),
  next: z.string().optional(),
});

export default async function authPages(app: FastifyInstance) {
  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    if (request.principal) return reply.redirect(localPath(request.query.next), 303);
    return html(reply, <LoginPage ctx={request.pageContext(reply)} next={localPath(request.query.next)} />);
  });

  app.post('/login', async (request, reply) => {
    const form = loginForm.parse(request.body ?? {});
    const answer = await callApi<Session>(app, request, {
      method: 'POST',
      url: '/api/v1/auth/login',
      body: { email: form.email.trim(), password: form.password },
      token: '',
    });
    if (!answer.ok) {
      const ctx = request.pageContext(reply);
      // Wrong credentials and malformed ones read the same, so the form reveals nothing about who exists.
      const message = answer.status === 429 ? answer.problem!.detail : ctx.t.loginFailed;
      return html(
        reply,
        <LoginPage ctx={ctx} next={localPath(form.next)} email={form.email} error={message} />,
        answer.status === 429 ? 429 : 401,
      );
    }
    startSession(request, reply, answer.body.token, new Date(answer.body.expiresAt));
    return reply.redirect(localPath(form.next), 303);
  });

  app.post('/logout', async (request, reply) => {
    if (request.credential?.kind !== 'invitation' && request.cookies[sessionCookie]) {
      // Revokes the token itself: a copied cookie stops working too. An invitation stays usable until it is accepted.
      await callApi(app, request, { method: 'POST', url: '/api/v1/auth/logout' });
    }
    endSession(request, reply);
    return reply.redirect('/login', 303);
  });

  app.get<{ Params: { lang: string }; Querystring: { next?: string } }>('/language/:lang', async (request, reply) => {
    const lang = langs.includes(request.params.lang as Lang) ? (request.params.lang as Lang) : 'id';
    rememberLang(request, reply, lang);
    return reply.redirect(localPath(request.query.next), 303);
  });

  // The link a business gets by WhatsApp or e-mail: it opens the business's own page at once, read only, and the page
  // offers to set a password. The token moves from the address into the httpOnly cookie and out of the history.
  // A staff member's link only sets a password.
  app.get<{ Params: { token: string } }>('/invite/:token', async (request, reply) => {
    const token = request.params.token;
    const holder = /^[\x21-\x7e]{16,512}$/.test(token) ? await invitationHolder(app.db, token) : null;
    const ctx = request.pageContext(reply);
    if (!holder) {
      return html(
        reply,
        <Layout ctx={ctx} title={ctx.t.refused}>
          <h1 safe>{ctx.t.refused}</h1>
          <p>
            {ctx.lang === 'id'
              ? 'Tautan undangan ini tidak berlaku lagi. Minta tautan baru kepada petugas dinas.'
              : 'This invitation link is no longer valid. Ask the office for a new one.'}
          </p>
        </Layout>,
        401,
      );
    }
    if (holder.role !== 'business') return html(reply, <SetPasswordPage ctx={ctx} token={token} name={holder.name} />);
    startSession(request, reply, token, holder.expiresAt);
    return reply.redirect('/', 303);
  });

  app.post('/invite/accept', async (request, reply) => {
    const form = request.body as Record<string, unknown>;
    // A staff member's form carries its link's token; a business's invitation is in its cookie.
    const staffToken = typeof form.token === 'string' ? form.token : undefined;
    const token = staffToken ?? request.cookies[sessionCookie];
    const password = String(form.password ?? '');
    const answer = await callApi<Session>(app, request, {
      method: 'POST',
      url: '/api/v1/auth/invitations/accept',
      body: { token, password },
      token: '',
    });
    if (!answer.ok) {
      const issue = answer.problem?.errors?.find((e) => e.path === 'body.password');
      const passwordError = issue?.message ?? answer.problem?.detail ?? '';
      if (staffToken) {
        const holder = await invitationHolder(app.db, staffToken);
        if (holder) {
          const page = (
            <SetPasswordPage
              ctx={request.pageContext(reply)}
              token={staffToken}
              name={holder.name}
              error={passwordError}
            />
          );
          return html(reply, page, answer.status);
        }
      }
      if (!request.principal) return reply.redirect('/login', 303);
      return businessHome(app, request, reply, { passwordError }, answer.status);
    }
    startSession(request, reply, answer.body.token, new Date(answer.body.expiresAt));
    return reply.redirect('/', 303);
  });
}
