import ms from 'ms';

/**
 * A lifetime given either as seconds (`90`, `'90'`) or as a duration string
 * in the `ms` package's syntax (`'30s'`, `'15m'`, `'1h'`, `'7d'`, `'1w'`, `'7 days'`).
 * Years are refused: a year is no fixed number of seconds.
 * @publicApi
 */
export type Duration = number | string;

// `ms` reads a bare number as milliseconds; these options have always taken it as seconds.
const BARE_SECONDS = /^\d+(?:\.\d+)?$/;
// `ms` counts a year as 365.25 days; an expiry is clearer in days.
const YEARS = /\d\s*(?:y|yrs?|years?)$/i;

function fromString(text: string): number {
  if (BARE_SECONDS.test(text)) return Number(text);
  if (YEARS.test(text)) return Number.NaN;
  try {
    return ms(text as ms.StringValue) / 1000;
  } catch {
    return Number.NaN; // ms throws on an empty string
  }
}

/**
 * Parses a {@link Duration} into seconds. Throws an Error that names the option
 * so a bad environment variable stops start-up with a message a user can act on.
 */
export function parseDuration(value: Duration, optionName: string): number {
  let seconds: number;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string') {
    seconds = fromString(value.trim());
    if (Number.isNaN(seconds)) {
      throw new Error(
        `"${optionName}" must be seconds (90) or a duration such as "30s", "15m", "1h", "7d", "1w"; got "${value}".`,
      );
    }
  } else {
    throw new Error(`"${optionName}" must be a number of seconds or a duration string; got ${typeof value}.`);
  }
  // Infinity and NaN would silently disable expiry checks (node-jsonwebtoken #1021).
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(`"${optionName}" must be a finite, non-negative number of seconds; got ${String(value)}.`);
  }
  return seconds;
}
