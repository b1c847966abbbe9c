/**
 * Node's fetch has no cookie jar; a browser has one. This is the smallest jar
 * that behaves like a browser for the refresh cookie: it keeps cookies by name
 * and path, honours Max-Age/Expires deletion, sends them only to matching
 * paths, and (like browsers for loopback) treats 127.0.0.1 as secure so
 * `Secure` cookies are kept. It lets the tests check what really crosses the
 * wire in cookie mode. Not a general-purpose jar.
 */
export class CookieJarFetch {
  private readonly cookies = new Map<string, { value: string; path: string; httpOnly: boolean }>();

  constructor(private readonly inner: typeof fetch = globalThis.fetch) {}

  /** Names of the cookies held, for assertions. */
  names(): string[] {
    return [...this.cookies.keys()];
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    // Browsers omit cookies when credentials is 'omit'; 'same-origin' and 'include' both send them to the same origin.
    if (request.credentials !== 'omit') {
      const matching = [...this.cookies.entries()].filter(([, c]) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`));
      if (matching.length > 0) headers.set('cookie', matching.map(([name, c]) => `${name}=${c.value}`).join('; '));
    }
    const response = await this.inner(new Request(request, { headers }));
    for (const line of response.headers.getSetCookie()) this.store(line);
    return response;
  };

  private store(line: string): void {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let expired = value === '';
    let httpOnly = false;
    for (const attribute of attributes) {
      const [key, val = ''] = attribute.split('=');
      const k = key.toLowerCase();
      if (k === 'path') path = val;
      else if (k === 'max-age' && Number(val) <= 0) expired = true;
      else if (k === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      else if (k === 'httponly') httpOnly = true;
    }
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, { value, path, httpOnly });
  }
}
