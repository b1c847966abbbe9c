import { ClientSessionEndReason } from './auth-client.codes.js';
import type { RefreshTrigger } from './auth-client.events.js';
import type { ClientSession } from './client-session.js';
import { readSessionId } from './jwt-payload.js';
import type { RefreshFlight } from './refresh-flight.js';
import type { TabMessage } from './tab-channel.js';

/** How long a new tab waits for other tabs to share their tokens in `resume()` (body mode). */
const SYNC_WAIT = 200;
const TRIGGERS = new Set<RefreshTrigger>(['expired', 'proactive', 'manual', 'resume', 'wake', 'peer']);

/**
 * What this tab does with the other tabs' messages. Any script of the origin
 * can post on the channel, so nothing here trusts a message: tokens are taken
 * only for the session this tab is already in, or as the answer to its own
 * `sync-request` while `resume()` waits; session ends and logouts only count
 * for that session; and the refresh token is never posted.
 */
export class TabSync {
  private syncing = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly session: ClientSession,
    private readonly flight: RefreshFlight,
  ) {
    this.unsubscribe = session.coordinator.subscribe((message, from) => this.onMessage(message, from));
  }

  /** Body mode `resume()`: asks the open tabs for an access token and waits a moment for one. */
  async sync(): Promise<void> {
    this.syncing = true;
    try {
      this.session.coordinator.post({ type: 'sync-request' });
      const deadline = this.session.now() + SYNC_WAIT;
      while (!this.session.tokens && this.session.now() < deadline && !this.session.disposed) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      this.syncing = false;
    }
  }

  /** Tells the other tabs a login happened (cookie mode tabs then pick it up from the cookie). */
  announceLogin(): void {
    const sid = this.session.sessionId;
    if (sid) this.session.coordinator.post({ type: 'session-started', sid });
  }

  dispose(): void {
    this.unsubscribe();
  }

  private onMessage(message: TabMessage, from: string): void {
    const session = this.session;
    if (session.disposed || typeof message !== 'object' || message === null) return;
    const ours = (sid: unknown) => typeof sid === 'string' && sid === session.sessionId;
    switch (message.type) {
      case 'tokens':
        return this.onTokens(message);
      case 'session-started':
        // Only the server can vouch for a session: cookie mode asks it (the cookie), body mode waits for resume().
        if (session.mode === 'cookie' && !ours(message.sid) && !this.justReceived()) void this.flight.refreshFrom('peer', session.tokens ? undefined : null);
        return;
      case 'refresh-start':
        return this.flight.peerStarted(from);
      case 'refresh-end':
        return this.flight.peerEnded(from);
      case 'refresh-request':
        if (ours(message.sid)) void this.flight.serveRequest(message.accessToken);
        return;
      case 'session-ended':
        if (ours(message.sid) && typeof message.reason === 'string') session.end(message.reason.slice(0, 100), 'other-tab');
        return;
      case 'logout':
        if (ours(message.sid)) session.end(ClientSessionEndReason.LOGGED_OUT, 'other-tab');
        return;
      case 'sync-request': {
        const tokens = session.tokens;
        if (tokens && tokens.expiresAt > session.now()) this.flight.share(tokens, 'sync', undefined, from);
        return;
      }
    }
  }

  /** Tokens arrived moments ago: a hint to fetch new ones now is a flood, not news (anyone can post hints). */
  private justReceived(): boolean {
    const tokens = this.session.tokens;
    return tokens !== null && this.session.now() - tokens.receivedAt < (this.session.options.minRefreshDelay ?? 1000);
  }

  private onTokens(message: Extract<TabMessage, { type: 'tokens' }>): void {
    const session = this.session;
    if (typeof message.accessToken !== 'string' || message.accessToken.length === 0 || message.accessToken.length > 16_384) return;
    const sid = readSessionId(message.accessToken);
    if (!sid) return;
    const current = session.tokens;
    if (message.reason === 'sync') {
      // Only the answer to this tab's own request, while resume() waits with nothing held.
      if (!this.syncing || current || message.to !== session.coordinator.tabId) return;
      const tokens = session.tokensFromPeer(message.accessToken, Number(message.expiresAt));
      session.accept(tokens, true);
      session.events.emit('login', { expiresAt: tokens.expiresAt, source: 'other-tab' });
      return;
    }
    if (!current || sid !== session.sessionId) return;
    // Body mode: the tab holding the refresh token refreshes itself; nobody else can have rotated it.
    if (session.mode === 'body' && current.refreshToken) return;
    this.flight.holderAnswered();
    if (message.accessToken === current.accessToken) return;
    const tokens = session.tokensFromPeer(message.accessToken, Number(message.expiresAt));
    session.accept(tokens, false);
    session.events.emit('refresh', { expiresAt: tokens.expiresAt, trigger: TRIGGERS.has(message.trigger as RefreshTrigger) ? message.trigger! : 'proactive', source: 'other-tab' });
  }
}
