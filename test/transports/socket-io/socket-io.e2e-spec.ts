import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { RefreshService } from '../../../lib/index.js';
import { expiredToken } from '../support.js';
import { SocketIoAppModule, store } from './app.module.js';

/** What came back for one message: the handler's acknowledgement, or the `exception` event a refusal emits. */
type Answer = { via: 'ack' | 'exception'; data: Record<string, unknown> };

const ANSWER_TIMEOUT_MS = 5000;

describe('JwtGuard on a WebSocket gateway (@nestjs/platform-socket.io)', () => {
  let app: INestApplication;
  let url: string;
  let access: string;
  let refresh: RefreshService;
  const open: Socket[] = [];

  /** Opens a socket.io connection (WebSocket only unless told otherwise); resolves once connected. */
  function connect(options: Partial<ManagerOptions & SocketOptions> = {}): Promise<Socket> {
    // forceNew: socket.io-client would otherwise share one connection (and its handshake headers) per URL.
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, ...options });
    open.push(socket);
    return new Promise((resolve, reject) => {
      const silent = setTimeout(() => reject(new Error('socket.io connection not established')), ANSWER_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(silent);
        resolve(socket);
      });
      socket.once('connect_error', (err) => {
        clearTimeout(silent);
        reject(err);
      });
    });
  }

  /**
   * Emits one event and resolves with whichever comes first: the handler's acknowledgement
   * or an `exception` event (a refused message is never acknowledged).
   */
  function ask(socket: Socket, event: string, data: unknown = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        clearTimeout(silent);
        socket.off('exception', onException);
        socket.off('disconnect', onDisconnect);
        outcome();
      };
      const onException = (body: Record<string, unknown>) => settle(() => resolve({ via: 'exception', data: body }));
      const onDisconnect = (reason: string) => settle(() => reject(new Error(`socket disconnected before answering: ${reason}`)));
      // Fails the test with a message instead of Jest's generic timeout when the server stays silent.
      const silent = setTimeout(() => settle(() => reject(new Error(`no answer to "${event}"`))), ANSWER_TIMEOUT_MS);
      socket.on('exception', onException);
      socket.on('disconnect', onDisconnect);
      socket.emit(event, data, (reply: Record<string, unknown>) => settle(() => resolve({ via: 'ack', data: reply })));
    });
  }

  beforeAll(async () => {
    const ref = await Test.createTestingModule({ imports: [SocketIoAppModule] }).compile();
    app = ref.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new IoAdapter(app));
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    refresh = app.get(RefreshService);
    access = (await refresh.issue('alice', { role: 'admin' })).accessToken;
  });

  afterAll(async () => {
    for (const socket of open) socket.disconnect();
    await app.close();
  });

  it('a valid bearer header over WebSocket passes and @CurrentUser() sees the claims', async () => {
    const socket = await connect({ extraHeaders: { authorization: `Bearer ${access}` } });
    const reply = await ask(socket, 'whoami');
    expect(reply.via).toBe('ack');
    expect(reply.data).toMatchObject({ sub: 'alice', role: 'admin' });
    expect(typeof reply.data.sid).toBe('string');
    // Each message is checked again on the same socket.
    expect((await ask(socket, 'whoami')).data.sub).toBe('alice');
  });

  it('a valid bearer header over HTTP long-polling passes too', async () => {
    const socket = await connect({ transports: ['polling'], extraHeaders: { authorization: `Bearer ${access}` } });
    expect(socket.io.engine.transport.name).toBe('polling');
    expect(await ask(socket, 'whoami')).toMatchObject({ via: 'ack', data: { sub: 'alice', role: 'admin' } });
  });

  // The header tests alone would also pass if the guard read socket.io's `client.request` (the raw
  // IncomingMessage has the same headers); `auth` lives only on `client.handshake`.
  it('reads client.handshake itself: takes the token from the `auth` payload (the browser way)', async () => {
    const socket = await connect({ auth: { token: access } });
    expect(await ask(socket, 'whoami')).toMatchObject({ via: 'ack', data: { sub: 'alice', role: 'admin' } });
  });

  it('answers an expired token with a coded exception event carrying expiredAt, not "Internal server error"', async () => {
    const { token, exp } = expiredToken(120);
    const socket = await connect({ extraHeaders: { authorization: `Bearer ${token}` } });
    const reply = await ask(socket, 'whoami', { note: 'payload not echoed' });
    expect(reply.via).toBe('exception');
    expect(reply.data).toMatchObject({
      status: 'error',
      statusCode: 401,
      code: 'TOKEN_EXPIRED',
      message: 'Token has expired',
      expiredAt: new Date(exp * 1000).toISOString(),
      cause: { pattern: 'whoami' },
    });
    expect(JSON.stringify(reply.data)).not.toContain('payload not echoed');
    // The socket stays connected: the client can refresh and reconnect on its own terms.
    expect(socket.connected).toBe(true);
  });

  it('answers a socket opened without a token with NO_TOKEN', async () => {
    const socket = await connect();
    expect(await ask(socket, 'whoami')).toMatchObject({ via: 'exception', data: { code: 'NO_TOKEN', statusCode: 401 } });
  });

  it('answers a forged token with INVALID_TOKEN', async () => {
    const socket = await connect({ extraHeaders: { authorization: `Bearer ${access.slice(0, -4)}AAAA` } });
    expect(await ask(socket, 'whoami')).toMatchObject({ via: 'exception', data: { code: 'INVALID_TOKEN', statusCode: 401 } });
  });

  it('refuses the next message once the session is revoked, on the socket already open', async () => {
    const pair = await refresh.issue('bob');
    const socket = await connect({ extraHeaders: { authorization: `Bearer ${pair.accessToken}` } });
    const before = await ask(socket, 'whoami');
    expect(before).toMatchObject({ via: 'ack', data: { sub: 'bob' } });
    expect(await refresh.revokeSession(before.data.sid as string)).toBe(true);
    expect(await ask(socket, 'whoami')).toMatchObject({ via: 'exception', data: { code: 'TOKEN_REVOKED', statusCode: 401 } });
  });

  it('answers a store outage with AUTH_STORE_UNAVAILABLE and retryAfter, then recovers', async () => {
    const socket = await connect({ extraHeaders: { authorization: `Bearer ${access}` } });
    store.down = true;
    try {
      const reply = await ask(socket, 'whoami');
      expect(reply).toMatchObject({ via: 'exception', data: { statusCode: 503, code: 'AUTH_STORE_UNAVAILABLE', retryAfter: 1 } });
    } finally {
      store.down = false;
    }
    expect((await ask(socket, 'whoami')).data.sub).toBe('alice');
  });
});
