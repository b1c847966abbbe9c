import type { AuthException } from '../errors/auth.exception.js';

// Challenges already built, per realm, then per message: messages are a handful of constants, so a
// refusal costs two lookups instead of a regular expression and a concatenation. Bounded for custom messages.
const built = new Map<string, Map<string, string>>();
const MAX_BUILT = 256;

/**
 * Builds the RFC 6750 §3 challenge for a 401: no `error` attribute when no
 * token was sent, `error="invalid_token"` with a description when one was refused.
 */
export function bearerChallenge(realm: string, exception: AuthException): string {
  // An exception with attributes of its own (RFC 9470's step-up) varies per route: built each time, never cached.
  const own = (exception as { challenge?: Record<string, string> }).challenge;
  if (own) return ownChallenge(realm, exception, own);
  let byMessage = built.get(realm);
  if (!byMessage) {
    byMessage = new Map();
    if (built.size < MAX_BUILT) built.set(realm, byMessage);
  }
  // A one-character prefix keeps "rejected" and "absent" apart without any chance of two keys colliding.
  const key = (exception.tokenRejected ? '1' : '0') + exception.message;
  let challenge = byMessage.get(key);
  if (challenge === undefined) {
    challenge = buildChallenge(realm, exception);
    if (byMessage.size < MAX_BUILT) byMessage.set(key, challenge);
  }
  return challenge;
}

function buildChallenge(realm: string, exception: AuthException): string {
  if (!exception.tokenRejected) return `Bearer realm="${realm}"`;
  // Messages are our own constants, but quotes and backslashes would still break the header's syntax.
  const description = String(exception.message).replace(/["\\]/g, '');
  return `Bearer realm="${realm}", error="invalid_token", error_description="${description}"`;
}

function ownChallenge(realm: string, exception: AuthException, attributes: Record<string, string>): string {
  const clean = (value: string) => String(value).replace(/["\\]/g, '');
  const parts = [`Bearer realm="${realm}"`];
  for (const [name, value] of Object.entries(attributes)) {
    parts.push(`${name}="${clean(value)}"`);
    if (name === 'error') parts.push(`error_description="${clean(exception.message)}"`);
  }
  return parts.join(', ');
}
