import { decodeJwsPayload, decodeJwsSignature, splitCompactJws } from '../../lib/tokens/compact-jws.js';

/** A compact JWS split and decoded, payload and signature included (specs only: the verifier decodes lazily). */
export interface ParsedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `base64url(header) + '.' + base64url(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** The library's own parsing steps run in full, or the reason string of the first that refuses. */
export function parseCompactJws(token: string, maxLength: number): ParsedJws | string {
  const split = splitCompactJws(token, maxLength);
  if (typeof split === 'string') return split;
  const signature = decodeJwsSignature(split.signatureSegment);
  if (!signature) return 'signature is not canonical base64url';
  const payload = decodeJwsPayload(split.payloadSegment);
  if (!payload) return 'payload is not a JSON object';
  return { header: split.header, payload, signingInput: split.signingInput, signature };
}
