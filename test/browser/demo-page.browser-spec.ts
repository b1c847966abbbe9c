import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissingReason, launchChromium, screenshot } from './chromium.js';
import { startDemoServer, type DemoServer } from './demo-server.js';
import { logIn, openTab } from './demo-tabs.js';
import { eventually } from '../support/eventually.js';

// Access tokens live 4 s with no clock leeway, so expiry happens within a test.
const ENV = { ACCESS_TOKEN_TTL: '4s', CLOCK_TOLERANCE: '0', REFRESH_REUSE_GRACE: '10', REFRESH_COOKIE: '1' };
const TEST_TIMEOUT = 60_000;
const missing = chromiumMissingReason();

/** Every auth-relevant response the browser context saw, across all its tabs. */
interface Seen {
  method: string;
  path: string;
  status: number;
  page: number;
}

/** Waits until the page's own countdown says the access token has expired (local estimate, ≤ the server's). */
async function waitForExpiry(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getElementById('countdown')?.textContent === '0.0 s', undefined, { timeout: 10_000, polling: 100 });
  // The estimate is conservative by up to a second; make sure the server agrees.
  await page.waitForTimeout(1100);
}

const okMeCount = (page: Page) => page.$$eval('#log li[data-path="/me"][data-status="200"]', (items) => items.length);

const logCodes = (page: Page) => page.$$eval('#log li', (items) => items.map((li) => (li as HTMLElement).dataset.code ?? ''));

if (missing) {
  describe('demo page in Chromium', () => {
    it('is skipped: Chromium is not available', () => {
      console.warn(`[browser tests skipped] ${missing}`);
      expect(missing).toContain('not installed');
    });
  });
} else {
  describe('demo page in Chromium (cookie mode)', () => {
    let server: DemoServer;
    // Body mode needs a server that sends the refresh token in the body: one without REFRESH_COOKIE.
    let bodyServer: DemoServer;
    let browser: Browser;

    beforeAll(async () => {
      server = await startDemoServer(ENV);
      const { REFRESH_COOKIE: _cookie, ...bodyEnv } = ENV;
      bodyServer = await startDemoServer(bodyEnv);
      browser = await launchChromium();
    }, TEST_TIMEOUT);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await bodyServer?.close();
    });

    function record(context: BrowserContext, pages: Page[]): Seen[] {
      const seen: Seen[] = [];
      context.on('response', (response) => {
        const url = new URL(response.url());
        seen.push({ method: response.request().method(), path: url.pathname, status: response.status(), page: pages.indexOf(response.frame().page()) });
      });
      return seen;
    }

    it(
      'logs in and survives an access-token expiry with no visible error',
      async () => {
        const context = await browser.newContext();
        const pages: Page[] = [];
        const seen = record(context, pages);
        const page = await openTab(context, server.url);
        pages.push(page);
        expect(await page.textContent('#coordination')).toBe('web-locks');
        await screenshot(page, '01-logged-out');
        // On load in cookie mode the page tried to resume from a cookie it doesn't have yet (401 REFRESH_TOKEN_MISSING): count from the login.
        const fromLogin = seen.length;
        await logIn(page, 'alice');
        await page.waitForFunction(() => document.getElementById('who')?.textContent === 'alice');
        await screenshot(page, '02-logged-in');

        // Keep calling /me across more than one access-token lifetime.
        const until = Date.now() + 6000;
        while (Date.now() < until) {
          await page.click('#me');
          await page.waitForTimeout(400);
        }
        const refreshes = seen.slice(fromLogin).filter((s) => s.path === '/auth/refresh');
        expect(refreshes.length).toBeGreaterThanOrEqual(1);
        expect(refreshes.every((s) => s.status === 200)).toBe(true);
        expect(seen.slice(fromLogin).filter((s) => s.path === '/me' && s.status !== 200)).toEqual([]);
        expect(await page.isHidden('#error')).toBe(true);
        expect(await page.isHidden('#expired')).toBe(true);
        expect(await page.isVisible('#session-view')).toBe(true);
        expect(await page.textContent('#log')).toContain('(silent refresh)');
        // The refresh token stayed out of the page's reach: httpOnly cookie, nothing in storage.
        expect(await page.evaluate(() => document.cookie)).toBe('');
        expect(await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).toBe('{}{}');
        const cookies = await context.cookies();
        expect(cookies.map((c) => [c.name, c.httpOnly, c.path])).toEqual([['refresh_token', true, '/auth']]);
        await screenshot(page, '03-after-silent-refresh');
        await context.close();
      },
      TEST_TIMEOUT,
    );

    describe.each(['cookie', 'body'])('two tabs (%s mode)', (mode) => {
      it(
        'refreshing at the same moment cause one rotation and no reuse detection',
        async () => {
          const context = await browser.newContext();
          const pages: Page[] = [];
          const seen = record(context, pages);
          const url = `${(mode === 'body' ? bodyServer : server).url}/?proactive=0`;
          const a = await openTab(context, url);
          pages.push(a);
          await logIn(a, 'bob');
          const b = await openTab(context, url);
          pages.push(b);
          // The second tab picked up the first one's session without logging in
          // (cookie mode: through the cookie, one refresh; body mode: an access token from tab A).
          await b.waitForSelector('#session-view:not([hidden])');
          const fromLogin = seen.length;
          await waitForExpiry(a);
          await waitForExpiry(b);

          const meBefore = seen.filter((s) => s.path === '/me').length;
          await Promise.all([a.click('#me-parallel'), b.click('#me-parallel')]);
          await a.waitForFunction(() => document.querySelectorAll('#log li[data-path="/me"][data-status="200"]').length >= 6);
          await b.waitForFunction(() => document.querySelectorAll('#log li[data-path="/me"][data-status="200"]').length >= 6);
          await eventually(() => seen.slice(fromLogin).some((s) => s.path === '/auth/refresh'));
          // Long enough for a second, unwanted refresh to show up if one was made.
          await a.waitForTimeout(300);

          const refreshes = seen.slice(fromLogin).filter((s) => s.path === '/auth/refresh');
          expect(refreshes.map((s) => s.status)).toEqual([200]);
          expect(seen.filter((s) => s.path === '/me').slice(meBefore).every((s) => s.status === 200)).toBe(true);
          for (const page of [a, b]) {
            expect(await logCodes(page)).not.toContain('REFRESH_TOKEN_REUSED');
            expect(await page.isHidden('#expired')).toBe(true);
            expect(await page.isHidden('#error')).toBe(true);
          }
          await screenshot(a, `04-two-tabs-${mode}-tab-a`);
          await screenshot(b, `04-two-tabs-${mode}-tab-b`);

          // Body mode: the refresh token never left tab A, so A did the rotation.
          if (mode === 'body') expect(refreshes[0].page).toBe(0);
          // Next expiry: the tab that did not rotate last time needs a fresh token and gets one without any reuse
          // (cookie mode: it rotates the cookie itself; body mode: it asks tab A, which holds the refresh token).
          const refreshedBy = refreshes[0].page;
          const other = refreshedBy === 0 ? b : a;
          await waitForExpiry(other);
          const okBefore = await okMeCount(other);
          await other.click('#me');
          await other.waitForFunction((n) => document.querySelectorAll('#log li[data-path="/me"][data-status="200"]').length > n, okBefore);
          // The refresh may have been done by the other tab, whose response events reach the test on their own schedule.
          await eventually(() => seen.slice(fromLogin).filter((s) => s.path === '/auth/refresh').length >= 2);
          expect(seen.slice(fromLogin).filter((s) => s.path === '/auth/refresh').map((s) => s.status)).toEqual([200, 200]);
          expect(await other.isHidden('#expired')).toBe(true);
          await context.close();
        },
        TEST_TIMEOUT,
      );
    });

    it(
      'logging out in one tab tells the other it was logged out there, not that the session expired',
      async () => {
        const context = await browser.newContext();
        const a = await openTab(context, server.url);
        await logIn(a, 'alice');
        const b = await openTab(context, server.url);
        await b.waitForSelector('#session-view:not([hidden])');
        await a.click('#logout');
        await a.waitForSelector('#logged-out:not([hidden])');
        await b.waitForSelector('#logged-out-elsewhere:not([hidden])');
        expect(await b.textContent('#logged-out-elsewhere')).toContain('You were logged out in another tab.');
        expect(await b.isHidden('#expired')).toBe(true);
        expect(await logCodes(b)).not.toContain('REFRESH_TOKEN_MISSING');
        expect(await b.isVisible('#login-view')).toBe(true);
        expect(await a.isHidden('#expired')).toBe(true);
        await screenshot(a, '05-logged-out-tab');
        await screenshot(b, '06-other-tab-logged-out-elsewhere');
        // The other tab really has no session left: a reload finds none either (the cookie is gone).
        await b.reload();
        await b.waitForSelector('body[data-ready="true"]');
        expect(await b.isVisible('#login-view')).toBe(true);
        await context.close();
      },
      TEST_TIMEOUT,
    );
  });
}
