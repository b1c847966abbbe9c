import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';

/** The machine's PostgreSQL (trust auth). Tests only ever create and drop databases of their own on it. */
export const POSTGRES_ADMIN_URL = process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database made for one test file, with a random name, dropped (connections and all) by `drop()`. */
export class TestPostgresDatabase {
  private constructor(readonly name: string) {}

  static async create(): Promise<TestPostgresDatabase> {
    const name = `njr_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin((client) => client.query(`CREATE DATABASE "${name}"`));
    return new TestPostgresDatabase(name);
  }

  /** This database's URL, optionally through another port (a proxy in front of the server). */
  url(port?: number): string {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${this.name}`;
    if (port !== undefined) url.port = String(port);
    return url.toString();
  }

  /**
   * A pool on this database for the test's own checks; end it when done. `pool.end()` resolves before
   * its connections have closed, so `drop()` right after can terminate one while it closes: pg then
   * emits 'error' on the pool, and an unheard 'error' would crash whichever test file runs next.
   */
  pool(max = 4): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.url(), max });
    pool.on('error', () => undefined);
    return pool;
  }

  async drop(): Promise<void> {
    await admin((client) => client.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`));
  }
}

async function admin(work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A TCP proxy on a loopback port in front of PostgreSQL, which a test cuts (every connection reset,
 * new ones refused), stalls (connections accepted, nothing forwarded) or restores. It stands for the
 * network between an app and its database; the server itself is never touched.
 */
export class PostgresProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private mode: 'open' | 'cut' | 'stalled' = 'open';

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target = new URL(POSTGRES_ADMIN_URL)): Promise<PostgresProxy> {
    const targetPort = Number(target.port || 5432);
    let proxy: PostgresProxy | undefined;
    const server = createServer((socket) => proxy!.accept(socket, target.hostname, targetPort));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new PostgresProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  /** Resets every open connection and refuses new ones (they are accepted and reset at once). */
  cut(): void {
    this.mode = 'cut';
    for (const [client, upstream] of this.pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
  }

  /** Keeps connections open but forwards nothing: a database that stopped answering. */
  stall(): void {
    this.mode = 'stalled';
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
    }
  }

  /** Forwards again; connections cut before stay cut, stalled ones resume. */
  restore(): void {
    if (this.mode === 'stalled') for (const pair of this.pairs) this.join(pair);
    this.mode = 'open';
  }

  async stop(): Promise<void> {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(port, host);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    for (const socket of pair) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    if (this.mode === 'open') this.join(pair);
  }

  private join([client, upstream]: [Socket, Socket]): void {
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
