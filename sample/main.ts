import { Logger } from '@nestjs/common';
import { SampleConfigError } from './sample-config.js';
import { startSample } from './start-sample.js';

const logger = new Logger('Sample');

async function main(): Promise<void> {
  const sample = await startSample(process.env);
  sample.app.enableShutdownHooks();
  if (sample.config.generatedKey) {
    logger.warn(`JWT_PRIVATE_KEY is not set: using a ${sample.config.algorithm} key pair generated at start, so tokens stop working when the server restarts.`);
  } else if (sample.config.generatedSecret && sample.config.algorithm === 'HS256') {
    logger.warn('JWT_SECRET is not set: using a random secret, so tokens stop working when the server restarts.');
  }
  logger.log(`Listening on ${sample.url} (store: ${sample.config.store}${sample.config.refreshCookie ? ', refresh cookie on' : ''})`);
}

main().catch((err: unknown) => {
  // A bad variable is the user's to fix: its message is enough. Anything else gets its stack.
  logger.error(err instanceof SampleConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
