// Sites of the inventory seen on visits, through the API: a visit records them (another office's site is refused and
// nothing is written), a site lists its visits, closing a visit makes it the site's last visit unless a later one is,
// and the actions that meet on one site or one visit at once: two closes of visits of different days, an add and a
// close of the same visit; the inventory filtered to the sites due a visit.
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../api/app.js';
import { auditLog, offices, visitSites } from '../../db/schema.js';
import type { TestDatabase } from '../helpers/db.js';
import { createToken, createUser, kalselOffice } from '../helpers/fixtures.js';
import { apiCaller, startTestStack, type ApiCall, type TestStack } from '../helpers/stack.js';

describe('sites seen on visits', () => {
  let database: TestDatabase;
  let stack: TestStack;
  let app: App;
  let officer: { id: string };
  let token: string;
  let call: ApiCall;
  let outsiderToken: string;
  let outsiderSite: string;

  beforeAll(async () => {
    stack = await startTestStack();
    ({ database, app } = stack);
    const officeId = (await kalselOffice(database.db)).id;
    officer = await createUser(database.db, 'officer', officeId);
    token = await createToken(database.db, officer.id);
    call = apiCaller(app, token);
    const [kaltim] = await database.db.select().from(offices).where(eq(offices.regionCode, '64'));
    outsiderToken = await createToken(database.db, (await createUser(database.db, 'officer', kaltim!.id)).id);
    outsiderSite = (await newSite('Kawasan Industri Kariangau', '6471', outsiderToken)).id;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function newSite(name: string, regionCode = '6371', as = token, state = 'idle') {
    const res = await call('POST', '/api/v1/sites', { kind: 'idle_factory', name, regionCode, state }, as);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; visits: unknown[] };
  }

  async function newVisit(date: string, extra: Record<string, unknown> = {}) {
    const res = await call('POST', '/api/v1/visits', {
      date,
      place: 'Kawasan Liang Anggang',
      teamUserIds: [officer.id],
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; sites: { id: string; name: string; kind: string }[] };
  }

  const site = async (id: string) => {
    const res = await call('GET', `/api/v1/sites/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as {
      lastVisitId: string | null;
      lastVisitOn: string | null;
      visits: { id: string; date: string; status: string }[];
    };
  };
  const close = (visitId: string) => call('POST', `/api/v1/visits/${visitId}/close`, { findings: 'Mesin masih ada' });

  it('records the sites a visit saw and lists each site’s visits, the latest first', async () => {
    const factory = await newSite('Eks pabrik karet Liang Anggang');
    const area = await newSite('Potensi kawasan Banjarbaru', '6372');
    expect(factory.visits).toEqual([]);

    const march = await newVisit('2026-03-10', { siteIds: [factory.id] });
    expect(march.sites).toEqual([{ id: factory.id, name: 'Eks pabrik karet Liang Anggang', kind: 'idle_factory' }]);
    const april = await newVisit('2026-04-14');
    const added = await call('PATCH', `/api/v1/visits/${april.id}`, { siteIds: [factory.id, area.id] });
    expect(added.statusCode, added.body).toBe(200);
    // The same site again adds nothing and drops nothing.
    const again = await call('PATCH', `/api/v1/visits/${april.id}`, { siteIds: [area.id] });
    expect(
      again
        .json()
        .sites.map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual([factory.id, area.id].sort());

    const seen = await site(factory.id);
    expect(seen.visits.map((v) => [v.id, v.date, v.status])).toEqual([
      [april.id, '2026-04-14', 'planned'],
      [march.id, '2026-03-10', 'planned'],
    ]);
    // Planned visits are history to come, not a last visit.
    expect(seen.lastVisitId).toBeNull();
  });

  it("refuses another office's site or an unknown one with 400 naming the field, and writes nothing", async () => {
    const before = await database.db.select().from(visitSites);
    const refused = await call('POST', '/api/v1/visits', {
      date: '2026-03-11',
      place: 'Kawasan Liang Anggang',
      teamUserIds: [officer.id],
      siteIds: [outsiderSite],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().errors[0].path).toBe('body.siteIds');

    const visit = await newVisit('2026-03-12');
    const patched = await call('PATCH', `/api/v1/visits/${visit.id}`, {
      siteIds: [outsiderSite, '00000000-0000-4000-8000-000000000000'],
    });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().errors[0].message).toContain(outsiderSite);
    expect(await database.db.select().from(visitSites)).toEqual(before);
    // Nor can the other office read its way in: its site's page does not list this office's visit.
    expect((await call('GET', `/api/v1/sites/${outsiderSite}`, undefined, outsiderToken)).json().visits).toEqual([]);
  });

  it('makes a closed visit the last visit of its sites, never an earlier one, and a cancelled visit none', async () => {
    const factory = await newSite('Eks pabrik kayu Gambut');
    const may = await newVisit('2026-05-12', { siteIds: [factory.id] });
    const june = await newVisit('2026-06-09', { siteIds: [factory.id] });
    const july = await newVisit('2026-07-14', { siteIds: [factory.id] });

    expect((await close(june.id)).statusCode).toBe(200);
    expect(await site(factory.id)).toMatchObject({ lastVisitId: june.id, lastVisitOn: '2026-06-09' });
    // May, closed after June, is in the history but not the last visit.
    expect((await close(may.id)).statusCode).toBe(200);
    expect(await site(factory.id)).toMatchObject({ lastVisitId: june.id, lastVisitOn: '2026-06-09' });
    expect((await call('POST', `/api/v1/visits/${july.id}/cancel`)).statusCode).toBe(200);
    const after = await site(factory.id);
    expect(after).toMatchObject({ lastVisitId: june.id });
    expect(after.visits.map((v) => v.status)).toEqual(['cancelled', 'closed', 'closed']);

    const closing = (await database.db.select().from(auditLog).where(eq(auditLog.entityId, june.id))).find(
      (a) => a.action === 'visit.close',
    );
    expect((closing!.after as { lastVisitOfSiteIds: string[] }).lastVisitOfSiteIds).toEqual([factory.id]);
  });

  it('leaves the later visit as the last one when two visits of one site close at once, in either order', async () => {
    for (let pair = 0; pair < 6; pair++) {
      const factory = await newSite(`Eks pabrik es Kuin ${pair}`);
      const earlier = await newVisit('2026-08-11', { siteIds: [factory.id] });
      const later = await newVisit('2026-08-25', { siteIds: [factory.id] });
      // Alternate which request is sent first, so each order of the row locks gets its turn.
      const order = pair % 2 === 0 ? [earlier, later] : [later, earlier];
      const answers = await Promise.all(order.map((v) => close(v.id)));
      expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
      expect(await site(factory.id)).toMatchObject({ lastVisitId: later.id, lastVisitOn: '2026-08-25' });
    }
  });

  it('either records a site added while its visit closes, and makes the visit its last, or refuses it with 409', async () => {
    for (let pair = 0; pair < 6; pair++) {
      const factory = await newSite(`Eks pabrik tahu Pekauman ${pair}`);
      const visit = await newVisit('2026-09-08');
      const [added, closed] = await Promise.all([
        call('PATCH', `/api/v1/visits/${visit.id}`, { siteIds: [factory.id] }),
        close(visit.id),
      ]);
      expect(closed.statusCode).toBe(200);
      const now = await site(factory.id);
      if (added.statusCode === 200) {
        // The add committed first: the close saw the site and made itself its last visit.
        expect(now).toMatchObject({ lastVisitId: visit.id, visits: [{ id: visit.id, status: 'closed' }] });
      } else {
        expect(added.statusCode).toBe(409);
        expect(now).toMatchObject({ lastVisitId: null, visits: [] });
      }
    }
  });

  it('lists the sites due a visit: never visited, or last visited that many months ago or longer', async () => {
    // Days in the office's zone, as the filter counts them; the state keeps other tests' sites out of the list.
    const today = DateTime.now().setZone('Asia/Makassar').startOf('day');
    const sites: Record<string, string | null> = {
      'Eks pabrik es Alalak (tidak pernah)': null,
      'Eks pabrik es Alalak (7 bulan)': today.minus({ months: 7 }).toISODate(),
      'Eks pabrik es Alalak (tepat 6 bulan)': today.minus({ months: 6 }).toISODate(),
      'Eks pabrik es Alalak (6 bulan kurang sehari)': today.minus({ months: 6 }).plus({ days: 1 }).toISODate(),
      'Eks pabrik es Alalak (2 bulan)': today.minus({ months: 2 }).toISODate(),
    };
    for (const [name, lastVisit] of Object.entries(sites)) {
      const site = await newSite(name, '6371', token, 'offered');
      if (!lastVisit) continue;
      const visit = await newVisit(lastVisit, { siteIds: [site.id] });
      expect((await close(visit.id)).statusCode).toBe(200);
    }
    const due = await call('GET', '/api/v1/sites?state=offered&notVisitedInMonths=6');
    expect(due.statusCode, due.body).toBe(200);
    expect(
      due
        .json()
        .items.map((s: { name: string }) => s.name)
        .sort(),
    ).toEqual([
      'Eks pabrik es Alalak (7 bulan)',
      'Eks pabrik es Alalak (tepat 6 bulan)',
      'Eks pabrik es Alalak (tidak pernah)',
    ]);
    expect((await call('GET', '/api/v1/sites?state=offered&notVisitedInMonths=1')).json().total).toBe(5);
    const csv = await call('GET', '/api/v1/sites/export?state=offered&notVisitedInMonths=6&format=csv');
    expect(csv.body.split('\n').filter((line) => line.includes('Alalak'))).toHaveLength(3);
    // The managers' figures count the office's sites due a visit after six months as the list filters them.
    const figures = (await call('GET', `/api/v1/visit-figures?year=${today.year}`)).json();
    expect(figures.sites).toEqual({
      total: (await call('GET', '/api/v1/sites')).json().total,
      dueForVisit: (await call('GET', '/api/v1/sites?notVisitedInMonths=6')).json().total,
    });
    expect(figures.sites.dueForVisit).toBeGreaterThanOrEqual(3);
    const refused = await call('GET', '/api/v1/sites?notVisitedInMonths=0');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].path).toContain('notVisitedInMonths');
  });

  it('adds the visit named as a site’s last visit by hand to its history', async () => {
    const visit = await newVisit('2026-10-13');
    const factory = await newSite('Eks pabrik sasirangan Sungai Jingah');
    const res = await call('PATCH', `/api/v1/sites/${factory.id}`, { lastVisitId: visit.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ lastVisitId: visit.id, visits: [{ id: visit.id }] });
    // The visit page lists it too.
    expect((await call('GET', `/api/v1/visits/${visit.id}`)).json().sites).toMatchObject([{ id: factory.id }]);
  });
});
