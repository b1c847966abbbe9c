/** Injection token of the validated options (internal: users configure through forRoot). */
export const RESOLVED_AUTH_OPTIONS = Symbol('nestjs-jwt-refresh:resolved-options');
