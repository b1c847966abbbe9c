/**
 * Thrown at start-up when the module's options are unusable. The message names
 * the option and says what to do, so a failed boot explains itself.
 * @publicApi
 */
export class AuthConfigError extends Error {
  constructor(message: string) {
    super(`nestjs-jwt-refresh: ${message}`);
    this.name = 'AuthConfigError';
  }
}
