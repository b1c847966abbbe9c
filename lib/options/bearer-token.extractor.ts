/**
 * Reads `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1)
 * and nothing else: tokens in query strings leak into logs and Referer headers.
 * Hand-written, not passport-jwt's `ExtractJwt.fromAuthHeaderAsBearerToken()`:
 * that one matches an unanchored regular expression anywhere in the header.
 * @publicApi
 */
export function bearerTokenExtractor(request: { headers?: Record<string, unknown> } | undefined): string | null {
  const header = request?.headers?.authorization;
  if (typeof header !== 'string') return null;
  const space = header.indexOf(' ');
  if (space !== 6 || header.slice(0, 6).toLowerCase() !== 'bearer') return null;
  const token = header.slice(7).trim();
  return token.length > 0 ? token : null;
}
