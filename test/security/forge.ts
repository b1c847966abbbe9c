import { constants, createHmac, KeyObject, sign } from 'node:crypto';

/**
 * Hand-rolled JWS building for the hostile corpus: every byte of header,
 * payload and signature is ours to choose, which no JWT library allows
 * (they refuse `none`, fix `typ`, re-serialise JSON, and so on).
 */

/** base64url of raw text (not re-serialised, so duplicate keys and odd numbers survive). */
export const b64text = (text: string | Buffer) => Buffer.from(text).toString('base64url');
/** base64url of a JSON value. */
export const b64json = (value: unknown) => b64text(JSON.stringify(value));

/** Either a value to JSON-encode or raw JSON text given as `{ raw: '...' }`. */
export type Part = object | { raw: string };
const encode = (part: Part) => ('raw' in part && typeof part.raw === 'string' ? b64text(part.raw) : b64json(part));

export type Signer = (signingInput: string) => Buffer;

export const hmac =
  (hash: 'sha256' | 'sha384' | 'sha512', key: string | Buffer | KeyObject): Signer =>
  (input) =>
    createHmac(hash, key).update(input).digest();

export const rs256 =
  (privateKey: KeyObject): Signer =>
  (input) =>
    sign('sha256', Buffer.from(input), privateKey);

export const ps256 =
  (privateKey: KeyObject): Signer =>
  (input) =>
    sign('sha256', Buffer.from(input), { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });

// The order n of P-256 (SEC 2 §2.4.2): a signature (r, s) with s > n/2 has the twin (r, n - s).
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** Raw R||S with S folded into the lower half, as the verifier (which refuses high-S twins) demands. */
function lowS(raw: Buffer): Buffer {
  const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  if (s <= P256_N / 2n) return raw;
  return Buffer.concat([raw.subarray(0, 32), Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex')]);
}

/**
 * ES256 with the wire format chosen: RFC 7518 §3.4 wants raw R||S (low-S here, as an honest signer of
 * this library's tokens writes it); DER is what OpenSSL emits by default, left as it comes.
 */
export const es256 =
  (privateKey: KeyObject, encoding: 'ieee-p1363' | 'der' = 'ieee-p1363'): Signer =>
  (input) => {
    const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: encoding });
    return encoding === 'ieee-p1363' ? lowS(signature) : signature;
  };

/** No signature at all: `header.payload.` */
export const unsigned: Signer = () => Buffer.alloc(0);

/** Builds `b64(header).b64(payload).b64(signer(input))`. */
export function jws(header: Part, payload: Part, signer: Signer): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${signer(input).toString('base64url')}`;
}

export const nowS = () => Math.floor(Date.now() / 1000);
/** Claims that would pass every check: the forgeries differ from a good token in one respect only. */
export const goodClaims = (extra: Record<string, unknown> = {}) => ({
  sub: 'mallory',
  sid: 'session-1',
  jti: 'j1',
  iat: nowS(),
  exp: nowS() + 600,
  ...extra,
});
