/**
 * The soak's clients: many sessions, each held by one simulated user who rotates its refresh
 * token, calls /me, replays its token the way honest clients do (two tabs at once, a retried
 * request), logs out and back in, and now and then replays an old token on purpose. Every
 * response is checked against what that client should get; anything else is counted.
 */

const USERS = [
  { username: 'alice', password: 'wonderland' },
  { username: 'bob', password: 'builder' },
] as const;

/** What the driver counted. */
export class SoakCounters {
  requests = 0;
  transportErrors = 0;
  /** `"<endpoint> <status> <code>"` → count, e.g. `"refresh 401 REFRESH_TOKEN_REUSED"`. */
  readonly statuses = new Map<string, number>();
  logins = 0;
  rotations = 0;
  /** Replays of the just-retired token answered by the grace window (parallel or retried). */
  graceReplays = 0;
  parallelPairs = 0;
  retriedRefreshes = 0;
  /** Parallel or retried refreshes of one token that got two different successors: a forked session. */
  forks = 0;
  meCalls = 0;
  logouts = 0;
  provokedReuse = 0;
  provokedReuseDetected = 0;
  /** REFRESH_TOKEN_REVOKED / TOKEN_REVOKED answers the client expected (after its logout or its replay). */
  provokedRevocations = 0;
  /** REFRESH_TOKEN_REUSED the client did not provoke. */
  falseReuse = 0;
  /** REFRESH_TOKEN_REVOKED or TOKEN_REVOKED the client did not provoke. */
  falseRevoked = 0;
  serverErrors = 0;
  /** Any other answer that differs from the contract (a 200 where a 401 was due, a wrong code...). */
  unexpected = 0;
  /** The first few anomalies, for the report. */
  readonly anomalies: string[] = [];
  readonly latenciesMs: number[] = [];

  note(anomaly: string): void {
    if (this.anomalies.length < 12) this.anomalies.push(anomaly);
  }
}

interface Reply {
  status: number;
  code: string | undefined;
  body: any;
  instance: number;
}

interface ClientSession {
  user: (typeof USERS)[number];
  access: string | undefined;
  refresh: string | undefined;
  /** Refresh tokens this session retired, oldest first (the last few only). */
  retired: string[];
  busy: boolean;
}

type Endpoint = 'login' | 'refresh' | 'me' | 'logout';

export interface DriveOptions {
  urls: string[];
  sessions: number;
  concurrency: number;
  /** Stop starting actions at this time (ms since epoch). */
  deadline: number;
  /** Checked between actions; true stops early (Ctrl-C). */
  aborted: () => boolean;
  random?: () => number;
}

export class SoakDriver {
  readonly counters = new SoakCounters();
  private readonly sessions: ClientSession[];
  private readonly random: () => number;

  constructor(private readonly options: DriveOptions) {
    this.random = options.random ?? Math.random;
    this.sessions = Array.from({ length: options.sessions }, (_, i) => ({
      user: USERS[i % USERS.length],
      access: undefined,
      refresh: undefined,
      retired: [],
      busy: false,
    }));
  }

  /** Runs `concurrency` workers until the deadline (or abort), then waits for the actions in flight. */
  async run(): Promise<void> {
    const workers = Array.from({ length: this.options.concurrency }, () => this.worker());
    await Promise.all(workers);
  }

  private async worker(): Promise<void> {
    while (Date.now() < this.options.deadline && !this.options.aborted()) {
      const session = this.pickIdle();
      if (!session) {
        // More workers than sessions: wait for one to come free.
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      session.busy = true;
      try {
        await this.act(session);
      } finally {
        session.busy = false;
      }
    }
  }

  private pickIdle(): ClientSession | undefined {
    const n = this.sessions.length;
    const start = Math.floor(this.random() * n);
    for (let i = 0; i < n; i++) {
      const s = this.sessions[(start + i) % n];
      if (!s.busy) return s;
    }
    return undefined;
  }

  private instance(): number {
    return Math.floor(this.random() * this.options.urls.length);
  }

  private async act(s: ClientSession): Promise<void> {
    if (!s.refresh) return this.login(s);
    const roll = this.random();
    if (roll < 0.45) return this.rotate(s);
    if (roll < 0.55) return this.parallelPair(s);
    if (roll < 0.6) return this.retriedRefresh(s);
    if (roll < 0.87) return this.me(s);
    if (roll < 0.97) return this.logoutAndBack(s);
    return this.provokeReuse(s);
  }

  private async login(s: ClientSession): Promise<void> {
    const r = await this.call('login', this.instance(), 'POST', '/auth/login', { json: { username: s.user.username, password: s.user.password } });
    if (this.expectOk(r, 'login', 200, s)) {
      this.counters.logins++;
      this.adopt(s, r.body, true);
    }
  }

  private async rotate(s: ClientSession): Promise<void> {
    const r = await this.refresh(s.refresh!, this.instance());
    if (this.expectOk(r, 'refresh', 200, s)) {
      this.counters.rotations++;
      this.adopt(s, r.body);
    }
  }

  /** Two tabs refreshing at once with the same token, each on an instance picked at random. */
  private async parallelPair(s: ClientSession): Promise<void> {
    const token = s.refresh!;
    const [a, b] = await Promise.all([this.refresh(token, this.instance()), this.refresh(token, this.instance())]);
    this.counters.parallelPairs++;
    const okA = this.expectOk(a, 'refresh', 200, s);
    const okB = this.expectOk(b, 'refresh', 200, s);
    // A failed half may have revoked the session (a false reuse): the client starts over rather than
    // counting the consequences of one anomaly again on its next requests.
    if (!okA || !okB) return;
    this.counters.rotations++;
    this.counters.graceReplays++;
    if (a.body.refreshToken !== b.body.refreshToken) {
      this.counters.forks++;
      this.counters.note(`fork: parallel refreshes on instances ${a.instance} and ${b.instance} got different successors`);
    }
    this.adopt(s, a.body);
  }

  /** A refresh whose response was lost, retried with the same token on another instance. */
  private async retriedRefresh(s: ClientSession): Promise<void> {
    const token = s.refresh!;
    const first = await this.refresh(token, this.instance());
    if (!this.expectOk(first, 'refresh', 200, s)) return;
    this.counters.rotations++;
    const retry = await this.refresh(token, this.instance());
    this.counters.retriedRefreshes++;
    if (!this.expectOk(retry, 'refresh', 200, s)) return;
    this.counters.graceReplays++;
    if (retry.body.refreshToken !== first.body.refreshToken) {
      this.counters.forks++;
      this.counters.note(`fork: a retried refresh (instances ${first.instance} then ${retry.instance}) got a different successor`);
    }
    this.adopt(s, retry.body);
  }

  private async me(s: ClientSession): Promise<void> {
    const r = await this.call('me', this.instance(), 'GET', '/me', { token: s.access });
    this.counters.meCalls++;
    if (this.expectOk(r, 'me', 200, s) && r.body?.user?.sub !== s.user.username) {
      this.counters.unexpected++;
      this.counters.note(`me: expected sub ${s.user.username}, got ${JSON.stringify(r.body?.user?.sub)}`);
    }
  }

  /** Logout, check that the session is really over, then log in again. */
  private async logoutAndBack(s: ClientSession): Promise<void> {
    const at = this.instance();
    const out = await this.call('logout', at, 'POST', '/auth/logout', { token: s.access });
    if (!this.expectOk(out, 'logout', 204, s)) return;
    this.counters.logouts++;
    await this.expectRevoked(s, at);
    await this.login(s);
  }

  /** Replays a token retired two rotations back: must be REUSED, and the session must be over. */
  private async provokeReuse(s: ClientSession): Promise<void> {
    if (s.retired.length < 2) return this.rotate(s);
    const stale = s.retired[s.retired.length - 2];
    const at = this.instance();
    this.counters.provokedReuse++;
    const r = await this.refresh(stale, at);
    if (r.status === 401 && r.code === 'REFRESH_TOKEN_REUSED') {
      this.counters.provokedReuseDetected++;
    } else {
      this.counters.unexpected++;
      this.counters.note(`provoked reuse on instance ${at} answered ${r.status} ${r.code ?? ''}`);
      if (r.status >= 500) this.counters.serverErrors++;
    }
    await this.expectRevoked(s, at);
    await this.login(s);
  }

  /**
   * After a logout or a detected reuse on instance `at`: the refresh token is REVOKED on any
   * instance, and the access token is refused at once by `at` (its own revocations skip the cache).
   */
  private async expectRevoked(s: ClientSession, at: number): Promise<void> {
    const r = await this.refresh(s.refresh!, this.instance());
    this.expectProvoked(r, 'REFRESH_TOKEN_REVOKED');
    const me = await this.call('me', at, 'GET', '/me', { token: s.access });
    this.expectProvoked(me, 'TOKEN_REVOKED');
    s.access = s.refresh = undefined;
    s.retired = [];
  }

  private expectProvoked(r: Reply, code: string): void {
    if (r.status === 401 && r.code === code) {
      this.counters.provokedRevocations++;
      return;
    }
    if (r.status >= 500) this.counters.serverErrors++;
    this.counters.unexpected++;
    this.counters.note(`expected 401 ${code} from instance ${r.instance}, got ${r.status} ${r.code ?? ''}`);
  }

  private refresh(token: string, instance: number): Promise<Reply> {
    return this.call('refresh', instance, 'POST', '/auth/refresh', { json: { refreshToken: token } });
  }

  /** Takes a token pair; a refresh retires the previous refresh token. */
  private adopt(s: ClientSession, pair: { accessToken: string; refreshToken: string }, fresh = false): void {
    if (fresh) s.retired = [];
    else if (s.refresh && s.refresh !== pair.refreshToken) {
      s.retired.push(s.refresh);
      if (s.retired.length > 3) s.retired.shift();
    }
    s.access = pair.accessToken;
    s.refresh = pair.refreshToken;
  }

  /**
   * Checks an answer that should be a success. Anything else is classified; a session left in an
   * unknown state logs in again on its next turn.
   */
  private expectOk(r: Reply, endpoint: Endpoint, status: number, s: ClientSession): boolean {
    if (r.status === status) return true;
    const c = this.counters;
    if (r.status >= 500) c.serverErrors++;
    else if (r.code === 'REFRESH_TOKEN_REUSED') c.falseReuse++;
    else if (r.code === 'REFRESH_TOKEN_REVOKED' || r.code === 'TOKEN_REVOKED') c.falseRevoked++;
    else if (r.status !== 0) c.unexpected++;
    c.note(`${endpoint} on instance ${r.instance}: expected ${status}, got ${r.status} ${r.code ?? ''} ${r.status >= 500 || r.status === 0 ? JSON.stringify(r.body)?.slice(0, 160) : ''}`.trim());
    s.access = s.refresh = undefined;
    s.retired = [];
    return false;
  }

  private async call(endpoint: Endpoint, instance: number, method: string, path: string, init: { token?: string; json?: unknown }): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    this.counters.requests++;
    let status = 0;
    let body: any;
    try {
      const res = await fetch(this.options.urls[instance] + path, {
        method,
        headers,
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
        signal: AbortSignal.timeout(30_000),
      });
      status = res.status;
      const text = await res.text();
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
    } catch (err) {
      this.counters.transportErrors++;
      body = (err as Error).message;
    }
    this.counters.latenciesMs.push(performance.now() - started);
    const code = typeof body?.code === 'string' ? (body.code as string) : undefined;
    const key = `${endpoint} ${status || 'ERR'}${code ? ` ${code}` : ''}`;
    this.counters.statuses.set(key, (this.counters.statuses.get(key) ?? 0) + 1);
    return { status, code, body, instance };
  }
}
