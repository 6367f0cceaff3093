"""The redis backend: state shared by several processes. `--state redis://HOST:PORT/DB[?prefix=P]`.

Layout (all keys start with the prefix, default "fieldsim:", so tests can share one redis):
  kv:<api>:<coll>   hash key -> JSON        kvo:<api>:<coll>  sorted set key -> insertion seq
  colls:<api>       set of collection names ctr:<api>         hash counter -> last id
  meta              hash name -> JSON       journal           list (RPUSH + LTRIM)
  bucket:<client>   hash tokens/stamp       inflight:<client> sorted set request id -> expiry (ms)
  lock:<scope>      redis-py Lock
Every read-modify-write that must be atomic across processes is a Lua script (EVALSHA; redis-py's
Script re-loads it after SCRIPT FLUSH or a redis restart). Connection errors become
BackendUnavailable (503); redis-py reconnects by itself once redis is back.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import LockError
from redis.retry import Retry

from simulators.core.errors import BackendUnavailable
from simulators.core.store import Backend, backend_errors, dumps, loads

log = logging.getLogger("fieldsim")

LOCK_TIMEOUT = 60.0  # a lock held by a process that died frees itself after this long
INFLIGHT_TTL_MS = 60_000  # an in-flight slot of a process that died frees itself after this long

PUT = """
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
end
redis.call('SADD', KEYS[4], ARGV[3])
"""

NEXT_ID = """
local start = tonumber(ARGV[2])
local v = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or (start - 1))
v = math.max(v + 1, start)
redis.call('HSET', KEYS[1], ARGV[1], v)
return v
"""

# The limiter's two steps as Lua functions: run alone, or both in one round trip (ADMIT).
# bucket: the same arithmetic as store._bucket_math, on doubles, so redis admits exactly what memory
# admits. inflight: slots are request ids with an expiry, so a process killed mid-request cannot
# leak its slots.
LIMITER_LUA = """
local function bucket(key, set, rate, burst, now, ttl)
  local st = redis.call('HMGET', key, 't', 's')
  local tokens, stamp = burst, now
  if st[1] then tokens, stamp = tonumber(st[1]), tonumber(st[2]) end
  now = math.max(now, stamp)  -- as store._bucket_math: the stamp never goes back
  tokens = math.min(burst, tokens + (now - stamp) * rate)
  local wait = 0
  if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
  redis.call('HSET', key, 't', string.format('%.17g', tokens), 's', string.format('%.17g', now))
  redis.call('PEXPIRE', key, ttl)
  redis.call('SADD', set, key)
  return wait
end
local function inflight(key, cap, rid, ttl)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= cap then return 0 end
  redis.call('ZADD', key, now + ttl, rid)
  redis.call('PEXPIRE', key, ttl)
  return 1
end
"""
BUCKET_TAKE = LIMITER_LUA + """
return string.format('%.17g', bucket(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]))
"""
INFLIGHT_ACQUIRE = LIMITER_LUA + """
return inflight(KEYS[1], tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]))
"""
# KEYS inflight, bucket, buckets; ARGV cap, rid, inflight ttl, rate, burst, now, bucket ttl.
# Returns false (in-flight cap reached) or the bucket's wait; a request the bucket refuses gives
# its slot back at once.
ADMIT = LIMITER_LUA + """
if inflight(KEYS[1], tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])) == 0 then return false end
local wait = bucket(KEYS[2], KEYS[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7])
if wait > 0 then redis.call('ZREM', KEYS[1], ARGV[2]) end
return string.format('%.17g', wait)
"""

RESET_BUCKETS = """
local gone = {}
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if string.sub(key, 1, #ARGV[1]) == ARGV[1] then gone[#gone + 1] = key end
end
for i = 1, #gone, 500 do
  local part = {unpack(gone, i, math.min(i + 499, #gone))}
  redis.call('DEL', unpack(part))
  redis.call('SREM', KEYS[1], unpack(part))
end
"""


def split_url(url: str) -> tuple[str, str | None]:
    """Take our own `prefix` query parameter out of the URL (redis-py would refuse it)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((v for k, v in query if k == "prefix"), None)
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    if parts.scheme == "unix" and not parts.netloc:  # urlunsplit would write unix:/path, which redis-py refuses
        return f"unix://{parts.path}" + (f"?{rest}" if rest else ""), prefix
    return urlunsplit(parts._replace(query=rest)), prefix


class _ScopeLock:
    """Per scope: threads of this process queue on an RLock; the outermost holder owns the redis lock."""

    def __init__(self):
        self.local = threading.RLock()
        self.depth = 0
        self.remote = None


class RedisBackend(Backend):
    def __init__(self, url: str, prefix: str | None = None, *, lock_timeout: float = LOCK_TIMEOUT,
                 inflight_ttl_ms: int = INFLIGHT_TTL_MS):
        clean, url_prefix = split_url(url)
        self.url = clean
        self.prefix = prefix if prefix is not None else (url_prefix if url_prefix is not None else "fieldsim:")
        self.lock_timeout = lock_timeout
        self.inflight_ttl_ms = inflight_ttl_ms
        # few, quick retries: one reconnect after redis restarted, but a fast 503 while it is down
        self.client = redis.Redis.from_url(
            clean, socket_connect_timeout=2, socket_timeout=10, health_check_interval=30,
            retry=Retry(ExponentialBackoff(cap=0.1, base=0.02), 2))
        self._put = self.client.register_script(PUT)
        self._next_id = self.client.register_script(NEXT_ID)
        self._bucket = self.client.register_script(BUCKET_TAKE)
        self._inflight = self.client.register_script(INFLIGHT_ACQUIRE)
        self._admit = self.client.register_script(ADMIT)
        self._reset_buckets = self.client.register_script(RESET_BUCKETS)
        self._scopes: dict[str, _ScopeLock] = {}
        self._held: dict[str, list[str]] = {}  # in-flight request ids this process holds, per client
        self._orphans: list[tuple[str, str]] = []  # slots whose release failed while redis was down
        self._guard = threading.Lock()

    def k(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    # -- collections -----------------------------------------------------------------------------
    def get(self, api, coll, key):
        with backend_errors():
            return loads(self.client.hget(self.k("kv", api, coll), key))

    def get_many(self, api, coll, keys):
        with backend_errors():
            return [loads(raw) for raw in self.client.hmget(self.k("kv", api, coll), keys)]

    def put(self, api, coll, key, value):
        with backend_errors():
            self._put(keys=[self.k("kv", api, coll), self.k("kvo", api, coll), self.k("kvseq"), self.k("colls", api)],
                      args=[key, dumps(value), coll])

    def delete(self, api, coll, key) -> bool:
        with backend_errors():
            pipe = self.client.pipeline(transaction=True)
            pipe.hdel(self.k("kv", api, coll), key)
            pipe.zrem(self.k("kvo", api, coll), key)
            return pipe.execute()[0] > 0

    def items(self, api, coll) -> list:
        with backend_errors():
            pipe = self.client.pipeline(transaction=True)
            pipe.zrange(self.k("kvo", api, coll), 0, -1)
            pipe.hgetall(self.k("kv", api, coll))
            order, docs = pipe.execute()
        return [(k.decode(), orjson.loads(docs[k])) for k in order if k in docs]

    def count(self, api, coll) -> int:
        with backend_errors():
            return self.client.hlen(self.k("kv", api, coll))

    def next_id(self, api, name, start) -> int:
        with backend_errors():
            return int(self._next_id(keys=[self.k("ctr", api)], args=[name, start]))

    def _colls(self, api) -> list[str]:
        return sorted(c.decode() for c in self.client.smembers(self.k("colls", api)))

    def clear_api(self, api):
        with backend_errors():
            keys = [self.k(kind, api, c) for c in self._colls(api) for kind in ("kv", "kvo")]
            self.client.delete(*keys, self.k("colls", api), self.k("ctr", api))

    def export_api(self, api) -> dict:
        with backend_errors():
            colls = {c: dict(self.items(api, c)) for c in self._colls(api)}
            counters = {n.decode(): int(v) for n, v in self.client.hgetall(self.k("ctr", api)).items()}
        return {"collections": colls, "counters": counters}

    def import_api(self, api, data):
        """Replaces the API's state in one MULTI/EXEC: other processes see the old or the new."""
        rows = [(coll, str(key), dumps(value))
                for coll, docs in (data.get("collections") or {}).items() for key, value in docs.items()]
        counters = {n: int(v) for n, v in (data.get("counters") or {}).items()}
        with backend_errors():
            old = [self.k(kind, api, c) for c in self._colls(api) for kind in ("kv", "kvo")]
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(*old, self.k("colls", api), self.k("ctr", api))
            for coll, key, value in rows:
                self._put(keys=[self.k("kv", api, coll), self.k("kvo", api, coll), self.k("kvseq"),
                                self.k("colls", api)], args=[key, value, coll], client=pipe)
            if counters:
                pipe.hset(self.k("ctr", api), mapping=counters)
            pipe.execute()

    # -- lock ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, scope: str):
        """Exclusive across threads and processes, re-entrant within a thread. A redis lock with a
        timeout, so a process that dies holding it blocks the others for at most LOCK_TIMEOUT."""
        with self._guard:
            entry = self._scopes.setdefault(scope, _ScopeLock())
        if not entry.local.acquire(timeout=self.lock_timeout):
            raise BackendUnavailable(f"lock {scope!r} not acquired within {self.lock_timeout:g} s")
        try:
            if entry.depth == 0:
                remote = self.client.lock(self.k("lock", scope), timeout=self.lock_timeout, sleep=0.002,
                                          blocking_timeout=self.lock_timeout, thread_local=False)
                with backend_errors():
                    if not remote.acquire():
                        raise BackendUnavailable(f"lock {scope!r} not acquired within {self.lock_timeout:g} s")
                entry.remote = remote
            entry.depth += 1
        except BaseException:
            entry.local.release()
            raise
        try:
            yield
        finally:
            entry.depth -= 1
            if entry.depth == 0:
                remote, entry.remote = entry.remote, None
                try:
                    remote.release()
                except (LockError, redis.RedisError) as exc:  # expired, or redis went away: it frees itself
                    log.warning("redis lock %s not released cleanly: %s", scope, exc)
            entry.local.release()

    # -- meta and journal ------------------------------------------------------------------------
    def meta_get(self, name, default=None):
        with backend_errors():
            raw = self.client.hget(self.k("meta"), name)
        return default if raw is None else loads(raw)

    def meta_put(self, name, value):
        with backend_errors():
            self.client.hset(self.k("meta"), name, dumps(value))

    def meta_all_raw(self) -> dict:
        with backend_errors():
            return {name.decode(): raw for name, raw in self.client.hgetall(self.k("meta")).items()}

    def journal_append(self, entry, maxlen):
        with backend_errors():
            pipe = self.client.pipeline(transaction=True)
            pipe.rpush(self.k("journal"), dumps(entry))
            pipe.ltrim(self.k("journal"), -maxlen, -1)
            pipe.execute()

    def journal_list(self) -> list:
        with backend_errors():
            return [orjson.loads(e) for e in self.client.lrange(self.k("journal"), 0, -1)]

    def journal_clear(self):
        with backend_errors():
            self.client.delete(self.k("journal"))

    def journal_remove(self, match):
        with backend_errors():
            raws = [raw for raw in self.client.lrange(self.k("journal"), 0, -1) if match(orjson.loads(raw))]
            if raws:  # LREM each: entries other processes append meanwhile stay
                pipe = self.client.pipeline(transaction=False)
                for raw in raws:
                    pipe.lrem(self.k("journal"), 1, raw)
                pipe.execute()

    # -- rate limiting: shared by every process --------------------------------------------------
    @staticmethod
    def _bucket_ttl_ms(rate, burst) -> int:
        return int(max(60.0, 2 * burst / rate) * 1000)  # an expired bucket is a full one

    def bucket_take(self, key, rate, burst, now) -> float:
        with backend_errors():
            wait = self._bucket(keys=[self.k("bucket", key), self.k("buckets")],
                                args=[repr(float(rate)), int(burst), repr(float(now)), self._bucket_ttl_ms(rate, burst)])
        return float(wait)

    def rate_admit(self, key, cap, rate, burst, now) -> float | None:
        """Both limiter steps in one round trip (ADMIT)."""
        rid = self._new_slot()
        with backend_errors():
            wait = self._admit(keys=[self.k("inflight", key), self.k("bucket", key), self.k("buckets")],
                               args=[int(cap), rid, self.inflight_ttl_ms, repr(float(rate)), int(burst),
                                     repr(float(now)), self._bucket_ttl_ms(rate, burst)])
        if wait is None:
            return None
        if float(wait) == 0:
            self._hold(key, rid)
        return float(wait)

    def inflight_acquire(self, key, cap) -> bool:
        rid = self._new_slot()
        with backend_errors():
            ok = self._inflight(keys=[self.k("inflight", key)], args=[int(cap), rid, self.inflight_ttl_ms])
        if ok:
            self._hold(key, rid)
        return bool(ok)

    def _new_slot(self) -> str:
        """A request id for an in-flight slot; slots stranded while redis was down are freed first."""
        self._release_orphans()
        return uuid.uuid4().hex

    def _hold(self, key, rid) -> None:
        with self._guard:
            self._held.setdefault(key, []).append(rid)

    def inflight_release(self, key):
        with self._guard:
            held = self._held.get(key)
            rid = held.pop() if held else None
        if rid is None:
            return
        try:
            with backend_errors():
                self.client.zrem(self.k("inflight", key), rid)
        except BackendUnavailable:
            with self._guard:  # redis is down: release it when redis is back, not after the TTL
                self._orphans.append((key, rid))
            raise

    def _release_orphans(self) -> None:
        with self._guard:
            orphans, self._orphans = self._orphans, []
        if orphans:
            try:
                with backend_errors():
                    pipe = self.client.pipeline(transaction=False)
                    for key, rid in orphans:
                        pipe.zrem(self.k("inflight", key), rid)
                    pipe.execute()
            except BackendUnavailable:
                with self._guard:
                    self._orphans.extend(orphans)
                raise

    def ratelimit_reset(self, api=None):
        with backend_errors():
            self._reset_buckets(keys=[self.k("buckets")], args=[self.k("bucket", f"{api}:" if api else "")])

    def ratelimit_usage(self) -> dict:
        prefix = self.k("bucket", "")
        with backend_errors():
            clients = [b.decode()[len(prefix):] for b in self.client.smembers(self.k("buckets"))]
            pipe = self.client.pipeline(transaction=False)
            for c in clients:
                pipe.hmget(self.k("bucket", c), "t", "s")
            now_ms = time.time() * 1000  # slots are scored by their expiry
            for c in clients:
                pipe.zcount(self.k("inflight", c), now_ms, "+inf")
            found = pipe.execute()
        buckets, inflight = found[:len(clients)], found[len(clients):]
        return {c: (float(t) if t else None, float(s) if s else None, n)
                for c, (t, s), n in zip(clients, buckets, inflight) if t or n}

    def ping(self) -> None:
        with backend_errors():
            self.client.ping()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
        with contextlib.suppress(Exception):
            self.client.connection_pool.disconnect()
