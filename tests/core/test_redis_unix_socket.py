"""`--state unix:///path/redis.sock?db=N` (README, State backends): redis over a unix socket, the
cheaper transport when fieldsim and redis share a host (docs/benchmarks.md, Scale-out). Regression:
the URL used to lose its `//` on the way to redis-py, which refused it."""
from __future__ import annotations

import subprocess
import time

import pytest

from redis_server import REDIS_BIN, SKIP_REASON
from simulators.core.store_redis import split_url

pytestmark = [pytest.mark.redis, pytest.mark.skipif(REDIS_BIN is None, reason=SKIP_REASON)]


def test_unix_socket_url_keeps_its_slashes_and_drops_our_prefix():
    assert split_url("unix:///tmp/r.sock?db=2&prefix=ci:") == ("unix:///tmp/r.sock?db=2", "ci:")
    assert split_url("unix:///tmp/r.sock") == ("unix:///tmp/r.sock", None)


def test_fieldsim_state_on_a_unix_socket_serves_and_shares_data(tmp_path):
    sock = tmp_path / "redis.sock"
    proc = subprocess.Popen([REDIS_BIN, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while not sock.exists() and time.time() < deadline:
            time.sleep(0.05)
        from simulators.app import create_app
        from simulators.core.config import Config
        url = f"unix://{sock}?db=3&prefix=t:"
        one, two = (create_app(Config(apis=("capo",), state=url)).test_client() for _ in range(2))
        auth = {"Authorization": "Bearer capo-netbeheerder-demo"}
        assert one.get("/api/capo/project", headers=auth).status_code == 200
        assert one.post("/__admin/clock", json={"now": "2026-03-02T09:00:00+01:00"}).status_code == 200
        assert two.get("/__admin/clock").get_json()["now"].startswith("2026-03-02T09:00:00")  # one shared state
    finally:
        proc.terminate()
        proc.wait(10)
