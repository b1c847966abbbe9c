/**
 * The memory store's live sessions per subject, least recently used first (a rotation moves a sid to
 * the end), so the per-subject cap finds its victim without a scan. Most subjects hold one session:
 * theirs is kept as a bare sid rather than a Set (the bench's bytes per session: docs/performance.md).
 */
export class MemorySubjectIndex {
  private readonly bySubject = new Map<string, string | Set<string>>();

  /** Adds `sid` as the subject's most recently used session. */
  add(sub: string, sid: string): void {
    const sids = this.bySubject.get(sub);
    if (sids === undefined) this.bySubject.set(sub, sid);
    else if (typeof sids === 'string') {
      if (sids !== sid) this.bySubject.set(sub, new Set([sids, sid]));
    } else {
      sids.delete(sid);
      sids.add(sid);
    }
  }

  delete(sub: string, sid: string): void {
    const sids = this.bySubject.get(sub);
    if (sids === sid) this.bySubject.delete(sub);
    else if (typeof sids === 'object' && sids.delete(sid) && sids.size === 1) {
      this.bySubject.set(sub, sids.values().next().value as string);
    }
  }

  count(sub: string): number {
    const sids = this.bySubject.get(sub);
    return sids === undefined ? 0 : typeof sids === 'string' ? 1 : sids.size;
  }

  /** The subject's sessions, least recently used first: a copy, so callers may revoke while they walk it. */
  list(sub: string): string[] {
    const sids = this.bySubject.get(sub);
    return sids === undefined ? [] : typeof sids === 'string' ? [sids] : [...sids];
  }
}
