/** Where a change came from: this client, or another tab of the same origin. @publicApi */
export type ChangeSource = 'this-tab' | 'other-tab';

/**
 * Why a refresh ran: `wake` when the tab became visible or the network came
 * back with the token (nearly) expired; `peer` when another tab asked for it
 * (body mode, in the tab holding the refresh token) or logged in (cookie mode:
 * this tab picks the session up from the cookie). @publicApi
 */
export type RefreshTrigger = 'expired' | 'proactive' | 'manual' | 'resume' | 'wake' | 'peer';

/**
 * The events of an `AuthClient`, by name, with their payloads.
 * @publicApi
 */
export interface AuthClientEvents {
  /** Tokens arrived from `login()` (or from another tab's login). */
  login: { expiresAt: number; source: ChangeSource };
  /** New tokens from a refresh, here or in another tab. */
  refresh: { expiresAt: number; trigger: RefreshTrigger; source: ChangeSource };
  /**
   * A refresh attempt failed without ending the session (503, network error).
   * `retryInMs` is set when another attempt is scheduled; `final` when the client gave up for now.
   */
  refreshError: { code?: string; status: number; attempt: number; retryInMs?: number; final: boolean };
  /**
   * The session is over and the tokens are gone: show "Your session has expired, please log in again".
   * `reason` is the server's code (`TOKEN_REVOKED`, `REFRESH_TOKEN_EXPIRED`, …) or a `ClientSessionEndReason`.
   */
  sessionExpired: { reason: string; status?: number; message?: string; source: ChangeSource };
  /**
   * A route answered `LOGIN_REQUIRED`: it needs a more recent login than the session's (step-up). The session
   * goes on and the 401 response is returned as is; ask for the password again (`login()`), then retry.
   * `authTime` (ISO 8601) and `maxAge` (seconds) are the server's.
   */
  loginRequired: { url: string; authTime?: string; maxAge?: number };
  /** `logout()` or `logoutAll()` finished in this tab (other tabs get `sessionExpired` with reason `LOGGED_OUT`). */
  logout: { everywhere: boolean };
}

/** A listener of one event. @publicApi */
export type AuthClientListener<K extends keyof AuthClientEvents> = (event: AuthClientEvents[K]) => void;

/** A minimal typed emitter; no dependency, same code in browsers and Node. */
export class TypedEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(event: never) => void>>();

  on<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  off<K extends keyof Events>(name: K, listener: (event: Events[K]) => void): void {
    this.listeners.get(name)?.delete(listener as (event: never) => void);
  }

  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) {
      try {
        (listener as (event: Events[K]) => void)(event);
      } catch (error) {
        // A broken UI listener must not break token handling, but it must not vanish either.
        reportListenerError(error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === 'function') report(error);
  else console.error(error);
}
