import type { Server } from 'node:http';
import { connect } from 'node:net';

/** What came back on the wire, or `status: null` when the server closed without answering. */
export interface RawResponse {
  status: number | null;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `GET path` with the Authorization value given as raw bytes. HTTP client
 * libraries refuse control characters and non-Latin-1 text in header values, so
 * the bytes an attacker could send are only reachable through a bare socket.
 */
export function rawGet(server: Server, path: string, authorization: Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server is not listening on a TCP port');
  return new Promise((resolve, reject) => {
    const socket = connect(address.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    // A server that refuses a huge header may reset the connection while we still write; what it sent first still counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
    });
    socket.write(
      Buffer.concat([
        Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: `, 'latin1'),
        authorization,
        Buffer.from('\r\n\r\n', 'latin1'),
      ]),
    );
  });
}

function parseResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: match ? Number(match[1]) : null, headers, body: end < 0 ? '' : text.slice(end + 4) };
}
