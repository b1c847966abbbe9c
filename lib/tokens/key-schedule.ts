import { AuthConfigError } from '../errors/auth-config.error.js';
import type { ImportedKey } from './key-ring.js';

/**
 * Scheduled key rotation: which key signs at a given moment, and when an old
 * key may go. Keys with `activeFrom` take over signing at that moment; until
 * then they are only published (JWKS) and accepted, so verifiers learn them
 * before any token names them. The key they replace keeps verifying, and stays
 * published, until its last token has expired (`retireAfterMs` after the
 * takeover: the access-token lifetime plus the clock tolerance); then it is
 * refused and unpublished. Every instance computes the same answer from the
 * same configuration and clock: nothing is coordinated at run time.
 */
export class KeySchedule {
  /** The keys that take turns signing, in the order they do; the first may have no `activeFrom`. */
  private readonly chain: ImportedKey[];
  private readonly retiresAt = new Map<ImportedKey, number>();

  constructor(keys: readonly ImportedKey[], retireAfterMs: number) {
    const dated = keys.filter((k) => k.activeFrom !== undefined);
    for (const key of dated) {
      if (!key.signingKey) throw new AuthConfigError(`keys: key "${key.kid}" has "activeFrom" but no private key to sign with.`);
    }
    // The key that signs before the first takeover: the first signing key without a date.
    const base = keys.find((k) => k.signingKey && k.activeFrom === undefined);
    this.chain = [...(base ? [base] : []), ...dated.sort((a, b) => a.activeFrom! - b.activeFrom!)];
    for (let i = 1; i < this.chain.length; i++) {
      if (this.chain[i].activeFrom === this.chain[i - 1].activeFrom) {
        throw new AuthConfigError(`keys: "${this.chain[i - 1].kid}" and "${this.chain[i].kid}" have the same "activeFrom".`);
      }
      this.retiresAt.set(this.chain[i - 1], this.chain[i].activeFrom! + retireAfterMs);
    }
  }

  /** The key that signs at `now`: the latest one whose `activeFrom` has come (before any has, the first of the chain). */
  signingAt(now: number): ImportedKey {
    let current = this.chain[0];
    for (const key of this.chain) {
      if (key.activeFrom === undefined || key.activeFrom <= now) current = key;
      else break;
    }
    return current;
  }

  /** Whether a key's last token has expired: it is then neither accepted nor published. Keys outside the chain never retire. */
  isRetired(key: ImportedKey, now: number): boolean {
    const at = this.retiresAt.get(key);
    return at !== undefined && now >= at;
  }
}

/** `activeFrom` as milliseconds since the epoch. */
export function activationTime(value: Date | string | number | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new AuthConfigError(`${where}.activeFrom must be a Date, an ISO 8601 string or milliseconds since the epoch; got ${String(value)}.`);
  }
  return ms;
}
