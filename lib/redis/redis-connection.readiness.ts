import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { warnIfEvicting } from './redis-connection.js';

/**
 * Gives the first connection a bounded chance to come up, so requests arriving during start-up are
 * served rather than refused. After the connection has once been ready this never waits: an outage
 * must fail requests at once.
 */
export class ConnectionReadiness {
  private readonly logger = new Logger('RedisRefreshTokenStore');
  private wasReady = false;
  private evictionChecked: boolean;
  private firstConnection: Promise<void> | undefined;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly timeoutMs: number,
    checkEvictionPolicy: boolean,
  ) {
    this.evictionChecked = !checkEvictionPolicy;
  }

  async whenReady(): Promise<void> {
    const client = this.client;
    if (client.status === 'ready') {
      this.wasReady = true;
      if (!this.evictionChecked) this.checkEvictionPolicy();
      return;
    }
    if (this.wasReady || !['wait', 'connecting', 'connect'].includes(client.status)) return;
    // One wait shared by every operation arriving meanwhile: a listener set per request would pile up.
    this.firstConnection ??= this.waitForFirstConnection().finally(() => {
      this.firstConnection = undefined;
    });
    await this.firstConnection;
  }

  /** Once, on the first operation that finds the connection ready: never delays that operation. */
  private checkEvictionPolicy(): void {
    this.evictionChecked = true;
    void warnIfEvicting(this.client, this.logger).catch(() => undefined);
  }

  private waitForFirstConnection(): Promise<void> {
    const client = this.client;
    if (client.status === 'wait') client.connect().catch(() => undefined);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        client.off('close', done);
        client.off('end', done);
        if (client.status === 'ready') {
          this.wasReady = true;
          if (!this.evictionChecked) this.checkEvictionPolicy();
        }
        resolve();
      };
      const timer = setTimeout(done, this.timeoutMs);
      timer.unref();
      client.on('ready', done);
      client.on('close', done);
      client.on('end', done);
    });
  }
}
