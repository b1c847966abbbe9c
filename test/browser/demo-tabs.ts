import type { BrowserContext, Page } from 'playwright-core';

/** Opens the demo page (or any page of the app) in a new tab; with `ready`, waits until the page's script has resumed. */
export async function openTab(context: BrowserContext, url: string, ready = true): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(url);
  if (ready) await page.waitForSelector('body[data-ready="true"]');
  return page;
}

export async function logIn(page: Page, user: 'alice' | 'bob'): Promise<void> {
  await page.selectOption('#username', user);
  await page.click('#login');
  await page.waitForSelector('#session-view:not([hidden])');
}

/** Who the demo page's session belongs to, asked of the server (GET /me through the client). */
export async function whoAmI(page: Page): Promise<string> {
  await page.evaluate(() => (document.getElementById('who')!.textContent = '…'));
  await page.click('#me');
  await page.waitForFunction(() => document.getElementById('who')?.textContent !== '…', undefined, { timeout: 10_000 });
  return (await page.textContent('#who')) ?? '';
}

/** The name of the client's lock and channel for an app served at `origin` (its default: one per API base). */
export const channelName = (origin: string) => `nestjs-jwt-refresh:${origin}/`;
