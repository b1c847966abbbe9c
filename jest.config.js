/** Jest runs in native ESM mode (see README "Development"): ts-jest only transpiles, tsc type-checks. */
const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  // The apps `nest new` generates, which the pack test runs with their own test commands.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/pack/templates/'],
};

export default {
  testTimeout: 20000,
  // On two cores Jest runs the files in its own process, so any timer a library leaves behind keeps it alive.
  // One did: a ref'd 2 s timer of an ioredis Cluster's slotsRefreshInterval, seen on Node 20 in the idle Jest
  // process after the Cluster suites (ioredis re-arms it from the refresh's callback, even after disconnect()).
  // The store now runs that refresh itself (lib/redis/cluster-slot-refresh.ts, tested in redis-cluster.e2e-spec).
  // Every suite closes what it opened; forceExit stays so that any other such timer ends the run, not hangs it.
  forceExit: true,
  // The sample serves the demo page's script built at build time; build it so tests see the current sources.
  globalSetup: './sample/demo/build-demo-script.mjs',
  projects: [
    {
      ...base,
      displayName: 'default',
      testMatch: ['<rootDir>/lib/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.browser-spec.ts'],
      globals: { IOREDIS_MAJOR: 5 },
    },
    {
      // The Redis suites again on ioredis 6 (installed as the dev dependency "ioredis6"): the peer range is ^5 || ^6.
      ...base,
      displayName: 'ioredis 6',
      testMatch: [
        '<rootDir>/test/stores/redis-store.e2e-spec.ts',
        '<rootDir>/test/stores/redis-revocation.e2e-spec.ts',
        '<rootDir>/test/stores/redis-cluster.e2e-spec.ts',
        '<rootDir>/test/sample/sample-redis.e2e-spec.ts',
      ],
      moduleNameMapper: { ...base.moduleNameMapper, '^ioredis$': 'ioredis6', '^ioredis/package\\.json$': 'ioredis6/package.json' },
      globals: { IOREDIS_MAJOR: 6 },
    },
  ],
};
