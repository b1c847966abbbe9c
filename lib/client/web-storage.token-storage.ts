import type { TokenStorage } from './token-storage.js';
import { isTokenSet, type TokenSet } from './token-set.js';

/** The part of the Web Storage API this adapter uses (`localStorage`, `sessionStorage`, or a test double). @publicApi */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Keeps tokens in `localStorage` or `sessionStorage`, so a session survives a
 * reload in body mode. The trade-off: any script running on the page (an XSS,
 * a compromised dependency) can read them and use them from elsewhere until
 * the session ends. Prefer cookie mode with the default memory storage; see
 * the client documentation.
 * @publicApi
 */
export class WebStorageTokenStorage implements TokenStorage {
  /**
   * @param storage `localStorage` or `sessionStorage`.
   * @param key Item name. Default `'nestjs-jwt-refresh.tokens'`.
   */
  constructor(
    private readonly storage: WebStorageLike,
    private readonly key = 'nestjs-jwt-refresh.tokens',
  ) {}

  get(): TokenSet | null {
    const raw = this.storage.getItem(this.key);
    if (raw === null) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      return isTokenSet(parsed) ? parsed : null;
    } catch {
      // A corrupt item is no session; dropping it beats failing every request.
      return null;
    }
  }

  set(tokens: TokenSet): void {
    this.storage.setItem(this.key, JSON.stringify(tokens));
  }

  clear(): void {
    this.storage.removeItem(this.key);
  }
}
