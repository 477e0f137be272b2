/// <reference lib="dom" />
// A step entered again by a loop asks for its documents again, in a real browser: the audit sends a case back to its
// documents, and the officer (desktop) and the business (phone) see the second round's empty checklist, with the
// first round's accepted versions folded away as history. axe-core scans both pages.
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepInstances, users } from '../../db/schema.js';
import { startEnrolmentWorkflow } from '../../services/workflows.js';
import { statusQuery } from '../../workflows/messages.js';
import { caseworkTemplate, multipart, samplePdf } from '../casework/support.js';
import { createActiveEnrolment } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { expectAccessible, logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

const taskQueue = 'browser-document-rounds';

describe('a second round of a step on the pages', () => {
  let stack: BrowserStack;
  let enrolmentId: string;

  const item = (page: Page, key: string) => page.locator(`[id="item-${key}-${enrolmentId.slice(0, 8)}"]`);
  const asOfficer = () => ({ authorization: `Bearer ${stack.logins.officer!.token}` });
  const post = (url: string, payload: object) =>
    stack.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: asOfficer(), payload });

  async function acceptedVersion(key: string) {
    const body = multipart(`${key}.pdf`, samplePdf(key));
    const uploaded = await stack.app.inject({
      method: 'POST',
      url: `/api/v1/enrolments/${enrolmentId}/steps/documents/documents/${key}`,
      headers: { ...asOfficer(), ...body.headers },
      payload: body.payload,
    });
    expect(uploaded.statusCode).toBe(201);
    expect((await post(`/documents/${uploaded.json().id}/review`, { decision: 'accepted' })).statusCode).toBe(200);
  }

  beforeAll(async () => {
    stack = await startBrowserStack(taskQueue);
    const db = stack.database.db;
    const [officer] = await db.select().from(users).where(eq(users.email, stack.logins.officer!.email));
    const [owner] = await db.select().from(users).where(eq(users.email, stack.logins.business!.email));
    const enrolment = await createActiveEnrolment(
      db,
      caseworkTemplate('uji-putaran', { loop: true }),
      owner!.businessId!,
      officer!.officeId!,
    );
    enrolmentId = enrolment.id;
    await startEnrolmentWorkflow(db, stack.env.client, taskQueue, enrolmentId);
    const handle = stack.env.client.workflow.getHandle(enrolment.workflowId);
    // Open in the workflow and in the projection the upload route checks, which an activity writes a moment later.
    const atDocuments = async (visit: number) => {
      const current = (await handle.query(statusQuery)).current;
      if (current?.stepKey !== 'documents' || current.visit !== visit) return false;
      const [open] = await db
        .select({ id: stepInstances.id })
        .from(stepInstances)
        .where(
          and(
            eq(stepInstances.enrolmentId, enrolmentId),
            eq(stepInstances.stepKey, 'documents'),
            eq(stepInstances.visit, visit),
            eq(stepInstances.status, 'open'),
          ),
        );
      return open !== undefined;
    };
    await waitFor(() => atDocuments(1), { what: 'the documents step to open' });
    await acceptedVersion('manual_sjph');
    await acceptedVersion('daftar_bahan');
    expect(
      (await post(`/enrolments/${enrolmentId}/steps/documents/complete`, { outcome: 'submitted' })).statusCode,
    ).toBe(200);
    expect((await post(`/enrolments/${enrolmentId}/steps/audit/complete`, { outcome: 'revise' })).statusCode).toBe(200);
    await waitFor(() => atDocuments(2), { what: 'the documents step to open again' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("shows the officer the second round's empty checklist and the first round's versions as history", async () => {
    const page = await stack.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, stack.baseUrl, stack.logins.officer!);
    await page.goto(`${stack.baseUrl}/enrolments/${enrolmentId}`);
    expect(await page.locator('section.documents').textContent()).toContain(
      'Putaran ke-2: langkah ini dibuka lagi, dan dokumennya diminta kembali.',
    );
    const manual = item(page, 'manual_sjph');
    expect(await manual.locator('.tag').first().textContent()).toBe('Belum ada');
    expect(await manual.locator('form[action*="/documents/manual_sjph"]').count()).toBe(1);
    const history = manual.locator('details', { hasText: 'Versi dari putaran sebelumnya (1)' });
    expect(await history.locator('.version').isVisible()).toBe(false);
    await history.locator('summary').click();
    expect(await history.locator('.version').textContent()).toMatch(/v1 · manual_sjph\.pdf · putaran 1 .*Diterima/s);
    // The completion names both items again: the first round's acceptances do not count for this one.
    expect(await page.locator('.blocking li').allTextContents()).toEqual(['Manual SJPH', 'Daftar bahan']);
    await screenshot(page, 'document-rounds-officer');
    await expectAccessible(page);
  });

  it('shows the business on its phone what it must hand in again', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await context.newPage();
    await logIn(page, stack.baseUrl, stack.logins.business!);
    const manual = item(page, 'manual_sjph');
    expect(await manual.locator('.tag').first().textContent()).toBe('Belum ada');
    expect(await manual.locator('details summary').first().textContent()).toBe('Versi dari putaran sebelumnya (1)');
    expect(await manual.locator('input[type="file"]').first().isVisible()).toBe(true);
    await screenshot(page, 'document-rounds-business-360');
    await expectAccessible(page);
    await context.close();
  });
});
