/// <reference lib="dom" />
// The browser suites' stack: the real app on a real port over its own database and the time-skipping Temporal
// server, seeded with the demo office (accounts, businesses and cases at several steps, the way `npm start` seeds
// it), and Debian's Chromium driven by playwright-core. Screenshots go to tests/.tmp/screenshots (ignored by git).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { App } from '../../api/app.js';
import { seedDemo } from '../../db/seed/demo.js';
import type { DemoLogin } from '../../db/seed/demo-users.js';
import { seedDemoCases } from '../../infra/demo-cases.js';
import type { DocumentStore } from '../../services/documents/store.js';
import { buildTestApp, testDocumentStore } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { createDevServerEnv, createTestWorker, createTimeSkippingEnv } from '../helpers/temporal.js';

export const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), '..', '.tmp', 'screenshots');

/** The flags a root user needs on these machines, and none of Chromium's own background traffic (closed network). */
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserStack {
  database: TestDatabase;
  env: TestWorkflowEnvironment;
  app: App;
  baseUrl: string;
  browser: Browser;
  logins: Record<string, DemoLogin>;
  documentStore: DocumentStore;
  close(): Promise<void>;
}

/**
 * `schedules`: Temporal's dev server instead of the time-skipping server, for pages that create a schedule (a visit
 * plan); the time-skipping server has none.
 */
export async function startBrowserStack(
  taskQueue: string,
  options: { schedules?: boolean } = {},
): Promise<BrowserStack> {
  const [database, env, browser] = await Promise.all([
    createTestDatabase(),
    options.schedules ? createDevServerEnv() : createTimeSkippingEnv(),
    chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs }),
  ]);
  const worker: Worker = await createTestWorker(env, { taskQueue, activities: createActivities({ database }) });
  const running = worker.run();
  const documentStore = testDocumentStore();
  const app = await buildTestApp({ database, temporal: env.client, taskQueue, documentStore });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const logins = await seedDemo(database.db);
  await seedDemoCases({ db: database.db, client: env.client, taskQueue, documentStore });
  mkdirSync(screenshotDir, { recursive: true });
  return {
    database,
    env,
    app,
    baseUrl,
    browser,
    logins: Object.fromEntries(logins.map((l) => [l.role, l])),
    documentStore,
    async close() {
      await browser.close();
      await app.close();
      worker.shutdown();
      await running;
      await Promise.all([database.drop(), env.teardown()]);
    },
  };
}

/** Logs in on the login page; `landing` is where the role's home is (an administrator's is the dashboard). */
export async function logIn(page: Page, baseUrl: string, login: DemoLogin, landing = '/'): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/^(Email)$/).fill(login.email);
  await page.getByLabel(/^(Kata sandi|Password)$/).fill(login.password);
  await page.getByRole('button', { name: /^(Masuk|Log in)$/ }).click();
  await page.waitForURL(`${baseUrl}${landing}`);
}

/**
 * A picture of the page for people to look at (tests/.tmp/screenshots), not something a test asserts. Chromium under
 * load now and then refuses a capture ("Unable to capture screenshot", seen once in CI right after a form's answer);
 * it is tried again once the page has loaded, and if it still fails the test goes on and says so.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(screenshotDir, `${name}.png`);
  await page.waitForLoadState('load');
  try {
    await page.screenshot({ path, fullPage: true });
  } catch (first) {
    await page.waitForLoadState('load');
    await page
      .screenshot({ path, fullPage: true })
      .catch((second: unknown) =>
        console.warn(`screenshot ${name} not taken: ${String(first)}; then ${String(second)}`),
      );
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core in the page: no serious or critical violation of WCAG 2.x A/AA. */
export async function expectAccessible(page: Page): Promise<void> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations).toEqual([]);
}

const formCsrf = 'c'.repeat(32);

/**
 * A form posted as a browser posts it, outside the browser: with the session's cookie and a matching CSRF value, so a
 * test can send one twice at once or craft one that the page would not offer.
 */
export function postForm(app: App, url: string, sessionToken: string, form: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: `pdp_session=${sessionToken}; pdp_csrf=${formCsrf}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({ _csrf: formCsrf, ...form }).toString(),
  });
}
