/** One call that went through a `RecordingFetch`. */
export interface RecordedCall {
  method: string;
  path: string;
  status: number;
  authorization: string | null;
  cookie: string | null;
  body: string;
  /** The `code` of a JSON error answer. */
  code?: string;
  at: number;
}

/** A fault a test injects: return a response instead of calling the server, or `undefined` to pass through. */
export type Fault = (request: Request, path: string) => Response | undefined | Promise<Response | undefined>;

/**
 * A `fetch` that records every call the client makes (method, path, status,
 * headers, body) and can inject faults, so tests count refreshes and retries
 * exactly without reaching into the client.
 */
export class RecordingFetch {
  readonly calls: RecordedCall[] = [];
  fault: Fault | undefined;

  constructor(private readonly inner: typeof fetch = globalThis.fetch) {}

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? await request.clone().text() : '';
    const faulty = this.fault ? await this.fault(request, url.pathname) : undefined;
    const response = faulty ?? (await this.inner(request));
    let code: string | undefined;
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      try {
        code = ((await response.clone().json()) as { code?: string }).code;
      } catch {
        code = undefined;
      }
    }
    this.calls.push({
      method: request.method,
      path: url.pathname,
      status: response.status,
      authorization: request.headers.get('authorization'),
      cookie: request.headers.get('cookie'),
      body,
      code,
      at: Date.now(),
    });
    return response;
  };

  count(method: string, path: string, status?: number): number {
    return this.calls.filter((c) => c.method === method && c.path === path && (status === undefined || c.status === status)).length;
  }

  reset(): void {
    this.calls.length = 0;
  }
}

/** A JSON error response in the contract's shape. */
export function errorResponse(status: number, code: string, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ statusCode: status, code, message: code }), {
    status,
    headers: { 'content-type': 'application/json', ...extraHeaders },
  });
}
