/// <reference lib="dom" />
// Every page each demo role reaches, at a phone's width (390 px) and a desktop's: the navigation offers each role only
// its own pages (an administrator's has no work queue, which would send it to the dashboard), every page and every
// link on it answers, nothing is wider than the screen, no panel is empty and no table is without rows (an empty
// state says so in words). The walk follows the navigation and then the links of those pages, one of each kind.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, screenshot, startBrowserStack, type BrowserStack } from './support.js';

const office = ['/businesses', '/cohorts', '/quotas', '/visits', '/sites', '/calendar', '/notifications'];
const navOf: Record<string, string[]> = {
  officer: ['/', ...office],
  manager: ['/', ...office, '/workload', '/staff', '/dashboard'],
  admin: ['/dashboard', ...office, '/staff'],
  business: ['/', '/notifications'],
};

/** A link's kind: its path with ids and the query left out (a case, a business, a cohort). */
const kindOf = (href: string) => href.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/[?#].*/, '');
/** Files, the API, a language switch and logging out are not pages to walk. */
const walkable = (href: string) => !/^\/(api|assets|language|documents|visit-attachments|logout)\b/.test(href);

describe('every page of every role', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    stack = await startBrowserStack('browser-every-page');
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** What is wrong with the page on screen at this width: overflow, an empty panel, a table without rows. */
  const flawsAt = async (page: Page, width: number) => {
    await page.setViewportSize({ width, height: 844 });
    return page.evaluate((w) => {
      const flaws: string[] = [];
      const over = document.documentElement.scrollWidth - window.innerWidth;
      if (over > 0) flaws.push(`${w}px: ${over}px wider than the screen`);
      for (const panel of document.querySelectorAll<HTMLElement>('main .panel')) {
        if (panel.innerText.trim() === '') flaws.push(`${w}px: an empty panel`);
      }
      for (const table of document.querySelectorAll('main table')) {
        if (table.querySelectorAll('tbody tr').length === 0) flaws.push(`${w}px: a table without rows`);
      }
      return flaws;
    }, width);
  };

  for (const role of Object.keys(navOf)) {
    it(`walks the ${role}'s pages at 390 and 1280 px`, async () => {
      const context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await logIn(page, stack.baseUrl, stack.logins[role]!, navOf[role]![0]);
      const nav = await page.locator('nav.nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      expect(nav).toEqual(navOf[role]);

      const walked = new Set<string>();
      const checked = new Set<string>();
      const flaws: string[] = [];
      // The nav's pages, and the header's own: every reader's account.
      const toWalk = [...nav, '/account'];
      for (let href = toWalk.shift(); href !== undefined; href = toWalk.shift()) {
        if (walked.has(kindOf(href))) continue;
        walked.add(kindOf(href));
        const answer = await page.goto(`${stack.baseUrl}${href}`);
        // Each link lands on its own page, never redirected to another one.
        if (answer?.status() !== 200 || new URL(page.url()).pathname !== href.replace(/[?#].*/, '')) {
          flaws.push(`${href}: ${answer?.status()} at ${new URL(page.url()).pathname}`);
        }
        const links = await page
          .locator('main a[href^="/"]')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href')!.replace(/#.*/, '')));
        const toCheck: string[] = [];
        for (const link of links.filter((l) => l !== '' && walkable(l))) {
          if (nav.includes(href)) toWalk.push(link);
          if (checked.has(kindOf(link))) continue;
          checked.add(kindOf(link));
          toCheck.push(link);
        }
        const statuses = await Promise.all(
          toCheck.map(async (link) =>
            (await page.request.get(`${stack.baseUrl}${link}`, { maxRedirects: 0 })).status(),
          ),
        );
        statuses.forEach((status, i) => {
          if (status >= 400) flaws.push(`${href} links to ${toCheck[i]}: ${status}`);
        });
        for (const width of [390, 1280]) {
          flaws.push(...(await flawsAt(page, width)).map((f) => `${href} ${f}`));
          await screenshot(page, `every-page-${role}${kindOf(href).replace(/\W+/g, '-')}-${width}`);
        }
      }
      expect(flaws).toEqual([]);
      // The walk reached beyond the navigation (a case, a business, a cohort), not only its first pages.
      expect(walked.size).toBeGreaterThan(nav.length);
      await context.close();
    });
  }
});
