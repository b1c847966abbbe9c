import { Test } from '@nestjs/testing';
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthModule } from '../../lib/auth.module.js';
import { AuthStoreUnavailableException } from '../../lib/errors/auth-store-unavailable.exception.js';
import { AuthException } from '../../lib/errors/auth.exception.js';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';
import { RefreshService } from '../../lib/refresh/refresh.service.js';
import { AccessTokenService } from '../../lib/tokens/access-token.service.js';
import type { TestRedisCluster } from '../support/redis-cluster.js';

/** What a failover under load did, counted. */
export interface FailoverCounts {
  /** 503 AUTH_STORE_UNAVAILABLE answers during the run. */
  unavailable: number;
  /** From the master's death to the first write acknowledged on its shard again. */
  recoveredAfterMs: number;
  acknowledged: { rotations: number; revocations: number; logins: number };
  /** Acknowledged writes the store no longer reflects afterwards. */
  lost: { rotations: number; revocations: number; logins: number };
}

const SUBJECTS = 6;
// The 503s logged during the gap are expected here; progress goes to NJR_FAILOVER_LOG when set.
const QUIET = { log() {}, error() {}, warn() {}, debug() {}, verbose() {}, fatal() {} };
const trace = (...parts: unknown[]) => {
  if (process.env.NJR_FAILOVER_LOG) appendFileSync(process.env.NJR_FAILOVER_LOG, `${new Date().toISOString()} ${parts.map(String).join(' ')}\n`);
};
const ROTATORS = 12;

/**
 * Rotates, logs in and revokes on one shard while its replica is paused (SIGSTOP), its master killed
 * (SIGKILL), the replica resumed and promoted, and the old master restarted (it rejoins as a replica).
 * The store waits for one replica on every write, so an answer given is a write the replica has.
 */
export async function failoverUnderLoad(cluster: TestRedisCluster, keyPrefix: string): Promise<FailoverCounts> {
  const store = new RedisRefreshTokenStore({ cluster: { nodes: cluster.seeds }, keyPrefix, waitForReplicas: { replicas: 1, timeoutMs: 300 } });
  const ref = await Test.createTestingModule({
    imports: [
      AuthModule.forRoot({
        secret: 'cluster-failover-secret-of-at-least-32-bytes',
        refreshTokenSecret: 'cluster-failover-refresh-secret-32-bytes!!',
        store,
        // Long enough that a rotation applied but not acknowledged (the client retries it) is still in its grace after the failover.
        reuseGrace: 300,
        maxSessionsPerSubject: 1000,
        sessionCheck: { cacheTtl: 0 },
      }),
    ],
  })
    .setLogger(QUIET)
    .compile();
  await ref.init();
  const service = ref.get(RefreshService);
  const sidOf = (token: string) => ref.get(AccessTokenService).verify(token).sid as string;
  try {
    // Subjects whose keys all sit on one shard: the one that fails over.
    const probe = await cluster.roles(`${keyPrefix}u:{${store.newSessionId('user-0').slice(0, 4)}}user-0`);
    const subjects: string[] = [];
    for (let i = 0; subjects.length < SUBJECTS; i++) {
      const sub = `user-${i}`;
      const roles = await cluster.roles(`${keyPrefix}u:{${store.newSessionId(sub).slice(0, 4)}}${sub}`);
      if (roles.master === probe.master) subjects.push(sub);
    }
    const { master, replica } = probe;

    let unavailable = 0;
    const acknowledged = { rotations: 0, revocations: 0, logins: 0 };
    const held: string[] = [];
    for (let i = 0; i < ROTATORS; i++) held.push((await service.issue(subjects[i % SUBJECTS])).refreshToken);
    const logins: Array<{ token: string; sid: string; revoked: boolean; uncertain?: boolean }> = [];
    let stop = false;
    let killedAt = Infinity;
    let recoveredAt = Infinity;
    const wrote = () => {
      if (Date.now() > killedAt && recoveredAt === Infinity) recoveredAt = Date.now();
    };
    const failed = async (err: unknown) => {
      if (!(err instanceof AuthStoreUnavailableException)) throw err;
      unavailable++;
      await sleep(20);
    };

    const rotator = async (i: number) => {
      while (!stop) {
        try {
          // A client retries with the token it holds until it gets an answer: applied-but-unanswered rotations come back through the grace.
          held[i] = (await service.rotate(held[i])).refreshToken;
          acknowledged.rotations++;
          wrote();
        } catch (err) {
          await failed(err);
        }
      }
    };
    const loginsAndLogouts = async () => {
      for (let k = 0; !stop; k++) {
        try {
          const pair = await service.issue(subjects[k % SUBJECTS]);
          logins.push({ token: pair.refreshToken, sid: sidOf(pair.accessToken), revoked: false });
          acknowledged.logins++;
          wrote();
          const victim = logins.find((l) => !l.revoked && !l.uncertain && l !== logins[logins.length - 1]);
          if (victim) {
            // Unanswered, a revocation may or may not have happened: such a session is not counted either way.
            victim.uncertain = true;
            if (await service.revokeSession(victim.sid)) {
              victim.revoked = true;
              acknowledged.revocations++;
            }
            victim.uncertain = false;
          }
        } catch (err) {
          await failed(err);
        }
        await sleep(30);
      }
    };

    const load = Promise.all([...held.map((_, i) => rotator(i)), loginsAndLogouts()]);
    await sleep(1500);
    trace('pause replica', replica, acknowledged.rotations, unavailable);
    cluster.pause(replica);
    await sleep(2000);
    trace('kill master', master, acknowledged.rotations, unavailable);
    await cluster.kill(master);
    killedAt = Date.now();
    await sleep(300);
    cluster.resume(replica);
    trace('resumed replica');
    // The paused replica is promoted once the others agree its master is gone (cluster-node-timeout).
    const deadline = Date.now() + 40_000;
    while ((await cluster.roles(`${keyPrefix}u:{${store.newSessionId(subjects[0]).slice(0, 4)}}${subjects[0]}`).catch(() => probe)).master !== replica) {
      if (Date.now() > deadline) throw new Error('the replica was never promoted');
      await sleep(200);
    }
    trace('promoted', acknowledged.rotations, unavailable);
    // The old master comes back and rejoins as the new master's replica: writes can be acknowledged again.
    await cluster.restart(master);
    while (recoveredAt === Infinity && Date.now() < deadline) await sleep(100);
    trace('recovered', recoveredAt - killedAt, acknowledged.rotations, unavailable);
    await sleep(1000);
    stop = true;
    await load;
    trace('load stopped');

    // Every acknowledged write must still be there.
    const lost = { rotations: 0, revocations: 0, logins: 0 };
    for (const token of held) {
      const outcome = await service.rotate(token).then(() => 'live', (err) => (expectCoded(err), describe(err)));
      if (outcome !== 'live') {
        lost.rotations++;
        trace('lost rotation', outcome);
      }
    }
    for (const login of logins) {
      if (login.uncertain) continue;
      const outcome = await service.rotate(login.token).then(() => 'live', (err) => (expectCoded(err), (err as AuthException).code));
      if (login.revoked && outcome !== 'REFRESH_TOKEN_REVOKED') lost.revocations++;
      if (!login.revoked && outcome !== 'live') lost.logins++;
    }
    const counts = { unavailable, recoveredAfterMs: recoveredAt - killedAt, acknowledged, lost };
    trace('counts', JSON.stringify(counts));
    return counts;
  } finally {
    await ref.close();
  }
}

function describe(err: unknown): string {
  const e = err as AuthException;
  return `${e.code} ${JSON.stringify(e.getResponse())}`;
}

function expectCoded(err: unknown): false {
  if (!(err instanceof AuthException)) throw err;
  return false;
}
