import type { TokenSet } from './token-set.js';

/**
 * Where the client keeps its tokens. Synchronous on purpose: the client reads
 * the current token on every request and inside the cross-tab lock, and a
 * synchronous read leaves no window in which two reads disagree.
 * @publicApi
 */
export interface TokenStorage {
  /** The stored tokens, or `null`. */
  get(): TokenSet | null;
  /** Replaces the stored tokens. */
  set(tokens: TokenSet): void;
  /** Forgets the tokens (logout, session end). */
  clear(): void;
}

/**
 * The default storage: a variable. Nothing survives a page reload and nothing
 * is written where an injected script could read it later; tabs share tokens
 * over the cross-tab channel instead, and cookie mode restores a session after
 * a reload with `resume()`.
 * @publicApi
 */
export class MemoryTokenStorage implements TokenStorage {
  private tokens: TokenSet | null = null;

  get(): TokenSet | null {
    return this.tokens;
  }

  set(tokens: TokenSet): void {
    this.tokens = { ...tokens };
  }

  clear(): void {
    this.tokens = null;
  }
}
