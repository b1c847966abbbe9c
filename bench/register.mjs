// Lets `node --import ./bench/register.mjs bench/run.ts` run the TypeScript
// benchmarks (and the library's sources) without a build step. The hooks
// compile each .ts file with the TypeScript compiler itself, not type
// stripping, because Nest's dependency injection needs emitDecoratorMetadata.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
