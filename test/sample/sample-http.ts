import { startSample, RunningSample, StartSampleOptions } from '../../sample/start-sample.js';

/** A response read once, with the parsed JSON body when there is one. */
export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

/** Small fetch wrapper for driving the sample over real HTTP. */
export class SampleClient {
  constructor(readonly url: string) {}

  async request(method: string, path: string, init: { token?: string; json?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.raw !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = init.raw;
    }
    const res = await fetch(this.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (an HTML page, an empty 204): keep the text.
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  login(username = 'alice', password = 'wonderland', headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', '/auth/login', { json: { username, password }, headers });
  }

  refresh(refreshToken: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', '/auth/refresh', { json: { refreshToken }, headers });
  }

  me(token?: string): Promise<Reply> {
    return this.request('GET', '/me', { token });
  }
}

/** Starts the sample quietly on a free port with the given contract environment. */
export async function sampleWith(env: Record<string, string>, options: StartSampleOptions = {}): Promise<{ sample: RunningSample; http: SampleClient }> {
  const sample = await startSample({ JWT_SECRET: 'sample-e2e-secret-that-is-long-enough-for-hs256', ...env }, { port: 0, logger: false, ...options });
  return { sample, http: new SampleClient(sample.url) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
