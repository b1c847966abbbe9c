import { Logger } from '@nestjs/common';
import { JwksUnavailableException } from '../errors/jwks-unavailable.exception.js';
import { splitCompactJws } from '../tokens/compact-jws.js';
import type { JwtAlgorithm } from '../tokens/jws-algorithms.js';
import { ImportedKey, importKey, KeySource } from '../tokens/key-ring.js';

/** How a resource server fetches and keeps the issuer's JWKS (all times in milliseconds). */
export interface RemoteKeyRingSettings {
  url: string;
  algorithms: readonly JwtAlgorithm[];
  /** Least time between two fetches, whatever asks for them (unknown kids, staleness). */
  cooldownMs: number;
  /** Age after which the set is refetched in the background while the cached keys keep serving. */
  maxAgeMs: number;
  /** Longest a fetch may take. */
  timeoutMs: number;
  maxTokenLength: number;
}

// Bounds on what an issuer (or whoever answers at its URL) can make us parse and hold.
const MAX_JWKS_BYTES = 512 * 1024;
const MAX_KEYS = 100;
// Only public members are read from a JWK: a private one published by mistake is never imported.
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;

/**
 * The verification keys of a resource server: the issuer's JWKS, fetched once,
 * cached, refetched in the background when older than `maxAgeMs`, and at once
 * when a token names a `kid` not in it, at most once per `cooldownMs` (a flood
 * of made-up kids cannot turn into a flood of fetches). A failed fetch keeps the
 * keys already held; with none held, requests fail closed (`JWKS_UNAVAILABLE`, 503).
 * Each key is pinned to the `alg` its JWK states, which must be one of `algorithms`.
 */
export class RemoteKeyRing implements KeySource {
  readonly scheduled = false;
  private readonly logger = new Logger('RemoteKeyRing');
  private byKid = new Map<string, ImportedKey>();
  private withoutKid: ImportedKey[] = [];
  private loaded = false;
  private fetchedAt = -Infinity;
  private attemptedAt = -Infinity;
  private inflight: Promise<void> | undefined;

  constructor(private readonly settings: RemoteKeyRingSettings) {}

  get signing(): ImportedKey {
    throw new Error('A resource server only verifies tokens: it holds no signing key.');
  }

  signingAt(): ImportedKey {
    return this.signing;
  }

  /** The keys currently held. */
  liveAt(): ImportedKey[] {
    return [...this.byKid.values(), ...this.withoutKid];
  }

  select(kid: unknown): ImportedKey | null {
    if (kid === undefined) return this.withoutKid.length === 1 && this.byKid.size === 0 ? this.withoutKid[0] : null;
    return typeof kid === 'string' ? (this.byKid.get(kid) ?? null) : null;
  }

  prepare(token: string, now: number): Promise<void> | null {
    if (!this.loaded) {
      const attempt = this.refresh(now);
      const failClosed = () => {
        if (!this.loaded) throw new JwksUnavailableException(Math.ceil(this.settings.cooldownMs / 1000));
      };
      return attempt ? attempt.then(failClosed) : Promise.reject(new JwksUnavailableException(Math.ceil(this.settings.cooldownMs / 1000)));
    }
    if (now - this.fetchedAt >= this.settings.maxAgeMs) void this.refresh(now);
    const split = splitCompactJws(token, this.settings.maxTokenLength);
    // Malformed tokens are for the verifier to refuse; only a well-formed unknown kid is worth a fetch.
    if (typeof split === 'string') return null;
    const kid = split.header.kid;
    if (typeof kid !== 'string' || this.byKid.has(kid)) return null;
    return this.refresh(now);
  }

  /** The first fetch, at start-up; never throws (requests fail closed until a fetch succeeds). */
  async warmUp(now: number): Promise<void> {
    await this.refresh(now);
  }

  /** Starts a fetch unless one is under way (then joins it) or the cooldown forbids it (then `null`). */
  private refresh(now: number): Promise<void> | null {
    if (this.inflight) return this.inflight;
    if (now - this.attemptedAt < this.settings.cooldownMs) return null;
    this.attemptedAt = now;
    this.inflight = this.load().then(
      (keys) => {
        this.install(keys);
        this.fetchedAt = now;
      },
      (err: Error) => this.logger.warn(`Fetching the JWKS at ${this.settings.url} failed: ${err.message}; keeping the ${this.liveAt().length} key(s) held.`),
    );
    this.inflight.finally(() => (this.inflight = undefined)).catch(() => undefined);
    return this.inflight;
  }

  private install(keys: ImportedKey[]): void {
    const byKid = new Map<string, ImportedKey>();
    const withoutKid: ImportedKey[] = [];
    for (const key of keys) {
      if (key.kid === undefined) withoutKid.push(key);
      else if (!byKid.has(key.kid)) byKid.set(key.kid, key);
    }
    // Replaced whole: a key the issuer stopped publishing (retired) stops verifying here too.
    this.byKid = byKid;
    this.withoutKid = withoutKid;
    // A set with no usable key verifies nothing: as closed as no set at all.
    this.loaded = byKid.size + withoutKid.length > 0;
  }

  private async load(): Promise<ImportedKey[]> {
    const request = () =>
      fetch(this.settings.url, {
        headers: { accept: 'application/json' },
        // A redirect could lead to keys of someone else's choosing.
        redirect: 'error',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    // A pooled keep-alive connection the issuer closed (a restart) fails at once: one immediate retry on a fresh one.
    const response = await request().catch((err: Error) => (err.name === 'TypeError' ? request() : Promise.reject(err)));
    if (response.status !== 200) throw new Error(`it answered ${response.status}`);
    const text = await readCapped(response, MAX_JWKS_BYTES);
    const body = JSON.parse(text) as { keys?: unknown };
    if (!body || typeof body !== 'object' || !Array.isArray(body.keys)) throw new Error('it is not a JWK Set ({"keys": [...]})');
    return body.keys.slice(0, MAX_KEYS).flatMap((jwk, i) => this.importJwk(jwk, i));
  }

  /** One JWK as a pinned verification key, or nothing when it is not one we may use (it is then logged). */
  private importJwk(jwk: unknown, index: number): ImportedKey[] {
    if (!jwk || typeof jwk !== 'object') return [];
    const { alg, kid, use } = jwk as Record<string, unknown>;
    if (use !== undefined && use !== 'sig') return [];
    if (!this.settings.algorithms.includes(alg as JwtAlgorithm)) {
      this.logger.debug(`JWKS key ${index} skipped: its alg ${String(alg)} is not one of ${this.settings.algorithms.join(', ')}.`);
      return [];
    }
    const publicKey: Record<string, unknown> = {};
    for (const member of PUBLIC_MEMBERS) if (typeof (jwk as Record<string, unknown>)[member] === 'string') publicKey[member] = (jwk as Record<string, unknown>)[member];
    try {
      return [importKey({ kid: typeof kid === 'string' ? kid : undefined, algorithm: alg as JwtAlgorithm, publicKey: publicKey as JsonWebKey }, `jwks.keys[${index}]`)];
    } catch (err) {
      this.logger.warn(`JWKS key ${index} skipped: ${(err as Error).message}`);
      return [];
    }
  }
}

/** The body as text, refusing (and no longer reading) one larger than `max` bytes. */
async function readCapped(response: Response, max: number): Promise<string> {
  if (Number(response.headers.get('content-length')) > max) throw new Error(`it is larger than ${max} bytes`);
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new Error(`it is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
