import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { RefreshService } from '../../../lib/index.js';
import { expiredToken } from '../support.js';
import { store, TOKEN_PROTOCOL, WebSocketAppModule } from './app.module.js';

type Frame = { event: string; data: Record<string, unknown> };

describe('JwtGuard on a WebSocket gateway (@nestjs/platform-ws)', () => {
  let app: INestApplication;
  let url: string;
  let access: string;
  const open: WebSocket[] = [];

  /** Opens a socket; resolves once the handshake is done. */
  function connect(options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<WebSocket> {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
    open.push(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  /** Sends one event and resolves with the next frame the server sends back. */
  function ask(socket: WebSocket, event: string, data: unknown = {}): Promise<Frame> {
    return new Promise((resolve, reject) => {
      // Fails the test with a message instead of Jest's generic timeout when the server stays silent.
      const silent = setTimeout(() => reject(new Error(`no answer to "${event}"`)), 5000);
      socket.once('message', (raw) => {
        clearTimeout(silent);
        resolve(JSON.parse(String(raw)) as Frame);
      });
      socket.once('close', () => reject(new Error('socket closed before answering')));
      socket.send(JSON.stringify({ event, data }));
    });
  }

  beforeAll(async () => {
    const ref = await Test.createTestingModule({ imports: [WebSocketAppModule] }).compile();
    app = ref.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new WsAdapter(app));
    await app.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/ws`;
    access = (await app.get(RefreshService).issue('alice', { role: 'admin' })).accessToken;
  });

  afterAll(async () => {
    for (const socket of open) socket.terminate();
    await app.close();
  });

  it('finds the handshake request: a valid bearer token passes and @CurrentUser() sees the claims', async () => {
    const socket = await connect({ headers: { authorization: `Bearer ${access}` } });
    const reply = await ask(socket, 'whoami');
    expect(reply.event).toBe('whoami');
    expect(reply.data).toMatchObject({ sub: 'alice', role: 'admin' });
    expect(typeof reply.data.sid).toBe('string');
    // Each message is checked again on the same socket.
    expect((await ask(socket, 'whoami')).data.sub).toBe('alice');
  });

  it('takes the token offered as a subprotocol (the browser way) and never echoes it back', async () => {
    const socket = await connect({ protocols: [TOKEN_PROTOCOL, access] });
    expect(socket.protocol).toBe(TOKEN_PROTOCOL);
    expect((await ask(socket, 'whoami')).data.sub).toBe('alice');
  });

  it('answers an expired token with a coded exception event carrying expiredAt, not "Internal server error"', async () => {
    const { token, exp } = expiredToken(120);
    const socket = await connect({ headers: { authorization: `Bearer ${token}` } });
    const reply = await ask(socket, 'whoami', { note: 'payload not echoed' });
    expect(reply.event).toBe('exception');
    expect(reply.data).toMatchObject({
      status: 'error',
      statusCode: 401,
      code: 'TOKEN_EXPIRED',
      message: 'Token has expired',
      expiredAt: new Date(exp * 1000).toISOString(),
      cause: { pattern: 'whoami' },
    });
    expect(JSON.stringify(reply.data)).not.toContain('payload not echoed');
    // The socket stays usable: the client can refresh and reconnect on its own terms.
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  it('answers a socket opened without a token with NO_TOKEN', async () => {
    const socket = await connect();
    const reply = await ask(socket, 'whoami');
    expect(reply).toMatchObject({ event: 'exception', data: { code: 'NO_TOKEN', statusCode: 401 } });
  });

  it('answers a forged token with INVALID_TOKEN', async () => {
    const socket = await connect({ headers: { authorization: `Bearer ${access.slice(0, -4)}AAAA` } });
    expect((await ask(socket, 'whoami')).data.code).toBe('INVALID_TOKEN');
  });

  it('answers a store outage with AUTH_STORE_UNAVAILABLE and retryAfter, then recovers', async () => {
    const socket = await connect({ headers: { authorization: `Bearer ${access}` } });
    store.down = true;
    try {
      const reply = await ask(socket, 'whoami');
      expect(reply).toMatchObject({ event: 'exception', data: { statusCode: 503, code: 'AUTH_STORE_UNAVAILABLE', retryAfter: 1 } });
    } finally {
      store.down = false;
    }
    expect((await ask(socket, 'whoami')).data.sub).toBe('alice');
  });
});
