import type { HttpAdapterHost } from '@nestjs/core';

/** The adapter's header methods (`appendHeader` is optional on `HttpServer`). */
type HeaderAdapter = { setHeader(r: unknown, n: string, v: string): unknown; appendHeader?(r: unknown, n: string, v: string): unknown };

/** Sets a header through the app's HTTP adapter, which knows its platform; duck-typed where there is none. */
export function setHeaderVia(host: HttpAdapterHost | undefined, response: unknown, name: string, value: string): void {
  const adapter = host?.httpAdapter as HeaderAdapter | undefined;
  if (adapter) adapter.setHeader(response, name, value);
  else setResponseHeader(response, name, value);
}

/** Appends a header (several `Set-Cookie`s) through the app's HTTP adapter, duck-typed where it has no `appendHeader`. */
export function appendHeaderVia(host: HttpAdapterHost | undefined, response: unknown, name: string, value: string): void {
  const adapter = host?.httpAdapter as HeaderAdapter | undefined;
  if (typeof adapter?.appendHeader === 'function') adapter.appendHeader(response, name, value);
  else appendResponseHeader(response, name, value);
}

/** Sets a header on an Express response or a Fastify reply (the two keep different method names). */
export function setResponseHeader(response: unknown, name: string, value: string): void {
  const res = response as { setHeader?: (n: string, v: string) => void; header?: (n: string, v: string) => void };
  if (!res) return;
  if (typeof res.setHeader === 'function') res.setHeader(name, value);
  else if (typeof res.header === 'function') res.header(name, value);
}

/** Sends a JSON body with a status on Express or Fastify. */
export function sendJson(response: unknown, status: number, body: unknown, contentType = 'application/json'): void {
  const res = response as {
    status?: (s: number) => { json?: (b: unknown) => void };
    code?: (s: number) => { send: (b: unknown) => void };
    type?: (t: string) => void;
    setHeader?: (n: string, v: string) => void;
    end?: (b: string) => void;
    statusCode?: number;
  };
  if (typeof res.code === 'function' && typeof res.setHeader !== 'function') {
    // Fastify: serialise ourselves so a custom content type keeps a JSON body.
    setResponseHeader(res, 'Content-Type', `${contentType}; charset=utf-8`);
    res.code(status).send(JSON.stringify(body));
    return;
  }
  setResponseHeader(res, 'Content-Type', `${contentType}; charset=utf-8`);
  res.statusCode = status;
  res.end?.(JSON.stringify(body));
}

/** Adds a header without replacing earlier ones of the same name (several `Set-Cookie`s), on Express or Fastify. */
export function appendResponseHeader(response: unknown, name: string, value: string): void {
  const res = response as {
    append?: (n: string, v: string) => void;
    getHeader?: (n: string) => unknown;
    setHeader?: (n: string, v: string | string[]) => void;
    header?: (n: string, v: string) => void;
  };
  if (!res) return;
  if (typeof res.append === 'function') return void res.append(name, value);
  if (typeof res.setHeader === 'function' && typeof res.getHeader === 'function') {
    const previous = res.getHeader(name);
    const values = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
    return void res.setHeader(name, [...values, value]);
  }
  // Fastify's reply.header() already accumulates Set-Cookie values into a list.
  if (typeof res.header === 'function') res.header(name, value);
}
