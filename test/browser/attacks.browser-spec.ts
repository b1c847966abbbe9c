import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AttackerSite, autoSubmittingForm } from './attacker-site.js';
import { chromiumMissingReason, launchChromium, screenshot } from './chromium.js';
import { startDemoServer, type DemoServer } from './demo-server.js';
import { channelName, logIn, openTab, whoAmI } from './demo-tabs.js';
import { eventually } from '../support/eventually.js';

// The attacks of issue 14, tried in a real browser the way an attacker would.
const ENV = { ACCESS_TOKEN_TTL: '30s', CLOCK_TOLERANCE: '0', REFRESH_REUSE_GRACE: '10' };
const TEST_TIMEOUT = 60_000;
const missing = chromiumMissingReason();

/** Logs `user` in over plain HTTP (the attacker's own account): the access token and, from body or cookie, the refresh token. */
async function attackerSession(appUrl: string, user = { username: 'bob', password: 'builder' }): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await fetch(`${appUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  const body = (await res.json()) as { accessToken: string; refreshToken?: string };
  const cookie = /refresh_token=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  return { accessToken: body.accessToken, refreshToken: body.refreshToken ?? cookie! };
}

async function refreshCookies(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).filter((c) => c.name === 'refresh_token').map((c) => c.value);
}

/** Every response to an /auth/* request the context saw: method, path, status. */
function authResponses(context: BrowserContext): { path: string; status: number; site: string }[] {
  const seen: { path: string; status: number; site: string }[] = [];
  context.on('response', async (response) => {
    const url = new URL(response.url());
    // allHeaders(): the Sec-Fetch-* headers the network stack added, not just what the page set.
    const site = (await response.request().allHeaders())['sec-fetch-site'] ?? '';
    if (url.pathname.startsWith('/auth/')) seen.push({ path: url.pathname, status: response.status(), site });
  });
  return seen;
}

if (missing) {
  describe('attacks in Chromium', () => {
    it('is skipped: Chromium is not available', () => {
      console.warn(`[browser tests skipped] ${missing}`);
      expect(missing).toContain('not installed');
    });
  });
} else {
  describe('attacks in Chromium', () => {
    let cookieApp: DemoServer;
    let bodyApp: DemoServer;
    let attacker: AttackerSite;
    let browser: Browser;

    beforeAll(async () => {
      cookieApp = await startDemoServer({ ...ENV, REFRESH_COOKIE: '1' });
      bodyApp = await startDemoServer(ENV);
      attacker = new AttackerSite();
      await attacker.start();
      browser = await launchChromium();
    }, TEST_TIMEOUT);
    afterAll(async () => {
      await browser?.close();
      await cookieApp?.close();
      await bodyApp?.close();
      await attacker?.close();
    });

    describe('another site posting to the auth endpoints (cookie mode)', () => {
      async function victim(): Promise<{ context: BrowserContext; page: Page; cookie: string; seen: ReturnType<typeof authResponses> }> {
        const context = await browser.newContext();
        const seen = authResponses(context);
        const page = await openTab(context, cookieApp.url);
        await logIn(page, 'alice');
        const [cookie] = await refreshCookies(context);
        expect(cookie).toMatch(/^[\w-]{86,}$/);
        return { context, page, cookie, seen };
      }

      /** The victim's cookie is the one it had, and its session is still alice's, now and after a reload. */
      async function expectUntouched(context: BrowserContext, page: Page, cookie: string): Promise<void> {
        expect(await refreshCookies(context)).toEqual([cookie]);
        expect(await whoAmI(page)).toBe('alice');
        await page.reload();
        await page.waitForSelector('body[data-ready="true"]');
        await page.waitForSelector('#session-view:not([hidden])');
        expect(await whoAmI(page)).toBe('alice');
      }

      it.each([
        ['/auth/refresh', 'a urlencoded form with the attacker\'s refresh token', 'application/x-www-form-urlencoded'],
        ['/auth/refresh', 'a text/plain form shaped like JSON', 'text/plain'],
        ['/auth/login', 'a urlencoded form with the attacker\'s credentials', 'application/x-www-form-urlencoded'],
      ])(
        'an auto-submitted form to %s (%s) leaves the victim\'s cookie and session unchanged',
        async (path, _what, enctype) => {
          const { context, page, cookie, seen } = await victim();
          const mallory = await attackerSession(cookieApp.url);
          const target = `${cookieApp.url}${path}`;
          let fields: Record<string, string>;
          if (path === '/auth/login') fields = { username: 'bob', password: 'builder' };
          else if (enctype === 'text/plain') fields = { [`{"refreshToken":"${mallory.refreshToken}","x":"`]: '"}' };
          else fields = { refreshToken: mallory.refreshToken };
          const evil = await context.newPage();
          const answered = evil.waitForResponse((response) => response.url() === target);
          await evil.goto(attacker.page(`/prize-${Date.now()}`, autoSubmittingForm(target, fields, enctype)));
          const response = await answered;
          expect([403, 415]).toContain(response.status());
          expect(response.headers()['set-cookie']).toBeUndefined();
          await eventually(() => seen.some((s) => s.path === path && s.site === 'cross-site'));
          expect(seen.filter((s) => s.path === path && s.site === 'cross-site').map((s) => s.status)).toEqual([response.status()]);
          await screenshot(evil, `attack-form-${path.slice(6)}-${enctype.split('/')[1]}`);
          await evil.close();
          await expectUntouched(context, page, cookie);
          await context.close();
        },
        TEST_TIMEOUT,
      );

      it(
        'a no-cors fetch from another site is refused and changes nothing',
        async () => {
          const { context, page, cookie, seen } = await victim();
          const mallory = await attackerSession(cookieApp.url);
          const evil = await openTab(context, attacker.page('/fetch', '<!doctype html><title>blog</title>'), false);
          await evil.evaluate(
            async ([url, token]) => {
              await fetch(`${url}/auth/refresh`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ refreshToken: token }) });
              await fetch(`${url}/auth/refresh`, { method: 'POST', mode: 'no-cors', credentials: 'include' });
            },
            [cookieApp.url, mallory.refreshToken],
          );
          // Playwright cannot read the Sec-Fetch-* headers of an opaque (no-cors) request: count the answers after the login instead.
          await eventually(() => seen.filter((s) => s.path === '/auth/refresh' && s.status !== 401).length >= 2);
          const refused = seen.filter((s) => s.path === '/auth/refresh' && s.status !== 401);
          expect(refused.map((s) => s.status)).toEqual([403, 403]);
          await evil.close();
          await expectUntouched(context, page, cookie);
          await context.close();
        },
        TEST_TIMEOUT,
      );
    });

    describe('a hostile script of the same origin on the tab channel', () => {
      /** Runs in a tab of the app's origin (its /health page): listens to everything, and can post anything. */
      async function hostileTab(context: BrowserContext, appUrl: string): Promise<Page> {
        const page = await openTab(context, `${appUrl}/health`, false);
        await page.evaluate((name) => {
          const channel = new BroadcastChannel(name);
          const seen: unknown[] = [];
          channel.onmessage = (event) => void seen.push(event.data);
          Object.assign(window, {
            hostile: {
              seen,
              post: (body: unknown, from = 'hostile-tab') => channel.postMessage({ ns: 'nestjs-jwt-refresh/1', from, body }),
            },
          });
        }, channelName(appUrl));
        return page;
      }
      const transcript = (page: Page) => page.evaluate(() => JSON.stringify((window as unknown as { hostile: { seen: unknown[] } }).hostile.seen));
      const post = (page: Page, body: Record<string, unknown>) =>
        page.evaluate((b) => (window as unknown as { hostile: { post: (b: unknown) => void } }).hostile.post(b), body);

      it.each(['body', 'cookie'] as const)(
        '%s mode: never obtains a refresh token and installs no session',
        async (mode) => {
          const app = mode === 'cookie' ? cookieApp : bodyApp;
          const context = await browser.newContext();
          const refreshTokens: string[] = [];
          context.on('response', async (response) => {
            if (!/\/auth\/(login|refresh)$/.test(new URL(response.url()).pathname) || response.status() !== 200) return;
            const body = (await response.json().catch(() => ({}))) as { refreshToken?: string };
            if (body.refreshToken) refreshTokens.push(body.refreshToken);
          });
          // A tab left on the login page, and the victim's two tabs.
          const idle = await openTab(context, app.url);
          const hostile = await hostileTab(context, app.url);
          const a = await openTab(context, app.url);
          await logIn(a, 'alice');
          if (mode === 'cookie') {
            // The idle tab picks the login up from the cookie, as a tab should; a fresh context keeps one logged out.
            await idle.waitForSelector('#session-view:not([hidden])');
          }
          const b = await openTab(context, app.url);
          await b.waitForSelector('#session-view:not([hidden])');

          // Ask for the tokens, and make tab A rotate while listening.
          await post(hostile, { type: 'sync-request' });
          await a.click('#refresh-now');
          await a.waitForFunction(() => [...document.querySelectorAll('#log li')].some((li) => li.textContent?.includes('(silent refresh)')));
          await b.waitForTimeout(300);
          refreshTokens.push(...(await refreshCookies(context)));
          expect(refreshTokens.length).toBeGreaterThanOrEqual(mode === 'body' ? 2 : 1);
          const heard = await transcript(hostile);
          expect(heard).toContain('"type":"tokens"');
          for (const token of refreshTokens) expect(heard).not.toContain(token);
          expect(heard).not.toContain('refreshToken');

          // Now try to install the attacker's session everywhere, in every way the channel offers.
          const loneContext = await browser.newContext();
          const lone = await openTab(loneContext, app.url);
          const loneHostile = await hostileTab(loneContext, app.url);
          const mallory = await attackerSession(app.url);
          const sid = JSON.parse(Buffer.from(mallory.accessToken.split('.')[1], 'base64url').toString()).sid as string;
          for (const target of [hostile, loneHostile]) {
            for (const reason of ['refresh', 'sync', 'login']) {
              await post(target, { type: 'tokens', accessToken: mallory.accessToken, refreshToken: mallory.refreshToken, expiresAt: Date.now() + 3_600_000, receivedAt: Date.now() + 3_600_000, reason });
            }
            await post(target, { type: 'session-started', sid });
          }
          await a.waitForTimeout(500);
          for (const page of [a, b]) expect(await whoAmI(page)).toBe('alice');
          if (mode === 'cookie') expect(await whoAmI(idle)).toBe('alice');
          else expect(await idle.isVisible('#login-view')).toBe(true);
          expect(await lone.isVisible('#login-view')).toBe(true);
          expect(await lone.evaluate(() => document.getElementById('who')?.textContent)).not.toBe('bob');
          await screenshot(a, `hostile-channel-${mode}`);
          await loneContext.close();
          await context.close();
        },
        TEST_TIMEOUT,
      );

      it(
        'holding the Web Lock for ever delays a refresh by one lease, not for good',
        async () => {
          const context = await browser.newContext();
          const seen = authResponses(context);
          const a = await openTab(context, `${cookieApp.url}/?lease=1500&proactive=0`);
          expect(await a.textContent('#coordination')).toBe('web-locks');
          await logIn(a, 'alice');
          const hostile = await hostileTab(context, cookieApp.url);
          await hostile.evaluate((name) => {
            void navigator.locks.request(name, () => new Promise(() => undefined)).catch(() => undefined);
          }, channelName(cookieApp.url));
          const held = await hostile.evaluate(async (name) => (await navigator.locks.query()).held?.some((lock) => lock.name === name), channelName(cookieApp.url));
          expect(held).toBe(true);
          const before = seen.filter((s) => s.path === '/auth/refresh').length;
          const started = Date.now();
          await a.click('#refresh-now');
          await a.waitForFunction(() => [...document.querySelectorAll('#log li')].some((li) => li.textContent?.includes('tokens refreshed (manual, this tab)')), undefined, { timeout: 10_000 });
          const took = Date.now() - started;
          expect(took).toBeGreaterThanOrEqual(1400);
          expect(took).toBeLessThan(8000);
          expect(seen.filter((s) => s.path === '/auth/refresh').slice(before).map((s) => s.status)).toEqual([200]);
          expect(await whoAmI(a)).toBe('alice');
          await context.close();
        },
        TEST_TIMEOUT,
      );
    });
  });
}
