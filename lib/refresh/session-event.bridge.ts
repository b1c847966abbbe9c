import type { SessionEvent, SessionEventListener, SessionEventSink } from './session-events.js';

/** Prefix of the names session events carry on an `eventEmitter` (`auth.session.rotated`): room for the app's own events. */
const EVENT_NAME_PREFIX = 'auth.';

/**
 * The listener that hands each session event to the app's emitter under a
 * namespaced name. It returns nothing, so an emitter's own return value
 * (EventEmitter2's boolean, or a promise of its listeners) is never awaited.
 */
export function forwardSessionEventsTo(sink: SessionEventSink): SessionEventListener {
  return (event: SessionEvent) => {
    sink.emit(`${EVENT_NAME_PREFIX}${event.type}`, event);
  };
}
