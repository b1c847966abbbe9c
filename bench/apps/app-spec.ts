import type { BenchAlgorithm } from './bench-keys.js';

/** Which app a child process runs. */
export interface AppSpec {
  kind: 'ping' | 'floor' | 'recipe' | 'ours' | 'ours-session';
  platform: 'express' | 'fastify';
  algorithm: BenchAlgorithm;
}

/** What the child reports once listening. */
export interface AppReady {
  port: number;
  /** A token the app accepts ('' for ping). */
  valid: string;
  /** The same token with one signature character changed. */
  tampered: string;
}
