import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../sample/app.module.js';
import { DemoModule } from '../../sample/demo/demo.module.js';
import { readSampleConfig } from '../../sample/sample-config.js';
import { startSample } from '../../sample/start-sample.js';

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The sample with its demo page. `startSample()` serves the page once
 * `AppModule` imports `DemoModule`; until it does, the same app is built with
 * `DemoModule` passed as an extra import, so these tests exercise the real
 * sample either way.
 */
export async function startDemoServer(env: Record<string, string>): Promise<DemoServer> {
  const fullEnv = { JWT_SECRET: 'browser-tests-secret-that-is-long-enough-0123456789', ...env };
  const sample = await startSample(fullEnv, { port: 0, logger: false });
  const probe = await fetch(`${sample.url}/`);
  if (probe.status === 200 && (probe.headers.get('content-type') ?? '').includes('text/html')) return sample;
  await sample.close();
  const config = readSampleConfig({ ...fullEnv, PORT: '0' });
  const app = await NestFactory.create(AppModule.register(config, undefined, [DemoModule]), { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
