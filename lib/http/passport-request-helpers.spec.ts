import { describe, expect, it } from '@jest/globals';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { declareOnFastify, installRequestSlots, PASSPORT_REQUEST_HELPERS } from './passport-request-helpers.js';

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

// The Fastify instance Nest's adapter builds, as AuthModule meets it.
const Fastify = () => new FastifyAdapter().getInstance();

describe('declareOnFastify', () => {
  it("declares passport's names on a Fastify instance, so every request has them from its constructor", async () => {
    const fastify = Fastify();
    declareOnFastify(fastify);
    fastify.get('/', (request, reply) => {
      reply.send(PASSPORT_REQUEST_HELPERS.filter((n) => Object.prototype.hasOwnProperty.call(request, n)));
    });
    const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(address);
    expect(await res.json()).toEqual([...PASSPORT_REQUEST_HELPERS]);
    await fastify.close();
  });

  it('skips a name a plugin declared first, and leaves a started instance as it is', async () => {
    const fastify = Fastify();
    const logIn = () => 'plugin';
    fastify.decorateRequest('logIn', logIn);
    expect(() => declareOnFastify(fastify)).not.toThrow();
    expect(fastify.hasRequestDecorator('isAuthenticated')).toBe(true);
    const started = Fastify();
    await started.listen({ port: 0, host: '127.0.0.1' });
    expect(() => declareOnFastify(started)).not.toThrow();
    expect(started.hasRequestDecorator('isAuthenticated')).toBe(false);
    await Promise.all([fastify.close(), started.close()]);
  });
});
