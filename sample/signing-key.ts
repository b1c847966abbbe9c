import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import type { AuthKeyOptions } from '../lib/index.js';

/** The algorithms `JWT_ALGORITHM` takes. */
export const SAMPLE_ALGORITHMS = ['HS256', 'ES256', 'EdDSA', 'RS256'] as const;
export type SampleAlgorithm = (typeof SAMPLE_ALGORITHMS)[number];
type AsymmetricAlgorithm = Exclude<SampleAlgorithm, 'HS256'>;

/** The asymmetric signing key the sample runs with, and whether it was generated for this start. */
export interface SampleSigningKey {
  key: AuthKeyOptions;
  generated: boolean;
}

const KEY_TYPE: Record<AsymmetricAlgorithm, string> = { ES256: 'ec', EdDSA: 'ed25519', RS256: 'rsa' };
const KEY_DESCRIPTION: Record<AsymmetricAlgorithm, string> = { ES256: 'an EC P-256 key', EdDSA: 'an Ed25519 key', RS256: 'an RSA key' };

function generate(algorithm: AsymmetricAlgorithm): KeyObject {
  if (algorithm === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  if (algorithm === 'EdDSA') return generateKeyPairSync('ed25519').privateKey;
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

/**
 * The key for an asymmetric `JWT_ALGORITHM`: `JWT_PRIVATE_KEY` (PEM; `\n` escapes allowed, as env files
 * often hold them) or a fresh pair. Its `kid` is derived from the public key, so every instance given the
 * same PEM names it the same way. Throws with a message naming the variable when the key does not fit.
 */
export function sampleSigningKey(algorithm: AsymmetricAlgorithm, pem: string | undefined, fail: (message: string) => Error): SampleSigningKey {
  let privateKey: KeyObject;
  if (pem === undefined || pem === '') {
    privateKey = generate(algorithm);
  } else {
    try {
      privateKey = createPrivateKey(pem.replace(/\\n/g, '\n'));
    } catch (err) {
      throw fail(`JWT_PRIVATE_KEY is not a PEM private key (${(err as Error).message}).`);
    }
  }
  const type = privateKey.asymmetricKeyType;
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (type !== KEY_TYPE[algorithm] || (algorithm === 'ES256' && curve !== 'prime256v1')) {
    throw fail(`JWT_PRIVATE_KEY is a ${type}${curve ? ` (${curve})` : ''} key; JWT_ALGORITHM=${algorithm} needs ${KEY_DESCRIPTION[algorithm]}.`);
  }
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const kid = createHash('sha256').update(spki).digest('base64url').slice(0, 16);
  return { key: { kid, algorithm, privateKey }, generated: pem === undefined || pem === '' };
}
