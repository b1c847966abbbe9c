import { Module, UseFilters, UseGuards } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { AuthExceptionFilter, AuthModule, bearerTokenExtractor, CurrentUser, JwtGuard } from '../../../lib/index.js';
import type { AccessTokenClaims } from '../../../lib/index.js';
import { gatewayAuthOptions, SwitchableStore } from '../support.js';

/** The part of socket.io's `socket.handshake` the extractor reads (socket.io itself is only a transitive dependency). */
interface Handshake {
  headers?: Record<string, unknown>;
  auth?: Record<string, unknown>;
}

/**
 * Reads the bearer header (Node clients, or any client on long-polling) or, for browsers,
 * `io(url, { auth: { token } })`: a browser's WebSocket cannot carry headers, and socket.io
 * sends `auth` in its CONNECT packet, not the URL, so it stays out of access logs.
 * `auth` exists only on `handshake`, so this also shows the guard reads the handshake.
 */
export function handshakeTokenExtractor(handshake: Handshake | undefined): string | null {
  const header = bearerTokenExtractor(handshake);
  if (header) return header;
  const token = handshake?.auth?.token;
  return typeof token === 'string' && token.length > 0 ? token : null;
}

/**
 * Without a port, the gateway shares the app's own HTTP server (and its listening port).
 * No `handleConnection` hook: socket.io keeps the upgrade request on `client.handshake`,
 * where `JwtGuard` looks. Global filters never reach gateways in Nest, hence `@UseFilters` here.
 */
@WebSocketGateway()
@UseGuards(JwtGuard)
@UseFilters(AuthExceptionFilter)
export class EventsGateway {
  /** Answers through socket.io's acknowledgement, the idiomatic request/response over socket.io. */
  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: AccessTokenClaims, @CurrentUser('sub') sub: string) {
    return { sub, sid: user.sid, role: user.role };
  }
}

export const store = new SwitchableStore();


@Module({
  imports: [AuthModule.forRoot({ ...gatewayAuthOptions(handshakeTokenExtractor, store), isGlobal: true })],
  providers: [EventsGateway],
})
export class SocketIoAppModule {}
