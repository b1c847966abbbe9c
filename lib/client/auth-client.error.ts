/**
 * Thrown by `login()` (and by a `fetch` that fails before any response) with
 * the server's machine code when there is one, e.g. `INVALID_CREDENTIALS`.
 * @publicApi
 */
export class AuthClientError extends Error {
  constructor(
    message: string,
    /** The `code` of the server's error body, or `NETWORK_ERROR` / `BAD_RESPONSE`. */
    readonly code: string,
    /** HTTP status, `0` when no response arrived. */
    readonly status: number,
  ) {
    super(message);
    this.name = 'AuthClientError';
  }
}
