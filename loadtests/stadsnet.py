"""Locust profile for Stadsnätsportalen serviceguide_log: many TL pollers asking for new orders
while the simulator's order generator creates them. Measures how quickly a new order is seen
(order date -> first poll that lists it) and handled (-> order_info, customer_info and
set_status received done), reported as pseudo-requests ORDER "seen" / "handled" (response time =
latency in ms).

    fieldsim serve --api stadsnet &
    locust -f loadtests/stadsnet.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8080

Profiles (for `make load PROFILE=...`): stadsnet-polling (tag "poll"). Environment:
STADSNET_GEN_INTERVAL (generator interval, default PT1S; set through the admin API at test start),
STADSNET_POLL_SECONDS (pause between polls per user, default 1.0).
Order dates have one-second resolution, so latencies are accurate to about a second; the
simulator's clock must be running (not frozen) and near real time.
"""
from __future__ import annotations

import os
import random
import re
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, tag, task

PATH = "/plain/serviceguide_log"
LOCAL = ZoneInfo("Europe/Stockholm")
TLS = [(1001, "tl-demo-key"), (1002, "tl2-demo-key")]
POLL = float(os.environ.get("STADSNET_POLL_SECONDS", "1.0"))
PROFILES = {"stadsnet-polling": {"tags": ["poll"], "users": 50, "spawn_rate": 10, "run_time": "60s"}}

_handled: set[int] = set()  # per process: each order is counted once even with several pollers per TL
_lock = threading.Lock()
_ORDER = re.compile(r"<order><id>(\d+)</id><type>[^<]*</type><date>([^<]+)</date><status>([^<]+)</status>"
                    r".*?<customer>(\d+)</customer></order>")


@events.test_start.add_listener
def _enable_generator(environment, **_):
    """Turn the simulator's end-customer generator on (fieldsim only; ignored elsewhere)."""
    import requests
    host = (environment.host or "").rstrip("/")
    try:
        requests.post(f"{host}/__admin/clock", json={"frozen": False}, timeout=5)
        requests.post(f"{host}/__admin/stadsnet/generator", timeout=5,
                      json={"enabled": True, "interval": os.environ.get("STADSNET_GEN_INTERVAL", "PT1S")})
    except requests.RequestException:
        pass


def _latency_ms(stamp: str) -> float:
    placed = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=LOCAL).timestamp()
    return max(0.0, (time.time() - placed) * 1000)


class TLPoller(HttpUser):
    """A TL's integration: poll orders for today, read and receive every new one (SNP-WF-1)."""

    wait_time = between(POLL * 0.8, POLL * 1.2)

    def on_start(self):
        self.api_user, self.api_key = random.choice(TLS)
        self.hash, self.hash_at = None, 0.0

    def call(self, name: str, **params) -> str:
        if self.hash is None or time.time() - self.hash_at > 19 * 60:
            with self.client.get(PATH, params={"method": "api_login", "api_user": self.api_user,
                                               "api_key": self.api_key}, name="api_login", catch_response=True) as r:
                found = re.search(r"<hash_key>([0-9a-f]{32})</hash_key>", r.text or "")
                if not found:
                    r.failure("login failed")
                    return ""
                self.hash, self.hash_at = found.group(1), time.time()
        with self.client.get(PATH, params={"method": name, "hash": self.hash, **params}, name=name,
                             catch_response=True) as r:
            if r.status_code != 200 or "<status>success</status>" not in (r.text or ""):
                if "hash" in (r.text or ""):
                    self.hash = None
                r.failure((r.text or "")[:200])
                return ""
            return r.text

    @tag("poll")
    @task
    def poll(self):
        today = datetime.now(LOCAL).strftime("%Y-%m-%d")
        body = self.call("orders", date=today)
        for order_id, stamp, status, customer in _ORDER.findall(body):
            if status != "new":
                continue
            with _lock:
                if int(order_id) in _handled:
                    continue
                _handled.add(int(order_id))
            self._event("seen", _latency_ms(stamp))
            if self.call("order_info", id=order_id) and self.call("customer_info", id=customer) \
                    and self.call("set_status", id=order_id, status="received"):
                self._event("handled", _latency_ms(stamp))

    def _event(self, name: str, ms: float) -> None:
        self.environment.events.request.fire(request_type="ORDER", name=name, response_time=ms,
                                             response_length=0, exception=None, context={})
