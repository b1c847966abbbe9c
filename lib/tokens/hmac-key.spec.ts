import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { HmacDigest, HmacKey } from './hmac-key.js';

const hex = (s: string) => Buffer.from(s, 'hex');

// RFC 4231 §4: cases 1, 2, 3 (short keys), 6 and 7 (a 131-byte key, longer than every block).
const KEY_131 = hex('aa'.repeat(131));
const VECTORS: Array<{ name: string; key: Buffer; data: Buffer; expected: Record<HmacDigest, string> }> = [
  {
    name: 'case 1',
    key: hex('0b'.repeat(20)),
    data: Buffer.from('Hi There'),
    expected: {
      sha256: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      sha384: 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
      sha512:
        '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    },
  },
  {
    name: 'case 2',
    key: Buffer.from('Jefe'),
    data: Buffer.from('what do ya want for nothing?'),
    expected: {
      sha256: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      sha384: 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
      sha512:
        '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    },
  },
  {
    name: 'case 3',
    key: hex('aa'.repeat(20)),
    data: hex('dd'.repeat(50)),
    expected: {
      sha256: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
      sha384: '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
      sha512:
        'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb',
    },
  },
  {
    name: 'case 6',
    key: KEY_131,
    data: Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
    expected: {
      sha256: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      sha384: '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
      sha512:
        '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
    },
  },
  {
    name: 'case 7',
    key: KEY_131,
    data: Buffer.from(
      'This is a test using a larger than block-size key and a larger than block-size data. ' +
        'The key needs to be hashed before being used by the HMAC algorithm.',
    ),
    expected: {
      sha256: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      sha384: '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e',
      sha512:
        'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58',
    },
  },
];

describe('HmacKey', () => {
  for (const vector of VECTORS) {
    it.each(['sha256', 'sha384', 'sha512'] as HmacDigest[])(`matches RFC 4231 ${vector.name} with %s`, (digest) => {
      const key = new HmacKey(digest, vector.key);
      expect(key.sign(vector.data, 'hex')).toBe(vector.expected[digest]);
      // The same bytes given as a string (all ASCII here) give the same MAC.
      if (vector.data.every((b) => b < 0x80)) expect(key.sign(vector.data.toString('latin1'), 'hex')).toBe(vector.expected[digest]);
    });
  }

  it('agrees with createHmac for any key, message and encoding, call after call on one key', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<HmacDigest>('sha256', 'sha384', 'sha512'),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.array(fc.oneof(fc.string({ maxLength: 400, unit: 'binary' }), fc.uint8Array({ maxLength: 400 })), { minLength: 1, maxLength: 5 }),
        fc.constantFrom<'latin1' | 'base64url' | 'hex'>('latin1', 'base64url', 'hex'),
        (digest, keyBytes, messages, encoding) => {
          const key = new HmacKey(digest, Buffer.from(keyBytes));
          for (const raw of messages) {
            const message = typeof raw === 'string' ? raw : Buffer.from(raw);
            expect(key.sign(message, encoding)).toBe(createHmac(digest, Buffer.from(keyBytes)).update(message).digest(encoding === 'latin1' ? 'binary' : encoding));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles messages that outgrow its scratch buffer, and very long ones, without changing the result', () => {
    const secret = Buffer.from('k'.repeat(32));
    const key = new HmacKey('sha256', secret);
    for (const size of [255, 256, 257, 1000, 16 * 1024, 100_000]) {
      const message = 'é'.repeat(size); // two UTF-8 bytes per character
      expect(key.sign(message, 'base64url')).toBe(createHmac('sha256', secret).update(message).digest('base64url'));
    }
    // A short message after a long one: no bytes of the long one leak into it.
    expect(key.sign('short', 'hex')).toBe(createHmac('sha256', secret).update('short').digest('hex'));
  });

  it('does not leave the message in its scratch buffer', () => {
    const key = new HmacKey('sha256', Buffer.alloc(32, 7));
    const secretToken = 'refresh-token-that-must-not-linger';
    key.sign(secretToken, 'latin1');
    const scratch = (key as unknown as { inner: Buffer }).inner;
    expect(scratch.includes(Buffer.from(secretToken))).toBe(false);
  });

  it('refuses a digest it does not know', () => {
    expect(() => new HmacKey('md5' as HmacDigest, Buffer.alloc(16))).toThrow(/unsupported digest/);
  });
});
