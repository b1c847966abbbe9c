// One benchmark app in its own process. The parent forks it with the app
// description as argv[2] (JSON) and gets back, over IPC, the port and the
// tokens to send. Each app has a process to itself because passport keeps
// strategies in a process-wide registry.
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { AccessTokenService, RefreshService } from '../../lib/index.js';
import { makeKeys, tamper } from './bench-keys.js';
import type { AppSpec, AppReady } from './app-spec.js';
import { oursModule } from './ours.module.js';
import { FloorModule } from './floor.module.js';
import { PingModule } from './ping.module.js';
import { JwtService, recipeModule, recipeToken } from './recipe.module.js';

async function main(spec: AppSpec): Promise<AppReady> {
  const keys = makeKeys(spec.algorithm);
  let module: unknown;
  let token: (app: INestApplication) => Promise<string>;
  if (spec.kind === 'ping') {
    module = PingModule;
    token = async () => '';
  } else if (spec.kind === 'floor') {
    module = FloorModule;
    // The floor's guard reads nothing, but the request carries a token of the same size and shape as ours's,
    // so the two rows differ only by what the guard does.
    token = async () =>
      new JwtService({ secret: keys.secret, signOptions: { expiresIn: '2h', header: { alg: 'HS256', typ: 'at+jwt' } } }).sign({
        sub: 'user-1',
        sid: 'bench-session',
        jti: 'AAAAAAAAQACAAAAAAAC-7w', // 22 base64url characters, as ours are
      });
  } else if (spec.kind === 'recipe') {
    module = recipeModule(keys);
    token = async (app) => recipeToken(app.get(JwtService));
  } else if (spec.kind === 'ours') {
    module = oursModule(keys, false);
    token = async (app) => app.get(AccessTokenService).sign({ sub: 'user-1', sid: 'bench-session' }).token;
  } else if (spec.kind === 'ours-session') {
    module = oursModule(keys, true);
    // A real session, so the guard's lookup finds it live.
    token = async (app) => (await app.get(RefreshService).issue('user-1')).accessToken;
  } else {
    throw new Error(`unknown app kind ${String(spec.kind)}`);
  }
  const app =
    spec.platform === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(module as never, new FastifyAdapter(), { logger: ['error'] })
      : await NestFactory.create(module as never, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const valid = await token(app);
  process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
  return { port, valid, tampered: valid ? tamper(valid) : '' };
}

// The parent asks for this process's CPU time around each load: CPU per request is far steadier than req/s on a shared machine.
process.on('message', (msg: unknown) => {
  if (msg === 'cpu') process.send!({ cpu: process.cpuUsage() });
});

main(JSON.parse(process.argv[2]) as AppSpec).then(
  (ready) => process.send!({ ready }),
  (err: Error) => {
    process.send!({ error: err.stack ?? String(err) });
    process.exit(1);
  },
);
