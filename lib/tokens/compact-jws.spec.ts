import { describe, expect, it } from '@jest/globals';
import { parseCompactJws } from '../../test/support/parse-compact-jws.js';
import { decodeJwsPayload, splitCompactJws } from './compact-jws.js';

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
    // 'c2k' spells 'si'; 'c2l' decodes to the same two bytes with an unused bit set (RFC 4648 §3.5).
    ['non-canonical signature (unused bits set)', `${b64({ alg: 'HS256' })}.${b64({})}.c2l`],
    ['dangling sixth-bit character', `${good.split('.').slice(0, 2).join('.')}.${b64('sig')}A`],
    ['payload that is not UTF-8', `${b64({ alg: 'HS256' })}.${Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString('base64url')}.${b64('s')}`],
  ])('refuses %s with a reason', (_name, token) => {
    expect(typeof parseCompactJws(token, 8192)).toBe('string');
  });
});

describe('splitCompactJws', () => {
  it('decodes the header and signature but leaves the payload encoded, even when it is garbage', () => {
    const garbagePayload = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64('not json at all')}.${b64('sig')}`;
    const split = splitCompactJws(garbagePayload, 8192);
    if (typeof split === 'string') throw new Error(split);
    expect(split.header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(split.payloadSegment).toBe(b64('not json at all'));
    expect(decodeJwsPayload(split.payloadSegment)).toBeNull();
    expect(parseCompactJws(garbagePayload, 8192)).toBe('payload is not a JSON object');
  });

  it('takes a header already known from the map instead of decoding it again', () => {
    const [h] = good.split('.');
    const known = new Map([[h, Object.freeze({ alg: 'HS256', typ: 'at+jwt', from: 'cache' })]]);
    const split = splitCompactJws(good, 8192, known);
    if (typeof split === 'string') throw new Error(split);
    expect(split.header).toBe(known.get(h));
    expect(split.headerSegment).toBe(h);
    // Only an exact segment hits: any other header is decoded (or refused) as usual.
    expect(splitCompactJws(`${b64('nope')}.${b64({})}.${b64('s')}`, 8192, known)).toBe('header is not a JSON object');
  });
});
