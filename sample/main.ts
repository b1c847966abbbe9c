import { Logger } from '@nestjs/common';
import { SampleConfigError } from './sample-config.js';
import { startSample } from './start-sample.js';

const logger = new Logger('Sample');

try {
  const sample = await startSample(process.env);
  sample.app.enableShutdownHooks();
  if (sample.config.generatedSecret) {
    logger.warn('JWT_SECRET is not set: using a random secret, so tokens stop working when the server restarts.');
  }
  logger.log(`Listening on ${sample.url} (store: ${sample.config.store}${sample.config.refreshCookie ? ', refresh cookie on' : ''})`);
} catch (err) {
  if (err instanceof SampleConfigError) {
    logger.error(err.message);
  } else {
    logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  }
  process.exit(1);
}
