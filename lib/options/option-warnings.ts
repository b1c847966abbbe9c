import { Logger } from '@nestjs/common';
import type { ResolvedAuthOptions } from './resolve-auth-options.js';

/** What a logger needs for the start-up warnings (Nest's `Logger` fits). */
export interface WarningLogger {
  warn(message: string): void;
}

/**
 * Options that are valid but rarely what was meant: said once, at start-up, so they are not silent.
 * Returns the warnings it logged.
 */
export function warnAboutOptions(options: ResolvedAuthOptions, logger: WarningLogger = new Logger('AuthModule')): string[] {
  const warnings: string[] = [];
  const { accessTokenTtl, clockTolerance } = options;
  if (clockTolerance > 0 && accessTokenTtl <= clockTolerance) {
    warnings.push(
      `"accessTokenTtl" (${accessTokenTtl} s) is not longer than "clockTolerance" (${clockTolerance} s): ` +
        `an access token is accepted for up to ${accessTokenTtl + clockTolerance} s. Lower "clockTolerance" or raise "accessTokenTtl".`,
    );
  }
  for (const warning of warnings) logger.warn(warning);
  return warnings;
}
