/**
 * A script of the same origin on the client's BroadcastChannel: it reads
 * every message and posts whatever it likes, with any sender id. This is what
 * an XSS or a compromised dependency can do in a browser; in Node any code of
 * the process can do the same.
 */
export class HostileChannel {
  readonly seen: unknown[] = [];
  private readonly channel: BroadcastChannel;

  constructor(name: string, private readonly from = 'hostile-tab') {
    this.channel = new BroadcastChannel(name);
    (this.channel as unknown as { unref?: () => void }).unref?.();
    this.channel.onmessage = (event) => void this.seen.push(event.data);
  }

  /** Posts a message in the client's envelope. */
  post(body: Record<string, unknown>, from = this.from): void {
    this.channel.postMessage({ ns: 'nestjs-jwt-refresh/1', from, body });
  }

  /** Every message heard, as JSON text (to search for a token). */
  get transcript(): string {
    return JSON.stringify(this.seen);
  }

  close(): void {
    this.channel.close();
  }
}
