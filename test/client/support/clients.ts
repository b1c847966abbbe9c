import { createAuthClient, MemoryTokenStorage, type AuthClient, type AuthClientEvents, type AuthClientOptions, type TokenSet } from '../../../lib/client/index.js';
import { RecordingFetch } from './recording-fetch.js';

/** A client with a recorder, a storage the test can inspect, and every event it emitted. */
export interface TestClient {
  api: AuthClient;
  rec: RecordingFetch;
  storage: MemoryTokenStorage;
  events: { [K in keyof AuthClientEvents]: AuthClientEvents[K][] };
}

/**
 * Builds clients and disposes them after each test. Cross-tab coordination is
 * off unless a test asks for it: clients of one Jest process would otherwise
 * talk to each other.
 */
export class ClientFactory {
  private readonly created: AuthClient[] = [];

  constructor(private readonly baseUrl: () => string) {}

  create(options: AuthClientOptions & { storage?: MemoryTokenStorage } = {}, rec = new RecordingFetch()): TestClient {
    const storage = options.storage ?? new MemoryTokenStorage();
    const api = createAuthClient({ baseUrl: this.baseUrl(), crossTab: false, fetch: rec.fetch, ...options, storage });
    const events = { login: [], refresh: [], refreshError: [], sessionExpired: [], loginRequired: [], logout: [] } as TestClient['events'];
    for (const name of Object.keys(events) as (keyof AuthClientEvents)[]) {
      const record = (event: unknown) => void (events[name] as unknown[]).push(event);
      api.on(name, record as never);
    }
    this.created.push(api);
    return { api, rec, storage, events };
  }

  disposeAll(): void {
    for (const api of this.created.splice(0)) api.dispose();
  }
}

/**
 * A storage whose tokens always look fresh, as they do to a client whose
 * expiry estimate is wrong (a device that slept, tokens restored from
 * elsewhere): the only way to reach the reactive TOKEN_EXPIRED path on purpose,
 * since an honest client refreshes before sending a token it knows is expired.
 */
export class AlwaysFreshStorage extends MemoryTokenStorage {
  override get(): TokenSet | null {
    const tokens = super.get();
    return tokens && { ...tokens, expiresAt: Date.now() + 3_600_000 };
  }
}

export const ALICE = { username: 'alice', password: 'wonderland' };
export const BOB = { username: 'bob', password: 'builder' };

/** Revokes a session behind the client's back, as another device or an admin would. */
export async function revokeBehindTheClientsBack(baseUrl: string, accessToken: string): Promise<void> {
  const res = await fetch(`${baseUrl}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } });
  if (res.status !== 204) throw new Error(`logout answered ${res.status}`);
}
