// Field work pages: the month's visit calendar, a visit's form (findings, close, follow-ups, businesses met from the
// registry or recorded as prospects, sites of the inventory seen, photos and documents) made for a phone in the field.
// Each reads and writes through the JSON routes (callApi), as the reader, so the checks, scope and audit are the API's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { eq } from 'drizzle-orm';
import { offices } from '../../db/schema.js';
import { tooLarge } from '../../services/documents/files.js';
import type { ProspectView } from '../../services/registry-prospects.js';
import { siteKindNames } from '../../services/sites.js';
import { formProblem, problemOf, type Problem } from '../problem.js';
import { acceptedFiles, acceptPageUploads, chosenFiles, type UploadForm } from '../uploads.js';
import { inProgressType } from '../plugins/idempotency.js';
import { formatDate, formatSize } from './i18n.js';
import {
  CheckboxGroup,
  ErrorSummary,
  Field,
  FormGuards,
  issueFor,
  Layout,
  SelectField,
  TextAreaField,
  type PageContext,
  say,
  flowingRow,
} from './layout.js';
import {
  chosenOfficeQuery,
  ChosenOffice,
  kabKotaOf,
  officeChoiceOf,
  OfficePicker,
  siteChoicesOf,
  type SiteChoice,
  postedOffice,
  type OfficeChoice,
} from './office-fields.js';
import { officeStaff, type StaffMember } from '../../services/case-assignment.js';
import { awayUnlessStaff, callApi, failedAnswer, formKey, html, idParamOf } from './session.js';
import type { DocumentStore } from '../../services/documents/store.js';
import { openVisitAttachment } from '../../services/visits/attachments.js';
import type { VisitDetail, VisitListItem } from '../../services/visits/visits.js';
import { attachmentDisposition } from '../uploads.js';

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

/** A visit's or follow-up's status as a coloured tag. */
export const StatusTag = (props: { ctx: PageContext; status: string }) => (
  <span class={statusTag[props.status] ?? 'tag'} safe>
    {statusName(props.ctx, props.status)}
  </span>
);

/** What the ad-hoc visit form holds, as typed. */
interface AdHocValues {
  date: string;
  place: string;
  teamUserIds: string[];
}

/**
 * A visit that no plan made (an inventory visit, a call on a fast-growing business): date, place and team, for the
 * office in effect (an administrator's choice rides along as a hidden field).
 */
function AdHocVisitForm(props: {
  ctx: PageContext;
  office: OfficeChoice | null;
  staff: StaffMember[];
  values: AdHocValues;
  problem: Problem | null;
}) {
  const { ctx, values } = props;
  const issues = props.problem?.errors ?? [];
  return (
    <form method="post" action="/visits" class="panel narrow" id="ad-hoc" novalidate data-once>
      <h2 safe>{say(ctx, 'Catat kunjungan lepas', 'Record an ad-hoc visit')}</h2>
      <p class="hint" safe>
        {say(
          ctx,
          'Kunjungan di luar rencana, misalnya inventarisasi usaha baru atau yang tumbuh cepat.',
          'A visit outside the plans, such as an inventory of a new or fast-growing business.',
        )}
      </p>
      <ErrorSummary ctx={ctx} detail={props.problem?.detail} issues={issues} />
      <FormGuards ctx={ctx} idempotencyKey={formKey()} />
      <ChosenOffice choice={props.office} />
      <Field name="date" type="date" label={say(ctx, 'Tanggal', 'Date')} value={values.date} issues={issues} />
      <Field name="place" label={say(ctx, 'Tempat', 'Place')} value={values.place} issues={issues} />
      <CheckboxGroup
        prefix="f"
        name="teamUserIds"
        legend={say(ctx, 'Tim', 'Team')}
        choices={props.staff.map((m) => ({ value: m.id, label: m.name }))}
        checked={values.teamUserIds}
        error={issueFor(issues, 'teamUserIds')}
      />
      <button type="submit" class="button button-secondary" safe>
        {say(ctx, 'Catat kunjungan', 'Record the visit')}
      </button>
    </form>
  );
}

function MonthPage(props: {
  ctx: PageContext;
  month: DateTime;
  /** The month's visits; null while an administrator has chosen no office. */
  visits: VisitListItem[] | null;
  office: OfficeChoice | null;
  staff: StaffMember[];
  adHoc: { values: AdHocValues; problem: Problem | null };
}) {
  const { ctx, month, office } = props;
  const visits = props.visits ?? [];
  const title = `${say(ctx, 'Kunjungan', 'Visits')} ${month.setLocale(ctx.lang).toFormat('LLLL yyyy')}`;
  const days = [...new Set(visits.map((v) => v.date))];
  // An administrator's chosen office rides along every link, so the page never falls back to asking.
  const officeParam = office?.chosen ? `officeId=${office.chosen.id}` : '';
  const link = (m: DateTime) => `/visits?month=${m.toFormat('yyyy-MM')}${officeParam ? `&${officeParam}` : ''}`;
  return (
    <Layout ctx={ctx} title={title}>
      <h1 safe>{title}</h1>
      {office ? <OfficePicker ctx={ctx} choice={office} action="/visits" /> : ''}
      {props.visits === null ? (
        ''
      ) : (
        <>
          <p>
            <a href={`/visits/plans${officeParam ? `?${officeParam}` : ''}`} safe>
              {say(
                ctx,
                'Rencana kunjungan: jeda, lanjutkan, bulan terlewat',
                'Visit plans: pause, resume, missed months',
              )}
            </a>
          </p>
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
              {say(
                ctx,
                'Belum ada kunjungan bulan ini. Rencana kunjungan membuatnya tiap awal bulan; kunjungan lain dicatat di bawah.',
                'No visits this month yet. Visit plans make them at the start of each month; record any other below.',
              )}
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
                        <StatusTag ctx={ctx} status={v.status} />
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
          <AdHocVisitForm
            ctx={ctx}
            office={office}
            staff={props.staff}
            values={props.adHoc.values}
            problem={props.adHoc.problem}
          />
        </>
      )}
    </Layout>
  );
}

type VisitForm = 'visit' | 'follow-up' | 'attach' | 'prospect' | 'site' | null;

/** A registry business found by the search on the visit page. */
interface FoundBusiness {
  id: string;
  name: string;
  nib: string;
  regionName: string;
}

/** A record the prospects service thinks may be this one (409): by NIB (no address) or a likely duplicate. */
interface Candidate {
  kind: 'business' | 'prospect';
  id: string;
  name: string;
  address?: string;
  score: number;
}

function VisitPage(props: {
  ctx: PageContext;
  visit: VisitDetail;
  values: Record<string, string>;
  problem: Problem | null;
  form: VisitForm;
  search: { q: string; items: FoundBusiness[] } | null;
  prospects: ProspectView[];
  regions: { code: string; name: string }[];
  /** The office's sites, while the visit is planned. */
  siteChoices: SiteChoice[];
}) {
  const { ctx, visit, values } = props;
  const issues = props.problem?.errors ?? [];
  const visitIssues = props.form === 'visit' ? issues : [];
  const followIssues = props.form === 'follow-up' ? issues : [];
  const title = `${visit.place} · ${formatDate(visit.date, ctx.lang)}`;
  return (
    <Layout ctx={ctx} title={title}>
      <p>
        <a
          href={`/visits?month=${visit.date.slice(0, 7)}${ctx.principal?.officeId ? '' : `&officeId=${visit.officeId}`}`}
          safe
        >
          {`← ${say(ctx, 'Kalender kunjungan', 'Visit calendar')}`}
        </a>
      </p>
      <h1 safe>{visit.place}</h1>
      <dl class="summary">
        {flowingRow(say(ctx, 'Tanggal', 'Date'), formatDate(visit.date, ctx.lang))}
        {flowingRow(say(ctx, 'Keadaan', 'Status'), statusName(ctx, visit.status))}
        {flowingRow(say(ctx, 'Rencana', 'Plan'), visit.plan?.name ?? say(ctx, 'Kunjungan lepas', 'Ad-hoc visit'))}
        {flowingRow(say(ctx, 'Tim', 'Team'), visit.team.map((t) => t.name).join(', '))}
        {flowingRow(
          say(ctx, 'Usaha yang dikunjungi', 'Businesses visited'),
          visit.businesses.map((b) => b.name).join(', ') || '—',
        )}
        {visit.status !== 'planned' ? flowingRow(say(ctx, 'Temuan', 'Findings'), visit.findings ?? '—') : ''}
      </dl>
      {visit.status === 'planned' ? (
        <form method="post" action={`/visits/${visit.id}`} class="panel" novalidate data-once>
          <h2 safe>{say(ctx, 'Temuan', 'Findings')}</h2>
          <ErrorSummary ctx={ctx} detail={props.form === 'visit' ? props.problem?.detail : null} issues={visitIssues} />
          <FormGuards ctx={ctx} idempotencyKey={formKey()} />
          <TextAreaField
            name="findings"
            label={say(ctx, 'Apa yang ditemukan di lapangan', 'What was found in the field')}
            value={values.findings ?? visit.findings ?? ''}
            issues={visitIssues}
            rows={6}
          />
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
                <StatusTag ctx={ctx} status={f.status} />
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
      <BusinessesMet {...props} />
      <SitesSeen {...props} />
      <Attachments {...props} />
    </Layout>
  );
}

/** The sites of the inventory seen on the visit: each links to its page; while planned, more are added. */
function SitesSeen(props: Parameters<typeof VisitPage>[0]) {
  const { ctx, visit } = props;
  const issues = props.form === 'site' ? (props.problem?.errors ?? []) : [];
  const seen = new Set(visit.sites.map((s) => s.id));
  const left = props.siteChoices.filter((s) => !seen.has(s.id));
  return (
    <section class="panel" id="sites">
      <h2 safe>{say(ctx, 'Lokasi yang ditinjau', 'Sites seen')}</h2>
      {visit.sites.length === 0 ? (
        <p class="muted" safe>
          {say(ctx, 'Belum ada lokasi inventaris yang dicatat.', 'No site of the inventory recorded yet.')}
        </p>
      ) : (
        <ul>
          {visit.sites.map((site) => (
            <li>
              <a href={`/sites/${site.id}`} safe>
                {site.name}
              </a>{' '}
              <span class="muted" safe>{`· ${siteKindNames[site.kind][ctx.lang]}`}</span>
            </li>
          ))}
        </ul>
      )}
      {visit.status !== 'planned' ? (
        ''
      ) : props.siteChoices.length === 0 ? (
        <p class="muted">
          <span safe>
            {say(ctx, 'Inventaris lokasi kantor ini masih kosong.', 'This office’s site inventory is empty.')}
          </span>{' '}
          <a href={`/sites${ctx.principal?.officeId ? '' : `?officeId=${visit.officeId}`}`} safe>
            {say(ctx, 'Tambah lokasi', 'Add a site')}
          </a>
        </p>
      ) : left.length === 0 ? (
        ''
      ) : (
        <form method="post" action={`/visits/${visit.id}/sites`} class="subform" novalidate data-once>
          <ErrorSummary ctx={ctx} detail={props.form === 'site' ? props.problem?.detail : null} issues={issues} />
          <FormGuards ctx={ctx} idempotencyKey={formKey()} />
          <SelectField
            ctx={ctx}
            name="siteIds"
            label={say(ctx, 'Lokasi inventaris yang ditinjau', 'Site of the inventory seen')}
            issues={issues}
            options={left.map((s) => ({ value: s.id, label: `${s.name} · ${s.regionName}` }))}
          />
          <p class="hint" safe>
            {say(
              ctx,
              'Saat kunjungan ditutup, kunjungan ini menjadi kunjungan terakhir lokasi yang dicatat.',
              'When the visit is closed, it becomes the last visit of the sites recorded.',
            )}
          </p>
          <button type="submit" class="button button-secondary" safe>
            {say(ctx, 'Tambahkan lokasi', 'Add the site')}
          </button>
        </form>
      )}
    </section>
  );
}

/** The businesses met: those of the registry, found by name or NIB and added, and new ones recorded as prospects. */
function BusinessesMet(props: Parameters<typeof VisitPage>[0]) {
  const { ctx, visit, values, search } = props;
  const open = visit.status === 'planned';
  const issues = props.form === 'prospect' ? (props.problem?.errors ?? []) : [];
  const candidates = props.form === 'prospect' ? ((props.problem?.candidates as Candidate[] | undefined) ?? []) : [];
  // A likely duplicate can be confirmed distinct; an NIB already held cannot (its candidate comes without an address).
  const confirmable = candidates.length > 0 && candidates.every((c) => c.address !== undefined);
  const met = new Set(visit.businesses.map((b) => b.id));
  return (
    <section class="panel" id="businesses">
      <h2 safe>{say(ctx, 'Usaha yang ditemui', 'Businesses met')}</h2>
      {visit.businesses.length === 0 && props.prospects.length === 0 ? (
        <p class="muted" safe>
          {say(ctx, 'Belum ada usaha yang dicatat.', 'No business recorded yet.')}
        </p>
      ) : (
        <ul class="businesses-met">
          {visit.businesses.map((b) => (
            <li>
              <span safe>{b.name}</span> <span class="muted" safe>{`· NIB ${b.nib}`}</span>
            </li>
          ))}
          {props.prospects.map((p) => (
            <li>
              <span safe>{p.name}</span>{' '}
              <span class="tag tag-amber" safe>
                {say(ctx, 'Prospek', 'Prospect')}
              </span>{' '}
              <span class="muted" safe>{`· ${p.kelurahan}`}</span>
            </li>
          ))}
        </ul>
      )}
      {open ? (
        <>
          <form method="get" action={`/visits/${visit.id}#businesses`} role="search" class="subform">
            <Field
              name="q"
              label={say(ctx, 'Cari usaha di registri (nama atau NIB)', 'Search the registry (name or NIB)')}
              value={search?.q}
              issues={props.problem && props.form === null ? (props.problem.errors ?? []) : []}
            />
            <button type="submit" class="button button-secondary" safe>
              {say(ctx, 'Cari', 'Search')}
            </button>
          </form>
          {search ? (
            search.items.length === 0 ? (
              <p class="muted" role="status" safe>
                {say(
                  ctx,
                  'Tidak ada usaha di registri kantor ini dengan nama atau NIB itu. Catat sebagai usaha baru di bawah.',
                  'No business of this office’s registry has that name or NIB. Record it as a new one below.',
                )}
              </p>
            ) : (
              <ul class="search-results" aria-label={say(ctx, 'Hasil pencarian', 'Search results')}>
                {search.items.map((b) => (
                  <li>
                    <span safe>{b.name}</span> <span class="muted" safe>{`· NIB ${b.nib} · ${b.regionName}`}</span>{' '}
                    {met.has(b.id) ? (
                      <span class="tag tag-done" safe>
                        {say(ctx, 'Sudah dicatat', 'Recorded')}
                      </span>
                    ) : (
                      <form method="post" action={`/visits/${visit.id}/businesses`} class="inline-form" data-once>
                        <FormGuards ctx={ctx} idempotencyKey={formKey()} />
                        <input type="hidden" name="businessId" value={b.id} />
                        <button
                          type="submit"
                          class="button button-secondary"
                          aria-label={say(ctx, `Tambahkan ${b.name}`, `Add ${b.name}`)}
                          safe
                        >
                          {say(ctx, 'Tambahkan', 'Add')}
                        </button>
                      </form>
                    )}
                  </li>
                ))}
              </ul>
            )
          ) : (
            ''
          )}
        </>
      ) : (
        ''
      )}
      {visit.status !== 'cancelled' ? (
        <details class="subform" open={props.form === 'prospect'}>
          <summary safe>{say(ctx, 'Catat usaha baru (prospek)', 'Record a new business (prospect)')}</summary>
          <form method="post" action={`/visits/${visit.id}/prospects#businesses`} novalidate data-once>
            <ErrorSummary
              ctx={ctx}
              detail={props.form === 'prospect' && candidates.length === 0 ? props.problem?.detail : null}
              issues={issues}
            />
            {candidates.length > 0 ? (
              <div class="error-summary" role="alert" tabindex="-1">
                <h3 safe>
                  {confirmable
                    ? say(ctx, 'Mungkin sudah tercatat', 'Possibly recorded already')
                    : say(ctx, 'NIB ini sudah tercatat', 'This NIB is recorded already')}
                </h3>
                {confirmable ? '' : <p safe>{props.problem?.detail ?? ''}</p>}
                <ul>
                  {candidates.map((c) => (
                    <li safe>
                      {`${c.name}${c.address ? ` — ${c.address}` : ''} (${
                        c.kind === 'business' ? say(ctx, 'registri', 'registry') : say(ctx, 'prospek', 'prospect')
                      })`}
                    </li>
                  ))}
                </ul>
                {confirmable ? (
                  <p safe>
                    {say(
                      ctx,
                      'Usaha dengan nama dan alamat mirip sudah tercatat di kelurahan ini. Bila ini usaha lain, ' +
                        'catat dengan tombol “Ya, usaha lain — catat”; bila sama, tidak perlu dicatat lagi.',
                      'A business with a similar name and address is recorded in this kelurahan already. If this is ' +
                        'another one, record it with “Yes, another business — record it”; if the same, there is no need.',
                    )}
                  </p>
                ) : (
                  ''
                )}
              </div>
            ) : (
              ''
            )}
            <FormGuards ctx={ctx} idempotencyKey={formKey()} />
            <Field name="name" label={say(ctx, 'Nama usaha', 'Business name')} value={values.name} issues={issues} />
            <Field
              name="ownerName"
              label={say(ctx, 'Nama pemilik (bila tahu)', 'Owner’s name (if known)')}
              value={values.ownerName}
              issues={issues}
            />
            <Field name="address" label={say(ctx, 'Alamat', 'Address')} value={values.address} issues={issues} />
            <Field name="kelurahan" label="Kelurahan/desa" value={values.kelurahan} issues={issues} />
            <SelectField
              ctx={ctx}
              name="regionCode"
              label={say(ctx, 'Kabupaten/kota', 'Kabupaten/kota')}
              value={values.regionCode}
              issues={issues}
              options={props.regions.map((r) => ({ value: r.code, label: r.name }))}
            />
            <Field
              name="nib"
              label={say(ctx, 'NIB (bila ada)', 'NIB (if any)')}
              inputmode="numeric"
              value={values.nib}
              issues={issues}
            />
            <Field
              name="phone"
              type="tel"
              label={say(ctx, 'Telepon/WhatsApp (bila ada)', 'Phone/WhatsApp (if any)')}
              value={values.phone}
              issues={issues}
            />
            {confirmable ? (
              <button type="submit" name="confirmedDistinct" value="true" class="button" safe>
                {say(ctx, 'Ya, usaha lain — catat', 'Yes, another business — record it')}
              </button>
            ) : (
              <button type="submit" class="button" safe>
                {say(ctx, 'Catat prospek', 'Record the prospect')}
              </button>
            )}
          </form>
        </details>
      ) : (
        ''
      )}
    </section>
  );
}

/** Photos and documents of the visit: the list to download, and a file field and a camera field to add one. */
function Attachments(props: Parameters<typeof VisitPage>[0]) {
  const { ctx, visit } = props;
  const refusal = props.form === 'attach' ? props.problem : null;
  return (
    <section class="panel" id="attachments">
      <h2 safe>{say(ctx, 'Foto dan dokumen', 'Photos and documents')}</h2>
      {visit.attachments.length === 0 ? (
        <p class="muted" safe>
          {say(ctx, 'Belum ada foto atau dokumen.', 'No photos or documents yet.')}
        </p>
      ) : (
        <ul class="attachments">
          {visit.attachments.map((a) => (
            <li>
              <a href={`/visit-attachments/${a.id}`} download={a.fileName} safe>
                {a.fileName}
              </a>{' '}
              <span class="muted" safe>{`· ${formatSize(a.sizeBytes, ctx.lang)}`}</span>
            </li>
          ))}
        </ul>
      )}
      {visit.status !== 'cancelled' ? (
        <form
          method="post"
          action={`/visits/${visit.id}/attachments`}
          enctype="multipart/form-data"
          class={refusal ? 'subform upload-form field-error' : 'subform upload-form'}
          data-once
        >
          <FormGuards ctx={ctx} idempotencyKey={formKey()} />
          <div class="field">
            <label for="f-file" safe>
              {say(ctx, 'Lampirkan berkas', 'Attach a file')}
            </label>
            <p class="hint" id="f-file-hint" safe>
              {ctx.t.uploadHint}
            </p>
            {refusal ? (
              <p class="error-message" id="f-file-error" role="alert" safe>
                {`${ctx.t.uploadRefused}: ${refusal.errors?.[0]?.message ?? refusal.detail}`}
              </p>
            ) : (
              ''
            )}
            <input
              type="file"
              id="f-file"
              name="file"
              accept={acceptedFiles}
              aria-invalid={refusal ? 'true' : undefined}
              aria-describedby={refusal ? 'f-file-hint f-file-error' : 'f-file-hint'}
            />
          </div>
          {/* A field of its own for the camera: `capture` on the only field would keep a phone from picking a PDF. */}
          <div class="field">
            <label for="f-photo" safe>
              {say(ctx, 'Atau ambil foto', 'Or take a photo')}
            </label>
            <input type="file" id="f-photo" name="photo" accept="image/jpeg,image/png" capture="environment" />
          </div>
          <button type="submit" class="button button-secondary" safe>
            {say(ctx, 'Unggah', 'Upload')}
          </button>
        </form>
      ) : (
        ''
      )}
    </section>
  );
}

export default async function visitPages(app: FastifyInstance, options: { documentStore: DocumentStore }) {
  /**
   * The month's calendar with the ad-hoc visit form, for the office in effect: an officer's or manager's own, or the
   * one an administrator chose (`named`: the query's or the posted form's); an administrator is asked first.
   */
  async function showMonth(
    request: FastifyRequest,
    reply: FastifyReply,
    named: unknown,
    givenMonth: string,
    adHoc: { values: AdHocValues | null; problem: Problem | null } = { values: null, problem: null },
    status = 200,
  ) {
    const principal = request.principal!;
    const office = await officeChoiceOf(app, request, named);
    const officeId = principal.officeId ?? office?.chosen?.id ?? null;
    const [row] = officeId ? await app.db.select().from(offices).where(eq(offices.id, officeId)) : [];
    const today = DateTime.now().setZone(row?.timeZone ?? 'Asia/Jakarta');
    const parsed = DateTime.fromFormat(givenMonth, 'yyyy-MM');
    const month = parsed.isValid ? parsed : today.startOf('month');
    let visits: VisitListItem[] | null = null;
    let staff: StaffMember[] = [];
    if (officeId) {
      const params = new URLSearchParams({ month: month.toFormat('yyyy-MM') });
      if (office?.chosen) params.set('officeId', office.chosen.id);
      const answer = await callApi<{ items: VisitListItem[] }>(app, request, {
        method: 'GET',
        url: `/api/v1/visits?${params}`,
      });
      if (!answer.ok) throw failedAnswer(answer);
      visits = answer.body.items;
      staff = await officeStaff(app.db, principal, officeId);
    }
    // A new visit's team starts with the reader, when they can be on one (an officer or manager).
    const values = adHoc.values ?? {
      date: today.toISODate()!,
      place: '',
      teamUserIds: staff.filter((m) => m.id === principal.userId).map((m) => m.id),
    };
    return html(
      reply,
      <MonthPage
        ctx={request.pageContext(reply)}
        month={month}
        visits={visits}
        office={office}
        staff={staff}
        adHoc={{ values, problem: adHoc.problem }}
      />,
      status,
    );
  }

  app.get('/visits', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const query = request.query as { month?: unknown; officeId?: unknown };
    return showMonth(request, reply, query.officeId, typeof query.month === 'string' ? query.month : '');
  });

  app.post('/visits', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, '/visits');
    if (away) return away;
    const form = (request.body ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const values: AdHocValues = {
      date: text(form.date),
      place: text(form.place),
      teamUserIds: (Array.isArray(form.teamUserIds) ? form.teamUserIds : [form.teamUserIds]).filter(
        (v): v is string => typeof v === 'string',
      ),
    };
    const answer = await callApi<{ id: string }>(app, request, {
      method: 'POST',
      url: '/api/v1/visits',
      body: { ...values, officeId: postedOffice(form) },
      idempotencyKey: text(form.idempotencyKey),
    });
    if (answer.ok) return reply.redirect(`/visits/${answer.body.id}`, 303);
    // The same form sent twice: the first is still being recorded, so show the calendar it lands in.
    if (answer.problem?.type === inProgressType) {
      const month = values.date.slice(0, 7);
      const query = new URLSearchParams(chosenOfficeQuery(form));
      if (/^\d{4}-\d{2}$/.test(month)) query.set('month', month);
      return reply.redirect(`/visits?${query}`, 303);
    }
    return showMonth(
      request,
      reply,
      form.officeId,
      values.date.slice(0, 7),
      { values, problem: answer.problem },
      answer.status,
    );
  });

  async function showVisit(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { values?: Record<string, string>; problem?: Problem | null; form?: VisitForm; q?: string } = {},
    status = 200,
  ) {
    const answer = await callApi<VisitDetail>(app, request, { method: 'GET', url: `/api/v1/visits/${id}` });
    if (!answer.ok) throw failedAnswer(answer);
    const found = await callApi<{ items: ProspectView[] }>(app, request, {
      method: 'GET',
      url: `/api/v1/prospects?visitId=${id}`,
    });
    if (!found.ok) throw failedAnswer(found);
    // A prospect lies in a kabupaten/kota of the visit's office.
    const kabKota = (await kabKotaOf(app, request, answer.body.officeId)).regions;
    const siteChoices = answer.body.status === 'planned' ? await siteChoicesOf(app, request, answer.body.officeId) : [];
    let search: { q: string; items: FoundBusiness[] } | null = null;
    let searchProblem: Problem | null = null;
    const q = (extra.q ?? '').trim();
    if (q && answer.body.status === 'planned') {
      const params = new URLSearchParams({ q: q.slice(0, 100), limit: '10' });
      const hits = await callApi<{ items: FoundBusiness[] }>(app, request, {
        method: 'GET',
        url: `/api/v1/businesses?${params}`,
      });
      if (hits.ok) search = { q, items: hits.body.items };
      else searchProblem = hits.problem;
    }
    return html(
      reply,
      <VisitPage
        ctx={request.pageContext(reply)}
        visit={answer.body}
        values={extra.values ?? {}}
        problem={extra.problem ?? searchProblem}
        form={extra.form ?? null}
        search={search}
        prospects={found.body.items}
        regions={kabKota}
        siteChoices={siteChoices}
      />,
      status,
    );
  }

  app.get('/visits/:id', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    return showVisit(request, reply, idParamOf(request), { q: (request.query as { q?: string }).q ?? '' });
  });

  app.post('/visits/:id', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const id = idParamOf(request);
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
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const id = idParamOf(request);
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

  app.post('/visits/:id/businesses', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const id = idParamOf(request);
    const form = (request.body ?? {}) as Record<string, string>;
    // Added, never replaced: two officers adding businesses at once both keep theirs.
    const answer = await callApi(app, request, {
      method: 'PATCH',
      url: `/api/v1/visits/${id}`,
      body: { businessIds: [form.businessId ?? ''] },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(`/visits/${id}#businesses`, 303);
    return showVisit(request, reply, id, { problem: answer.problem }, answer.status);
  });

  app.post('/visits/:id/sites', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const id = idParamOf(request);
    const form = (request.body ?? {}) as Record<string, string>;
    const refuse = (problem: Problem) => showVisit(request, reply, id, { problem, form: 'site' }, problem.status);
    const ctx = request.pageContext(reply);
    if (!form.siteIds) {
      return refuse(formProblem(400, 'body.siteIds', say(ctx, 'Pilih sebuah lokasi', 'Choose a site')));
    }
    // Added, never replaced: two officers adding sites at once both keep theirs.
    const answer = await callApi(app, request, {
      method: 'PATCH',
      url: `/api/v1/visits/${id}`,
      body: { siteIds: [form.siteIds] },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(`/visits/${id}#sites`, 303);
    if (answer.status === 404) throw failedAnswer(answer);
    return refuse(answer.problem!);
  });

  app.post('/visits/:id/prospects', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const id = idParamOf(request);
    const form = (request.body ?? {}) as Record<string, string>;
    const fields = ['name', 'ownerName', 'address', 'kelurahan', 'regionCode', 'nib', 'phone'] as const;
    const values = Object.fromEntries(fields.map((f) => [f, (form[f] ?? '').trim()]));
    // An optional field left empty is not sent: the API would rightly refuse an empty NIB.
    const given = Object.fromEntries(
      Object.entries(values).filter(([f, v]) => v !== '' || ['name', 'address', 'kelurahan', 'regionCode'].includes(f)),
    );
    const answer = await callApi(app, request, {
      method: 'POST',
      url: '/api/v1/prospects',
      body: { ...given, visitId: id, ...(form.confirmedDistinct === 'true' ? { confirmedDistinct: true } : {}) },
      idempotencyKey: form.idempotencyKey,
    });
    if (answer.ok || answer.problem?.type === inProgressType) return reply.redirect(`/visits/${id}#businesses`, 303);
    return showVisit(request, reply, id, { values, problem: answer.problem, form: 'prospect' }, answer.status);
  });

  const uploads = async (scope: FastifyInstance) => {
    await acceptPageUploads(scope);
    scope.post('/visits/:id/attachments', async (request, reply) => {
      const away = awayUnlessStaff(request, reply, request.url);
      if (away) return away;
      const id = idParamOf(request);
      const form = (request.body ?? {}) as UploadForm;
      const chosen = chosenFiles(form, ['file', 'photo']);
      const ctx = request.pageContext(reply);
      const refuse = (problem: Problem) => showVisit(request, reply, id, { problem, form: 'attach' }, problem.status);
      if (chosen.length !== 1) {
        return refuse(formProblem(400, 'body.file', chosen.length === 0 ? ctx.t.noFile : ctx.t.chooseOneFile));
      }
      const file = chosen[0]!;
      if (!file.data) return refuse(problemOf(tooLarge(file.fileName)).toProblem());
      const answer = await callApi(app, request, {
        method: 'POST',
        url: `/api/v1/visits/${id}/attachments`,
        file: { fileName: file.fileName, data: file.data },
        idempotencyKey: typeof form.idempotencyKey === 'string' ? form.idempotencyKey : undefined,
      });
      if (answer.ok || answer.problem?.type === inProgressType) {
        return reply.redirect(`/visits/${id}#attachments`, 303);
      }
      if (answer.status === 404) throw failedAnswer(answer);
      return refuse(answer.problem!);
    });
  };
  await app.register(uploads);

  app.get('/visit-attachments/:id', async (request, reply) => {
    const away = awayUnlessStaff(request, reply, request.url);
    if (away) return away;
    const { attachment, body } = await openVisitAttachment(
      { db: app.db, store: options.documentStore },
      { requestId: request.id, principal: request.principal! },
      idParamOf(request),
    );
    return reply
      .type(attachment.contentType)
      .header('content-length', attachment.sizeBytes)
      .header('content-disposition', attachmentDisposition(attachment.fileName))
      .header('cache-control', 'private, no-store')
      .send(body as never);
  });
}
