import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissingReason, launchChromium } from './chromium.js';
import { startDemoServer, type DemoServer } from './demo-server.js';
import { logIn, openTab, whoAmI } from './demo-tabs.js';

// 30-second access tokens: the proactive refresh is due about 20 s after login, far beyond each test's wait.
const ENV = { ACCESS_TOKEN_TTL: '30s', CLOCK_TOLERANCE: '0', REFRESH_COOKIE: '1' };
const TEST_TIMEOUT = 60_000;
const missing = chromiumMissingReason();

/**
 * How a page comes back after the machine slept or the tab was hidden, frozen, cached or offline.
 * Chromium's CDP freeze/resume fires no `resume` event on a visible headless page, so the lifecycle
 * events are dispatched as the browser would send them; going offline and online is real.
 */
const WAKE_UPS: [string, (page: Page, context: BrowserContext) => Promise<void>][] = [
  ['the tab becomes visible again', (page) => page.evaluate(() => void document.dispatchEvent(new Event('visibilitychange')))],
  ['the frozen page is resumed (page lifecycle resume event)', (page) => page.evaluate(() => void document.dispatchEvent(new Event('resume')))],
  [
    'the page comes back from the back/forward cache',
    (page) => page.evaluate(() => void window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))),
  ],
  [
    'the network comes back',
    async (_page, context) => {
      await context.setOffline(true);
      await context.setOffline(false);
    },
  ],
];

if (missing) {
  describe('waking up in Chromium', () => {
    it('is skipped: Chromium is not available', () => {
      console.warn(`[browser tests skipped] ${missing}`);
      expect(missing).toContain('not installed');
    });
  });
} else {
  describe('a tab that slept catches up before its first request', () => {
    let server: DemoServer;
    let browser: Browser;

    beforeAll(async () => {
      server = await startDemoServer(ENV);
      browser = await launchChromium();
    }, TEST_TIMEOUT);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it.each(WAKE_UPS)(
      'when %s, with the token expired meanwhile and no timer fired, it refreshes at once',
      async (_how, wake) => {
        const context = await browser.newContext();
        const seen: { path: string; status: number }[] = [];
        context.on('response', (response) => void seen.push({ path: new URL(response.url()).pathname, status: response.status() }));
        // The page's timers run on Playwright's clock: moving the system time forward without firing them
        // is what a machine waking from sleep looks like to a page (wall clock jumped, no timer ran).
        const page = await context.newPage();
        await page.clock.install();
        page.on('pageerror', (error) => {
          throw error;
        });
        await page.goto(server.url);
        await page.waitForSelector('body[data-ready="true"]');
        await logIn(page, 'alice');
        await page.waitForFunction(() => document.getElementById('who')?.textContent === 'alice');
        const refreshesBefore = seen.filter((s) => s.path === '/auth/refresh').length;
        const meBefore = seen.filter((s) => s.path === '/me').length;

        await page.clock.setSystemTime(Date.now() + 45_000);
        // No timer fired: the page has not refreshed yet, though its token is past its expiry on the page's clock.
        await page.waitForTimeout(300);
        expect(seen.filter((s) => s.path === '/auth/refresh').length).toBe(refreshesBefore);
        expect(await page.textContent('#countdown')).toBe('0.0 s');

        await wake(page, context);
        await page.waitForFunction(() => [...document.querySelectorAll('#log li')].some((li) => li.textContent?.includes('tokens refreshed (wake, this tab)')), undefined, {
          timeout: 3000,
          polling: 50,
        });
        // The refresh came from the wake-up itself, before the page made any request.
        expect(seen.filter((s) => s.path === '/me').length).toBe(meBefore);
        expect(seen.filter((s) => s.path === '/auth/refresh').slice(refreshesBefore).map((s) => s.status)).toEqual([200]);
        expect(await whoAmI(page)).toBe('alice');
        expect(seen.filter((s) => s.status === 401 && s.path !== '/auth/refresh')).toEqual([]);
        await context.close();
      },
      TEST_TIMEOUT,
    );
  });
}
