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
  return context.switchToHttp().getRequest();
}

/** The HTTP response, or `undefined` outside HTTP. */
export function responseFromContext(context: ExecutionContext): any {
  if (context.getType<string>() === 'graphql') return context.getArgByIndex(2)?.res ?? context.getArgByIndex(2)?.reply;
  return context.getType() === 'http' ? context.switchToHttp().getResponse() : undefined;
}
