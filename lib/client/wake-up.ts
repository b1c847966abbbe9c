/** The part of `document` / `window` watched here. */
interface EventSourceLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
  visibilityState?: string;
}

/**
 * Calls `onWake` when a page may have missed its timers: it became visible
 * again, was resumed from the frozen state or the back/forward cache, or the
 * network came back. Browsers throttle or stop timers of hidden tabs, and a
 * sleeping machine runs none, so a proactive refresh can be late by hours
 * (supabase/auth-js #6464, workos/authkit-nextjs #289). Outside a page
 * (Node) there is nothing to watch and this does nothing.
 */
export function watchWakeUps(onWake: () => void): () => void {
  const doc = (globalThis as { document?: EventSourceLike }).document;
  const win = globalThis as unknown as Partial<EventSourceLike>;
  const visible = () => {
    if (doc?.visibilityState !== 'hidden') onWake();
  };
  const subscriptions: [EventSourceLike, string, () => void][] = [];
  if (doc && typeof doc.addEventListener === 'function') {
    subscriptions.push([doc, 'visibilitychange', visible], [doc, 'resume', visible]);
  }
  if (doc && typeof win.addEventListener === 'function') {
    subscriptions.push([win as EventSourceLike, 'online', onWake], [win as EventSourceLike, 'pageshow', visible]);
  }
  for (const [target, type, listener] of subscriptions) target.addEventListener(type, listener);
  return () => {
    for (const [target, type, listener] of subscriptions) target.removeEventListener(type, listener);
  };
}
