import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Another site: pages served on `http://localhost:<port>` while the app is on
 * `http://127.0.0.1:<port>`. Different hosts, so different sites to the
 * browser (an IP address is a site of its own): what it sends there is
 * cross-site, as from an attacker's domain.
 */
export class AttackerSite {
  private readonly pages = new Map<string, string>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const page = this.pages.get(new URL(req.url ?? '/', 'http://x').pathname);
      res.statusCode = page === undefined ? 404 : 200;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page ?? 'not found');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://localhost:${(this.server.address() as AddressInfo).port}`;
  }

  /** Serves `html` at `path` and returns its address. */
  page(path: string, html: string): string {
    this.pages.set(path, html);
    return this.url + path;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** An HTML page that posts a form to `action` as soon as it loads, the way a CSRF page does. */
export function autoSubmittingForm(action: string, fields: Record<string, string>, enctype = 'application/x-www-form-urlencoded'): string {
  const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join('');
  return `<!doctype html><title>You won a prize</title><form id="f" method="POST" action="${escape(action)}" enctype="${enctype}">${inputs}</form><script>document.getElementById('f').submit()</script>`;
}
