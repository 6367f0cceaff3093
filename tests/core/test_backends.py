"""Backend conformance: memory (the reference), sqlite and redis must behave the same through the
Backend interface — collections, copies, order, ids, locks, export/import, meta, journal, and the
rate limiter's exact token bucket and in-flight cap (CAPO-RL-1/2/3 mechanics, any backend)."""
from __future__ import annotations

import threading
import time
import uuid

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from redis_server import redis_server  # noqa: F401  (fixture)
from simulators.core.errors import BackendUnavailable
from simulators.core.store import MemoryBackend, open_backend

KINDS = ["memory", "sqlite", pytest.param("redis", marks=pytest.mark.redis)]


@pytest.fixture(params=KINDS)
def backend(request, tmp_path):
    if request.param == "memory":
        b = MemoryBackend()
    elif request.param == "sqlite":
        b = open_backend(f"sqlite:///{tmp_path}/state.db")
    else:
        b = open_backend(request.getfixturevalue("redis_server").url())
    yield b
    b.close()


def test_open_backend_picks_the_class_from_the_url(backend):
    assert type(backend).__name__ == {"memory": "MemoryBackend", "sqlite": "SqliteBackend",
                                      "redis": "RedisBackend"}[backend.url.split(":")[0]]
    backend.ping()


def test_crud_and_missing_keys(backend):
    s = backend.state("a")
    assert s.get("orders", 1) is None and s.get("orders", 1, "dflt") == "dflt"
    s.put("orders", 1, {"id": 1, "n": "één"})
    s.put("orders", "2", [1, 2.5, None, True])
    assert s.get("orders", "1") == {"id": 1, "n": "één"}  # keys are strings
    assert s.get("orders", 2) == [1, 2.5, None, True]
    assert s.count("orders") == 2 and s.count("other") == 0
    s.put("orders", 1, {"id": 1, "n": "twee"})
    assert s.get("orders", 1)["n"] == "twee" and s.count("orders") == 2
    assert s.delete("orders", 1) is True and s.delete("orders", 1) is False
    assert s.get("orders", 1) is None and s.count("orders") == 1


def test_get_and_put_copy_documents(backend):
    s = backend.state("a")
    doc = {"lines": [1]}
    s.put("c", "k", doc)
    doc["lines"].append(2)  # the caller's object is not the stored one
    got = s.get("c", "k")
    got["lines"].append(3)  # nor is what get hands out
    assert s.get("c", "k") == {"lines": [1]}
    assert s.items("c")[0][1] == {"lines": [1]}


def test_items_keep_insertion_order_and_updates_keep_their_place(backend):
    s = backend.state("a")
    keys = ["z", "a", "m", "10", "2", "b"]
    for i, k in enumerate(keys):
        s.put("c", k, i)
    s.put("c", "a", 99)  # update: same place
    s.delete("c", "m")
    s.put("c", "m", 7)  # deleted and put again: at the end
    assert s.items("c") == [("z", 0), ("a", 99), ("10", 3), ("2", 4), ("b", 5), ("m", 7)]
    assert s.all("c") == [0, 99, 3, 4, 5, 7]


def test_apis_and_collections_are_isolated_and_clear_is_per_api(backend):
    a, b = backend.state("a"), backend.state("b")
    a.put("c", 1, "a1")
    b.put("c", 1, "b1")
    a.put("d", 1, "a-d")
    a.next_id("n")
    assert a.get("c", 1) == "a1" and b.get("c", 1) == "b1" and a.get("d", 1) == "a-d"
    a.clear()
    assert a.items("c") == [] and a.count("d") == 0 and a.next_id("n") == 1
    assert b.items("c") == [("1", "b1")]


def test_next_id_start_semantics(backend):
    s = backend.state("a")
    assert [s.next_id("x") for _ in range(3)] == [1, 2, 3]
    assert s.next_id("y", start=1000) == 1000 and s.next_id("y", start=1000) == 1001
    assert s.next_id("x", start=50) == 50  # a higher start moves the counter up
    assert s.next_id("x", start=1) == 51


def test_next_id_is_unique_under_threads(backend):
    s = backend.state("a")
    got, errors = [], []

    def worker():
        try:
            for _ in range(40):
                got.append(s.next_id("ids"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(got) == list(range(1, 321))


def test_lock_is_reentrant_within_a_thread(backend):
    done = []

    def nested():
        with backend.lock("s"):
            with backend.lock("s"):
                with backend.lock("other"):
                    with backend.lock("s"):
                        backend.state("a").put("c", "k", 1)
                        done.append(True)

    t = threading.Thread(target=nested)
    t.start()
    t.join(10)
    assert done == [True], "nested lock() in one thread deadlocked"
    assert backend.state("a").get("c", "k") == 1
    with backend.lock("s"):  # and it was fully released
        pass


def test_lock_is_mutually_exclusive_across_threads(backend):
    """A read-modify-write under lock() loses no update, even with a yield inside the section."""
    s = backend.state("a")
    s.put("c", "n", 0)

    def worker():
        for _ in range(15):
            with s.lock():
                value = s.get("c", "n")
                time.sleep(0.0005)  # invite a lost update if the lock were not exclusive
                s.put("c", "n", value + 1)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert s.get("c", "n") == 90


def test_export_import_round_trip(backend):
    s = backend.state("a")
    for i in range(5):
        s.put("orders", f"o{i}", {"i": i, "tags": ["x", i]})
    s.put("people", "p1", {"name": "Åsa"})
    s.next_id("orders", start=100)
    exported = s.export()
    assert exported["collections"]["orders"]["o3"] == {"i": 3, "tags": ["x", 3]}
    assert exported["counters"] == {"orders": 100}
    other = MemoryBackend().state("a")
    other.load(exported)
    assert other.export() == exported
    s.put("orders", "junk", 1)
    s.load(exported)  # import replaces, not merges
    assert s.export() == exported and s.get("orders", "junk") is None
    assert [k for k, _ in s.items("orders")] == [f"o{i}" for i in range(5)]
    assert s.next_id("orders") == 101


def test_meta_documents(backend):
    assert backend.meta_get("clock") is None and backend.meta_get("faults", []) == []
    backend.meta_put("faults", [{"id": "x"}])
    backend.meta_put("clock", {"offset": 1.5, "frozen_at": None})
    backend.meta_put("clock", {"offset": 2.5, "frozen_at": 10.0})
    assert backend.meta_get("faults") == [{"id": "x"}]
    assert backend.meta_get("clock") == {"offset": 2.5, "frozen_at": 10.0}


def test_journal_is_bounded_and_ordered(backend):
    for i in range(25):
        backend.journal_append({"i": i, "path": "/x"}, 10)
    assert [e["i"] for e in backend.journal_list()] == list(range(15, 25))
    backend.journal_clear()
    assert backend.journal_list() == []
    backend.journal_append({"i": 0}, 10)
    assert backend.journal_list() == [{"i": 0}]


def test_journal_remove_forgets_only_matching_entries_in_order(backend):
    """DELETE /__admin/requests?api=…: the entries a filter selects go, the rest keep their order."""
    for i in range(8):
        backend.journal_append({"i": i, "api": "capo" if i % 3 else "werkbon"}, 100)
    backend.journal_remove(lambda e: e["api"] == "werkbon")
    assert [e["i"] for e in backend.journal_list()] == [1, 2, 4, 5, 7]
    backend.journal_remove(lambda e: False)
    assert len(backend.journal_list()) == 5


def test_snapshot_and_restore_put_back_documents_and_counters(backend):
    """Runtime.all_or_nothing: what a failed admin change did to an API is undone whole."""
    backend.put("capo", "projects", "1", {"a": 1})
    backend.next_id("capo", "project", 100)
    backend.put("werkbon", "employees", "9", {"w": 1})
    snapshot = backend.snapshot_api("capo")
    backend.put("capo", "projects", "1", {"a": 2})
    backend.put("capo", "bijlagen", "5", {"b": 1})
    backend.next_id("capo", "project", 100)
    backend.restore_api("capo", snapshot)
    assert backend.export_api("capo") == {"collections": {"projects": {"1": {"a": 1}}}, "counters": {"project": 100}}
    assert backend.get("werkbon", "employees", "9") == {"w": 1}
    assert backend.next_id("capo", "project", 100) == 101


def test_an_import_that_cannot_be_stored_keeps_the_state_before_it(backend):
    backend.put("capo", "projects", "1", {"a": 1})
    with pytest.raises(Exception):
        backend.import_api("capo", {"collections": {"projects": {"2": {"n": 2 ** 70}}}})  # past 64 bits
    assert backend.export_api("capo")["collections"] == {"projects": {"1": {"a": 1}}}


def test_ratelimit_usage_lists_buckets_and_slots_in_flight(backend):
    """The dashboard's meters on every backend: a client's bucket (tokens at its stamp) and its
    requests in flight; a client with neither is not listed."""
    key, now = f"capo:{uuid.uuid4().hex}", 1_000_000.0
    assert backend.rate_admit(key, 3, 20.0, 30, now) == 0.0
    assert backend.rate_admit(key, 3, 20.0, 30, now) == 0.0
    tokens, stamp, inflight = backend.ratelimit_usage()[key]
    assert (tokens, stamp, inflight) == (28.0, now, 2)
    backend.inflight_release(key)
    assert backend.ratelimit_usage()[key][2] == 1


def test_bucket_burst_30_then_20_per_second_exactly(backend):
    """CAPO-RL-1/2 mechanics on every backend: burst 30 at once, then 20/s, with an injected now."""
    key, now = f"capo:{uuid.uuid4().hex}", 1_000_000.0
    waits = [backend.bucket_take(key, 20.0, 30, now) for _ in range(31)]
    assert waits[:30] == [0.0] * 30 and waits[30] == pytest.approx(0.05)
    admitted = 0
    for step in range(1, 501):  # 5 s in 10 ms steps, 3 attempts per step
        for _ in range(3):
            admitted += backend.bucket_take(key, 20.0, 30, now + step * 0.01) == 0.0
    assert abs(admitted - 100) <= 1
    backend.ratelimit_reset()  # forgets the bucket: a full burst again
    assert sum(backend.bucket_take(key, 20.0, 30, now + 5) == 0.0 for _ in range(40)) == 30


def test_bucket_late_caller_with_an_earlier_clock_refills_nothing_twice(backend):
    """CAPO-RL-2 across threads and processes: a caller reads its clock, then queues for the bucket;
    a late one carrying an earlier instant must not set the bucket's stamp back (the next caller
    would refill that interval again: 94 admitted instead of 90 in 3 s by two processes on redis)."""
    key, now = f"capo:{uuid.uuid4().hex}", 2_000_000.0
    assert sum(backend.bucket_take(key, 20.0, 30, now) == 0.0 for _ in range(30)) == 30
    assert sum(backend.bucket_take(key, 20.0, 30, now + 1) == 0.0 for _ in range(25)) == 20
    assert backend.bucket_take(key, 20.0, 30, now + 0.5) > 0  # late, with an older instant
    assert sum(backend.bucket_take(key, 20.0, 30, now + 1) == 0.0 for _ in range(10)) == 0


def test_rate_admit_is_both_steps_and_a_refused_request_gives_its_slot_back(backend):
    """CAPO-RL-1/2/3 in one call (one round trip on redis): None while `cap` are in flight; a
    request the bucket refuses holds no slot."""
    key, now = f"capo:{uuid.uuid4().hex}", 3_000_000.0
    assert [backend.rate_admit(key, 3, 20.0, 4, now) for _ in range(4)] == [0.0, 0.0, 0.0, None]
    backend.inflight_release(key)
    assert backend.rate_admit(key, 3, 20.0, 4, now) == 0.0  # the 4th token
    backend.inflight_release(key)
    assert backend.rate_admit(key, 3, 20.0, 4, now) == pytest.approx(0.05)  # bucket empty: refused...
    assert backend.rate_admit(key, 3, 20.0, 4, now + 0.1) == 0.0  # ...and it held no slot


def test_bucket_matches_the_memory_reference_exactly(backend):
    """The same irregular sequence of takes gives the same waits as MemoryBackend (CAPO-RL-2)."""
    ref, key = MemoryBackend(), f"k{uuid.uuid4().hex}"
    t = 500.0
    for i in range(120):
        t += (i * 7 % 11) * 0.013
        assert backend.bucket_take(key, 3.5, 5, t) == pytest.approx(ref.bucket_take(key, 3.5, 5, t), abs=1e-12)


def test_inflight_cap_under_concurrency(backend):
    """CAPO-RL-3 mechanics: at most `cap` slots held at once, whatever the threads do."""
    key = f"capo:{uuid.uuid4().hex}"
    barrier = threading.Barrier(12)
    results = []

    def worker():
        barrier.wait()
        results.append(backend.inflight_acquire(key, 3))

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 3
    assert not backend.inflight_acquire(key, 3)
    backend.inflight_release(key)
    assert backend.inflight_acquire(key, 3) and not backend.inflight_acquire(key, 3)
    for _ in range(3):
        backend.inflight_release(key)
    assert [backend.inflight_acquire(key, 3) for _ in range(4)] == [True, True, True, False]


OPS = st.lists(st.tuples(st.sampled_from(["put", "delete"]), st.sampled_from("abcdef"),
                         st.integers(0, 5)), max_size=30)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_sequence_of_writes_reads_back_like_the_memory_reference(backend, ops):
    api = f"h{uuid.uuid4().hex[:8]}"  # a fresh API per example; the backend is shared
    ref, s = MemoryBackend().state(api), backend.state(api)
    for op, key, value in ops:
        if op == "put":
            ref.put("c", key, {"v": value})
            s.put("c", key, {"v": value})
        else:
            assert s.delete("c", key) == ref.delete("c", key)
    assert s.items("c") == ref.items("c") and s.count("c") == ref.count("c")


# ---- sqlite specifics ----------------------------------------------------------------------------

@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/state.db"


def test_sqlite_lock_is_one_transaction_rolled_back_on_exception(sqlite_url):
    b = open_backend(sqlite_url)
    s = b.state("a")
    s.put("c", "before", 1)
    with pytest.raises(ZeroDivisionError):
        with s.lock():
            s.put("c", "k1", 1)
            with s.lock():
                s.put("c", "k2", 2)
                s.next_id("n")
                b.meta_put("m", 1)
            1 / 0
    assert s.items("c") == [("before", 1)] and b.meta_get("m") is None and s.next_id("n") == 1
    with s.lock():  # an exception caught inside the outermost lock does not undo the rest
        s.put("c", "k3", 3)
        try:
            with s.lock():
                s.put("c", "k4", 4)
                raise KeyError("x")
        except KeyError:
            pass
    assert [k for k, _ in s.items("c")] == ["before", "k3", "k4"]
    b.close()


def test_sqlite_writes_are_on_disk_when_acknowledged(sqlite_url):
    """Another connection (as after a restart) sees every write at once, locked or not, but not a
    transaction still open."""
    b, other = open_backend(sqlite_url), open_backend(sqlite_url)
    b.state("a").put("c", "k", {"v": 1})
    b.meta_put("faults", [1])
    assert other.state("a").get("c", "k") == {"v": 1} and other.meta_get("faults") == [1]
    with b.lock("a"):
        b.state("a").put("c", "k2", 2)
        assert other.state("a").get("c", "k2") is None  # not committed yet
    assert other.state("a").get("c", "k2") == 2
    b.close()
    other.close()


def test_sqlite_urls_absolute_and_relative(tmp_path, monkeypatch):
    from simulators.core.store_sqlite import sqlite_path
    monkeypatch.chdir(tmp_path)
    assert sqlite_path("sqlite:////var/x.db") == "/var/x.db"
    assert sqlite_path("sqlite:///tmp/x.db") == "/tmp/x.db"  # no ./tmp here: the absolute /tmp
    assert sqlite_path("sqlite:///here.db") == "here.db"
    (tmp_path / "data").mkdir()
    assert sqlite_path("sqlite:///data/x.db") == "data/x.db"


def test_sqlite_unopenable_file_is_backend_unavailable(tmp_path):
    with pytest.raises(BackendUnavailable):
        open_backend(f"sqlite:///{tmp_path}/missing-dir/x.db")


# ---- redis specifics -----------------------------------------------------------------------------

@pytest.mark.redis
def test_redis_prefixes_keep_two_backends_apart(redis_server):  # noqa: F811
    a, b = open_backend(redis_server.url(prefix="one:")), open_backend(redis_server.url(prefix="two:"))
    a.state("x").put("c", 1, "a")
    a.meta_put("clock", 1)
    assert b.state("x").get("c", 1) is None and b.meta_get("clock") is None
    assert open_backend(redis_server.url(prefix="one:")).state("x").get("c", 1) == "a"
    a.close()
    b.close()


@pytest.mark.redis
def test_redis_reloads_scripts_after_script_flush(redis_server):  # noqa: F811
    b = open_backend(redis_server.url())
    assert b.state("a").next_id("n") == 1 and b.bucket_take("k", 20, 30, 1.0) == 0
    b.client.script_flush()
    assert b.state("a").next_id("n") == 2 and b.bucket_take("k", 20, 30, 1.0) == 0
    assert b.inflight_acquire("k", 1) and not b.inflight_acquire("k", 1)
    b.state("a").put("c", "k", 1)
    assert b.state("a").get("c", "k") == 1
    b.close()


@pytest.mark.redis
def test_redis_inflight_slot_of_a_dead_process_expires(redis_server):  # noqa: F811
    """A process killed mid-request never releases its slot; the slot expires instead."""
    from simulators.core.store_redis import RedisBackend
    url = redis_server.url()
    dead = RedisBackend(url, inflight_ttl_ms=300)
    assert dead.inflight_acquire("c", 1)  # ... and the process dies without release
    alive = RedisBackend(url, inflight_ttl_ms=300)
    assert not alive.inflight_acquire("c", 1)
    time.sleep(0.4)
    assert alive.inflight_acquire("c", 1)
    dead.close()
    alive.close()


@pytest.mark.redis
def test_redis_lock_excludes_another_process_and_expires_when_its_holder_dies(redis_server):  # noqa: F811
    from simulators.core.store_redis import RedisBackend
    url = redis_server.url()
    holder = RedisBackend(url, lock_timeout=0.5)
    waiter = RedisBackend(url, lock_timeout=2)  # another "process": its own client and locks
    entered = holder.lock("s")
    entered.__enter__()  # held, never released: the holder "died"
    started = time.monotonic()
    with waiter.lock("s"):
        waited = time.monotonic() - started
    assert 0.3 < waited < 1.5
    holder.close()
    waiter.close()


def test_sqlite_connections_of_finished_threads_are_closed(sqlite_url):
    """The embedded server runs each request on a new thread: their connections must not pile up."""
    import os
    b = open_backend(sqlite_url)
    b.state("a").put("c", "k", 0)
    before = len(os.listdir("/proc/self/fd"))
    for i in range(60):
        t = threading.Thread(target=lambda: b.state("a").put("c", "k", i))
        t.start()
        t.join()
    assert len(os.listdir("/proc/self/fd")) - before < 10
    b.close()


def test_sqlite_file_that_is_not_a_database_is_backend_unavailable(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not an sqlite file at all" * 100)
    with pytest.raises(BackendUnavailable):
        open_backend(f"sqlite:///{path}")


def test_sqlite_state_writes_are_fsynced_and_the_journal_is_not(sqlite_url):
    """WAL + synchronous=FULL for state (survives power loss); the per-request journal commits with
    NORMAL (survives kill -9), and the connection is back to FULL right after."""
    b = open_backend(sqlite_url)
    conn = b._conn()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    b.journal_append({"i": 1}, 10)
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with pytest.raises(ValueError):
        with b.lock("x"):
            b.journal_append({"i": 2}, 10)
            raise ValueError
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert [e["i"] for e in b.journal_list()] == [1]
    b.close()
