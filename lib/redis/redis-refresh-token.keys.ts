import { createHash, randomBytes } from 'node:crypto';

/**
 * The keys of one store, laid out as the scripts build them too (see redis-refresh-token.scripts.ts).
 * Each carries the first four characters of the sid, or the subject's tag, in braces: a Cluster hash
 * tag, so a subject's sessions, index and epoch share one slot and one script can touch them all.
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  session(sid: string): string {
    return `${this.prefix}s:{${sid.slice(0, 4)}}${sid}`;
  }

  subject(sub: string): string {
    return `${this.prefix}u:{${subjectTag(sub)}}${sub}`;
  }

  epoch(sub: string): string {
    return `${this.prefix}e:{${subjectTag(sub)}}${sub}`;
  }
}

/** A new session id: the subject's tag, so the session lands on the subject's slot, then 104 random bits. */
export function sessionIdFor(sub: string): string {
  return Buffer.concat([subjectTagBytes(sub), randomBytes(13)]).toString('base64url');
}

/** The tag a session id made by `sessionIdFor` for this subject begins with. */
export function subjectTag(sub: string): string {
  return subjectTagBytes(sub).toString('base64url');
}

/** The first three bytes of SHA-256 of the subject: 24 bits, four base64url characters, spread over every slot. */
function subjectTagBytes(sub: string): Buffer {
  return createHash('sha256').update(sub, 'utf8').digest().subarray(0, 3);
}
