import { describe, expect, it } from '@jest/globals';
import { parseCompactJws } from './compact-jws.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const good = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64({ sub: 'alice' })}.${b64('sig')}`;

describe('parseCompactJws', () => {
  it('decodes a well-formed token', () => {
    const parsed = parseCompactJws(good, 8192);
    expect(typeof parsed).toBe('object');
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(parsed.header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(parsed.payload).toEqual({ sub: 'alice' });
    expect(parsed.signature.toString()).toBe('sig');
  });

  it.each([
    ['empty', ''],
    ['two segments', good.split('.').slice(0, 2).join('.')],
    ['four segments', `${good}.x`],
    ['empty signature (alg none)', `${good.split('.').slice(0, 2).join('.')}.`],
    ['padding', `${good}=`],
    ['non-base64url', good.replace(/^./, '+')],
    ['array payload', `${b64({ alg: 'HS256' })}.${b64([1])}.${b64('s')}`],
    ['non-JSON header', `${b64('nope')}.${b64({})}.${b64('s')}`],
    ['too long', `${good}${'A'.repeat(9000)}`],
  ])('refuses %s with a reason', (_name, token) => {
    expect(typeof parseCompactJws(token, 8192)).toBe('string');
  });
});
