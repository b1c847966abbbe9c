/**
 * Whether two strings are equal, taking the same time wherever they differ.
 * Meant for MACs and digests we produced in a fixed encoding, whose length is
 * no secret (a length mismatch returns at once).
 *
 * Why not `crypto.timingSafeEqual`: it needs two Buffers, and copying a 43-character
 * signature into them costs several times the comparison itself, on every forged
 * token. An OR of XORs over the UTF-16 code units has no branch that depends on
 * the contents.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
