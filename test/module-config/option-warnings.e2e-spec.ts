import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Module, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuthModule, type AuthModuleOptions } from '../../lib/index.js';

const SECRET = 'option-warnings-secret-with-32-bytes!!';
const REFRESH_SECRET = 'option-warnings-refresh-secret-32-bytes!';

/** Boots a module with these options (and a refresh secret of its own, so only the TTL warning can show) and returns what it warned at start-up. */
async function warningsFor(options: Omit<AuthModuleOptions, 'secret'>): Promise<string[]> {
  const warnings: string[] = [];
  const logger: LoggerService = { log: () => undefined, error: () => undefined, warn: (m: unknown) => void warnings.push(String(m)) };
  @Module({ imports: [AuthModule.forRoot({ secret: SECRET, refreshTokenSecret: REFRESH_SECRET, ...options })] })
  class AppModule {}
  const ref = await Test.createTestingModule({ imports: [AppModule] }).setLogger(logger).compile();
  await ref.close();
  return warnings;
}

describe('start-up warnings', () => {
  it('warns when the access-token TTL is at most the clock tolerance, naming both options and the real lifetime', async () => {
    const warnings = await warningsFor({ accessTokenTtl: 2 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"accessTokenTtl" \(2 s\) is not longer than "clockTolerance" \(30 s\).*up to 32 s/);
    expect(await warningsFor({ accessTokenTtl: '30s', clockTolerance: 30 })).toHaveLength(1);
  });

  it('says nothing for the defaults, a TTL longer than the tolerance, or no tolerance at all', async () => {
    expect(await warningsFor({})).toEqual([]);
    expect(await warningsFor({ accessTokenTtl: 31 })).toEqual([]);
    expect(await warningsFor({ accessTokenTtl: 2, clockTolerance: 0 })).toEqual([]);
  });
});
