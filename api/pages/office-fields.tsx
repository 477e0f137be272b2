// Fields whose choices are an office's. First the office itself, which an administrator acts for on a page that
// creates what belongs to an office (a visit plan, a business, a cohort). An administrator has no office of their
// own, so such a page asks first, with a plain GET form (?officeId=), and shows the chosen office's choices (its team,
// its regions and sentra); the create form then carries the office. Officers and managers are never asked: their
// account's office is used. What a form sends is judged by the service (officeForWrite: another office is refused for
// anyone but an administrator); this only adapts the page. Then an office's kabupaten/kota and sentra.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FieldIssue } from '../../domain/errors.js';
import { selectionChoices } from '../../services/cohort-overview.js';
import { officesToActFor } from '../../services/registry-businesses.js';
import { SelectField, type PageContext } from './layout.js';
import { callApi, failedAnswer } from './session.js';

/** An office's kabupaten/kota and sentra, as a business or an enrolment selection names them. */
export type OfficeChoices = Awaited<ReturnType<typeof selectionChoices>>;

/** Nothing to choose from until an administrator has chosen the office. */
export const noChoices: OfficeChoices = { regions: [], sentra: [] };

export interface OfficeChoice {
  choices: { id: string; name: string }[];
  /** The office chosen, or null until the administrator chooses one. */
  chosen: { id: string; name: string } | null;
}

/** The choice to offer, or null for a principal bound to an office (who acts for it without being asked). */
export async function officeChoiceOf(
  app: FastifyInstance,
  request: FastifyRequest,
  named: unknown,
): Promise<OfficeChoice | null> {
  const principal = request.principal!;
  if (principal.officeId) return null;
  const choices = await officesToActFor(app.db, principal);
  return { choices, chosen: choices.find((o) => o.id === named) ?? null };
}

/** The GET form that chooses the office; the page at `action` comes back for the chosen one. */
export function OfficePicker(props: { ctx: PageContext; choice: OfficeChoice; action: string; anchor?: string }) {
  const { ctx, choice } = props;
  const say = (id: string, en: string) => (ctx.lang === 'id' ? id : en);
  return (
    <form method="get" action={`${props.action}${props.anchor ? `#${props.anchor}` : ''}`} class="office-choice">
      <SelectField
        ctx={ctx}
        name="officeId"
        label={say('Untuk kantor', 'For the office')}
        value={choice.chosen?.id}
        options={choice.choices.map((o) => ({ value: o.id, label: o.name }))}
      />
      <p class="hint" safe>
        {choice.chosen
          ? say(`Anda bertindak untuk ${choice.chosen.name}.`, `You act for ${choice.chosen.name}.`)
          : say(
              'Admin tidak terikat pada kantor: pilih kantor yang Anda wakili.',
              'Administrators belong to no office: choose the office you act for.',
            )}
      </p>
      <button type="submit" class="button button-secondary" safe>
        {say('Pilih kantor', 'Choose the office')}
      </button>
    </form>
  );
}

/** The office a create form sends: the administrator's choice; nothing for an officer or manager. */
export function ChosenOffice(props: { choice: OfficeChoice | null }) {
  return props.choice?.chosen ? <input type="hidden" name="officeId" value={props.choice.chosen.id} /> : '';
}

/** The office a form posted, as the JSON body's officeId: sent as given (an officer's too), for the service to judge. */
export const postedOffice = (form: Record<string, unknown>) =>
  typeof form.officeId === 'string' && form.officeId !== '' ? form.officeId : undefined;

/**
 * The query that brings a page back for the office a form carried (an administrator's choice), or nothing: after an
 * action the page stays on the chosen office instead of asking again.
 */
export const chosenOfficeQuery = (form: Record<string, unknown>) => {
  const office = postedOffice(form);
  return office && z.uuid().safeParse(office).success ? `?officeId=${office}` : '';
};

/**
 * An office's choices with its kabupaten/kota only: what lies in one of them (a site, a prospect) never lies in the
 * province as a whole, so a province office's own province row is no choice.
 */
export async function kabKotaOf(
  app: FastifyInstance,
  request: FastifyRequest,
  officeId: string,
): Promise<OfficeChoices> {
  const choices = await selectionChoices(app.db, request.principal!, officeId);
  return { ...choices, regions: choices.regions.filter((r) => r.code.length === 4) };
}

/** A site of an office's inventory, as a visit or a plan offers it. */
export interface SiteChoice {
  id: string;
  name: string;
  regionName: string;
}

/**
 * The inventory of an office (the reader's own, or the one an administrator acts for) as choices: the API's largest
 * page, since an office's inventory is tens of sites, not hundreds.
 */
export async function siteChoicesOf(app: FastifyInstance, request: FastifyRequest, officeId: string) {
  const params = new URLSearchParams({ limit: '200' });
  if (!request.principal!.officeId) params.set('officeId', officeId);
  const answer = await callApi<{ items: SiteChoice[] }>(app, request, {
    method: 'GET',
    url: `/api/v1/sites?${params}`,
  });
  if (!answer.ok) throw failedAnswer(answer);
  return answer.body.items;
}

/** The office's kabupaten/kota; `empty` names the option that chooses none (null: one is always chosen). */
export function RegionField(props: {
  ctx: PageContext;
  choices: OfficeChoices;
  value: string | undefined;
  issues?: FieldIssue[];
  empty?: string | null;
}) {
  return (
    <SelectField
      ctx={props.ctx}
      name="regionCode"
      label={props.ctx.t.region}
      empty={props.empty}
      value={props.value}
      issues={props.issues}
      options={props.choices.regions.map((r) => ({ value: r.code, label: r.name }))}
    />
  );
}

/** The office's sentra (clusters of IKM of one trade in one place). */
export function SentraField(props: {
  ctx: PageContext;
  choices: OfficeChoices;
  value: string | undefined;
  issues?: FieldIssue[];
  empty: string;
}) {
  return (
    <SelectField
      ctx={props.ctx}
      name="sentraId"
      label="Sentra"
      empty={props.empty}
      value={props.value}
      issues={props.issues}
      options={props.choices.sentra.map((s) => ({ value: s.id, label: s.name }))}
    />
  );
}
