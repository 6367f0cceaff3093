"""`fieldsim serve --workers 2 --state redis://` (gunicorn or granian): two worker processes share one state,
clock, fault list, journal and rate limit, and the dataset is seeded once. Each check writes through
a connection served by one worker and reads through a connection served by the other (found via
/proc, so the test knows which process answered)."""
from __future__ import annotations

import http.client
import json
import os
import signal
import time

import pytest
import redis

from redis_server import kill_group, redis_server, start_fieldsim  # noqa: F401  (fixture)

pytestmark = [pytest.mark.redis,
              pytest.mark.skipif(not os.path.isdir("/proc/net"), reason="needs Linux /proc to tell workers apart")]


def children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.add(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the TCP connection 127.0.0.1:client_port -> server_port."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            local, remote = int(cols[1].split(":")[1], 16), int(cols[2].split(":")[1], 16)
            if local == server_port and remote == client_port:
                return cols[9]
    return None


def owner(pids: set[int], inode: str) -> int | None:
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
        except OSError:
            pass
    return None


class Conn:
    """A keep-alive connection pinned to one worker process."""

    def __init__(self, port: int):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(self, method, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        self.http.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        resp = self.http.getresponse()
        raw = resp.read()
        return resp.status, (json.loads(raw) if raw.strip().startswith((b"{", b"[")) else raw)


def connections_per_worker(port: int, workers: set[int], tries: int = 80) -> dict[int, Conn]:
    found: dict[int, Conn] = {}
    spare = []
    for _ in range(tries):
        conn = Conn(port)
        conn.call("GET", "/__admin/health")
        pid = owner(workers, socket_inode(port, conn.http.sock.getsockname()[1]) or "-")
        if pid is not None and pid not in found:
            found[pid] = conn
        else:
            spare.append(conn)  # kept open, so the next connection tends to land elsewhere
        if len(found) == len(workers):
            break
    for conn in spare:
        conn.http.close()
    return found


def seed_writes(url: str) -> int:
    """How many documents one seeding writes (the insertion counter of a fresh prefix)."""
    from simulators.core.config import Config
    from simulators.core.runtime import Runtime
    runtime = Runtime(Config(apis=("werkbon",), state=url))
    runtime.backend.close()
    return int(redis.Redis.from_url(url.split("?")[0]).get(url.split("prefix=")[1] + "kvseq") or 0)


@pytest.mark.parametrize("server", ["gunicorn", "granian"])
def test_two_workers_share_state_clock_faults_journal_and_seed_once(redis_server, server):  # noqa: F811
    url = redis_server.url()
    proc, base = start_fieldsim("--server", server, "--workers", "2", "--threads", "4", "--api", "werkbon",
                                "--state", url)
    port = int(base.rsplit(":", 1)[1])
    conns: dict[int, Conn] = {}
    try:
        deadline = time.time() + 15
        while len(workers := children(proc.pid)) < 2 and time.time() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2, f"expected 2 {server} workers, found {workers}"
        conns = connections_per_worker(port, workers)
        assert len(conns) == 2, "could not reach both workers"
        a, b = conns.values()

        # seeded once: the insertion counter shows one seeding's writes, not two
        rc = redis.Redis.from_url(url.split("?")[0])
        prefix = url.split("prefix=")[1]
        assert int(rc.get(prefix + "kvseq") or 0) == seed_writes(redis_server.url()) > 0

        # clock
        assert a.call("POST", "/__admin/clock", {"now": "2026-03-02T09:00:00+01:00"})[0] == 200
        status, clock = b.call("GET", "/__admin/clock")
        assert status == 200 and clock["now"].startswith("2026-03-02T09:00:00") and clock["frozen"]

        # faults, with `times` counted down once across both processes
        status, rule = a.call("POST", "/__admin/faults",
                              {"kind": "http_status", "status": 418, "times": 3, "api": "werkbon"})
        assert status == 201
        assert [r["id"] for r in b.call("GET", "/__admin/faults")[1]] == [rule["id"]]
        hits = [(a if i % 2 else b).call("GET", "/openapi/8/employees")[0] for i in range(8)]
        assert hits.count(418) == 3, hits

        # journal: requests seen by both workers are in one journal
        a.call("DELETE", "/__admin/requests")
        a.call("GET", "/openapi/8/employees?from=a")
        b.call("GET", "/openapi/8/employees?from=b")
        seen = {e["query"] for e in a.call("GET", "/__admin/requests")[1]}
        assert {"from=a", "from=b"} <= seen

        # state: an import through one worker is what the other exports
        status, exported = a.call("GET", "/__admin/state/werkbon")
        assert status == 200
        assert b.call("GET", "/__admin/state/werkbon")[1] == exported
        assert b.call("PUT", "/__admin/state/werkbon", {"collections": {}, "counters": {}})[0] == 200
        emptied = a.call("GET", "/__admin/state/werkbon")[1]
        assert emptied == b.call("GET", "/__admin/state/werkbon")[1] and emptied != exported
        assert a.call("POST", "/__admin/reset")[0] == 200  # reseeds (and resets the clock) for both
        reseeded = b.call("GET", "/__admin/state/werkbon")[1]
        assert reseeded == a.call("GET", "/__admin/state/werkbon")[1]
        assert {c: len(d) for c, d in reseeded["collections"].items()} == \
            {c: len(d) for c, d in exported["collections"].items()}
    finally:
        for conn in conns.values():  # open keep-alive connections would hold up a graceful stop
            conn.http.close()
        kill_group(proc, signal.SIGTERM)
