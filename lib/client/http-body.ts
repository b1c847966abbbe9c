// Small readers of the server's answers, shared by the fetch wrapper, the refresh flight and login.

/** The fields of a coded error body the client acts on. */
export interface ErrorFields {
  code?: string;
  message?: string;
  /** The server's clock when it answered (expiry errors carry it), in epoch ms. */
  serverTime?: number;
  /** `LOGIN_REQUIRED`: when the session's login happened, and the route's maximum login age in seconds. */
  authTime?: string;
  maxAge?: number;
}

export async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** Reads the error body without consuming the response the caller will get. */
export async function peekError(response: Response): Promise<ErrorFields> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return {};
  return errorFields(await readJson(response.clone()));
}

export function errorFields(body: unknown): ErrorFields {
  const b = body as { code?: unknown; message?: unknown; serverTime?: unknown; authTime?: unknown; maxAge?: unknown } | undefined;
  const serverTime = typeof b?.serverTime === 'string' ? Date.parse(b.serverTime) : NaN;
  return {
    code: typeof b?.code === 'string' ? b.code : undefined,
    message: typeof b?.message === 'string' ? b.message : undefined,
    serverTime: Number.isFinite(serverTime) ? serverTime : undefined,
    ...(typeof b?.authTime === 'string' && { authTime: b.authTime }),
    ...(typeof b?.maxAge === 'number' && { maxAge: b.maxAge }),
  };
}

/** `Retry-After` (seconds or an HTTP date) or the body's `retryAfter` seconds, in milliseconds. */
export function retryAfterMs(response: Response | undefined, body: unknown, now: number): number | undefined {
  const header = response?.headers.get('retry-after');
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return seconds * 1000;
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const fromBody = (body as { retryAfter?: unknown } | undefined)?.retryAfter;
  return typeof fromBody === 'number' && Number.isFinite(fromBody) ? fromBody * 1000 : undefined;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
