"""`fieldsim serve` as a user runs it: gunicorn (gthread) or granian, banner with base URLs and credentials,
flags, and the embedded mode's context manager."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

from simulators.testing import fieldsim_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*args, env=None):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "simulators", "serve", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/__admin/health", timeout=1).status_code in (200, 401):
                return proc, port
        except requests.ConnectionError:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read())
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("fieldsim serve did not answer /__admin/health within 30 s")


def stop(proc) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def test_serve_runs_gunicorn_prints_urls_and_credentials_and_answers_health():
    proc, port = start()
    try:
        health = requests.get(f"http://127.0.0.1:{port}/__admin/health", timeout=5).json()
        assert health["status"] == "ok" and len(health["apis"]) == 5
        server = requests.get(f"http://127.0.0.1:{port}/", timeout=5).headers.get("Server", "")
        assert "gunicorn" in server.lower()
        assert_long_request_lines_reach_the_api(f"http://127.0.0.1:{port}")
    finally:
        out = stop(proc)
    assert f"http://127.0.0.1:{port}/api/capo" in out
    assert f"http://127.0.0.1:{port}/v1" in out
    assert "demo credentials" in out


def assert_long_request_lines_reach_the_api(base: str) -> None:
    """SNP-ERR-1 (a GET add_message with a ~5 KB message is the API's to answer; gunicorn's own limit
    of 4094 bytes answered an HTML page), and past 8190 bytes ([decision], the pipeline) a 414 in
    the API's own format: Stadsnät's XML, CAPO's {"message"} (CAPO-ERR-1)."""
    login = {"method": "api_login", "api_user": "1001", "api_key": "x" * 5000}
    r = requests.get(base + "/plain/serviceguide_log", params=login, timeout=5)
    assert r.status_code == 200 and "<status>error</status>" in r.text and "Login failed" in r.text
    r = requests.get(base + "/plain/serviceguide_log", params={**login, "api_key": "x" * 9000}, timeout=5)
    assert r.status_code == 414 and r.text.startswith("<?xml") and "8190 bytes" in r.text
    r = requests.get(base + "/api/capo/project", params={"projectType": "x" * 9000}, timeout=5,
                     headers={"Authorization": "Bearer capo-netbeheerder-demo"})
    assert r.status_code == 414 and set(r.json()) == {"message"}


def test_serve_granian_answers_prints_banner_once_and_drops_connections_quietly():
    """`--server granian`: the same app behind granian; an injected drop_connection fails the
    request with a connection error (no reply, or a status line without its body) and logs no
    traceback; the next request is served normally."""
    proc, port = start("--server", "granian", "--api", "capo")
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": "Bearer capo-netbeheerder-demo"}
    try:
        first = requests.get(base + "/api/capo/project", headers=auth, timeout=5)
        assert first.status_code == 200 and first.headers.get("Server") == "granian" and first.json()
        rule = requests.post(base + "/__admin/faults", json={"api": "capo", "kind": "drop_connection", "times": 2},
                             timeout=5).json()
        for _ in range(2):
            with pytest.raises(requests.RequestException):
                requests.get(base + "/api/capo/project", headers=auth, timeout=5)
        assert requests.get(base + "/api/capo/project", headers=auth, timeout=5).json() == first.json()
        journal = requests.get(base + "/__admin/requests", params={"api": "capo"}, timeout=5).json()
        assert [e["fault"] for e in journal].count(rule["id"]) == 2
        r = requests.get(base + "/api/capo/project", params={"projectType": "x" * 9000}, headers=auth, timeout=5)
        assert r.status_code == 414 and set(r.json()) == {"message"}
    finally:
        out = stop(proc)
    assert out.count("fieldsim serving on") == 1 and f"{base}/api/capo" in out
    assert "Traceback" not in out and "ConnectionDropped" not in out, out[-2000:]


def test_serve_granian_serves_more_keep_alive_clients_than_threads():
    """Regression: granian's backpressure was set to --threads, and an idle keep-alive connection
    held its slot, so with 2 threads a third client waited until another one hung up."""
    import http.client
    proc, port = start("--server", "granian", "--threads", "2", "--api", "capo", "--quiet")
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(8)]
    try:
        for _round in range(2):
            for conn in conns:  # round robin: every connection stays open and idle between requests
                conn.request("GET", "/api/capo/project", headers={"Authorization": "Bearer capo-netbeheerder-demo"})
                resp = conn.getresponse()
                assert resp.status == 200 and resp.read()
    finally:
        for conn in conns:
            conn.close()
        stop(proc)


@pytest.mark.parametrize("flags", [("--api", "capo", "--api", "werkbon"), ("--api", "capo", "werkbon")])
def test_serve_api_flag_limits_the_apis(flags):
    """INTERFACE.md `[--api NAME ...]`: several names after one --api, or --api repeated."""
    proc, port = start(*flags, "--quiet")
    try:
        assert requests.get(f"http://127.0.0.1:{port}/__admin/health", timeout=5).json()["apis"] == ["capo", "werkbon"]
    finally:
        stop(proc)


def test_serve_admin_token_flag():
    proc, port = start("--admin-token", "t0k", "--quiet", "--api", "capo")
    try:
        assert requests.get(f"http://127.0.0.1:{port}/__admin/health", timeout=5).status_code == 401
    finally:
        stop(proc)


@pytest.mark.parametrize("args,word", [
    (["--api", "nope"], "invalid choice"),
    (["--scale", "huge"], "invalid choice"),
    (["--state", "mongodb://x"], "unknown --state"),
    (["--workers", "2"], "redis"),
    (["--server", "uwsgi"], "invalid choice"),
    (["--state", f"redis://127.0.0.1:{free_port()}/0"], "state backend unreachable"),  # was a traceback
])
def test_serve_bad_flags_exit_with_a_message(args, word):
    r = subprocess.run([sys.executable, "-m", "simulators", "serve", "--port", "1", *args],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and word in r.stderr and "Traceback" not in r.stderr  # a usage error


def test_serve_config_file(tmp_path):
    cfg = tmp_path / "fieldsim.yaml"
    cfg.write_text("apis: [stadsnet]\nseed: 7\njournal_size: 3\n")
    proc, port = start("--config", str(cfg), "--quiet")
    try:
        assert requests.get(f"http://127.0.0.1:{port}/__admin/health", timeout=5).json()["apis"] == ["stadsnet"]
    finally:
        stop(proc)


def test_config_file_with_unknown_key_is_refused(tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("colour: blue\n")
    r = subprocess.run([sys.executable, "-m", "simulators", "serve", "--config", str(cfg)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "colour" in r.stderr


def test_embedded_context_manager_gives_urls_and_credentials_and_stops():
    with fieldsim_server(apis=["capo"]) as sim:
        assert sim.url("capo") == sim.base_url + "/api/capo"
        assert "capo" in sim.credentials
        assert requests.get(sim.base_url + "/__admin/health", timeout=5).ok
        port = sim.port
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/__admin/health", timeout=2)


def test_pytest_plugin_fixture_resets_between_tests_part1(fieldsim):
    requests.post(fieldsim.base_url + "/__admin/faults", json={"kind": "latency", "delay_ms": 1}, timeout=5)
    assert len(requests.get(fieldsim.base_url + "/__admin/faults", timeout=5).json()) == 1


def test_pytest_plugin_fixture_resets_between_tests_part2(fieldsim):
    assert requests.get(fieldsim.base_url + "/__admin/faults", timeout=5).json() == []


def test_the_served_app_is_out_of_the_cyclic_collectors_reach():
    """server.settled: what start-up built (dataset, routes, schemas) is frozen, so a full
    collection under load walks only what requests left behind, not the whole app (a ~30 ms stall
    on --scale large). Run in a child: freezing is for the whole interpreter."""
    code = (
        "import gc, time\n"
        "from simulators.app import create_app\n"
        "from simulators.core.config import Config\n"
        "from simulators.server import settled\n"
        "app = create_app(Config(scale='medium'))\n"
        "before = len(gc.get_objects())\n"
        "settled(app)\n"
        "c = app.test_client()\n"
        "assert c.get('/api/capo/project', headers={'Authorization': 'Bearer capo-netbeheerder-demo'}).status_code == 200\n"
        "print(before, gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    before, frozen, left = map(int, out.stdout.split())
    assert before > 20_000 and frozen > before * 0.9  # less what the collection before freezing freed
    assert left < before // 10
