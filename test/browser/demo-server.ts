import { startSample } from '../../sample/start-sample.js';

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

/** The real sample (which serves the demo page at `/`) on a free loopback port, silent, with a fixed secret. */
export async function startDemoServer(env: Record<string, string>): Promise<DemoServer> {
  return startSample({ JWT_SECRET: 'browser-tests-secret-that-is-long-enough-0123456789', ...env }, { port: 0, logger: false });
}
