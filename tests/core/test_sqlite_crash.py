"""Crash safety of the sqlite backend: kill -9 in the middle of a write load loses no acknowledged
write and leaves no half-applied transaction."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import requests

from simulators.core.store import open_backend
from redis_server import kill_group, start_fieldsim

KEYS_PER_TX = 8

WRITER = textwrap.dedent("""
    import sys
    from simulators.core.store import open_backend
    b = open_backend(sys.argv[1])
    s = b.state("crash")
    n = 0
    while True:
        n += 1
        with s.lock():  # one transaction of KEYS_PER_TX keys plus a counter
            for i in range(KEYS_PER_TX):
                s.put("tx", f"{n}:{i}", {"tx": n, "i": i, "pad": "x" * 200})
            b.meta_put("last", n)
        print(n, flush=True)  # acknowledged: the transaction returned
""").replace("KEYS_PER_TX", str(KEYS_PER_TX))


def test_sigkill_mid_transactions_keeps_every_acknowledged_transaction_whole(tmp_path):
    url = f"sqlite:///{tmp_path}/crash.db"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, text=True)
    acked = 0
    for line in proc.stdout:
        acked = int(line)
        if acked >= 150:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    s = open_backend(url).state("crash")
    txs: dict[int, set] = {}
    for key, doc in s.items("tx"):
        txs.setdefault(doc["tx"], set()).add(doc["i"])
    assert all(i in txs for i in range(1, acked + 1)), "an acknowledged transaction was lost"
    partial = {n: len(parts) for n, parts in txs.items() if len(parts) != KEYS_PER_TX}
    assert not partial, f"half-applied transactions after kill -9: {partial}"
    last = s.backend.meta_get("last")
    assert max(txs) == last and last >= acked  # the meta write went with its keys
    assert sorted(txs) == list(range(1, last + 1))


WB = "/openapi/8/employees/?token=werkbon-demo-token&software_token=werkbon-demo-software"


def test_fieldsim_serve_killed_mid_load_keeps_every_acknowledged_write(tmp_path):
    """Every acknowledged write — POST /__admin/faults (a read-modify-write of the fault list under
    lock) and WerkbonApp POST /employees (an API write) — is still there after kill -9 of the whole
    server mid-load and a restart on the same file; nothing is duplicated."""
    url = f"sqlite:///{tmp_path}/serve.db"
    proc, base = start_fieldsim("--api", "werkbon", "--state", url)
    port = int(base.rsplit(":", 1)[1])
    acked = {"fault": [], "employee": []}
    stop = threading.Event()

    def write(kind, http):
        ident = uuid.uuid4().hex[:12]
        if kind == "fault":
            r = http.post(f"{base}/__admin/faults", timeout=5,
                          json={"id": ident, "kind": "latency", "delay_ms": 0, "path": "/nowhere"})
            return ident if r.status_code == 201 else None
        r = http.post(base + WB, timeout=5, json=[{"firstname": "Kim", "lastname": ident, "number": ident}])
        return ident if r.status_code == 200 and r.json().get("code") == 200 else None

    def client(kind):
        http = requests.Session()
        while not stop.is_set():
            try:
                ident = write(kind, http)
            except requests.RequestException:
                return
            if ident:
                acked[kind].append(ident)

    threads = [threading.Thread(target=client, args=(k,)) for k in ("fault", "fault", "employee", "employee")]
    try:
        for t in threads:
            t.start()
        deadline = time.time() + 20
        while min(map(len, acked.values())) < 40 and time.time() < deadline:
            time.sleep(0.02)
        kill_group(proc)  # mid-load: the clients are still sending
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        if proc.poll() is None:
            kill_group(proc)
    assert min(map(len, acked.values())) >= 40, {k: len(v) for k, v in acked.items()}
    proc, _ = start_fieldsim("--api", "werkbon", "--state", url, port=port)
    try:
        faults = [r["id"] for r in requests.get(f"{base}/__admin/faults", timeout=5).json()]
        assert not set(acked["fault"]) - set(faults), "acknowledged fault rules lost after kill -9"
        assert len(faults) == len(set(faults)) and len(faults) - len(acked["fault"]) <= 2  # only in-flight extras
        employees = [e["number"] for e in requests.get(base + WB, timeout=5).json()["response"]]
        assert not set(acked["employee"]) - set(employees), "acknowledged employees lost after kill -9"
        assert len(employees) == len(set(employees))
        assert requests.get(f"{base}/__admin/health", timeout=5).json()["state"].startswith("sqlite")
    finally:
        kill_group(proc)
