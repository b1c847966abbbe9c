import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/** The request helpers passport 0.7's `authenticate` middleware sets on every request it runs on. */
export const PASSPORT_REQUEST_HELPERS = ['login', 'logIn', 'logout', 'logOut', 'isAuthenticated', 'isUnauthenticated', '_sessionManager'] as const;

type Slots = Record<(typeof PASSPORT_REQUEST_HELPERS)[number], unknown>;

// Every slot from the start, so filling them in never reshapes the record.
const emptySlots = (): Slots => ({
  login: undefined,
  logIn: undefined,
  logout: undefined,
  logOut: undefined,
  isAuthenticated: undefined,
  isUnauthenticated: undefined,
  _sessionManager: undefined,
});

const installed = new WeakSet<object>();

/**
 * Gives passport's request helpers a slot per request on an Express app's request
 * prototype, so setting them no longer adds properties to the request itself:
 * `req.isAuthenticated()` and the rest read and write as before. Why: Express swaps
 * each request's prototype, after which every property added to it builds a new
 * hidden class (docs/performance.md). A name the prototype already defines is left alone.
 */
export function installRequestSlots(requestPrototype: object): void {
  if (installed.has(requestPrototype)) return;
  installed.add(requestPrototype);
  const slots = new WeakMap<object, Slots>();
  for (const name of PASSPORT_REQUEST_HELPERS) {
    if (name in requestPrototype) continue;
    Object.defineProperty(requestPrototype, name, {
      configurable: true,
      enumerable: false,
      get(this: object) {
        return slots.get(this)?.[name];
      },
      set(this: object, value: unknown) {
        let own = slots.get(this);
        if (!own) slots.set(this, (own = emptySlots()));
        own[name] = value;
      },
    });
  }
}

type Adapter = { getType?(): string; getInstance?(): unknown };
type FastifyInstanceLike = { hasRequestDecorator(name: string): boolean; decorateRequest(name: string, value: null): unknown };

/**
 * Keeps passport's writes from reshaping requests: slots on Express (above); on Fastify, the names
 * declared with `decorateRequest(name, null)`, Fastify's own way to give every request them from
 * its constructor, so passport's writes store into fields each request already has.
 */
@Injectable()
export class PassportRequestHelpers implements OnModuleInit {
  constructor(@Optional() @Inject(HttpAdapterHost) private readonly host?: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.host?.httpAdapter as Adapter | undefined;
    const type = adapter?.getType?.();
    const instance = adapter?.getInstance?.();
    if (!instance) return;
    if (type === 'express') {
      const prototype = (instance as { request?: unknown }).request;
      if (prototype && typeof prototype === 'object') installRequestSlots(prototype);
    } else if (type === 'fastify') {
      declareOnFastify(instance as FastifyInstanceLike);
    }
  }
}

/** Declares the names a plugin (say @fastify/passport) has not already; a started instance is left as it is. */
export function declareOnFastify(fastify: FastifyInstanceLike): void {
  if (typeof fastify.decorateRequest !== 'function' || typeof fastify.hasRequestDecorator !== 'function') return;
  for (const name of PASSPORT_REQUEST_HELPERS) {
    if (fastify.hasRequestDecorator(name)) continue;
    try {
      fastify.decorateRequest(name, null);
    } catch {
      // Fastify refuses decorators once it has started (FST_ERR_DEC_AFTER_START): passport then adds them as before.
      return;
    }
  }
}
