import { AuthConfigError } from '../errors/auth-config.error.js';
import { Duration, parseDuration } from './duration.js';

/** Seconds of a duration option (or its default), failing start-up with an `AuthConfigError` that names it. */
export function optionSeconds(value: Duration | undefined, fallback: Duration, name: string): number {
  try {
    return parseDuration(value ?? fallback, name);
  } catch (err) {
    throw new AuthConfigError((err as Error).message);
  }
}
