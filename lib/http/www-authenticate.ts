import type { AuthException } from '../errors/auth.exception.js';

/**
 * Builds the RFC 6750 §3 challenge for a 401: no `error` attribute when no
 * token was sent, `error="invalid_token"` with a description when one was refused.
 */
export function bearerChallenge(realm: string, exception: AuthException): string {
  if (!exception.tokenRejected) return `Bearer realm="${realm}"`;
  // Messages are our own constants, but quotes and backslashes would still break the header's syntax.
  const description = String(exception.message).replace(/["\\]/g, '');
  return `Bearer realm="${realm}", error="invalid_token", error_description="${description}"`;
}
