import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { INestApplication, Injectable, LoggerService, Module } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { AuthModule, RefreshService } from '../../lib/index.js';
import type { AuthModuleOptions, SessionEvent, SessionReuseDetectedEvent } from '../../lib/index.js';

// The README's "Session events" example with @nestjs/event-emitter, run as written.
const SECRET = 'event-emitter-bridge-secret-32-bytes!!';

@Injectable()
class SessionAudit {
  readonly seen: Array<{ name: string; event: SessionEvent }> = [];

  @OnEvent('auth.session.created')
  created(event: SessionEvent) {
    this.seen.push({ name: 'auth.session.created', event });
  }

  @OnEvent('auth.session.rotated')
  rotated(event: SessionEvent) {
    this.seen.push({ name: 'auth.session.rotated', event });
  }

  @OnEvent('auth.session.revoked')
  revoked(event: SessionEvent) {
    this.seen.push({ name: 'auth.session.revoked', event });
  }

  @OnEvent('auth.session.reuse_detected')
  reused(event: SessionReuseDetectedEvent) {
    this.seen.push({ name: 'auth.session.reuse_detected', event });
  }
}

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Keeps what the app logs as errors. */
class ErrorLog implements LoggerService {
  readonly errors: string[] = [];
  log() {}
  warn() {}
  error(message: unknown) {
    this.errors.push(String(message));
  }
}

/** An app whose clock the test moves, so the reuse grace is passed without waiting. */
async function boot(options: Partial<AuthModuleOptions> | ((events: EventEmitter2) => Partial<AuthModuleOptions>)) {
  const clock = { now: 1_800_000_000_000 };
  @Module({
    imports: [
      EventEmitterModule.forRoot(),
      AuthModule.forRootAsync({
        inject: [EventEmitter2],
        useFactory: (events: EventEmitter2) => ({
          secret: SECRET,
          reuseGrace: 2,
          clock: () => clock.now,
          ...(typeof options === 'function' ? options(events) : options),
        }),
      }),
    ],
    providers: [SessionAudit],
  })
  class AppModule {}
  const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const log = new ErrorLog();
  app = ref.createNestApplication({ logger: log });
  await app.init();
  return { app, clock, log, sessions: app.get(RefreshService), audit: app.get(SessionAudit), events: app.get(EventEmitter2) };
}

describe('session events on @nestjs/event-emitter', () => {
  it('reach @OnEvent() handlers under their auth.* names, with the event as payload', async () => {
    const { clock, sessions, audit } = await boot((events) => ({ eventEmitter: events }));
    const first = await sessions.issue('alice', {}, { ip: '10.0.0.1' });
    const sid = audit.seen[0]?.event.sid;
    await sessions.rotate(first.refreshToken, { ip: '10.0.0.2' });
    clock.now += 10_000;
    // The retired token again, past the grace: theft, the session ends.
    await expect(sessions.rotate(first.refreshToken, { ip: '203.0.113.9' })).rejects.toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });

    expect(audit.seen.map((s) => s.name)).toEqual([
      'auth.session.created',
      'auth.session.rotated',
      'auth.session.revoked',
      'auth.session.reuse_detected',
    ]);
    expect(audit.seen[0].event).toMatchObject({ type: 'session.created', sub: 'alice', ip: '10.0.0.1' });
    expect(audit.seen[1].event).toMatchObject({ type: 'session.rotated', sid, generation: 1, ip: '10.0.0.2' });
    expect(audit.seen[2].event).toMatchObject({ type: 'session.revoked', sid, reason: 'reuse_detected' });
    expect(audit.seen[3].event).toMatchObject({ type: 'session.reuse_detected', sid, holder: { ip: '10.0.0.2' }, reuser: { ip: '203.0.113.9' } });
  });

  it('a listener that throws on the emitter is logged and never fails the operation', async () => {
    const { sessions, events, audit, log } = await boot((e) => ({ eventEmitter: e }));
    events.prependListener('auth.session.created', () => {
      throw new Error('audit sink down');
    });
    const pair = await sessions.issue('bob');
    await expect(sessions.rotate(pair.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(audit.seen.map((s) => s.name)).toEqual(['auth.session.rotated']);
    expect(log.errors).toEqual(['A session.created listener failed: audit sink down']);
  });

  it('emits nothing there unless eventEmitter is set', async () => {
    const { sessions, audit } = await boot({});
    const pair = await sessions.issue('carol');
    await sessions.rotate(pair.refreshToken);
    expect(audit.seen).toEqual([]);
  });

  it('refuses to start with an eventEmitter that cannot emit', async () => {
    await expect(boot({ eventEmitter: {} as never })).rejects.toThrow(/"eventEmitter" must have an emit\(name, payload\) method/);
  });
});
