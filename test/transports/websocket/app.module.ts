import { Module, UseFilters, UseGuards } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { OnGatewayConnection, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { AuthExceptionFilter, AuthModule, bearerTokenExtractor, CurrentUser, JwtGuard } from '../../../lib/index.js';
import type { AccessTokenClaims } from '../../../lib/index.js';
import { gatewayAuthOptions, SwitchableStore } from '../support.js';

/** Subprotocol a browser offers first; the token rides as the second (browsers cannot set headers on a WebSocket). */
export const TOKEN_PROTOCOL = 'access_token';

/**
 * Reads the bearer header (Node clients) or, for browsers, the token offered
 * as the subprotocol after `access_token`: `new WebSocket(url, ['access_token', token])`.
 * Never the query string: URLs end up in logs.
 */
export function handshakeTokenExtractor(request: IncomingMessage | undefined): string | null {
  const header = bearerTokenExtractor(request as never);
  if (header) return header;
  const offered = request?.headers?.['sec-websocket-protocol'];
  if (typeof offered !== 'string') return null;
  const protocols = offered.split(',').map((p) => p.trim());
  const at = protocols.indexOf(TOKEN_PROTOCOL);
  return at >= 0 && protocols[at + 1] ? protocols[at + 1]! : null;
}

/**
 * `ws` sockets don't keep their upgrade request, so the gateway pins it on the
 * socket where `JwtGuard` looks (`client.request`); socket.io has `handshake` already.
 * Global filters never reach gateways in Nest, hence `@UseFilters` here.
 */
@WebSocketGateway({ path: '/ws', handleProtocols: (protocols: Set<string>) => (protocols.has(TOKEN_PROTOCOL) ? TOKEN_PROTOCOL : false) })
@UseGuards(JwtGuard)
@UseFilters(AuthExceptionFilter)
export class EventsGateway implements OnGatewayConnection {
  handleConnection(client: { request?: IncomingMessage }, request: IncomingMessage): void {
    client.request = request;
  }

  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: AccessTokenClaims, @CurrentUser('sub') sub: string) {
    return { event: 'whoami', data: { sub, sid: user.sid, role: user.role } };
  }
}

export const store = new SwitchableStore();


@Module({
  imports: [AuthModule.forRoot({ ...gatewayAuthOptions(handshakeTokenExtractor, store), isGlobal: true })],
  providers: [EventsGateway],
})
export class WebSocketAppModule {}
