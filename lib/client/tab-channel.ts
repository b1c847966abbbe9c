import type { RefreshTrigger } from './auth-client.events.js';

/**
 * What tabs of one origin tell each other about the session. Any script of
 * the origin can read and post these, so they never carry a refresh token,
 * and a receiver treats every one as a hint it checks: tokens only for the
 * session (`sid`) it is already in, or in answer to its own `sync-request`.
 */
export type TabMessage =
  /**
   * An access token of session `sid` (never a refresh token). `refresh`: a new one from a
   * rotation; `sync`: the answer to the `sync-request` of tab `to`.
   */
  | { type: 'tokens'; accessToken: string; expiresAt: number; reason: 'refresh' | 'sync'; trigger?: RefreshTrigger; to?: string }
  /** A tab logged in to session `sid`: others may pick it up where the server can vouch for it (cookie mode). */
  | { type: 'session-started'; sid: string }
  /** A tab is calling the refresh endpoint: others should wait for its result rather than rotate too. */
  | { type: 'refresh-start' }
  /** That call is over (its tokens, if any, were posted just before: one sender's messages keep their order). */
  | { type: 'refresh-end' }
  /** Body mode: a tab without the refresh token asks the tab holding it for a fresh access token of `sid`. */
  | { type: 'refresh-request'; sid: string; accessToken: string }
  /** The server ended session `sid`: tabs in it drop their tokens. */
  | { type: 'session-ended'; sid: string; reason: string }
  /** The user logged out of session `sid` in one tab. */
  | { type: 'logout'; sid: string }
  /** A new tab asks the others for an access token (body mode `resume()`). */
  | { type: 'sync-request' };

/** Messages of the BroadcastChannel mutex (see `BroadcastCoordinator`). */
export type LockMessage = { type: 'lock-claim'; at: number } | { type: 'lock-held' } | { type: 'lock-release' };

type Envelope = { ns: typeof NAMESPACE; from: string; body: TabMessage | LockMessage };

const NAMESPACE = 'nestjs-jwt-refresh/1';

/** The structural part of `BroadcastChannel` used here (the DOM and Node both provide it). */
interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  unref?: () => void;
}

/**
 * A BroadcastChannel with an envelope: messages carry the sender's tab id and
 * a namespace, so a page that reuses the channel name for something else
 * can't confuse the client, and a tab can ignore its own echoes.
 */
export class TabChannel {
  private readonly channel: BroadcastChannelLike;
  private readonly listeners = new Set<(body: TabMessage | LockMessage, from: string) => void>();

  constructor(
    name: string,
    readonly tabId: string,
  ) {
    const Ctor = (globalThis as { BroadcastChannel?: new (name: string) => BroadcastChannelLike }).BroadcastChannel!;
    this.channel = new Ctor(name);
    // In Node an open channel keeps the process alive; the client must not.
    this.channel.unref?.();
    this.channel.onmessage = (event: MessageEvent) => {
      const data = event.data as Envelope | undefined;
      if (!data || data.ns !== NAMESPACE || data.from === this.tabId || typeof data.body?.type !== 'string') return;
      for (const listener of [...this.listeners]) listener(data.body, data.from);
    };
  }

  static available(): boolean {
    return typeof (globalThis as { BroadcastChannel?: unknown }).BroadcastChannel === 'function';
  }

  post(body: TabMessage | LockMessage): void {
    const envelope: Envelope = { ns: NAMESPACE, from: this.tabId, body };
    try {
      this.channel.postMessage(envelope);
    } catch {
      // Posting after close, or a value the structured clone refuses: other tabs
      // then learn about the change from their next request instead.
    }
  }

  subscribe(listener: (body: TabMessage | LockMessage, from: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    this.channel.onmessage = null;
    this.channel.close();
  }
}
