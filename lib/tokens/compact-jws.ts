/** A compact JWS split and decoded, before any signature check. */
export interface ParsedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `base64url(header) + '.' + base64url(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

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

/**
 * Splits and decodes a compact JWS, refusing anything that cannot be one
 * before a single byte of crypto runs: cheap rejection keeps forged-token
 * floods off the CPU. Returns a reason string instead of throwing so the
 * caller decides which coded error to raise.
 */
export function parseCompactJws(token: string, maxLength: number): ParsedJws | string {
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
  const signature = decodeSegment(s);
  if (!signature) return 'signature is not canonical base64url';
  const header = decodeJsonObject(h);
  if (!header) return 'header is not a JSON object';
  const payload = decodeJsonObject(p);
  if (!payload) return 'payload is not a JSON object';
  return { header, payload, signingInput: token.slice(0, second), signature };
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
