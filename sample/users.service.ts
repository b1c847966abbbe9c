import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';

/** A stand-in for a real user table. */
export interface DemoUser {
  username: string;
  displayName: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

// A real app keeps password hashes (argon2, scrypt); the demo keeps digests so the comparison below is still constant-time.
const USERS = new Map<string, { user: DemoUser; password: Buffer }>([
  ['alice', { user: { username: 'alice', displayName: 'Alice' }, password: digest('wonderland') }],
  ['bob', { user: { username: 'bob', displayName: 'Bob' }, password: digest('builder') }],
]);
const NOBODY = digest('no such user');

@Injectable()
export class UsersService {
  // Each app instance gets its own copy of the demo table: a rename in one test (or instance) never leaks into another.
  private readonly users = new Map([...USERS].map(([name, entry]) => [name, { ...entry, user: { ...entry.user } }]));

  /** The user when the credentials match, otherwise `null`; takes as long for unknown users as for wrong passwords. */
  verify(username: string, password: string): DemoUser | null {
    const entry = this.users.get(username);
    const ok = timingSafeEqual(digest(password), entry?.password ?? NOBODY);
    return ok && entry ? { ...entry.user } : null;
  }

  /** Changes a demo user's display name (this instance's table only: the store carries it to every session). */
  rename(username: string, displayName: string): DemoUser | null {
    const entry = this.users.get(username);
    if (!entry) return null;
    entry.user.displayName = displayName;
    return { ...entry.user };
  }
}
