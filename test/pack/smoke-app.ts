/**
 * Source of the throwaway apps the pack test installs. Plain JavaScript with
 * the decorators applied by hand (`Reflect.decorate` and calling parameter
 * decorators), so neither app needs a compiler. One body serves both module
 * systems; only the way it loads packages differs.
 */
export type ModuleSystem = 'esm' | 'cjs';

const ESM_HEADER = `
import 'reflect-metadata';
import * as common from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as lib from 'nestjs-jwt-refresh';
import * as client from 'nestjs-jwt-refresh/client';
const resolveSubpath = (name) => import.meta.resolve(name);
`;

const CJS_HEADER = `
require('reflect-metadata');
const common = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const lib = require('nestjs-jwt-refresh');
const client = require('nestjs-jwt-refresh/client');
const resolveSubpath = (name) => require.resolve(name);
`;

const BODY = `
const { Body, Controller, Get, HttpCode, Inject, Module, Post, UseGuards } = common;
const { AuthModule, CurrentUser, JwtGuard, Public, RefreshService } = lib;

class MeController {
  me(user, sub) {
    return { sub, role: user.role };
  }
}
Reflect.decorate([Get()], MeController.prototype, 'me', Object.getOwnPropertyDescriptor(MeController.prototype, 'me'));
CurrentUser()(MeController.prototype, 'me', 0);
CurrentUser('sub')(MeController.prototype, 'me', 1);
const Me = Reflect.decorate([Controller('me'), UseGuards(JwtGuard)], MeController);

class AuthController {
  constructor(refresh) {
    this.refresh = refresh;
  }
  rotate(body) {
    return this.refresh.rotate(body && body.refreshToken);
  }
}
Reflect.decorate([Public(), Post('refresh'), HttpCode(200)], AuthController.prototype, 'rotate',
  Object.getOwnPropertyDescriptor(AuthController.prototype, 'rotate'));
Body()(AuthController.prototype, 'rotate', 0);
Inject(RefreshService)(AuthController, undefined, 0);
const Auth = Reflect.decorate([Controller('auth')], AuthController);

class AppModule {}
const App = Reflect.decorate([
  Module({
    imports: [AuthModule.forRoot({ secret: 'smoke-test-secret-of-at-least-32-bytes!!', isGlobal: true })],
    controllers: [Me, Auth],
  }),
], AppModule);

async function main() {
  const app = await NestFactory.create(App, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = 'http://127.0.0.1:' + app.getHttpServer().address().port;
  const call = async (path, init) => {
    const res = await fetch(base + path, init);
    return { status: res.status, body: await res.json() };
  };
  const bearer = (token) => ({ headers: { authorization: 'Bearer ' + token } });
  const out = { nodeVersion: process.version };
  try {
    const pair = await app.get(RefreshService).issue('alice', { role: 'admin' });
    out.noToken = await call('/me');
    out.me = await call('/me', bearer(pair.accessToken));
    const refreshed = await call('/auth/refresh', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: pair.refreshToken }),
    });
    out.refresh = { status: refreshed.status, rotated: refreshed.body.refreshToken !== pair.refreshToken, keys: Object.keys(refreshed.body).sort() };
    out.meAfterRefresh = await call('/me', bearer(refreshed.body.accessToken));
    out.invalidRefresh = await call('/auth/refresh', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: 'x'.repeat(92) }),
    });
    out.clientExports = Object.keys(client).sort();
    out.subpaths = {};
    for (const name of ['nestjs-jwt-refresh/redis', 'nestjs-jwt-refresh/client', 'nestjs-jwt-refresh/client/axios', 'nestjs-jwt-refresh/swagger']) {
      try {
        out.subpaths[name] = String(resolveSubpath(name)).replace(/^.*node_modules/, 'node_modules');
      } catch (err) {
        out.subpaths[name] = 'ERROR ' + err.message;
      }
    }
  } finally {
    await app.close();
  }
  console.log('SMOKE ' + JSON.stringify(out));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

export function smokeAppSource(system: ModuleSystem): string {
  return (system === 'esm' ? ESM_HEADER : CJS_HEADER) + BODY;
}
