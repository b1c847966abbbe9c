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

/** Installs the slots on the app's Express instance when the app runs on Express; does nothing elsewhere. */
@Injectable()
export class ExpressRequestSlots implements OnModuleInit {
  constructor(@Optional() @Inject(HttpAdapterHost) private readonly host?: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.host?.httpAdapter as { getType?(): string; getInstance?(): { request?: unknown } } | undefined;
    if (adapter?.getType?.() !== 'express') return;
    const prototype = adapter.getInstance?.()?.request;
    if (prototype && typeof prototype === 'object') installRequestSlots(prototype);
  }
}
