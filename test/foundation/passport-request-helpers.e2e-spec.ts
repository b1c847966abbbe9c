import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication, Module, Req, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthModule, JwtGuard, RefreshService } from '../../lib/index.js';
import { ResourceServerModule } from '../../lib/resource-server/index.js';
import { PASSPORT_REQUEST_HELPERS } from '../../lib/http/passport-request-helpers.js';
import { createApp, PLATFORMS } from '../support/create-app.js';

type PassportRequest = Record<string, unknown> & { isAuthenticated(): boolean; isUnauthenticated(): boolean };

@Controller()
class HelpersController {
  @Get('guarded')
  @UseGuards(JwtGuard)
  guarded(@Req() req: PassportRequest) {
    return {
      authenticated: req.isAuthenticated(),
      unauthenticated: req.isUnauthenticated(),
      own: PASSPORT_REQUEST_HELPERS.filter((name) => Object.prototype.hasOwnProperty.call(req, name)),
    };
  }

  @Get('open')
  open(@Req() req: PassportRequest) {
    // Fastify declares them (null) on every request; Express has no value until passport sets one.
    return { helpers: PASSPORT_REQUEST_HELPERS.map((name) => (req[name] == null ? 'absent' : typeof req[name])) };
  }
}

@Module({
  imports: [AuthModule.forRoot({ secret: 'request-slots-secret-of-32-bytes!!', sessionCheck: true })],
  controllers: [HelpersController],
})
class HelpersModule {}

// Nothing answers at that port: start-up goes on without keys (requests would fail closed), which is all the
// ResourceServerModule cases need.
@Module({ imports: [ResourceServerModule.forRoot({ jwksUrl: 'http://127.0.0.1:9/.well-known/jwks.json' })] })
class VerifyOnlyModule {}

describe.each(PLATFORMS)("passport's request helpers behind JwtGuard on %s", (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(HelpersModule, platform);
  });
  afterAll(() => app.close());

  it('are there for the handler, as passport sets them, and say the request is authenticated', async () => {
    const { accessToken } = await app.get(RefreshService).issue('alice');
    const res = await request(app.getHttpServer()).get('/guarded').set('Authorization', `Bearer ${accessToken}`).expect(200);
    expect(res.body).toMatchObject({ authenticated: true, unauthenticated: false });
    // On Express they live in a per-request slot of the app's request prototype, not on the request itself.
    expect(res.body.own).toEqual(platform === 'express' ? [] : [...PASSPORT_REQUEST_HELPERS]);
  });

  it('belong to the request passport ran on: a later request that no guard saw has none', async () => {
    const { accessToken } = await app.get(RefreshService).issue('bob');
    const server = app.getHttpServer();
    await request(server).get('/guarded').set('Authorization', `Bearer ${accessToken}`).expect(200);
    const res = await request(server).get('/open').expect(200);
    expect(res.body.helpers).toEqual(PASSPORT_REQUEST_HELPERS.map(() => 'absent'));
  });
});

describe('request slots on Express', () => {
  it("keep each request's own values apart when requests overlap", async () => {
    @Controller()
    class SlowController {
      @Get('mine')
      async mine(@Req() req: Record<string, unknown> & { headers: Record<string, string> }) {
        req.logIn = () => req.headers['x-who'];
        // Another request runs its handler meanwhile and sets its own logIn.
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { who: (req.logIn as () => string)(), own: Object.prototype.hasOwnProperty.call(req, 'logIn') };
      }
    }
    @Module({ imports: [AuthModule.forRoot({ secret: 'request-slots-secret-of-32-bytes!!' })], controllers: [SlowController] })
    class SlowModule {}
    const app = await createApp(SlowModule, 'express');
    try {
      const server = app.getHttpServer();
      const answers = await Promise.all(['ann', 'ben', 'cid'].map((who) => request(server).get('/mine').set('x-who', who)));
      expect(answers.map((a) => a.body)).toEqual(['ann', 'ben', 'cid'].map((who) => ({ who, own: false })));
    } finally {
      await app.close();
    }
  });

  it('leave alone a helper the app defined on its request prototype itself', async () => {
    @Controller()
    class OwnHelperController {
      @Get('guarded')
      @UseGuards(JwtGuard)
      guarded(@Req() req: { isAuthenticated(): string }) {
        return { answer: req.isAuthenticated() };
      }
    }
    @Module({ imports: [AuthModule.forRoot({ secret: 'request-slots-secret-of-32-bytes!!' })], controllers: [OwnHelperController] })
    class OwnHelperModule {}
    const ref = await Test.createTestingModule({ imports: [OwnHelperModule] }).compile();
    const app = ref.createNestApplication({ logger: false });
    const express = app.getHttpAdapter().getInstance() as { request: Record<string, unknown> };
    express.request.isAuthenticated = () => 'the app’s own';
    await app.init();
    try {
      const { accessToken } = await app.get(RefreshService).issue('dan');
      const res = await request(app.getHttpServer()).get('/guarded').set('Authorization', `Bearer ${accessToken}`).expect(200);
      expect(res.body.answer).toBe('the app’s own');
    } finally {
      await app.close();
    }
  });

  it('are set up by ResourceServerModule as well', async () => {
    const app = await createApp(VerifyOnlyModule, 'express');
    try {
      const prototype = (app.getHttpAdapter().getInstance() as { request: object }).request;
      const accessors = PASSPORT_REQUEST_HELPERS.filter((name) => typeof Object.getOwnPropertyDescriptor(prototype, name)?.get === 'function');
      expect(accessors).toEqual([...PASSPORT_REQUEST_HELPERS]);
    } finally {
      await app.close();
    }
  });
});

describe('request helpers on Fastify', () => {
  it('are declared by ResourceServerModule as well, as Fastify request decorators', async () => {
    const app = await createApp(VerifyOnlyModule, 'fastify');
    try {
      const fastify = app.getHttpAdapter().getInstance() as { hasRequestDecorator(name: string): boolean };
      expect(PASSPORT_REQUEST_HELPERS.filter((name) => fastify.hasRequestDecorator(name))).toEqual([...PASSPORT_REQUEST_HELPERS]);
    } finally {
      await app.close();
    }
  });
});
