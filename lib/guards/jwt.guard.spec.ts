import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Test } from '@nestjs/testing';
import { AuthModule } from '../auth.module.js';
import { AuthException } from '../errors/auth.exception.js';
import type { AuthModuleOptions } from '../options/auth-options.interface.js';
import { RefreshService } from '../refresh/refresh.service.js';
import { JwtStrategy } from '../strategies/jwt.strategy.js';
import type { AccessTokenClaims } from '../tokens/access-token-claims.interface.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import { Public } from '../decorators/public.decorator.js';
import { JwtGuard } from './jwt.guard.js';

/*
 * The guard's contract with Nest, called directly: `true` with `request.user`
 * set, or a coded exception with its challenge already on the response. These
 * tests pin down *when* the answer is synchronous, which the benchmark relies on
 * (one promise less per request) and which Nest accepts either way.
 */

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function setup(options: Partial<AuthModuleOptions> = {}, strategy?: typeof JwtStrategy) {
  const builder = Test.createTestingModule({
    imports: [AuthModule.forRoot({ secret: 'jwt-guard-spec-secret-of-32-bytes-min', ...options })],
  });
  if (strategy) builder.overrideProvider(JwtStrategy).useClass(strategy);
  const app = await builder.compile();
  await app.init();
  closers.push(() => app.close());
  return { guard: app.get(JwtGuard), tokens: app.get(AccessTokenService), refresh: app.get(RefreshService) };
}

class Controller {
  handler() {}
}

function http(token?: string) {
  const request: Record<string, unknown> = { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } };
  const headers: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value) };
  const context = new ExecutionContextHost([request, response], Controller, Controller.prototype.handler);
  context.setType('http');
  return { context, request, headers };
}

function tamper(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return token.slice(0, -2) + last + token.at(-1);
}

describe('JwtGuard.canActivate', () => {
  it('answers a valid token synchronously with true and sets request.user', async () => {
    const { guard, tokens } = await setup({ sessionCheck: false });
    const { token } = tokens.sign({ sub: 'alice', sid: 'S1' });
    const { context, request } = http(token);
    expect(guard.canActivate(context)).toBe(true);
    expect(request.user).toMatchObject({ sub: 'alice', sid: 'S1' });
  });

  it('throws a refusal at once (no rejected promise), with the RFC 6750 challenge on the response', async () => {
    const { guard, tokens } = await setup({ sessionCheck: false });
    const { context, headers, request } = http(tamper(tokens.sign({ sub: 'alice', sid: 'S1' }).token));
    let thrown: unknown;
    try {
      guard.canActivate(context);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AuthException);
    expect((thrown as AuthException).code).toBe('INVALID_TOKEN');
    expect(headers['www-authenticate']).toMatch(/^Bearer realm="[^"]*", error="invalid_token"/);
    expect(request.user).toBeUndefined();

    const missing = http();
    expect(() => guard.canActivate(missing.context)).toThrow(expect.objectContaining({ code: 'NO_TOKEN' }));
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]*"$/);
  });

  it('returns a promise when the session check has to ask the store, and refuses ended sessions', async () => {
    const { guard, refresh } = await setup({ sessionCheck: { cacheTtl: 0 } });
    const live = await refresh.issue('alice');
    const first = http(live.accessToken);
    const pending = guard.canActivate(first.context);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBe(true);
    expect(first.request.user).toMatchObject({ sub: 'alice' });

    const [session] = await refresh.listSessions('alice');
    await refresh.revokeSession(session.sid);
    await expect(guard.canActivate(http(live.accessToken).context)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
  });

  it('returns a promise when a JwtStrategy subclass validates asynchronously, and uses what it resolves', async () => {
    @Injectable()
    class LoadingStrategy extends JwtStrategy {
      override async validate(claims: AccessTokenClaims) {
        await new Promise((resolve) => setImmediate(resolve));
        return claims.sub === 'ghost' ? null : { id: claims.sub, loaded: true };
      }
    }
    const { guard, tokens } = await setup({ sessionCheck: false }, LoadingStrategy);
    const found = http(tokens.sign({ sub: 'alice', sid: 'S1' }).token);
    const pending = guard.canActivate(found.context);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBe(true);
    expect(found.request.user).toEqual({ id: 'alice', loaded: true });
    await expect(guard.canActivate(http(tokens.sign({ sub: 'ghost', sid: 'S2' }).token).context)).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    });
  });

  it('lets @Public() routes through, read per controller even when two controllers share an inherited handler', async () => {
    const { guard } = await setup({ sessionCheck: false });
    class BaseController {
      list() {}
      @Public()
      open() {}
    }
    @Public()
    class OpenController extends BaseController {}
    class ClosedController extends BaseController {}
    const at = (controller: Function, handler: Function) => {
      const context = new ExecutionContextHost([{ headers: {} }, { setHeader() {} }], controller as never, handler as never);
      context.setType('http');
      return context;
    };
    for (let i = 0; i < 2; i++) {
      // Same handler function, two controllers: only the one marked @Public() lets it through.
      expect(guard.canActivate(at(OpenController, BaseController.prototype.list))).toBe(true);
      expect(() => guard.canActivate(at(ClosedController, BaseController.prototype.list))).toThrow(expect.objectContaining({ code: 'NO_TOKEN' }));
      expect(guard.canActivate(at(ClosedController, BaseController.prototype.open))).toBe(true);
    }
  });
});
