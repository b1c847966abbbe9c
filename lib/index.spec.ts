import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import * as api from './index.js';

// The README's "Public API" section: everything the barrel exports is named there.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('\n## Public API'), readme.indexOf('\n## ', readme.indexOf('\n## Public API') + 1));

describe('the public barrel', () => {
  it('exports only values the README documents in its Public API section', () => {
    expect(section.length).toBeGreaterThan(100);
    const undocumented = Object.keys(api).filter((name) => !section.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });

  it('keeps internals out', () => {
    for (const name of [
      'VerifiedTokenCache',
      'VERIFIED_TOKEN_CACHE_DEFAULT_SIZE',
      'VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH',
      'parseDuration',
      'parseCompactJws',
      'AUTH_OPTIONS_TYPE',
      'AUTH_ASYNC_OPTIONS_TYPE',
      'AUTH_MODULE_OPTIONS',
      'RESOURCE_SERVER_MODULE_OPTIONS',
      'RemoteKeyRing',
      'RESOLVED_AUTH_OPTIONS',
      'RESOURCE_SERVER_MODULE_OPTIONS',
      'ACCESS_TOKEN_CONTEXT',
      'STRATEGY_CONTEXT',
    ]) {
      expect(Object.keys(api)).not.toContain(name);
    }
  });
});
