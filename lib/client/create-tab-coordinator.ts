import { BroadcastCoordinator } from './broadcast.coordinator.js';
import { TabChannel } from './tab-channel.js';
import { SoloCoordinator, type TabCoordinator } from './tab-coordinator.js';
import { WebLocksCoordinator } from './web-locks.coordinator.js';

/**
 * Picks the strongest coordination the environment offers: Web Locks (plus a
 * BroadcastChannel for messages), else a BroadcastChannel mutex, else none.
 * Web Locks exist only in secure contexts (https, localhost), hence the chain.
 */
export function createTabCoordinator(enabled: boolean, name: string, lease: number, mechanism?: 'web-locks' | 'broadcast-channel'): TabCoordinator {
  if (!enabled) return new SoloCoordinator();
  const tabId = randomId();
  const channel = TabChannel.available() ? new TabChannel(name, tabId) : null;
  const locks = mechanism === 'broadcast-channel' ? null : WebLocksCoordinator.lockManager();
  if (mechanism === 'web-locks' && !locks) throw new TypeError('createAuthClient: "crossTab.mechanism" is \'web-locks\' but this platform has no navigator.locks');
  if (locks) return new WebLocksCoordinator(locks, name, channel, tabId, lease);
  if (channel) return new BroadcastCoordinator(channel, { lease });
  return new SoloCoordinator();
}

// Only needs to be unique among the open tabs of one origin; randomUUID is
// missing on plain-http pages, hence the fallback.
function randomId(): string {
  const uuid = (globalThis.crypto as Crypto | undefined)?.randomUUID?.();
  return uuid ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
