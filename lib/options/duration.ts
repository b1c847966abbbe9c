/**
 * A lifetime given either as seconds (`90`, `'90'`) or as a short duration
 * string (`'30s'`, `'15m'`, `'1h'`, `'7d'`).
 * @publicApi
 */
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/;

/**
 * Parses a {@link Duration} into seconds. Throws an Error that names the option
 * so a bad environment variable stops start-up with a message a user can act on.
 */
export function parseDuration(value: Duration, optionName: string): number {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string') {
    const match = DURATION_PATTERN.exec(value.trim());
    if (!match) {
      throw new Error(
        `"${optionName}" must be seconds (90) or a duration such as "30s", "15m", "1h", "7d"; got "${value}".`,
      );
    }
    seconds = Number(match[1]) * UNIT_SECONDS[match[2] || 's'];
  } else {
    throw new Error(`"${optionName}" must be a number of seconds or a duration string; got ${typeof value}.`);
  }
  // Infinity and NaN would silently disable expiry checks (node-jsonwebtoken #1021).
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(`"${optionName}" must be a finite, non-negative number of seconds; got ${String(value)}.`);
  }
  return seconds;
}
