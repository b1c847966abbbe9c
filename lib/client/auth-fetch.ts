import { SESSION_ENDING_ACCESS_CODES, TOKEN_EXPIRED } from './auth-client.codes.js';
import type { AuthEndpoints } from './auth-endpoints.js';
import type { ClientSession } from './client-session.js';
import { peekError } from './http-body.js';
import { LOGIN_REQUIRED, loginRequiredEvent } from './login-required.js';
import type { RefreshFlight } from './refresh-flight.js';

/**
 * What an HTTP library reports about an answer to a request that carried
 * `token` (see `AuthClient.hooks`).
 * @publicApi
 */
export interface RejectedRequest {
  /** The access token the request was sent with. */
  token: string;
  /** The HTTP status (the hooks act on 401 only). */
  status: number;
  /** The `code` of the JSON error body, when there was one. */
  code?: string;
  /** The `message` of the error body. */
  message?: string;
  /** Whether this request already is the one retry. */
  retried: boolean;
  /** The request's URL, for the `loginRequired` event. */
  url?: string;
  /** `LOGIN_REQUIRED` answers: the body's `authTime` and `maxAge`, for the `loginRequired` event. */
  authTime?: string;
  maxAge?: number;
}

/**
 * The fetch wrapper, and the same logic as two hooks for other HTTP
 * libraries: `tokenFor` before a request, `settle` after a 401.
 */
export class AuthFetch {
  constructor(
    private readonly session: ClientSession,
    private readonly flight: RefreshFlight,
    private readonly endpoints: AuthEndpoints,
  ) {}

  /** `quiet`: used by logout, which ends the session itself and must not report it as expired. */
  async execute(request: Request, quiet = false): Promise<Response> {
    if (this.session.disposed) throw new TypeError('This auth client was disposed');
    const token = await this.tokenFor(request.url);
    if (token === null) return this.endpoints.fetch(request);
    let sentAt = this.session.now();
    const first = await this.send(request, token);
    const retryWith = await this.settleResponse(request, first, sentAt, token, false, quiet);
    if (retryWith === null) return first;
    // One retry, whatever it answers: a second refresh for the same request is how loops start.
    sentAt = this.session.now();
    const second = await this.send(request, retryWith);
    await this.settleResponse(request, second, sentAt, retryWith, true, quiet);
    return second;
  }

  /** The bearer token for a request to `url`, refreshed first when known to be expired; `null` for other URLs or no session. */
  async tokenFor(url: string | URL): Promise<string | null> {
    if (!this.endpoints.isApiUrl(this.endpoints.resolve(url))) return null;
    let tokens = this.session.tokens;
    if (tokens && tokens.expiresAt <= this.session.now()) {
      // Known to be expired: refresh first rather than spend a round trip on a certain 401.
      await this.flight.refreshFrom('expired', tokens.accessToken);
      tokens = this.session.tokens;
    }
    return tokens?.accessToken ?? null;
  }

  /**
   * After an answer to a request sent with `token`: the token to retry with
   * once (a TOKEN_EXPIRED answer and a successful refresh), else `null`, having
   * ended the session when the code says it is over.
   */
  async settle(rejected: RejectedRequest, quiet = false): Promise<string | null> {
    const session = this.session;
    if (rejected.status !== 401) {
      session.reactiveStreak = 0;
      return null;
    }
    // Step-up: no refresh can help (it keeps the login time) and the session goes on; the UI asks for the password.
    if (rejected.code === LOGIN_REQUIRED) {
      session.events.emit('loginRequired', loginRequiredEvent(rejected));
      return null;
    }
    const current = session.tokens;
    const stillCurrent = current?.accessToken === rejected.token;
    // A token handed over by another tab may have been forged by a script on the channel: refresh instead of ending the session.
    const refreshable = rejected.code === TOKEN_EXPIRED || (rejected.code === 'INVALID_TOKEN' && session.wasHandedOver(rejected.token));
    if (!rejected.retried && refreshable) {
      const fresh = await this.flight.refreshFrom('expired', rejected.token);
      return fresh && fresh.accessToken !== rejected.token ? fresh.accessToken : null;
    }
    // Only end the session if the rejected token is still ours: a refresh may have replaced it meanwhile.
    if (!quiet && rejected.code && SESSION_ENDING_ACCESS_CODES.includes(rejected.code) && stillCurrent) {
      session.end(rejected.code, 'this-tab', 401, rejected.message);
    }
    return null;
  }

  toRequest(input: RequestInfo | URL, init?: RequestInit): Request {
    if (typeof input === 'object' && !(input instanceof URL) && typeof (input as Request).clone === 'function') {
      return init ? new Request(input as Request, init) : (input as Request);
    }
    return new Request(this.endpoints.resolve(input instanceof URL ? input : String(input)), init);
  }

  private async settleResponse(request: Request, response: Response, sentAt: number, token: string, retried: boolean, quiet: boolean): Promise<string | null> {
    const { serverTime, ...error } = response.status === 401 ? await peekError(response) : {};
    // Every answer's Date (and an expiry error's serverTime) keeps the estimate of the server's clock current.
    this.session.serverClock.observe(response, sentAt, serverTime);
    this.session.correctExpiry();
    return this.settle({ token, status: response.status, retried, url: request.url, ...error }, quiet);
  }

  private send(request: Request, token: string): Promise<Response> {
    // Each attempt sends a clone: the original's body stays unread for the retry.
    const headers = new Headers(request.headers);
    headers.set('Authorization', `Bearer ${token}`);
    return this.endpoints.fetch(new Request(request.clone(), { headers }));
  }
}
