import { afterAll, describe, expect, it } from '@jest/globals';
import type { RunningSample } from '../../sample/start-sample.js';
import { sampleWith, SampleClient } from './sample-http.js';

const running: RunningSample[] = [];

async function sample(env: Record<string, string> = {}): Promise<SampleClient> {
  const { sample, http } = await sampleWith(env);
  running.push(sample);
  return http;
}

afterAll(async () => {
  for (const s of running) await s.close();
});

async function login(http: SampleClient, user = 'alice', password = 'wonderland', userAgent = 'test-agent') {
  const reply = await http.login(user, password, { 'user-agent': userAgent });
  expect(reply.status).toBe(200);
  const sid = JSON.parse(Buffer.from(reply.body.accessToken.split('.')[1], 'base64url').toString()).sid as string;
  return { ...(reply.body as { accessToken: string; refreshToken: string }), sid };
}

describe('sample sessions endpoints', () => {
  it('GET /auth/sessions lists the caller’s live sessions, newest first, marking the current one, and nothing secret', async () => {
    const http = await sample();
    const first = await login(http, 'alice', 'wonderland', 'agent-1');
    await new Promise((r) => setTimeout(r, 5));
    const second = await login(http, 'alice', 'wonderland', 'agent-2');
    await login(http, 'bob', 'builder');
    const reply = await http.request('GET', '/auth/sessions', { token: first.accessToken });
    expect(reply.status).toBe(200);
    const { sessions } = reply.body;
    expect(sessions.map((s: { sid: string }) => s.sid)).toEqual([second.sid, first.sid]);
    expect(sessions.map((s: { current: boolean }) => s.current)).toEqual([false, true]);
    for (const s of sessions) {
      expect(Object.keys(s).sort()).toEqual(['createdAt', 'current', 'expiresAt', 'ip', 'lastUsedAt', 'sid', 'userAgent']);
      for (const field of ['createdAt', 'lastUsedAt', 'expiresAt']) expect(new Date(s[field]).toISOString()).toBe(s[field]);
    }
    expect(sessions[0].userAgent).toBe('agent-2');
    const text = JSON.stringify(reply.body);
    for (const secret of [first.refreshToken, second.refreshToken, first.accessToken]) expect(text).not.toContain(secret);
    expect((await http.request('GET', '/auth/sessions')).status).toBe(401);
  });

  it('DELETE /auth/sessions/:sid ends one of the caller’s sessions; another user’s sid is 404 exactly like an unknown one', async () => {
    const http = await sample();
    const mine = await login(http);
    const other = await login(http);
    const bob = await login(http, 'bob', 'builder');

    const foreign = await http.request('DELETE', `/auth/sessions/${bob.sid}`, { token: mine.accessToken });
    const unknown = await http.request('DELETE', `/auth/sessions/${'A'.repeat(22)}`, { token: mine.accessToken });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    expect(foreign.body.code).toBe('SESSION_NOT_FOUND');
    expect((await http.me(bob.accessToken)).status).toBe(200);
    expect((await http.refresh(bob.refreshToken)).status).toBe(200);

    expect((await http.request('DELETE', `/auth/sessions/${other.sid}`, { token: mine.accessToken })).status).toBe(204);
    expect((await http.me(other.accessToken)).body.code).toBe('TOKEN_REVOKED');
    expect((await http.refresh(other.refreshToken)).body.code).toBe('REFRESH_TOKEN_REVOKED');
    // Ended already: no longer one of the caller's live sessions.
    expect((await http.request('DELETE', `/auth/sessions/${other.sid}`, { token: mine.accessToken })).body.code).toBe('SESSION_NOT_FOUND');
    expect((await http.me(mine.accessToken)).status).toBe(200);
  });

  it('POST /auth/logout-others ends every other session of the caller and keeps the current one', async () => {
    const http = await sample();
    const current = await login(http);
    const others = [await login(http), await login(http)];
    const bob = await login(http, 'bob', 'builder');
    expect((await http.request('POST', '/auth/logout-others', { token: current.accessToken })).status).toBe(204);
    for (const other of others) {
      expect((await http.me(other.accessToken)).body.code).toBe('TOKEN_REVOKED');
      expect((await http.refresh(other.refreshToken)).body.code).toBe('REFRESH_TOKEN_REVOKED');
    }
    expect((await http.me(current.accessToken)).status).toBe(200);
    expect((await http.refresh(current.refreshToken)).status).toBe(200);
    expect((await http.me(bob.accessToken)).status).toBe(200);
  });

  it('MAX_SESSIONS_PER_USER: a login beyond it ends that user’s least recently used session, never another user’s', async () => {
    const http = await sample({ MAX_SESSIONS_PER_USER: '3' });
    const bob = await login(http, 'bob', 'builder');
    const alice = [];
    for (let i = 0; i < 50; i++) alice.push(await login(http));
    expect((await http.me(alice[0].accessToken)).body.code).toBe('TOKEN_REVOKED');
    expect((await http.refresh(alice[0].refreshToken)).body.code).toBe('REFRESH_TOKEN_REVOKED');
    expect((await http.request('GET', '/auth/sessions', { token: alice[49].accessToken })).body.sessions).toHaveLength(3);
    expect((await http.me(bob.accessToken)).status).toBe(200);
    expect((await http.refresh(bob.refreshToken)).status).toBe(200);
  });

  it('refuses a MAX_SESSIONS_PER_USER that is not a positive integer, naming it', async () => {
    await expect(sampleWith({ MAX_SESSIONS_PER_USER: '0' })).rejects.toThrow(/MAX_SESSIONS_PER_USER/);
  });
});
