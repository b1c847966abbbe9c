import type { ClientContext } from './client-context.interface.js';
import type { RevocationReason } from './refresh-session.interface.js';

interface SessionEventBase {
  sid: string;
  sub: string;
  /** When it happened (ms since the epoch). */
  at: number;
}

/** A login started a session. @publicApi */
export interface SessionCreatedEvent extends SessionEventBase, ClientContext {
  type: 'session.created';
}

/** A refresh token was rotated; `generation` is the new live token's. @publicApi */
export interface SessionRotatedEvent extends SessionEventBase, ClientContext {
  type: 'session.rotated';
  generation: number;
}

/** A session ended early. @publicApi */
export interface SessionRevokedEvent extends SessionEventBase {
  type: 'session.revoked';
  reason: RevocationReason;
}

/**
 * A retired refresh token came back after the grace window: one of the two
 * parties holds a stolen token, and we can't tell which, so the session is revoked.
 * `holder` is the last legitimate use the store saw; `reuser` is the request that replayed.
 * @publicApi
 */
export interface SessionReuseDetectedEvent extends SessionEventBase {
  type: 'session.reuse_detected';
  /** Generation of the replayed token and of the live one. */
  presentedGeneration: number;
  currentGeneration: number;
  holder: ClientContext & { lastUsedAt: number };
  reuser: ClientContext;
}

/** Everything `RefreshService` reports. @publicApi */
export type SessionEvent = SessionCreatedEvent | SessionRotatedEvent | SessionRevokedEvent | SessionReuseDetectedEvent;

/** @publicApi */
export type SessionEventType = SessionEvent['type'];

/** @publicApi */
export type SessionEventListener = (event: SessionEvent) => void | Promise<void>;

/**
 * Where `eventEmitter` sends session events: `EventEmitter2` from
 * `@nestjs/event-emitter`, or anything else with an `emit(name, payload)`.
 * @publicApi
 */
export interface SessionEventSink {
  emit(name: string, payload: SessionEvent): unknown;
}
