/// <reference lib="dom" />
// Who handles each case, in a real browser: an officer gives a case to a colleague on the case page and the
// colleague's queue filtered "mine" shows it; an id that is no staff of the office is refused beside the field; a
// cohort goes to one officer in one action; the manager's workload page matches the API and links to the queue; two
// officers assigning the same case at once end with one assignee and two chained audit rows. axe-core scans each page.
import type { BrowserContext, Page } from 'playwright-core';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, cohorts, enrolments, users } from '../../db/schema.js';
import { hashPassword } from '../../services/credentials.js';
import { expectAccessible, logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

describe('assignment on the pages', () => {
  let stack: BrowserStack;
  let officer: Page;
  let colleague: Page;
  let colleagueContext: BrowserContext;
  const colleagueLogin = {
    role: 'officer',
    email: 'rina@demo.pendamping.id',
    password: 'rina-petugas-2026',
    token: '',
  };
  let colleagueId: string;
  let officerId: string;
  let officeId: string;
  let caseId: string;
  const caseBusiness = 'Kue Bingka Surgi Mufti';

  const assigneeOf = async (id: string) =>
    (await stack.database.db.select().from(enrolments).where(eq(enrolments.id, id)))[0]!.assigneeUserId;
  const assignAudits = (id: string) =>
    stack.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'enrolment.assign'), eq(auditLog.entityId, id)))
      .orderBy(asc(auditLog.id));
  const queueRow = (page: Page, business: string) =>
    page.locator('table.queue tbody tr').filter({ has: page.getByRole('link', { name: business, exact: true }) });

  async function assignOnCasePage(page: Page, name: string) {
    await page.getByLabel('Penanggung jawab').selectOption({ label: name });
    await page.getByRole('button', { name: 'Simpan penugasan' }).click();
  }

  beforeAll(async () => {
    stack = await startBrowserStack('browser-assignment');
    const db = stack.database.db;
    const [me] = await db.select().from(users).where(eq(users.email, stack.logins.officer!.email));
    officerId = me!.id;
    officeId = me!.officeId!;
    const [rina] = await db
      .insert(users)
      .values({
        name: 'Rina Petugas',
        email: colleagueLogin.email,
        role: 'officer',
        officeId,
        passwordHash: await hashPassword(colleagueLogin.password),
      })
      .returning();
    colleagueId = rina!.id;
    officer = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(officer, stack.baseUrl, stack.logins.officer!);
    colleagueContext = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
    colleague = await colleagueContext.newPage();
    await logIn(colleague, stack.baseUrl, colleagueLogin);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lets an officer give a case to a colleague, whose queue filtered "mine" then shows it', async () => {
    await officer.goto(`${stack.baseUrl}/`);
    // Nobody handles the demo cases yet: the queue says so on each row.
    expect(await queueRow(officer, caseBusiness).locator('td.assignee').textContent()).toBe('Belum ditugaskan');
    await queueRow(officer, caseBusiness).getByRole('link', { name: caseBusiness }).click();
    caseId = /\/enrolments\/([0-9a-f-]{36})/.exec(officer.url())![1]!;
    expect(await officer.locator('dd.assignee').textContent()).toBe('Belum ditugaskan');
    expect(await officer.getByLabel('Penanggung jawab').inputValue()).toBe('none');

    await assignOnCasePage(officer, 'Rina Petugas (petugas)');
    await expect.poll(() => officer.locator('dd.assignee').textContent()).toBe('Rina Petugas');
    expect(await assigneeOf(caseId)).toBe(colleagueId);
    const [audit] = await assignAudits(caseId);
    expect(audit).toMatchObject({
      actorUserId: officerId,
      before: { assigneeUserId: null },
      after: { assigneeUserId: colleagueId },
    });
    await screenshot(officer, 'assignment-case');
    await expectAccessible(officer);

    await colleague.goto(`${stack.baseUrl}/`);
    await colleague.getByLabel('Ditangani').selectOption({ label: 'Saya' });
    await colleague.getByRole('button', { name: 'Saring' }).click();
    await colleague.waitForURL(/assignee=me/);
    const rows = colleague.locator('table.queue tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(caseBusiness);
    expect(await rows.first().locator('td.assignee').textContent()).toBe('Rina Petugas');
    expect(await colleague.locator('.counts .count:not(.count-red):not(.count-amber) .count-n').textContent()).toBe(
      '1',
    );
    await screenshot(colleague, 'assignment-queue-mine');
    await expectAccessible(colleague);

    // The officer's own "mine" does not list it; "unassigned" no longer does either.
    await officer.goto(`${stack.baseUrl}/?assignee=me`);
    expect(await queueRow(officer, caseBusiness).count()).toBe(0);
    await officer.goto(`${stack.baseUrl}/?assignee=none`);
    expect(await queueRow(officer, caseBusiness).count()).toBe(0);
    expect(await officer.locator('table.queue tbody tr').count()).toBeGreaterThan(0);
  });

  it('refuses, beside the field, someone who is not staff of the office, and changes nothing', async () => {
    await officer.goto(`${stack.baseUrl}/enrolments/${caseId}`);
    const before = (await assignAudits(caseId)).length;
    // A forged choice: an id the form never offered.
    await officer.locator('#assign-enrolments').evaluate((select: HTMLSelectElement, id: string) => {
      select.add(new Option('Orang lain', id));
      select.value = id;
    }, randomUUID());
    const [answer] = await Promise.all([
      officer.waitForResponse((r) => r.url().endsWith(`/enrolments/${caseId}/assignee`)),
      officer.getByRole('button', { name: 'Simpan penugasan' }).click(),
    ]);
    expect(answer.status()).toBe(400);
    const field = officer.locator('.assign-form .field-error');
    await expect.poll(() => field.locator('.error-message').textContent()).toMatch(/bukan petugas kantor ini/);
    expect(await field.locator('select').getAttribute('aria-invalid')).toBe('true');
    expect(await assigneeOf(caseId)).toBe(colleagueId);
    expect((await assignAudits(caseId)).length).toBe(before);
    await screenshot(officer, 'assignment-case-refused');
    await expectAccessible(officer);
  });

  it('assigns every running case of a cohort in one action', async () => {
    const db = stack.database.db;
    // IKM mentoring: two active members and one on the waitlist, all three workable.
    const [mentoring] = await db
      .select()
      .from(cohorts)
      .where(and(eq(cohorts.officeId, officeId), eq(cohorts.programmeKey, 'ikm-mentoring')));
    const workable = await db
      .select({ id: enrolments.id })
      .from(enrolments)
      .where(
        and(eq(enrolments.cohortId, mentoring!.id), inArray(enrolments.status, ['waitlisted', 'active', 'paused'])),
      );
    expect(workable.length).toBeGreaterThan(2);

    await officer.goto(`${stack.baseUrl}/cohorts/${mentoring!.id}`);
    // The cohort's form starts with nobody chosen: sending it so unassigns nobody, and says why beside the field.
    await officer.getByRole('button', { name: 'Tugaskan semua kasus' }).click();
    await expect
      .poll(() => officer.locator('.assign-form .field-error .error-message').textContent())
      .toBe('Pilih penanggung jawab');
    expect(await assignAudits(workable[0]!.id)).toEqual([]);
    await officer.getByLabel('Penanggung jawab').selectOption({ label: 'Petugas Demo (petugas)' });
    await officer.getByRole('button', { name: 'Tugaskan semua kasus' }).click();
    await expect
      .poll(() => officer.locator('#assign-result').textContent())
      .toContain(`${workable.length} kasus kini ditangani: Petugas Demo.`);
    const after = await db
      .select({ id: enrolments.id, assignee: enrolments.assigneeUserId })
      .from(enrolments)
      .where(
        inArray(
          enrolments.id,
          workable.map((w) => w.id),
        ),
      );
    expect(after.every((e) => e.assignee === officerId)).toBe(true);
    const audits = await db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, 'enrolment.assign'),
          inArray(
            auditLog.entityId,
            workable.map((w) => w.id),
          ),
        ),
      );
    expect(audits.filter((a) => (a.after as { cohortId?: string }).cohortId === mentoring!.id)).toHaveLength(
      workable.length,
    );
    expect(await officer.locator('table tbody td.assignee').allTextContents()).toEqual(
      workable.map(() => 'Petugas Demo'),
    );
    await screenshot(officer, 'assignment-cohort');
    await expectAccessible(officer);
  });

  it("shows a manager each officer's load as the API counts it, each number opening that officer's queue", async () => {
    const manager = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await manager.newPage();
    await logIn(page, stack.baseUrl, stack.logins.manager!);
    await page.getByRole('link', { name: 'Beban kerja' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Beban kerja petugas');

    const api = await fetch(`${stack.baseUrl}/api/v1/workload`, {
      headers: { authorization: `Bearer ${stack.logins.manager!.token}` },
    });
    const { items } = (await api.json()) as { items: { userId: string | null; openSteps: number; overdue: number }[] };
    const shown = await page.locator('table.workload tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({
        userId: r.getAttribute('data-user'),
        openSteps: Number(r.querySelector('.open-steps')!.textContent),
        overdue: Number(r.querySelector('.overdue')!.textContent),
      })),
    );
    expect(shown).toEqual(
      items.map((i) => ({ userId: i.userId ?? 'none', openSteps: i.openSteps, overdue: i.overdue })),
    );
    // Not a table of zeros: the demo officer now carries the mentoring cohort, and the overdue case is counted.
    expect(items.find((i) => i.userId === officerId)!.openSteps).toBeGreaterThan(0);
    expect(items.some((i) => i.overdue > 0)).toBe(true);
    await screenshot(page, 'assignment-workload');
    await expectAccessible(page);

    // In English on the switch, the same figures.
    await page.getByRole('link', { name: 'English' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe("Officers' workload");
    expect(await page.locator('table.workload thead').textContent()).toMatch(/Officer.*Open steps.*Overdue/s);
    expect(await page.locator('table.workload tbody tr[data-user="none"] th').textContent()).toBe('Unassigned');
    await page.getByRole('link', { name: 'Bahasa Indonesia' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Beban kerja petugas');

    await page.locator(`tr[data-user="${colleagueId}"] .open-steps a`).click();
    await page.waitForURL(`${stack.baseUrl}/?assignee=${colleagueId}`);
    expect(await page.getByLabel('Ditangani').inputValue()).toBe(colleagueId);
    expect(await page.locator('table.queue tbody tr').count()).toBe(
      items.find((i) => i.userId === colleagueId)!.openSteps,
    );
    await manager.close();
  });

  it('keeps one assignee and two chained audit rows when two officers assign the same case at once', async () => {
    await Promise.all([
      officer.goto(`${stack.baseUrl}/enrolments/${caseId}`),
      colleague.goto(`${stack.baseUrl}/enrolments/${caseId}`),
    ]);
    const before = (await assignAudits(caseId)).length;
    await officer.getByLabel('Penanggung jawab').selectOption({ label: 'Petugas Demo (petugas)' });
    await colleague.getByLabel('Penanggung jawab').selectOption({ label: 'Kepala Bidang Demo (kepala bidang)' });
    await Promise.all([
      officer.waitForResponse((r) => r.url().endsWith(`/enrolments/${caseId}/assignee`)),
      colleague.waitForResponse((r) => r.url().endsWith(`/enrolments/${caseId}/assignee`)),
      officer.getByRole('button', { name: 'Simpan penugasan' }).click(),
      colleague.getByRole('button', { name: 'Simpan penugasan' }).click(),
    ]);
    await Promise.all([officer.waitForLoadState(), colleague.waitForLoadState()]);

    const audits = (await assignAudits(caseId)).slice(before);
    expect(audits).toHaveLength(2);
    // Applied one after the other under the row lock: the second's "before" is the first's "after".
    const [first, second] = audits as [(typeof audits)[0], (typeof audits)[0]];
    expect((second.before as { assigneeUserId: string }).assigneeUserId).toBe(
      (first.after as { assigneeUserId: string }).assigneeUserId,
    );
    const final = await assigneeOf(caseId);
    expect(final).toBe((second.after as { assigneeUserId: string }).assigneeUserId);
    expect(new Set(audits.map((a) => a.actorUserId))).toEqual(new Set([officerId, colleagueId]));

    // Both pages, shown again, agree with the database.
    const [finalRow] = await stack.database.db.select().from(users).where(eq(users.id, final!));
    for (const page of [officer, colleague]) {
      await page.reload();
      expect(await page.locator('dd.assignee').textContent()).toBe(finalRow!.name);
    }
  });
});
