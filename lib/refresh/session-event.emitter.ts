import type { Logger } from '@nestjs/common';
import type { SessionEvent, SessionEventListener, SessionEventType } from './session-events.js';

/** Delivers session events to listeners; a listener that throws or rejects is logged and never fails the operation. */
export class SessionEventEmitter {
  private readonly listeners = new Map<SessionEventType | '*', Set<SessionEventListener>>();

  constructor(private readonly logger: Logger) {}

  on(type: SessionEventType | '*', listener: SessionEventListener): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  emit(event: SessionEvent): void {
    for (const key of [event.type, '*'] as const) {
      for (const listener of this.listeners.get(key) ?? []) {
        try {
          Promise.resolve(listener(event)).catch((err) => this.failed(event, err));
        } catch (err) {
          this.failed(event, err);
        }
      }
    }
  }

  private failed(event: SessionEvent, err: unknown): void {
    this.logger.error(`A ${event.type} listener failed: ${(err as Error)?.message ?? String(err)}`);
  }
}
