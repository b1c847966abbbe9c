import { describe, expect, it } from '@jest/globals';
import { resolveAuthOptions } from './resolve-auth-options.js';

const secret = 's'.repeat(32);

describe('refreshCookie and trustedOrigins options', () => {
  it('keeps the refresh token out of the body by default, with no trusted origins', () => {
    const cookie = resolveAuthOptions({ secret, refreshCookie: true }).refresh.cookie!;
    expect(cookie).toMatchObject({ name: 'refresh_token', path: '/auth', sameSite: 'Strict', secure: true, bodyToken: false });
    expect([...cookie.trustedOrigins]).toEqual([]);
  });

  it('normalises trusted origins like URL.origin does', () => {
    const cookie = resolveAuthOptions({ secret, refreshCookie: true, trustedOrigins: ['https://app.example.com', 'http://localhost:5173/'] }).refresh.cookie!;
    expect([...cookie.trustedOrigins]).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('accepts a __Host- cookie with the attributes browsers require', () => {
    expect(resolveAuthOptions({ secret, refreshCookie: { name: '__Host-refresh_token', path: '/' } }).refresh.cookie!.name).toBe('__Host-refresh_token');
  });

  it.each([
    [{ trustedOrigins: 'https://app.example.com' }, /"trustedOrigins" must be an array/],
    [{ trustedOrigins: ['*'] }, /"trustedOrigins" entries must be origins/],
    [{ trustedOrigins: ['https://app.example.com/login'] }, /"trustedOrigins" entries must be origins/],
    [{ trustedOrigins: ['ftp://files.example.com'] }, /"trustedOrigins" entries must be origins/],
    [{ trustedOrigins: [42] }, /"trustedOrigins" entries must be origins/],
    [{ refreshCookie: { name: '__Host-refresh_token' } }, /"__Host-".*path "\/"/],
    [{ refreshCookie: { name: '__Host-refresh_token', path: '/', domain: 'example.com' } }, /"__Host-"/],
    [{ refreshCookie: { name: '__Secure-refresh_token', secure: false } }, /"__Secure-"/],
    [{ refreshCookie: { bodyToken: 'yes' } }, /"refreshCookie.bodyToken" must be a boolean/],
  ])('refuses %p, naming the option', (options, message) => {
    expect(() => resolveAuthOptions({ secret, refreshCookie: true, ...options } as never)).toThrow(message);
  });
});
