import { generateKeyPairSync, randomBytes } from 'node:crypto';

export type BenchAlgorithm = 'HS256' | 'ES256';

/** Key material for one app, made fresh in the child so nothing secret crosses a process boundary. */
export interface BenchKeys {
  algorithm: BenchAlgorithm;
  secret: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export function makeKeys(algorithm: BenchAlgorithm): BenchKeys {
  const secret = randomBytes(48).toString('base64url');
  if (algorithm === 'HS256') return { algorithm, secret, privateKeyPem: '', publicKeyPem: '' };
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    algorithm,
    secret,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * Changes one character in the middle of the signature. Not the last one: in
 * base64url its low bits may be padding, so editing it can leave the decoded
 * signature unchanged and the token still valid.
 */
export function tamper(token: string): string {
  const dot = token.lastIndexOf('.');
  const at = dot + Math.floor((token.length - dot) / 2);
  const replacement = token[at] === 'A' ? 'B' : 'A';
  return token.slice(0, at) + replacement + token.slice(at + 1);
}
