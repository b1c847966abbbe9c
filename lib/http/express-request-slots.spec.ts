import { describe, expect, it } from '@jest/globals';
import { installRequestSlots, PASSPORT_REQUEST_HELPERS } from './express-request-slots.js';

describe('installRequestSlots', () => {
  it('stores each helper per object, never as an own property, and reads back what was written', () => {
    const prototype = {};
    installRequestSlots(prototype);
    const a = Object.create(prototype) as Record<string, unknown>;
    const b = Object.create(prototype) as Record<string, unknown>;
    const fn = () => true;
    a.isAuthenticated = fn;
    a._sessionManager = 'sm';
    expect(a.isAuthenticated).toBe(fn);
    expect(a._sessionManager).toBe('sm');
    expect(b.isAuthenticated).toBeUndefined();
    expect(PASSPORT_REQUEST_HELPERS.filter((n) => Object.prototype.hasOwnProperty.call(a, n))).toEqual([]);
    expect(Object.keys(a)).toEqual([]);
  });

  it('is idempotent and keeps a name the prototype already has', () => {
    const own = () => 'own';
    const prototype: Record<string, unknown> = { logout: own };
    installRequestSlots(prototype);
    installRequestSlots(prototype);
    const req = Object.create(prototype) as Record<string, unknown>;
    expect(req.logout).toBe(own);
    req.logout = () => 'passport';
    expect(Object.prototype.hasOwnProperty.call(req, 'logout')).toBe(true);
    expect(typeof Object.getOwnPropertyDescriptor(prototype, 'login')?.get).toBe('function');
  });
});
