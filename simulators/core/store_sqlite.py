"""The sqlite backend: one file, durable. `--state sqlite:///PATH`.

WAL with synchronous=FULL, so an acknowledged write survives kill -9 (and power loss).
`lock(scope)` is one transaction: BEGIN IMMEDIATE on the thread's outermost entry, COMMIT on exit,
ROLLBACK on an exception, so a request's writes are all on disk or none are. A write outside any
lock is its own small transaction. Connections are per thread (and per process, so a gunicorn
fork never reuses its parent's connection). Rate-limit buckets and in-flight counters stay in
process memory: sqlite serves one process, and they are not state worth keeping.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from pathlib import Path

import orjson

from simulators.core.errors import BackendUnavailable
from simulators.core.store import Backend, MemoryBackend, dumps, loads

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    id INTEGER PRIMARY KEY,            -- insertion order of items()
    api TEXT NOT NULL, coll TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
    UNIQUE (api, coll, key));
CREATE TABLE IF NOT EXISTS counters (api TEXT NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (api, name));
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY AUTOINCREMENT, entry BLOB NOT NULL);
"""
BUSY_TIMEOUT_MS = 30_000
_INHERITED: list = []  # connections a forked process inherited: kept open, never used


class _Conn(sqlite3.Connection):
    """A connection that remembers its process (and can be weakly referenced)."""

    pid = 0


class _Closer:
    """Closes its thread's connection when the thread's locals are freed (cycle-free, so at once)."""

    def __init__(self, conn: _Conn):
        self.conn = conn

    def __del__(self):
        if self.conn.pid == os.getpid():
            with contextlib.suppress(Exception):
                self.conn.close()


def sqlite_path(url: str) -> str:
    """sqlite:////abs/path and sqlite:///abs/path are absolute (the second when its directory does
    not exist relative to the working directory); sqlite:///name.db is relative."""
    rest = url[len("sqlite:///"):].split("?", 1)[0]
    if not rest:
        raise ValueError("--state sqlite:///PATH needs a file path")
    if rest.startswith("/") or Path(rest).parent.is_dir():
        return rest
    return "/" + rest


class SqliteBackend(Backend):
    def __init__(self, url: str):
        self.url = url
        self.path = sqlite_path(url)
        self._local = threading.local()
        self._write_guard = threading.RLock()  # threads of this process queue here, not in sqlite's busy loop
        self._limits = MemoryBackend()  # buckets and in-flight: process-local
        self._conns: weakref.WeakSet = weakref.WeakSet()
        with self._errors():
            conn = self._conn()
            conn.executescript(SCHEMA)

    # -- connections and transactions ------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self):
        """A file that cannot be opened or a lock wait that times out: the backend is unavailable."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if type(exc) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
                raise  # IntegrityError, ProgrammingError ...: a bug, not an unavailable file
            raise BackendUnavailable(f"sqlite {self.path}: {exc}") from exc

    def _conn(self) -> sqlite3.Connection:
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is None or conn.pid != os.getpid():
            if conn is not None:  # a forked child never uses, nor closes, its parent's connection
                _INHERITED.append(conn)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False, factory=_Conn)
            conn.pid = os.getpid()
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            local.conn, local.depth = conn, 0
            local.closer = _Closer(conn)  # freed when the thread ends (the embedded server's are short-lived)
            self._conns.add(conn)
        return conn

    @contextlib.contextmanager
    def _tx(self, relaxed: bool = False):
        """One transaction for the thread's outermost entry; nested entries join it (re-entrant).
        `relaxed`: commit without fsync (synchronous=NORMAL) — still atomic and safe from kill -9,
        only a power cut may lose it; for the request journal, written on every request."""
        with self._errors():
            conn = self._conn()
        local = self._local
        if local.depth:
            local.depth += 1
            try:
                yield conn
            finally:
                local.depth -= 1
            return
        self._write_guard.acquire()
        try:
            with self._errors():
                if relaxed:
                    conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("BEGIN IMMEDIATE")
            local.depth = 1
            try:
                yield conn
            except BaseException:
                local.depth = 0
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            local.depth = 0
            try:
                with self._errors():
                    conn.execute("COMMIT")
            except BackendUnavailable:  # disk full, I/O error: do not leave the transaction open
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        finally:
            local.depth = 0
            if relaxed:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA synchronous=FULL")
            self._write_guard.release()

    def _read(self, sql: str, args=()) -> list:
        with self._errors():
            return self._conn().execute(sql, args).fetchall()

    def _write(self, sql: str, args=()):
        with self._tx() as conn, self._errors():
            return conn.execute(sql, args)

    def lock(self, scope: str):
        """Exclusive and re-entrant; for sqlite also the request's one transaction (all scopes share
        it: sqlite has one writer at a time anyway)."""
        return self._tx()

    # -- collections -----------------------------------------------------------------------------
    def get(self, api, coll, key):
        rows = self._read("SELECT value FROM kv WHERE api=? AND coll=? AND key=?", (api, coll, key))
        return loads(rows[0][0]) if rows else None

    def get_many(self, api, coll, keys):
        found: dict = {}
        for i in range(0, len(keys), 500):  # below sqlite's bound-parameter limit
            chunk = keys[i:i + 500]
            found.update(self._read(f"SELECT key, value FROM kv WHERE api=? AND coll=? AND key IN "
                                    f"({','.join('?' * len(chunk))})", (api, coll, *chunk)))
        return [loads(found.get(k)) for k in keys]

    def put(self, api, coll, key, value):
        # UPSERT keeps the row id, so an updated document keeps its place in items()
        self._write("INSERT INTO kv(api, coll, key, value) VALUES (?,?,?,?) "
                    "ON CONFLICT(api, coll, key) DO UPDATE SET value=excluded.value",
                    (api, coll, key, dumps(value)))

    def delete(self, api, coll, key) -> bool:
        return self._write("DELETE FROM kv WHERE api=? AND coll=? AND key=?", (api, coll, key)).rowcount > 0

    def items(self, api, coll) -> list:
        rows = self._read("SELECT key, value FROM kv WHERE api=? AND coll=? ORDER BY id", (api, coll))
        return [(k, orjson.loads(v)) for k, v in rows]

    def count(self, api, coll) -> int:
        return self._read("SELECT COUNT(*) FROM kv WHERE api=? AND coll=?", (api, coll))[0][0]

    def next_id(self, api, name, start) -> int:
        with self._tx() as conn, self._errors():
            return conn.execute(
                "INSERT INTO counters(api, name, value) VALUES (?,?,?) ON CONFLICT(api, name) "
                "DO UPDATE SET value=max(value + 1, excluded.value) RETURNING value",
                (api, name, start)).fetchone()[0]

    def clear_api(self, api):
        with self._tx() as conn, self._errors():
            conn.execute("DELETE FROM kv WHERE api=?", (api,))
            conn.execute("DELETE FROM counters WHERE api=?", (api,))

    def export_api(self, api) -> dict:
        with self._tx() as conn, self._errors():  # one consistent snapshot
            rows = conn.execute("SELECT coll, key, value FROM kv WHERE api=? ORDER BY id", (api,)).fetchall()
            counters = dict(conn.execute("SELECT name, value FROM counters WHERE api=?", (api,)).fetchall())
        colls: dict[str, dict] = {}
        for coll, key, value in rows:
            colls.setdefault(coll, {})[key] = orjson.loads(value)
        return {"collections": colls, "counters": counters}

    def import_api(self, api, data):
        """All or nothing: a bad document rolls the whole import back."""
        with self._tx() as conn, self._errors():
            conn.execute("DELETE FROM kv WHERE api=?", (api,))
            conn.execute("DELETE FROM counters WHERE api=?", (api,))
            for coll, docs in (data.get("collections") or {}).items():
                conn.executemany("INSERT OR REPLACE INTO kv(api, coll, key, value) VALUES (?,?,?,?)",
                                 [(api, coll, str(k), dumps(v)) for k, v in docs.items()])
            conn.executemany("INSERT INTO counters(api, name, value) VALUES (?,?,?)",
                             [(api, n, int(v)) for n, v in (data.get("counters") or {}).items()])

    # -- meta and journal ------------------------------------------------------------------------
    def meta_get(self, name, default=None):
        rows = self._read("SELECT value FROM meta WHERE name=?", (name,))
        return loads(rows[0][0]) if rows else default

    def meta_all_raw(self) -> dict:
        return dict(self._read("SELECT name, value FROM meta"))

    def meta_put(self, name, value):
        self._write("INSERT INTO meta(name, value) VALUES (?,?) ON CONFLICT(name) DO UPDATE SET value=excluded.value",
                    (name, dumps(value)))

    def journal_append(self, entry, maxlen):
        with self._tx(relaxed=True) as conn, self._errors():
            last = conn.execute("INSERT INTO journal(entry) VALUES (?)", (dumps(entry),)).lastrowid
            conn.execute("DELETE FROM journal WHERE id <= ?", (last - maxlen,))

    def journal_list(self) -> list:
        return [orjson.loads(e) for (e,) in self._read("SELECT entry FROM journal ORDER BY id")]

    def journal_clear(self):
        self._write("DELETE FROM journal")

    def journal_remove(self, match):
        ids = [(i,) for i, e in self._read("SELECT id, entry FROM journal ORDER BY id") if match(orjson.loads(e))]
        with self._tx(relaxed=True) as conn, self._errors():
            conn.executemany("DELETE FROM journal WHERE id = ?", ids)

    # -- rate limiting: process-local ------------------------------------------------------------
    def bucket_take(self, key, rate, burst, now) -> float:
        return self._limits.bucket_take(key, rate, burst, now)

    def inflight_acquire(self, key, cap) -> bool:
        return self._limits.inflight_acquire(key, cap)

    def inflight_release(self, key):
        self._limits.inflight_release(key)

    def ratelimit_reset(self, api=None):
        self._limits.ratelimit_reset(api)

    def ratelimit_usage(self) -> dict:
        return self._limits.ratelimit_usage()

    def ping(self) -> None:
        self._read("SELECT 1")

    def close(self) -> None:
        for conn in list(self._conns):
            if conn.pid == os.getpid():
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
        self._local = threading.local()
