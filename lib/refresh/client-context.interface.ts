/** Who made a request: what `issue()`/`rotate()` were told about the client. @publicApi */
export interface ClientContext {
  ip?: string;
  userAgent?: string;
}
