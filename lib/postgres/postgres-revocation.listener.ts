import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ClientConfig, PoolClient } from 'pg';
import type { RevocationListener, RevocationNotice } from '../refresh/revocation-notice.interface.js';

// NOTIFY payloads are limited to 8000 bytes; a notice that would not fit is sent as a reset instead.
const MAX_PAYLOAD_BYTES = 7900;
const RESET_PAYLOAD = JSON.stringify({ kind: 'reset' });
// How often the listening connection proves it is alive: a silently dead network gives no 'error' event.
const HEARTBEAT_MS = 5000;

/** The channel revocations of a table are announced on: per table, so two stores in one database never mix. */
export function revocationChannel(tableName: string): string {
  return `njr_revoked_${createHash('sha256').update(tableName).digest('hex').slice(0, 16)}`;
}

/** A notice as the NOTIFY payload carries it, with the id of the store instance that sent it. */
export function noticePayload(notice: RevocationNotice, origin: string): string {
  const payload = JSON.stringify({ ...notice, origin });
  return Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES ? RESET_PAYLOAD : payload;
}

/** Sends a notice from inside a transaction: PostgreSQL delivers it only if, and when, that commits. */
export async function notifyRevocation(client: PoolClient, channel: string, notice: RevocationNotice, origin: string): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [channel, noticePayload(notice, origin)]);
}

/** The notice in a payload and who sent it; anything unreadable is a reset, which is always safe. */
function parseNotice(payload: string | undefined): { notice: RevocationNotice; origin?: string } {
  try {
    const n = JSON.parse(payload ?? '') as Record<string, unknown>;
    const origin = typeof n.origin === 'string' ? n.origin : undefined;
    if (n.kind === 'session' && typeof n.sid === 'string') return { notice: { kind: 'session', sid: n.sid }, origin };
    if (n.kind === 'subject' && typeof n.sub === 'string' && typeof n.at === 'number') {
      const notice: RevocationNotice = { kind: 'subject', sub: n.sub, at: n.at };
      if (typeof n.exceptSid === 'string') notice.exceptSid = n.exceptSid;
      return { notice, origin };
    }
  } catch {
    // Not ours, or mangled.
  }
  return { notice: { kind: 'reset' } };
}

/**
 * One `LISTEN` connection per store, opened when the first listener subscribes. Whenever it drops
 * (the server restarted, the network was cut, a heartbeat timed out) every listener hears `reset`,
 * since notices may be lost until it is back, and it reconnects by itself; once listening again it
 * announces `reset` once more, for what was missed meanwhile. Revocations made through the same store
 * instance are announced locally as soon as they commit (and skipped when their NOTIFY comes back), so
 * they are heard even before the connection listens, or while it is down.
 */
export class PostgresRevocationListener {
  private readonly listeners = new Set<RevocationListener>();
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private attempts = 0;
  private stopped = false;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly origin: string,
    private readonly onError: (error: Error) => void,
  ) {}

  /** A revocation this store instance committed. */
  local(notice: RevocationNotice): void {
    this.announce(notice);
  }

  subscribe(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.retry && !this.stopped) void this.connect();
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.listeners.clear();
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    this.client = client;
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      if (error) this.onError(error);
      clearInterval(this.heartbeat);
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.announce({ kind: 'reset' });
      this.scheduleReconnect();
    };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      const { notice, origin } = parseNotice(message.payload);
      if (origin !== this.origin) this.announce(notice);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      drop(error as Error);
      return;
    }
    if (dropped || this.stopped) return;
    this.attempts = 0;
    this.heartbeat = setInterval(() => void client.query('SELECT 1').catch((error: Error) => drop(error)), HEARTBEAT_MS);
    this.heartbeat.unref();
    // Listening (again): whatever happened before this point may not have been heard.
    this.announce({ kind: 'reset' });
  }

  private scheduleReconnect(): void {
    const delay = Math.min(++this.attempts * 100, 2000);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped && this.listeners.size > 0) void this.connect();
    }, delay);
    this.retry.unref();
  }

  private announce(notice: RevocationNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch {
        // A listener's failure is its own; the others still hear the notice.
      }
    }
  }
}
