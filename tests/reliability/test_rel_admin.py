"""Admin surface hardening (issue 9): the admin API binds to loopback by default, and hostile
strings stored through each simulated API come back from the admin API as data in proper JSON
(Content-Type application/json), never as markup; the dashboard page does not embed them."""
from __future__ import annotations

import json
import socket

import requests

from contracts.cloudplan.helpers import envelope
from simulators.core.config import Config

HOSTILE = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>', "</textarea><svg/onload=alert(1)>",
           "{{7*7}}${7*7}", "'; DROP TABLE orders; --", "\u202eevil\u200b"]


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of LISTEN sockets on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                found.add(addr)
    return found


def test_rel_default_host_is_loopback():
    """The default Config and `fieldsim serve` without --host bind 127.0.0.1 only."""
    assert Config().host == "127.0.0.1"
    import argparse
    from simulators.cli import _serve_parser  # --host defaults to None, i.e. Config's default
    sub = argparse.ArgumentParser().add_subparsers()
    assert _serve_parser(sub).parse_args([]).host is None


def test_rel_fieldsim_serve_without_host_listens_on_loopback_only(served):
    """The `served` fixture runs `fieldsim serve` without --host: its only listening socket is
    127.0.0.1 (0100007F), and the port is not reachable on another local address."""
    addrs = _listening_addresses(served.port)
    assert addrs == {"0100007F"}, addrs
    try:
        other = socket.gethostbyname(socket.gethostname())
    except OSError:
        other = None
    if other and not other.startswith("127."):
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((other, served.port)) != 0


def _store_hostile(base: str, text: str, i: int) -> None:
    """Put `text` into each API's state (and journal) through its own wire format."""
    nb = {"Authorization": "Bearer capo-netbeheerder-demo", "x-email": "hostile@example.nl"}
    requests.post(f"{base}/api/capo/project/3000104/activiteit", headers=nb, json={"type": "Extra werkvoorbereiding",
                                                                                     "omschrijving": text}, timeout=30)
    api = base + "/plain/serviceguide_log"
    h = requests.get(api, params={"method": "api_login", "api_user": "1001", "api_key": "tl-demo-key",
                                  "output_format": "json"}, timeout=30).json()["response"]["hash_key"]
    orders = requests.get(api, params={"method": "orders", "hash": h, "date": "2000-01-01", "output_format": "json"},
                          timeout=30).json()["response"]["order"]
    requests.get(api, params={"method": "add_message", "hash": h, "id": orders[0]["id"], "message": text, "type": "log"}, timeout=30)
    from clients.cloudplan import CloudplanClient
    CloudplanClient(base + "/v1", "demo", "demo").push("customer", [({"number": f"HOSTILE-{i}"}, {"number": f"HOSTILE-{i}", "name": text})])
    requests.post(base + "/api/public/v1/Access/login", json={"username": text, "password": text}, timeout=30)
    requests.post(base + "/openapi/8/employees/", params={"token": "werkbon-demo-token", "software_token": "werkbon-demo-software"},
                  json=[{"firstname": text, "lastname": text, "number": f"H{i}"}], timeout=30)
    requests.post(base + "/v1/projects", data=envelope("getProjects", f"<x>{text.replace('<', '&lt;')}</x>"), timeout=30)


def _admin_json(base: str, path: str):
    resp = requests.get(base + "/__admin/" + path, timeout=30)
    assert resp.status_code == 200, (path, resp.status_code)
    assert resp.headers["Content-Type"].split(";")[0] == "application/json", (path, resp.headers["Content-Type"])
    return resp.json(), resp.text


def test_rel_admin_answers_hostile_strings_as_json_data_not_markup(rel):
    """Hostile strings stored via every API are returned by GET /__admin/state/<api>,
    /__admin/requests and the other admin reads as JSON data (round-trips exactly), with
    Content-Type application/json; the dashboard HTML embeds none of them."""
    for i, text in enumerate(HOSTILE):
        _store_hostile(rel.base_url, text, i)
    found = {}
    for api in rel.runtime.apis:
        data, _ = _admin_json(rel.base_url, f"state/{api}")
        blob = json.dumps(data, ensure_ascii=False)
        found[api] = [t for t in HOSTILE if json.dumps(t, ensure_ascii=False)[1:-1] in blob]
    assert all(found[a] == HOSTILE for a in ("capo", "stadsnet", "cloudplan", "werkbon")), found
    journal, _ = _admin_json(rel.base_url, "requests")
    blob = json.dumps(journal, ensure_ascii=False)
    # request bodies are kept as text (JSON inside JSON): look for quote-free fragments
    assert all(f in blob for f in ("<script>alert(", "onerror=alert(1)>", "</textarea><svg/onload=alert(1)>"))
    for path in ("health", "credentials", "faults", "clock", "ratelimits", "werkbon/device", "stadsnet/generator",
                 "capitech/summary", "cloudplan/sessions", "capo/latency"):
        _admin_json(rel.base_url, path)
    ui = requests.get(rel.base_url + "/__admin/ui/", timeout=30)
    assert ui.status_code == 200 and ui.headers["Content-Type"].startswith("text/html")
    assert not any(t in ui.text for t in HOSTILE[:3])


def test_rel_admin_errors_are_json_even_for_hostile_paths(rel):
    """Unknown admin paths and bad admin input with markup in them → JSON errors, not HTML."""
    for method, path, body in (("GET", "/__admin/state/<script>x</script>", None),
                               ("POST", "/__admin/faults", '{"kind": "<script>", "api": "<b>x</b>"}'),
                               ("POST", "/__admin/clock", '{"now": "<script>"}'),
                               ("POST", "/__admin/scenario", "<html><script>x</script></html>"),
                               ("POST", "/__admin/werkbon/workorders/<img src=x>/complete", None)):
        resp = requests.request(method, rel.base_url + path, data=body, timeout=30,
                                headers={"Content-Type": "application/json"})
        assert 400 <= resp.status_code < 500, (path, resp.status_code, resp.text[:200])
        assert resp.headers["Content-Type"].split(";")[0] == "application/json", (path, resp.headers["Content-Type"], resp.text[:200])
        resp.json()
