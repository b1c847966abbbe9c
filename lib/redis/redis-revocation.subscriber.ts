import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { RevocationNotice } from '../refresh/revocation-notice.interface.js';

/** Name the subscriber connection gives itself (CLIENT LIST shows it), so an operator can tell it apart. */
export const SUBSCRIBER_CONNECTION_NAME = 'njr-revocations';

/**
 * Listens on the store's announcement channel with a connection of its own (a subscribed connection
 * can send nothing else). A Cluster broadcasts PUBLISH to every node, so any one node will do: after a
 * drop it tries the next. Every (re)subscription is announced as `reset`: a notice published while no
 * connection listened is lost, so each instance must stop trusting what it cached. A drop is announced
 * as `reset` at once too, so nothing cached before it is trusted while the connection is down.
 */
export class RevocationSubscriber {
  private readonly logger = new Logger('RedisRefreshTokenStore');
  private connection: Redis | undefined;
  private subscribed = false;
  private lost = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly endpoints: () => RedisOptions[],
    private readonly channel: string,
    private readonly deliver: (notice: RevocationNotice) => void,
  ) {}

  start(): void {
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const connection = this.connection;
    this.connection = undefined;
    connection?.disconnect();
  }

  private connect(): void {
    if (this.stopped) return;
    const endpoints = this.endpoints();
    const { keyPrefix: _prefix, ...endpoint } = endpoints[this.attempt % Math.max(endpoints.length, 1)] ?? {};
    const connection = new Redis({
      ...endpoint,
      lazyConnect: true,
      // This class reconnects (to the next node, for a Cluster) and resubscribes itself, so it can tell when notices were lost.
      retryStrategy: () => null,
      autoResubscribe: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      connectionName: SUBSCRIBER_CONNECTION_NAME,
    });
    this.connection = connection;
    connection.on('error', () => undefined);
    connection.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const notice = parseNotice(message);
      if (notice) this.deliver(notice);
    });
    connection.once('end', () => this.dropped(connection));
    connection
      .connect()
      .then(() => connection.subscribe(this.channel))
      .then(() => {
        if (connection !== this.connection) return;
        this.subscribed = true;
        this.attempt = 0;
        if (this.lost) this.logger.warn('Revocation notices resumed; the session-check caches were flushed, as notices may have been missed.');
        this.lost = false;
        this.deliver({ kind: 'reset' });
      })
      .catch(() => connection.disconnect());
  }

  private dropped(connection: Redis): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    if (this.subscribed) {
      this.subscribed = false;
      this.lost = true;
      this.logger.warn('Lost the revocation-notice subscription: session-check caches flushed; reconnecting.');
      this.deliver({ kind: 'reset' });
    }
    if (this.stopped) return;
    this.attempt++;
    this.timer = setTimeout(() => this.connect(), Math.min(this.attempt * 100, 2000));
    this.timer.unref();
  }
}

/** A notice as the scripts publish it (`{k:'s',sid}` or `{k:'u',sub,at,x}`), or null for anything else. */
function parseNotice(message: string): RevocationNotice | null {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  if (m.k === 's' && typeof m.sid === 'string') return { kind: 'session', sid: m.sid };
  if (m.k === 'u' && typeof m.sub === 'string' && Number.isFinite(Number(m.at))) {
    return { kind: 'subject', sub: m.sub, at: Number(m.at), ...(typeof m.x === 'string' && m.x !== '' && { exceptSid: m.x }) };
  }
  return null;
}
