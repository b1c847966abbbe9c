const SEGMENT = /^[A-Za-z0-9_-]+$/;
// Fatal: a lenient decoder maps different byte strings to the same text (U+FFFD), RFC 8725 §3.7.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes one segment, or `null` when it is not the canonical encoding of its
 * bytes (RFC 4648 §3.5): Node ignores a dangling sixth character and the unused
 * low bits of the last one, so without this check several spellings of one
 * signature would all verify and a token would not be a unique string.
 */
function decodeSegment(segment: string): Buffer | null {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : null;
}

/** A compact JWS split, with its header and signature decoded; the payload still encoded. */
export interface SplitJws {
  header: Record<string, unknown>;
  /** The header segment as sent. */
  headerSegment: string;
  /** The payload segment as sent; `decodeJwsPayload` reads it once the signature has passed. */
  payloadSegment: string;
  signingInput: string;
  /**
   * The signature segment as sent, unpadded base64url but not yet decoded: an
   * HMAC is compared in this form (equal to our own canonical encoding only if
   * canonical itself), other algorithms decode it with `decodeJwsSignature`.
   */
  signatureSegment: string;
}

/**
 * Splits a compact JWS and decodes its header, refusing anything that cannot
 * be a JWS before a single byte of crypto runs: cheap rejection keeps
 * forged-token floods off the CPU. Payload and signature are left encoded: a
 * forged token's payload is never worth decoding, and an HMAC needs no decoding.
 * Returns a reason string instead of throwing so the caller decides which coded error to raise.
 * `knownHeaders` maps header segments already decoded to their (frozen) headers: a
 * deployment signs with a handful of keys, so nearly every token repeats one.
 */
export function splitCompactJws(
  token: string,
  maxLength: number,
  knownHeaders?: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
): SplitJws | string {
  if (typeof token !== 'string' || token.length === 0) return 'token is empty';
  if (token.length > maxLength) return `token is longer than ${maxLength} characters`;
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return 'token is not three segments';
  const h = token.slice(0, first);
  const p = token.slice(first + 1, second);
  const s = token.slice(second + 1);
  // An empty signature is what `alg: none` looks like: never accepted.
  if (!SEGMENT.test(h) || !SEGMENT.test(p) || !SEGMENT.test(s)) return 'segment is not unpadded base64url';
  const header = knownHeaders?.get(h) ?? decodeJsonObject(h);
  if (!header) return 'header is not a JSON object';
  return { header, headerSegment: h, payloadSegment: p, signingInput: token.slice(0, second), signatureSegment: s };
}

/** The signature segment's bytes, or `null` when it is not the canonical base64url of them. */
export function decodeJwsSignature(segment: string): Buffer | null {
  return decodeSegment(segment);
}

/** The payload segment of a split JWS as a JSON object, or `null` when it is not one (or not canonical base64url). */
export function decodeJwsPayload(segment: string): Record<string, unknown> | null {
  return decodeJsonObject(segment);
}

function decodeJsonObject(segment: string): Record<string, unknown> | null {
  const bytes = decodeSegment(segment);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(UTF8.decode(bytes));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
