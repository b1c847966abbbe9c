import type { ExecutionContext } from '@nestjs/common';

/**
 * Finds the HTTP request behind any execution context. The stock passport guard
 * only knows `switchToHttp()`, which is why an expired token in a GraphQL
 * resolver became a 500 (nestjs/passport #14).
 */
export function requestFromContext(context: ExecutionContext): any {
  const type = context.getType<string>();
  if (type === 'graphql') {
    const gqlContext = context.getArgByIndex(2);
    return gqlContext?.req ?? gqlContext?.request ?? gqlContext?.extra?.request;
  }
  if (type === 'ws') {
    const client = context.switchToWs().getClient();
    // socket.io keeps the upgrade headers on `handshake`; `ws` clients get them attached by the gateway.
    return client?.handshake ?? client?.upgradeReq ?? client?.request ?? client;
  }
  if (type === 'rpc') return context.switchToRpc().getContext();
  return httpArg(context, 0);
}

/** The HTTP response, or `undefined` outside HTTP. */
export function responseFromContext(context: ExecutionContext): any {
  const type = context.getType<string>();
  if (type === 'graphql') {
    const gqlContext = context.getArgByIndex(2);
    // Apollo on Express puts only `req` in the default context; Express links the response to it.
    // A Fastify request has no such link: there the context must carry `reply` (or `res`).
    return gqlContext?.res ?? gqlContext?.reply ?? gqlContext?.req?.res;
  }
  return type === 'http' ? httpArg(context, 1) : undefined;
}

// An HTTP context's arguments are (request, response, next): reading them by index is what
// switchToHttp() does, minus the three closures Nest's context builds on every call of it.
// A hand-made context without getArgByIndex (a test double) still goes through switchToHttp().
function httpArg(context: ExecutionContext, index: 0 | 1): any {
  if (typeof context.getArgByIndex === 'function') return context.getArgByIndex(index);
  const http = context.switchToHttp();
  return index === 0 ? http.getRequest() : http.getResponse();
}
