import { randomBytes } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `n` bytes from the CSPRNG, drawn from a pool refilled 4 KB at a time.
 * Each `randomBytes` call costs about 4 µs of fixed overhead here whatever
 * its size, which was the largest single cost of signing a token; the bytes are
 * the same CSPRNG output, only fetched in bulk (Node's randomUUID does the same).
 * Every byte is handed out once.
 */
export function randomFromPool(n: number): Buffer {
  if (n > POOL_BYTES) return randomBytes(n);
  if (offset + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  // A copy, so a caller keeping the buffer does not pin (or see) the rest of the pool.
  const out = Buffer.from(pool.subarray(offset, offset + n));
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}

/** `n` random bytes as base64url, from the pool. */
export function randomId(n = 16): string {
  return randomFromPool(n).toString('base64url');
}
