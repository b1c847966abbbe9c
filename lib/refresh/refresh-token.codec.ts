import { createHmac, createSecretKey, hash, hkdfSync, KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 1;
const SID_BYTES = 16;
const SECRET_BYTES = 32;
const TAG_BYTES = 16;
const GENERATION_AT = 1 + SID_BYTES;
const SECRET_AT = GENERATION_AT + 4;
const BODY_BYTES = SECRET_AT + SECRET_BYTES;
const TOKEN_BYTES = BODY_BYTES + TAG_BYTES;
/** Length of a refresh token in characters (base64url of 69 bytes). */
export const REFRESH_TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3);
const SID_CHARS = Math.ceil((SID_BYTES * 4) / 3);
const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${REFRESH_TOKEN_LENGTH}}$`);

/** What a well-formed, authentic refresh token says about itself. */
export interface DecodedRefreshToken {
  sid: string;
  generation: number;
  /** The token's digest as stores keep it: its HMAC tag, base64url. */
  digest: string;
}

/** A token just made, and the digest a store keeps for it. */
export interface MintedRefreshToken {
  token: string;
  digest: string;
}

// What sessions stored by 0.1.0 hold instead: SHA-256 of the token, base64url (43 characters).
const LEGACY_DIGEST_LENGTH = 43;

/**
 * Makes and reads opaque refresh tokens:
 * `base64url(version | sid | generation | 256-bit secret | HMAC tag)`.
 *
 * - The secret of the first token comes from the CSPRNG; each successor's is
 *   an HMAC of its predecessor under a server key, so within the grace window
 *   the same successor can be recomputed and returned without ever being stored.
 * - The tag proves the server minted the token, so a retired token can be told
 *   from a forgery carrying a known session id: only real reuse revokes a session.
 * - The tag is also what stores keep (base64url, 22 characters): a 128-bit
 *   HMAC-SHA-256 of everything else in the token, under a key the store never
 *   sees. It identifies an authentic token as well as a SHA-256 of the whole
 *   token would, can't be turned back into the token, and costs nothing more:
 *   `decode` computes it anyway to check the tag.
 * - The dot-free, fixed-length shape can never parse as a JWS, and a JWS never
 *   parses as this (RFC 8725 §3.12: no token passes for another kind).
 */
export class RefreshTokenCodec {
  // KeyObjects keep the derived keys out of the JS heap.
  private readonly tagKey: KeyObject;
  private readonly deriveKey: KeyObject;

  constructor(secret: Buffer) {
    this.tagKey = createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'nestjs-jwt-refresh', 'refresh-token tag', 32)));
    this.deriveKey = createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'nestjs-jwt-refresh', 'refresh-token successor', 32)));
  }

  /** A new session id (128 random bits, base64url). */
  newSessionId(): string {
    return randomBytes(SID_BYTES).toString('base64url');
  }

  /** The first refresh token of a session. */
  first(sid: string): MintedRefreshToken {
    return this.assemble(sid, 0, randomBytes(SECRET_BYTES));
  }

  /** The successor of `token`: deterministic, so a retried rotation gets the same one. */
  successor(token: string, decoded: DecodedRefreshToken): MintedRefreshToken {
    return this.assemble(decoded.sid, decoded.generation + 1, createHmac('sha256', this.deriveKey).update(token).digest());
  }

  /** Reads a token, or returns `null` when it is malformed or its tag is not ours. */
  decode(token: unknown): DecodedRefreshToken | null {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return null;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length !== TOKEN_BYTES || bytes[0] !== VERSION) return null;
    const tag = this.tag(bytes);
    if (!timingSafeEqual(tag, bytes.subarray(BODY_BYTES))) return null;
    return {
      sid: bytes.toString('base64url', 1, GENERATION_AT),
      generation: bytes.readUInt32BE(GENERATION_AT),
      digest: tag.toString('base64url'),
    };
  }

  /**
   * Whether `stored` (a session's digest) is the digest of `token`, whose own
   * digest is `digest`, in constant time. A 43-character `stored` is a SHA-256
   * written by 0.1.0, which still matches its token, so upgrading logs no one out.
   */
  matches(stored: string | null | undefined, token: string, digest: string): boolean {
    if (typeof stored !== 'string') return false;
    const expected = Buffer.from(stored.length === LEGACY_DIGEST_LENGTH ? hash('sha256', token, 'base64url') : digest);
    const presented = Buffer.from(stored);
    // Both are base64url digests of a fixed length: the length is no secret, the contents are.
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }

  /** `secret` is 32 bytes. */
  private assemble(sid: string, generation: number, secret: Buffer): MintedRefreshToken {
    const token = Buffer.allocUnsafe(TOKEN_BYTES);
    token[0] = VERSION;
    if (sid.length !== SID_CHARS || token.write(sid, 1, 'base64url') !== SID_BYTES) {
      throw new Error('session id must be 16 bytes of base64url');
    }
    token.writeUInt32BE(generation, GENERATION_AT);
    secret.copy(token, SECRET_AT, 0, SECRET_BYTES);
    this.tag(token).copy(token, BODY_BYTES);
    return { token: token.toString('base64url'), digest: token.toString('base64url', BODY_BYTES) };
  }

  /** The first 16 bytes of the HMAC of the token's body. */
  private tag(token: Buffer): Buffer {
    return createHmac('sha256', this.tagKey).update(token.subarray(0, BODY_BYTES)).digest().subarray(0, TAG_BYTES);
  }
}
