"""State backends: memory (default), sqlite (durable), redis (shared by several processes).

Every API keeps its state as named collections of JSON documents keyed by string ids. Values are
always stored serialised, so the three backends behave identically: `get` hands out a fresh copy
and a model must `put` what it changed. Besides collections a backend keeps:
- counters (`next_id`), small `meta` documents (clock, faults), the request journal, and the
  rate limiter's buckets — so several processes on redis share them all.
- `lock(scope)`: an exclusive, re-entrant section. On sqlite it is also one transaction, so a
  request's writes are all on disk when it returns, or none are.
"""
from __future__ import annotations

import contextlib
import threading
from collections import deque
from contextvars import ContextVar
from typing import Any, Iterator

import orjson

from simulators.core.errors import BackendUnavailable
from simulators.core.journal import as_doc


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def loads(raw: bytes | str | None) -> Any:
    return None if raw is None else orjson.loads(raw)


class State:
    """One API's view of a backend: what models read and write."""

    def __init__(self, backend: "Backend", api: str):
        self.backend = backend
        self.api = api

    def get(self, coll: str, key, default=None):
        value = self.backend.get(self.api, coll, str(key))
        return default if value is None else value

    def get_many(self, coll: str, keys) -> list:
        """The documents under `keys`, in order, None where missing: one round trip on redis."""
        keys = [str(k) for k in keys]
        return self.backend.get_many(self.api, coll, keys) if keys else []

    def put(self, coll: str, key, value) -> None:
        self.backend.put(self.api, coll, str(key), value)

    def delete(self, coll: str, key) -> bool:
        return self.backend.delete(self.api, coll, str(key))

    def items(self, coll: str) -> list[tuple[str, Any]]:
        return self.backend.items(self.api, coll)

    def all(self, coll: str) -> list:
        return [v for _, v in self.backend.items(self.api, coll)]

    def count(self, coll: str) -> int:
        return self.backend.count(self.api, coll)

    def next_id(self, name: str, start: int = 1) -> int:
        """A fresh integer id for `name`, never handed out twice (also across processes)."""
        return self.backend.next_id(self.api, name, start)

    def lock(self):
        """Exclusive section for a read-modify-write; one transaction on sqlite."""
        return self.backend.lock(self.api)

    def export(self) -> dict:
        return self.backend.export_api(self.api)

    def load(self, data: dict) -> None:
        self.backend.import_api(self.api, data)

    def clear(self) -> None:
        self.backend.clear_api(self.api)


# One request's copy of the meta documents (faults, clock, API switches), read in one round trip
# as it starts: on redis or sqlite each meta read would be a round trip of its own.
_META_SNAPSHOT: ContextVar[dict | None] = ContextVar("fieldsim_meta_snapshot", default=None)


class Backend:
    # A count of writes, for the response cache (response_cache.py): equal before and after a request
    # means nothing it could have read changed. None: this backend cannot tell (shared by processes).
    generation: int | None = None
    """Interface of a state backend; see MemoryBackend for the reference semantics."""

    url = "memory"

    def state(self, api: str) -> State:
        return State(self, api)

    # collections
    def get(self, api, coll, key): raise NotImplementedError
    def put(self, api, coll, key, value): raise NotImplementedError
    def delete(self, api, coll, key) -> bool: raise NotImplementedError
    def items(self, api, coll) -> list: raise NotImplementedError
    def count(self, api, coll) -> int: raise NotImplementedError
    def next_id(self, api, name, start) -> int: raise NotImplementedError
    def clear_api(self, api): raise NotImplementedError
    def export_api(self, api) -> dict: raise NotImplementedError
    def import_api(self, api, data): raise NotImplementedError
    def lock(self, scope: str): raise NotImplementedError

    def get_many(self, api, coll, keys: list[str]) -> list:
        return [self.get(api, coll, k) for k in keys]

    def snapshot_api(self, api):
        """The API's whole state, to be put back by restore_api (an admin change that failed)."""
        return self.export_api(api)

    def restore_api(self, api, snapshot) -> None:
        self.import_api(api, snapshot)

    # small shared documents (clock, faults, seeded markers)
    def meta_get(self, name, default=None): raise NotImplementedError
    def meta_put(self, name, value): raise NotImplementedError

    def meta_all_raw(self) -> dict | None:
        """Every meta document, serialised, by name; None where a meta read is cheap anyway."""
        return None

    def meta_snapshot(self) -> None:
        """A request starts: take its copy of the meta documents (see meta_read)."""
        _META_SNAPSHOT.set(self.meta_all_raw())

    @staticmethod
    def meta_snapshot_end() -> None:
        _META_SNAPSHOT.set(None)  # server threads are reused: nothing carries over

    def meta_read(self, name, default=None):
        """meta_get as of the start of the current request (fresh outside one). For reads only:
        the value may be shared with other readers; a read-modify-write under lock() must use
        meta_get."""
        snapshot = _META_SNAPSHOT.get()
        if snapshot is None:
            return self.meta_get(name, default)
        raw = snapshot.get(name)
        return default if raw is None else orjson.loads(raw)

    # journal
    journal_keeps_entries = False  # True: journal_append gets journal.Entry objects, not documents
    def journal_append(self, entry: dict, maxlen: int): raise NotImplementedError
    def journal_list(self) -> list: raise NotImplementedError
    def journal_clear(self): raise NotImplementedError
    def journal_remove(self, match): raise NotImplementedError  # the entries match(entry) is true of
    # rate limiting
    def bucket_take(self, key: str, rate: float, burst: int, now: float) -> float: raise NotImplementedError
    def inflight_acquire(self, key: str, cap: int) -> bool: raise NotImplementedError
    def inflight_release(self, key: str): raise NotImplementedError
    def ratelimit_reset(self, api=None): raise NotImplementedError  # forget the buckets (of one API)
    # every client the limiter knows: key -> (tokens, stamp) of its bucket ((None, None): none) and
    # its requests in flight, for the dashboard's meters
    def ratelimit_usage(self) -> dict: raise NotImplementedError

    def rate_admit(self, key: str, cap: int, rate: float, burst: int, now: float) -> float | None:
        """Both limiter steps: None when `cap` requests are in flight, else the bucket's wait
        (0: admitted, holding an in-flight slot until inflight_release)."""
        if not self.inflight_acquire(key, cap):
            return None
        wait = self.bucket_take(key, rate, burst, now)
        if wait > 0:
            self.inflight_release(key)
        return wait

    def ping(self) -> None:
        """Raise BackendUnavailable when the backend cannot be reached."""

    def close(self) -> None:
        pass


def _bucket_math(tokens: float, stamp: float, rate: float, burst: int, now: float) -> tuple[float, float, float]:
    """Token bucket step. Returns (tokens_after, stamp, wait); wait 0 means admitted. The stamp
    never goes back: callers read their clock before queueing for the bucket, and a late arrival
    with an earlier `now` would otherwise make the next caller refill the same interval twice."""
    now = max(now, stamp)
    tokens = min(float(burst), tokens + (now - stamp) * rate)
    if tokens >= 1.0:
        return tokens - 1.0, now, 0.0
    return tokens, now, (1.0 - tokens) / rate


class MemoryBackend(Backend):
    """In-process dicts; the default. Re-entrant locks per scope."""

    url = "memory"
    journal_keeps_entries = True  # worded into documents when read (journal.Entry)

    def __init__(self):
        self._data: dict[tuple[str, str], dict[str, bytes]] = {}
        self._counters: dict[tuple[str, str], int] = {}
        self._meta: dict[str, bytes] = {}
        self._meta_read: dict[str, tuple[bytes, Any]] = {}  # name -> (raw, decoded), for meta_read
        self._journal: deque = deque()
        self._buckets: dict[str, tuple[float, float]] = {}
        self._inflight: dict[str, int] = {}
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()
        self.generation = 0
        self._generation_guard = threading.Lock()

    def _wrote(self) -> None:
        """After each write of a document, counter or meta document (not journal, not rate limits).
        Under a lock: two writers must never leave the count where one reader already saw it."""
        with self._generation_guard:
            self.generation += 1

    def _coll(self, api, coll) -> dict:
        return self._data.setdefault((api, coll), {})

    def get(self, api, coll, key):
        return loads(self._data.get((api, coll), {}).get(key))

    def get_many(self, api, coll, keys):
        docs = self._data.get((api, coll), {})
        return [loads(docs.get(k)) for k in keys]

    def put(self, api, coll, key, value):
        self._coll(api, coll)[key] = dumps(value)
        self._wrote()

    def delete(self, api, coll, key) -> bool:
        gone = self._data.get((api, coll), {}).pop(key, None) is not None
        self._wrote()
        return gone

    def items(self, api, coll) -> list:
        return [(k, orjson.loads(v)) for k, v in list(self._data.get((api, coll), {}).items())]

    def count(self, api, coll) -> int:
        return len(self._data.get((api, coll), {}))

    def next_id(self, api, name, start) -> int:
        with self._guard:
            value = max(self._counters.get((api, name), start - 1) + 1, start)
            self._counters[(api, name)] = value
        self._wrote()
        return value

    def clear_api(self, api):
        with self._guard:
            self._drop(api)
        self._wrote()

    def _drop(self, api):  # under _guard
        for key in [k for k in self._data if k[0] == api]:
            del self._data[key]
        for key in [k for k in self._counters if k[0] == api]:
            del self._counters[key]

    def export_api(self, api) -> dict:
        # list(): another thread may add a document or collection while this one exports
        colls = {c: {k: orjson.loads(v) for k, v in list(d.items())} for (a, c), d in list(self._data.items()) if a == api}
        counters = {n: v for (a, n), v in list(self._counters.items()) if a == api}
        return {"collections": colls, "counters": counters}

    def import_api(self, api, data):
        # built aside first: a document that cannot be stored leaves the old state in place
        colls = {coll: {str(key): dumps(value) for key, value in docs.items()}
                 for coll, docs in (data.get("collections") or {}).items()}
        counters = {name: int(value) for name, value in (data.get("counters") or {}).items()}
        self.restore_api(api, (colls, counters))

    def snapshot_api(self, api):
        # the stored bytes themselves: no document is decoded (a million on --scale large)
        return ({c: dict(d) for (a, c), d in list(self._data.items()) if a == api},
                {n: v for (a, n), v in list(self._counters.items()) if a == api})

    def restore_api(self, api, snapshot) -> None:
        colls, counters = snapshot
        with self._guard:
            self._drop(api)
            self._data.update({(api, c): dict(d) for c, d in colls.items()})
            self._counters.update({(api, n): v for n, v in counters.items()})
        self._wrote()

    def lock(self, scope: str):
        with self._guard:
            lk = self._locks.setdefault(scope, threading.RLock())
        return lk

    def meta_get(self, name, default=None):
        raw = self._meta.get(name)
        return default if raw is None else orjson.loads(raw)

    def meta_put(self, name, value):
        self._meta[name] = dumps(value)
        self._wrote()

    def meta_read(self, name, default=None):
        # Every request reads faults and clock: decode each document once per version of it, not
        # once per request (readers never change what meta_read hands out; see Backend.meta_read).
        raw = self._meta.get(name)
        if raw is None:
            return default
        seen = self._meta_read.get(name)
        if seen is None or seen[0] is not raw:
            seen = self._meta_read[name] = (raw, orjson.loads(raw))
        return seen[1]

    def journal_append(self, entry, maxlen):
        if self._journal.maxlen != maxlen:
            with self._guard:
                if self._journal.maxlen != maxlen:
                    self._journal = deque(self._journal, maxlen=maxlen)
        # The entry as built (nobody changes it after), serialised only when read: a bounded deque
        # drops its oldest in the same atomic step.
        self._journal.append(entry)

    def journal_list(self) -> list:
        return [orjson.loads(dumps(as_doc(e))) for e in list(self._journal)]  # copies, as from redis

    def journal_clear(self):
        self._journal.clear()

    def journal_remove(self, match):
        for entry in [e for e in list(self._journal) if match(as_doc(e))]:
            try:
                self._journal.remove(entry)  # in place: an entry appended meanwhile stays
            except ValueError:  # already pushed out by newer ones
                pass

    def bucket_take(self, key, rate, burst, now) -> float:
        with self._guard:
            tokens, stamp = self._buckets.get(key, (float(burst), now))
            tokens, stamp, wait = _bucket_math(tokens, stamp, rate, burst, now)
            self._buckets[key] = (tokens, stamp)
            return wait

    def inflight_acquire(self, key, cap) -> bool:
        with self._guard:
            current = self._inflight.get(key, 0)
            if current >= cap:
                return False
            self._inflight[key] = current + 1
            return True

    def inflight_release(self, key):
        with self._guard:
            self._inflight[key] = max(0, self._inflight.get(key, 0) - 1)

    def ratelimit_reset(self, api=None):
        with self._guard:
            for key in [k for k in self._buckets if api is None or k.startswith(f"{api}:")]:
                del self._buckets[key]

    def ratelimit_usage(self) -> dict:
        with self._guard:
            keys = set(self._buckets) | {k for k, n in self._inflight.items() if n}
            return {k: (*self._buckets.get(k, (None, None)), self._inflight.get(k, 0)) for k in keys}


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def check_state_url(url: str) -> str:
    """ValueError for a --state no backend takes (the CLI answers it as a usage error)."""
    if url != "memory" and not url.startswith(("sqlite:///", *REDIS_SCHEMES)):
        raise ValueError(f"unknown --state {url!r}: use memory, sqlite:///PATH or redis://HOST:PORT/DB")
    return url


def open_backend(url: str | None) -> Backend:
    """`memory`, `sqlite:///PATH` or `redis://HOST:PORT/DB`."""
    url = check_state_url(url or "memory")
    if url == "memory":
        return MemoryBackend()
    if url.startswith("sqlite:///"):
        from simulators.core.store_sqlite import SqliteBackend
        return SqliteBackend(url)
    from simulators.core.store_redis import RedisBackend
    return RedisBackend(url)


@contextlib.contextmanager
def backend_errors() -> Iterator[None]:
    """Turn a backend's connection errors into BackendUnavailable."""
    try:
        yield
    except BackendUnavailable:
        raise
    except Exception as exc:  # redis.ConnectionError, sqlite3.OperationalError ...
        if exc.__class__.__name__ in {"ConnectionError", "TimeoutError", "BusyLoadingError"}:
            raise BackendUnavailable(str(exc)) from exc
        raise
