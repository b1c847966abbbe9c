import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { randomFromPool, randomId } from '../tokens/random-pool.js';

const VERSION = 1;
const SID_BYTES = 16;
const SECRET_BYTES = 32;
const TAG_BYTES = 16;
const BODY_BYTES = 1 + SID_BYTES + 4 + SECRET_BYTES;
const TOKEN_BYTES = BODY_BYTES + TAG_BYTES;
/** Length of a refresh token in characters (base64url of 69 bytes). */
export const REFRESH_TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3);
const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${REFRESH_TOKEN_LENGTH}}$`);

/** What a well-formed, authentic refresh token says about itself. */
export interface DecodedRefreshToken {
  sid: string;
  generation: number;
}

/**
 * Makes and reads opaque refresh tokens:
 * `base64url(version | sid | generation | 256-bit secret | HMAC tag)`.
 *
 * - The secret of the first token comes from the CSPRNG; each successor's is
 *   an HMAC of its predecessor under a server key, so within the grace window
 *   the same successor can be recomputed and returned without ever being stored.
 * - The tag proves the server minted the token, so a retired token can be told
 *   from a forgery carrying a known session id: only real reuse revokes a session.
 * - The dot-free, fixed-length shape can never parse as a JWS, and a JWS never
 *   parses as this (RFC 8725 §3.12: no token passes for another kind).
 */
export class RefreshTokenCodec {
  private readonly tagKey: Buffer;
  private readonly deriveKey: Buffer;

  constructor(secret: Buffer) {
    this.tagKey = Buffer.from(hkdfSync('sha256', secret, 'nestjs-jwt-refresh', 'refresh-token tag', 32));
    this.deriveKey = Buffer.from(hkdfSync('sha256', secret, 'nestjs-jwt-refresh', 'refresh-token successor', 32));
  }

  /** A new session id (128 random bits, base64url). */
  newSessionId(): string {
    return randomId(SID_BYTES);
  }

  /** The first refresh token of a session. */
  first(sid: string): string {
    return this.assemble(sid, 0, randomFromPool(SECRET_BYTES));
  }

  /** The successor of `token`: deterministic, so a retried rotation gets the same one. */
  successor(token: string, decoded: DecodedRefreshToken): string {
    const secret = createHmac('sha256', this.deriveKey).update(token).digest();
    return this.assemble(decoded.sid, decoded.generation + 1, secret);
  }

  /** Reads a token, or returns `null` when it is malformed or its tag is not ours. */
  decode(token: unknown): DecodedRefreshToken | null {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return null;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length !== TOKEN_BYTES || bytes[0] !== VERSION) return null;
    const body = bytes.subarray(0, BODY_BYTES);
    if (!timingSafeEqual(this.tag(body), bytes.subarray(BODY_BYTES))) return null;
    return {
      sid: bytes.subarray(1, 1 + SID_BYTES).toString('base64url'),
      generation: bytes.readUInt32BE(1 + SID_BYTES),
    };
  }

  /** SHA-256 of a token, base64url: what stores keep instead of the token. */
  hash(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  /** Compares two hashes without leaking where they differ. */
  sameHash(a: string | null | undefined, b: string): boolean {
    if (typeof a !== 'string' || a.length !== b.length) return false;
    return timingSafeEqual(Buffer.from(a), Buffer.from(b));
  }

  private assemble(sid: string, generation: number, secret: Buffer): string {
    const body = Buffer.alloc(BODY_BYTES);
    body[0] = VERSION;
    const sidBytes = Buffer.from(sid, 'base64url');
    if (sidBytes.length !== SID_BYTES) throw new Error('session id must be 16 bytes of base64url');
    sidBytes.copy(body, 1);
    body.writeUInt32BE(generation, 1 + SID_BYTES);
    secret.copy(body, 1 + SID_BYTES + 4, 0, SECRET_BYTES);
    return Buffer.concat([body, this.tag(body)]).toString('base64url');
  }

  private tag(body: Buffer): Buffer {
    return createHmac('sha256', this.tagKey).update(body).digest().subarray(0, TAG_BYTES);
  }
}
