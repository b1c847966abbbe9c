import { createHash } from 'node:crypto';

/** A Lua script and its SHA-1, for EVALSHA with EVAL as the fallback. */
export class LuaScript {
  readonly body: string;
  readonly sha: string;
  constructor(body: string) {
    this.body = PRELUDE + body;
    this.sha = createHash('sha1').update(this.body).digest('hex');
  }
}

/*
 * Key layout (P is the key prefix; T the first four characters of the sid, which newSessionId makes
 * the subject's tag, so every key of one subject shares one Redis Cluster slot):
 *   P s:{T}<sid>   hash: one session (short field names: there may be millions)
 *   P u:{T}<sub>   sorted set: the subject's sessions that are not revoked, scored by last use
 *   P e:{T}<sub>   hash: the subject's revocation epoch (at, r): sessions created before `at` are ended
 * Every script gets ARGV[1] = P, ARGV[2] = the announcement channel ('' for none), ARGV[3] = now (ms,
 * the application's clock: expiries are set relative to it, so Redis's clock need not agree).
 * Scripts reach keys of the same slot beyond KEYS (the index's members): same slot, so atomic on a Cluster too.
 * A session is live when it exists, has no 'x' (revoked at), has not ended (min of e, a) and its
 * stamp ('ep', set by a log-out-others that spared it, else 'ca') is not before the subject's epoch.
 */
const PRELUDE = `
local P, CH, NOW = ARGV[1], ARGV[2], tonumber(ARGV[3])
local function tag(sid) return string.sub(sid, 1, 4) end
local function skey(sid) return P .. 's:{' .. tag(sid) .. '}' .. sid end
local function ukey(t, sub) return P .. 'u:{' .. t .. '}' .. sub end
local function ekey(t, sub) return P .. 'e:{' .. t .. '}' .. sub end
-- Expiries are relative to NOW, the application's clock, never Redis's own: the two may disagree.
local function ttl(at) return string.format('%.0f', math.ceil(tonumber(at) - NOW)) end
local function expire(key, at) redis.call('PEXPIRE', key, ttl(at)) end
local function extend(key, at)
  if redis.call('PTTL', key) == -1 then expire(key, at) else redis.call('PEXPIRE', key, ttl(at), 'GT') end
end
local function epoch(t, sub)
  local v = redis.call('HMGET', ekey(t, sub), 'at', 'r')
  return tonumber(v[1]), v[2]
end
local function alive(key, eat)
  local s = redis.call('HMGET', key, 'x', 'e', 'a', 'ca', 'ep')
  if not s[4] or s[1] then return false end
  if math.min(tonumber(s[2]), tonumber(s[3])) <= NOW then return false end
  if eat and tonumber(s[5] or s[4]) < eat then return false end
  return true
end
local function announce(notice)
  if CH ~= '' then redis.call('PUBLISH', CH, cjson.encode(notice)) end
end
`;

/**
 * Writes a whole session (replacing whatever was under its sid) with its expiry. A login that began
 * before its subject's epoch is saved already revoked. Otherwise, beyond the cap, the subject's least
 * recently used live sessions are revoked first (ARGV: 4 retainUntil, 5 cap (0: none), 6 sid, 7 sub,
 * 8 createdAt, 9 lastUsedAt, 10 '1' if the fields say revoked, 11.. the fields). Returns the evicted sids.
 */
export const CREATE = new LuaScript(`
local retain, cap, sid, sub = ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]
local t = tag(sid)
local index = KEYS[2]
local old = redis.call('HGET', KEYS[1], 'u')
if old then redis.call('ZREM', ukey(t, old), sid) end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 11))
expire(KEYS[1], retain)
local evicted = {}
if ARGV[10] == '1' then return evicted end
local eat, reason = epoch(t, sub)
if eat and tonumber(ARGV[8]) < eat then
  redis.call('HSET', KEYS[1], 'x', tostring(eat), 'xr', reason)
  return evicted
end
if cap > 0 and redis.call('ZCARD', index) >= cap then
  local members = redis.call('ZRANGE', index, 0, -1)
  local count = #members
  for _, m in ipairs(members) do
    if count < cap then break end
    local key = skey(m)
    if alive(key, eat) then
      redis.call('HSET', key, 'x', ARGV[3], 'xr', 'session_limit')
      evicted[#evicted + 1] = m
      announce({ k = 's', sid = m })
    end
    redis.call('ZREM', index, m)
    count = count - 1
  end
end
redis.call('ZADD', index, ARGV[9], sid)
extend(index, retain)
return evicted
`);

/**
 * The compare-and-swap, with the subject's epoch and index in the same step: Redis runs a script
 * without interleaving any other command, so no other request, on any instance, can rotate the same
 * session, and a log-out-everywhere is either before it (refused) or after it (ends the new token).
 * The index entry is re-added unconditionally (ZADD GT: only ever raised), so a lost index heals.
 * ARGV: 4 expected generation, 5 expected hash, 6 generation, 7 hash, 8 previous hash, 9 rotatedAt,
 * 10 expiresAt, 11 lastUsedAt, 12 retention ms, 13/14 ip flag and value, 15/16 user agent, 17 sid.
 * Returns 1, or nil when the session is unknown, revoked, ended by the epoch or not as the caller read it.
 */
export const ROTATE = new LuaScript(`
local s = redis.call('HMGET', KEYS[1], 'g', 'h', 'x', 'a', 'u', 'ca', 'ep')
if not s[1] or s[3] then return nil end
if s[1] ~= ARGV[4] or s[2] ~= ARGV[5] then return nil end
local sid = ARGV[17]
local t = tag(sid)
local eat, reason = epoch(t, s[5])
if eat and tonumber(s[7] or s[6]) < eat then
  redis.call('HSET', KEYS[1], 'x', tostring(eat), 'xr', reason)
  return nil
end
redis.call('HSET', KEYS[1], 'g', ARGV[6], 'h', ARGV[7], 'p', ARGV[8], 'r', ARGV[9], 'e', ARGV[10], 'l', ARGV[11])
if ARGV[13] == '1' then redis.call('HSET', KEYS[1], 'ip', ARGV[14]) else redis.call('HDEL', KEYS[1], 'ip') end
if ARGV[15] == '1' then redis.call('HSET', KEYS[1], 'ua', ARGV[16]) else redis.call('HDEL', KEYS[1], 'ua') end
local retain = string.format('%.0f', math.ceil(math.min(tonumber(ARGV[10]), tonumber(s[4])) + tonumber(ARGV[12])))
expire(KEYS[1], retain)
local index = ukey(t, s[5])
redis.call('ZADD', index, 'GT', ARGV[11], sid)
extend(index, retain)
return 1
`);

/**
 * Revokes one live session (so exactly one of several concurrent revocations reports it), only if it
 * belongs to ARGV[7] when that is not ''. ARGV: 4 at, 5 reason, 6 sid, 7 owner. Returns 1 or 0.
 */
export const REVOKE = new LuaScript(`
local sid = ARGV[6]
local s = redis.call('HMGET', KEYS[1], 'g', 'x', 'u', 'ca', 'ep')
if not s[1] then return 0 end
-- Already revoked: written again unchanged, so a WAIT after this script also covers the revocation
-- an earlier, unacknowledged call made (the replication stream keeps writes in order).
if s[2] then
  redis.call('HSET', KEYS[1], 'x', s[2])
  return 0
end
if ARGV[7] ~= '' and s[3] ~= ARGV[7] then return 0 end
local t = tag(sid)
local eat = epoch(t, s[3])
if eat and tonumber(s[5] or s[4]) < eat then return 0 end
redis.call('HSET', KEYS[1], 'x', ARGV[4], 'xr', ARGV[5])
redis.call('ZREM', ukey(t, s[3]), sid)
announce({ k = 's', sid = sid })
return 1
`);

/**
 * Replaces the custom claims of a live session (not revoked, not ended by its subject's epoch), so its
 * next rotation on any instance signs them. ARGV: 4 claims as JSON, 5 sid. Returns 1 or 0.
 */
export const UPDATE_CLAIMS = new LuaScript(`
local s = redis.call('HMGET', KEYS[1], 'g', 'x', 'u', 'ca', 'ep')
if not s[1] or s[2] then return 0 end
local eat = epoch(tag(ARGV[5]), s[3])
if eat and tonumber(s[5] or s[4]) < eat then return 0 end
redis.call('HSET', KEYS[1], 'c', ARGV[4])
return 1
`);

/**
 * Log out everywhere (or all but one): raises the epoch (never lowers it), keeps it until ARGV[6],
 * revokes every live session the index lists, and stamps the spared session so the new epoch does
 * not cover it (only if it was live under the old one). KEYS: index, epoch.
 * ARGV: 4 at, 5 reason, 6 keepUntil, 7 spared sid or '', 8 sub. Returns how many it revoked.
 */
export const REVOKE_SUBJECT = new LuaScript(`
local at, reason, spared, sub = ARGV[4], ARGV[5], ARGV[7], ARGV[8]
local current = tonumber(redis.call('HGET', KEYS[2], 'at'))
local keep = false
if spared ~= '' then
  local key = skey(spared)
  keep = redis.call('HGET', key, 'u') == sub and alive(key, current)
end
if not current or tonumber(at) > current then redis.call('HSET', KEYS[2], 'at', at, 'r', reason) end
extend(KEYS[2], ARGV[6])
local count = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if m ~= spared then
    local key = skey(m)
    if alive(key, current) then
      redis.call('HSET', key, 'x', at, 'xr', reason)
      count = count + 1
    end
    redis.call('ZREM', KEYS[1], m)
  end
end
if keep then redis.call('HSET', skey(spared), 'ep', at) end
announce({ k = 'u', sub = sub, at = at, x = spared })
return count
`);

/**
 * The grace path's confirmation: the session is live and still has the generation and hash the caller
 * read (ARGV: 4 generation, 5 hash, 6 sid). Rewrites the generation unchanged, so the WAIT that follows
 * also covers the rotation that produced it. Returns 1 or 0.
 */
export const CONFIRM = new LuaScript(`
local s = redis.call('HMGET', KEYS[1], 'g', 'h', 'x', 'u', 'ca', 'ep')
if not s[1] or s[3] or s[1] ~= ARGV[4] or s[2] ~= ARGV[5] then return 0 end
local eat = epoch(tag(ARGV[6]), s[4])
if eat and tonumber(s[6] or s[5]) < eat then return 0 end
redis.call('HSET', KEYS[1], 'g', s[1])
return 1
`);

/** A session with its subject's epoch: { fields, epoch at, epoch reason }, or nil. */
export const GET = new LuaScript(`
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return nil end
local sub = redis.call('HGET', KEYS[1], 'u')
if not sub then return { h, false, false } end
local v = redis.call('HMGET', ekey(tag(ARGV[4]), sub), 'at', 'r')
return { h, v[1] or false, v[2] or false }
`);

/**
 * The sessions the subject's index lists, with its epoch: { epoch at, epoch reason, sid, fields, ... }.
 * Drops members whose session is gone or now belongs to another subject. ARGV: 4 sub.
 */
export const LIST = new LuaScript(`
local sub = ARGV[4]
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local v = redis.call('HMGET', KEYS[2], 'at', 'r')
local out = { v[1] or false, v[2] or false }
for _, m in ipairs(members) do
  local key = skey(m)
  if redis.call('HGET', key, 'u') == sub then
    out[#out + 1] = m
    out[#out + 1] = redis.call('HGETALL', key)
  else
    redis.call('ZREM', KEYS[1], m)
  end
end
return out
`);
