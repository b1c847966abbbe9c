import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { AuthConfigError } from '../errors/auth-config.error.js';
import { isJwtAlgorithm, JwtAlgorithm, JWT_ALGORITHMS } from './jws-algorithms.js';
import { activationTime, KeySchedule } from './key-schedule.js';

/** Key material: a PEM string or Buffer, a JWK object, or an already imported KeyObject. @publicApi */
export type KeyMaterial = string | Buffer | JsonWebKey | KeyObject;

/**
 * One signing or verification key. Each key is pinned to one algorithm: a token
 * whose `alg` differs from its key's is refused, which closes algorithm confusion.
 * @publicApi
 */
export interface AuthKeyOptions {
  /** Key id written to the `kid` header when signing and used to pick the key when verifying. */
  kid?: string;
  /** The one algorithm this key is used with. Default: `HS256` with `secret`, otherwise required. */
  algorithm?: JwtAlgorithm;
  /** HMAC secret (HS*): at least as many bytes as the hash (32 for HS256, 48 for HS384, 64 for HS512). */
  secret?: string | Buffer;
  /** Private key (PEM or JWK) for RS/PS/ES/EdDSA; needed only on the key that signs. */
  privateKey?: KeyMaterial;
  /** Public key (PEM or JWK); derived from `privateKey` when omitted. */
  publicKey?: KeyMaterial;
  /**
   * Scheduled rotation: the moment this key starts signing (a `Date`, an ISO 8601 string or milliseconds
   * since the epoch). Until then it is only published in the JWKS and accepted; the key it replaces keeps
   * verifying, and stays published, for `accessTokenTtl` + `clockTolerance` after it, then is refused.
   * Needs `refreshTokenSecret` (sessions must outlive the signing key). Default: none (signs from the start,
   * when it is the signing key). Example: `'2027-01-01T00:00:00Z'`.
   */
  activeFrom?: Date | string | number;
}

/** A key imported once at start-up. */
export interface ImportedKey {
  kid: string | undefined;
  algorithm: JwtAlgorithm;
  signingKey: KeyObject | null;
  verificationKey: KeyObject;
  /** When the key starts signing, in ms since the epoch (scheduled rotation). */
  activeFrom?: number;
}

const HMAC_MIN_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };
const CURVE_OF: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

function toKey(material: KeyMaterial, kind: 'private' | 'public', where: string): KeyObject {
  if (material instanceof KeyObject) return material;
  try {
    if (typeof material === 'string' || Buffer.isBuffer(material)) {
      return kind === 'private' ? createPrivateKey(material) : createPublicKey(material);
    }
    const input = { key: material as Parameters<typeof createPublicKey>[0] & object, format: 'jwk' as const };
    return kind === 'private' ? createPrivateKey(input as never) : createPublicKey(input as never);
  } catch (err) {
    throw new AuthConfigError(`${where}: the ${kind} key could not be read (${(err as Error).message}). Give a PEM string or a JWK object.`);
  }
}

function checkAsymmetric(alg: JwtAlgorithm, key: KeyObject, where: string): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  const fail = (why: string) => {
    throw new AuthConfigError(`${where}: ${why} for algorithm "${alg}".`);
  };
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    if (type !== 'rsa' && !(alg.startsWith('PS') && type === 'rsa-pss')) fail(`expected an RSA key, got "${type}"`);
    if ((details.modulusLength ?? 0) < 2048) fail('RSA keys shorter than 2048 bits are refused');
  } else if (alg.startsWith('ES')) {
    if (type !== 'ec' || details.namedCurve !== CURVE_OF[alg]) fail(`expected an EC key on ${CURVE_OF[alg]}, got "${type}" ${details.namedCurve ?? ''}`.trim());
  } else if (alg === 'EdDSA') {
    if (type !== 'ed25519' && type !== 'ed448') fail(`expected an Ed25519 or Ed448 key, got "${type}"`);
  }
}

/** Imports one key definition, refusing weak or mismatched keys with a message naming the option. */
export function importKey(def: AuthKeyOptions, where: string): ImportedKey {
  const algorithm = def.algorithm ?? (def.secret !== undefined ? 'HS256' : undefined);
  if (!isJwtAlgorithm(algorithm)) {
    throw new AuthConfigError(
      `${where}.algorithm: "${String(algorithm)}" is not supported; use one of ${JWT_ALGORITHMS.join(', ')} ("none" is never accepted).`,
    );
  }
  if (algorithm.startsWith('HS')) {
    if (def.secret === undefined || def.secret === null) throw new AuthConfigError(`${where}.secret is required for ${algorithm}.`);
    const bytes = typeof def.secret === 'string' ? Buffer.from(def.secret, 'utf8') : def.secret;
    if (!Buffer.isBuffer(bytes) || bytes.length < HMAC_MIN_BYTES[algorithm]) {
      throw new AuthConfigError(
        `${where}.secret is too weak: ${algorithm} needs at least ${HMAC_MIN_BYTES[algorithm]} bytes, got ${Buffer.isBuffer(bytes) ? bytes.length : 0}. ` +
          'Generate one with "npx nestjs-jwt-refresh secret".',
      );
    }
    const key = createSecretKey(bytes);
    return withActivation({ kid: def.kid, algorithm, signingKey: key, verificationKey: key }, def, where);
  }
  if (def.secret !== undefined) throw new AuthConfigError(`${where}.secret is only for HS* algorithms; ${algorithm} takes privateKey/publicKey.`);
  const signingKey = def.privateKey !== undefined ? toKey(def.privateKey, 'private', where) : null;
  const verificationKey =
    def.publicKey !== undefined ? toKey(def.publicKey, 'public', where) : signingKey ? createPublicKey(signingKey) : null;
  if (!verificationKey) throw new AuthConfigError(`${where}: give privateKey or publicKey for ${algorithm}.`);
  if (verificationKey.type !== 'public') throw new AuthConfigError(`${where}.publicKey is not a public key.`);
  if (signingKey && signingKey.type !== 'private') throw new AuthConfigError(`${where}.privateKey is not a private key.`);
  checkAsymmetric(algorithm, verificationKey, where);
  return withActivation({ kid: def.kid, algorithm, signingKey, verificationKey }, def, where);
}

function withActivation(key: ImportedKey, def: AuthKeyOptions, where: string): ImportedKey {
  const activeFrom = activationTime(def.activeFrom, where);
  if (activeFrom === undefined) return key;
  if (key.kid === undefined) throw new AuthConfigError(`${where}: a key with "activeFrom" needs a "kid".`);
  return { ...key, activeFrom };
}

/**
 * Where verification (and signing) keys come from: a `KeyRing` of configured keys, or a resource
 * server's `RemoteKeyRing` fed by an issuer's JWKS.
 */
export interface KeySource {
  /** The signing key chosen at start-up (throws on a verify-only source). */
  readonly signing: ImportedKey;
  /** Whether the signing key changes on a schedule. */
  readonly scheduled: boolean;
  signingAt(now: number): ImportedKey;
  liveAt(now: number): ImportedKey[];
  select(kid: unknown, now?: number): ImportedKey | null;
  /**
   * A verify-only source's chance to fetch the key `token` names before it is verified: a promise to
   * await first (it may reject with a coded `AuthException`), or `null` when there is nothing to wait for.
   */
  prepare?(token: string, now: number): Promise<void> | null;
}

/**
 * The keys of one deployment: one signs, all verify. Old keys stay in the ring
 * after a rotation so tokens they signed keep verifying until removed.
 */
export class KeyRing implements KeySource {
  readonly signing: ImportedKey;
  private readonly byKid = new Map<string, ImportedKey>();
  private readonly withoutKid: ImportedKey | undefined;

  /** Present when a key has `activeFrom`: then the signing key depends on the time. */
  private readonly schedule: KeySchedule | undefined;

  /** `retireAfterMs`: how long a replaced key keeps verifying after its successor's `activeFrom`. */
  constructor(readonly keys: ImportedKey[], signingKid?: string, retireAfterMs = 0) {
    if (keys.length === 0) throw new AuthConfigError('Give "secret" or at least one entry in "keys".');
    for (const key of keys) {
      if (key.kid === undefined) continue;
      if (this.byKid.has(key.kid)) throw new AuthConfigError(`keys: kid "${key.kid}" is used twice.`);
      this.byKid.set(key.kid, key);
    }
    const unnamed = keys.filter((k) => k.kid === undefined);
    if (unnamed.length > 1) throw new AuthConfigError('keys: when there is more than one key, every key needs a "kid".');
    this.withoutKid = unnamed[0];
    const signing = signingKid !== undefined ? this.byKid.get(signingKid) : keys.find((k) => k.signingKey);
    if (!signing) {
      throw new AuthConfigError(
        signingKid !== undefined ? `signingKeyId: no key has kid "${signingKid}".` : 'keys: no key can sign (give a secret or a privateKey).',
      );
    }
    if (!signing.signingKey) throw new AuthConfigError(`signingKeyId: key "${signingKid}" has no private key.`);
    this.signing = signing;
    if (keys.some((k) => k.activeFrom !== undefined)) {
      if (signingKid !== undefined) throw new AuthConfigError('Give either "signingKeyId" or keys with "activeFrom", not both.');
      this.schedule = new KeySchedule(keys, retireAfterMs);
    }
  }

  /** Whether the signing key changes on a schedule (some key has `activeFrom`). */
  get scheduled(): boolean {
    return this.schedule !== undefined;
  }

  /** The key that signs at `now` (ms): `signing`, unless a schedule has moved on. */
  signingAt(now: number): ImportedKey {
    return this.schedule ? this.schedule.signingAt(now) : this.signing;
  }

  /** The keys accepted and published at `now`: every key but those a schedule has retired. */
  liveAt(now: number): ImportedKey[] {
    const schedule = this.schedule;
    return schedule ? this.keys.filter((k) => !schedule.isRetired(k, now)) : this.keys;
  }

  /** The key a token names, or `null`: an unknown `kid` is never guessed around, and a retired key (at `now`) is gone. */
  select(kid: unknown, now?: number): ImportedKey | null {
    if (kid === undefined) return this.withoutKid ?? (this.keys.length === 1 ? this.keys[0] : null);
    if (typeof kid !== 'string') return null;
    const key = this.byKid.get(kid) ?? null;
    if (key && this.schedule && now !== undefined && this.schedule.isRetired(key, now)) return null;
    return key;
  }
}
