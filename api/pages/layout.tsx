// The frame of every page: skip link, header with the navigation of the reader's role, language switch, main
// content. Templates are typed functions of their data; none of them queries anything.
import type { Children } from '@kitajs/html';
import type { Principal } from '../../services/principal.js';
import type { FieldIssue } from '../../domain/errors.js';
import { messages, type Lang, type Messages } from './i18n.js';

export interface PageContext {
  lang: Lang;
  t: Messages;
  principal: Principal | null;
  /** The CSRF value every form repeats. */
  csrf: string;
  /** The path being shown, for the language switch to come back to. */
  path: string;
  /** Whether the managers' dashboard (a later page) is mounted, so the navigation offers it only when it exists. */
  hasDashboard: boolean;
  /** True when the reader came in through an invitation link and has not set a password yet. */
  invitation: boolean;
}

/** A page's own phrase in the reader's language: Bahasa Indonesia first, English on the switch. */
export const say = (ctx: PageContext, id: string, en: string) => (ctx.lang === 'id' ? id : en);

export const contextFor = (lang: Lang, rest: Omit<PageContext, 'lang' | 't'>): PageContext => ({
  lang,
  t: messages[lang],
  ...rest,
});

/** The links of each role, each to a page of theirs: an administrator has no work queue (the dashboard is its home). */
function navLinks(ctx: PageContext): [string, string][] {
  const { t, principal } = ctx;
  if (!principal) return [];
  if (principal.role === 'business') {
    return [
      ['/', t.navHome],
      ['/notifications', t.navNotifications],
    ];
  }
  const dashboard: [string, string][] =
    ctx.hasDashboard && principal.role !== 'officer' ? [['/dashboard', t.navDashboard]] : [];
  const office: [string, string][] = [
    ['/businesses', t.navRegistry],
    ['/cohorts', t.navCohorts],
    ['/quotas', t.navQuotas],
    ['/visits', t.navVisits],
    ['/sites', t.navSites],
    ['/calendar', t.navCalendar],
    ['/notifications', t.navNotifications],
  ];
  const staff: [string, string] = ['/staff', t.navStaff];
  if (principal.role === 'admin') return [...dashboard, ...office, staff];
  return [
    ['/', t.navQueue],
    ...office,
    ...(principal.role === 'manager' ? [['/workload', t.navWorkload] as [string, string], staff] : []),
    ...dashboard,
  ];
}

function Nav({ ctx }: { ctx: PageContext }) {
  if (!ctx.principal) return '';
  const items = navLinks(ctx);
  const current = (href: string) => (href === '/' ? ctx.path === '/' : ctx.path.startsWith(href));
  return (
    <nav aria-label={ctx.lang === 'id' ? 'Menu utama' : 'Main menu'} class="nav">
      <ul>
        {items.map(([href, label]) => (
          <li>
            <a href={href} aria-current={current(href) ? 'page' : undefined} safe>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Layout(props: { ctx: PageContext; title: string; children?: Children }) {
  const { ctx } = props;
  const { t } = ctx;
  const other: Lang = ctx.lang === 'id' ? 'en' : 'id';
  return (
    <>
      {'<!doctype html>'}
      <html lang={ctx.lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title safe>{`${props.title} · ${t.appName}`}</title>
          <link rel="stylesheet" href="/assets/app.css" />
          <script src="/assets/htmx.min.js" defer></script>
          <script src="/assets/app.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main" safe>
            {t.skip}
          </a>
          <header class="header">
            <div class="wrap header-row">
              <a class="brand" href="/">
                {t.appName}
                <span class="tagline" safe>
                  {t.tagline}
                </span>
              </a>
              <div class="header-tools">
                <a href={`/language/${other}?next=${encodeURIComponent(ctx.path)}`} lang={other} hreflang={other} safe>
                  {messages[ctx.lang].switchLang}
                </a>
                {ctx.principal ? (
                  <>
                    <a href="/account" aria-current={ctx.path === '/account' ? 'page' : undefined} safe>
                      {t.account}
                    </a>
                    <form method="post" action="/logout" class="inline">
                      <input type="hidden" name="_csrf" value={ctx.csrf} />
                      <button type="submit" class="link-button" safe>
                        {t.logout}
                      </button>
                    </form>
                  </>
                ) : (
                  ''
                )}
              </div>
            </div>
            <div class="wrap">
              <Nav ctx={ctx} />
            </div>
          </header>
          <main id="main" class="wrap" tabindex="-1">
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/** A term and its value in a `dl.summary`, which lines terms and values up in two columns; '—' stands for nothing. */
export const summaryRow = (label: string, value: string) => (
  <>
    <dt safe>{label}</dt>
    <dd safe>{value || '—'}</dd>
  </>
);

/** The same pair in a div of its own: the summary's grid then flows whole pairs, two short facts to a line. */
export const flowingRow = (label: string, value: string) => <div>{summaryRow(label, value)}</div>;

/** GOV.UK's error summary: at the top, focused, each issue a link to its field. */
export function ErrorSummary(props: { ctx: PageContext; detail?: string | null; issues?: FieldIssue[] }) {
  const issues = props.issues ?? [];
  if (!props.detail && issues.length === 0) return '';
  return (
    <div class="error-summary" role="alert" tabindex="-1">
      <h2 safe>{props.ctx.t.errorSummary}</h2>
      {props.detail && issues.length === 0 ? <p safe>{props.detail}</p> : ''}
      {issues.length > 0 ? (
        <ul>
          {issues.map((i) => (
            <li>
              <a href={`#${fieldId(i.path)}`} safe>
                {i.message}
              </a>
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </div>
  );
}

/** The id of a form field named by an API field path: `body.nib` and `nib` are the same field. */
export const fieldId = (path: string) => `f-${path.replace(/^body\./, '').replace(/[^\w-]/g, '-')}`;

/** The message for one field, if the API named it. */
export const issueFor = (issues: FieldIssue[] | undefined, name: string) =>
  issues?.find((i) => i.path === `body.${name}` || i.path === name || i.path.startsWith(`body.${name}.`))?.message;

/**
 * A field's frame (GOV.UK's pattern): its label, its hint, its own error message beside it, then the control, which
 * names the hint and the error in aria-describedby (`describedBy`).
 */
function FieldFrame(props: {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: Children;
}) {
  const { id } = props;
  return (
    <div class={props.error ? 'field field-error' : 'field'}>
      <label for={id} safe>
        {props.label}
      </label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`} safe>
          {props.hint}
        </p>
      ) : (
        ''
      )}
      {props.error ? (
        <p class="error-message" id={`${id}-error`} safe>
          {props.error}
        </p>
      ) : (
        ''
      )}
      {props.children}
    </div>
  );
}

const describedBy = (id: string, hint: string | undefined, error: string | undefined) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** A labelled text field with its own error message beside it. */
export function Field(props: {
  name: string;
  label: string;
  value?: string | null;
  issues?: FieldIssue[];
  type?: string;
  autocomplete?: string;
  required?: boolean;
  hint?: string;
  inputmode?: string;
}) {
  const id = fieldId(props.name);
  const error = issueFor(props.issues, props.name);
  return (
    <FieldFrame id={id} label={props.label} hint={props.hint} error={error}>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        required={props.required}
        inputmode={props.inputmode as never}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, error)}
      />
    </FieldFrame>
  );
}

/** A labelled text area with its own error message beside it, like `Field`. */
export function TextAreaField(props: {
  name: string;
  label: string;
  value: string;
  issues?: FieldIssue[];
  rows: number;
}) {
  const id = fieldId(props.name);
  const error = issueFor(props.issues, props.name);
  return (
    <FieldFrame id={id} label={props.label} error={error}>
      <textarea
        id={id}
        name={props.name}
        rows={String(props.rows)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, undefined, error)}
        safe
      >
        {props.value}
      </textarea>
    </FieldFrame>
  );
}

/**
 * A labelled choice of one option, with its error beside it, like `Field`. The first option chooses nothing: `empty`
 * names it ("— pilih —" unless given: "all regions" in a filter), and `null` leaves it out where a value is always
 * chosen.
 */
export function SelectField(props: {
  ctx: PageContext;
  name: string;
  label: string;
  value?: string | null | undefined;
  issues?: FieldIssue[];
  options: { value: string; label: string }[];
  empty?: string | null;
}) {
  const id = fieldId(props.name);
  const error = issueFor(props.issues, props.name);
  const empty = props.empty === undefined ? (props.ctx.lang === 'id' ? '— pilih —' : '— choose —') : props.empty;
  return (
    <FieldFrame id={id} label={props.label} error={error}>
      <select
        id={id}
        name={props.name}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, undefined, error)}
      >
        {empty === null ? (
          ''
        ) : (
          <option value="" safe>
            {empty}
          </option>
        )}
        {props.options.map((o) => (
          <option value={o.value} selected={props.value === o.value} safe>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A group of radio buttons under its legend, with its error beside it; each option's id is `${id}-${key}`. */
export function RadioGroup(props: {
  id: string;
  name: string;
  legend: string;
  options: { key: string; value: string; label: string }[];
  checked: string | undefined;
  error?: string | undefined;
  required?: boolean;
}) {
  return (
    <fieldset class={props.error ? 'fieldset field-error' : 'fieldset'}>
      <legend safe>{props.legend}</legend>
      {props.error ? (
        <p class="error-message" safe>
          {props.error}
        </p>
      ) : (
        ''
      )}
      {props.options.map((o) => (
        <div class="radio">
          <input
            type="radio"
            id={`${props.id}-${o.key}`}
            name={props.name}
            value={o.value}
            checked={props.checked === o.value}
            required={props.required}
          />
          <label for={`${props.id}-${o.key}`} safe>
            {o.label}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** A field's error message, its id `${id}-error` for the field's aria-describedby. */
export function ErrorLine(props: { id: string; error: string | undefined }) {
  return props.error ? (
    <p class="error-message" id={`${props.id}-error`} safe>
      {props.error}
    </p>
  ) : (
    ''
  );
}

/** A group of checkboxes under its legend, with its error beside it; `prefix` keeps ids apart between forms. */
export function CheckboxGroup(props: {
  prefix: string;
  name: string;
  legend: string;
  choices: { value: string; label: string }[];
  checked: string[];
  error: string | undefined;
}) {
  const id = `${props.prefix}-${props.name}`;
  return (
    <fieldset
      class={props.error ? 'field field-error' : 'field'}
      id={id}
      aria-describedby={props.error ? `${id}-error` : undefined}
    >
      <legend safe>{props.legend}</legend>
      <ErrorLine id={id} error={props.error} />
      {props.choices.map((c, i) => (
        <div class="checkbox">
          <input
            type="checkbox"
            id={`${id}-${i}`}
            name={props.name}
            value={c.value}
            checked={props.checked.includes(c.value)}
          />
          <label for={`${id}-${i}`} safe>
            {c.label}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** The choices of a yes-or-no filter, under an empty "any". */
export const yesNoOptions = (ctx: PageContext) => [
  { value: 'true', label: ctx.lang === 'id' ? 'Ya' : 'Yes' },
  { value: 'false', label: ctx.lang === 'id' ? 'Tidak' : 'No' },
];

/** The hidden fields every form carries: the CSRF value and, for forms that act, a fresh idempotency key. */
export function FormGuards(props: { ctx: PageContext; idempotencyKey?: string }) {
  return (
    <>
      <input type="hidden" name="_csrf" value={props.ctx.csrf} />
      {props.idempotencyKey ? <input type="hidden" name="idempotencyKey" value={props.idempotencyKey} /> : ''}
    </>
  );
}
