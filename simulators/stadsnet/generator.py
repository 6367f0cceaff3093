"""SNP-WF-4: the end-customer side. Customers order services in the Tjänsteguiden over simulated
time (a generator, off unless enabled), or now through the admin call / a scenario.

The generator is evaluated lazily: before each request, advance(now) places the orders that
"would have" arrived since the last check, each dated at its own arrival instant.
"""
from __future__ import annotations

import random
from datetime import datetime

from simulators.core.clock import parse_duration
from simulators.stadsnet.model import Model
from simulators.stadsnet.seed import NETWORKS, fake_customer

MAX_CATCH_UP = 500  # orders per request at most; a jump of a year does not stall one request
DIRECT_SHARE = 0.15  # share of orders that arrive already delivered (direct activation, SNP-WF-2)


def generator_settings(raw) -> dict:
    """Validate {enabled, interval} (interval: ISO 8601 duration or seconds); ValueError when wrong."""
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - {"enabled", "interval", "direct_share"}:
        raise ValueError("stadsnet generator: expected {enabled: bool, interval: 'PT10M', direct_share: 0..1}")
    enabled = raw.get("enabled", False)
    if not isinstance(enabled, bool):
        raise ValueError("stadsnet generator: enabled must be true or false")
    try:
        interval = parse_duration(raw.get("interval", "PT10M")).total_seconds()
    except Exception:
        raise ValueError(f"stadsnet generator: interval {raw.get('interval')!r} is not a duration "
                         "such as PT10M") from None
    share = raw.get("direct_share", DIRECT_SHARE)
    if interval <= 0 or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise ValueError("stadsnet generator: interval must be positive and direct_share within 0..1")
    return {"enabled": enabled, "interval": interval, "direct_share": float(share)}


class EndCustomers:
    def __init__(self, model: Model, seed: int, options: dict):
        self.model = model
        self.seed = seed
        self.default = generator_settings(options)

    @property
    def state(self):
        return self.model.state

    def settings(self) -> dict:
        return self.state.get("meta", "generator_config") or self.default

    def configure(self, raw) -> dict:
        """Fields left out keep their value: {"interval": "PT5M"} does not switch a running generator off."""
        settings = generator_settings({**self.settings(), **raw} if isinstance(raw, dict) else raw)
        with self.state.lock():
            self.state.put("meta", "generator_config", settings)
            mark = self.state.get("meta", "generator") or {}
            # arrivals count from now, the moment it is switched on (not from the next request)
            self.state.put("meta", "generator", {"last": self.model.now().timestamp(), "count": mark.get("count", 0)})
        return settings

    def advance(self, now: datetime) -> None:
        settings = self.settings()
        if not settings["enabled"]:
            return
        with self.state.lock():
            mark = self.state.get("meta", "generator")
            ts = now.timestamp()
            if mark is None or mark["last"] > ts:  # first request, or the clock was set back
                self.state.put("meta", "generator", {"last": ts, "count": (mark or {}).get("count", 0)})
                return
            due = int((ts - mark["last"]) // settings["interval"])
            if due <= 0:
                return
            for k in range(1, min(due, MAX_CATCH_UP) + 1):
                at = datetime.fromtimestamp(mark["last"] + k * settings["interval"], tz=now.tzinfo)
                self.arrive(f"gen:{self.seed}:{mark['count'] + k}", at, settings["direct_share"])
            last = mark["last"] + due * settings["interval"] if due <= MAX_CATCH_UP else ts
            self.state.put("meta", "generator", {"last": last, "count": mark["count"] + min(due, MAX_CATCH_UP)})

    def arrive(self, key: str, at: datetime, direct_share: float) -> list[dict]:
        """One end customer orders one or two services: one order per service."""
        rng = random.Random(key)
        network = "MS" if rng.random() < 0.8 else "NS"
        customer = self.new_customer(key, network, at)
        catalogue = sorted(self.state.all("services"), key=lambda s: s["id"])
        services = rng.sample(catalogue, 2 if rng.random() < 0.25 else 1)
        return [self.model.place_order(customer, svc, at, status="delivered" if rng.random() < direct_share else "new")
                for svc in services]

    def new_customer(self, key: str, network: str, at: datetime, overrides: dict | None = None) -> dict:
        number = self.state.next_id(f"access:{network}", 20000)
        data = fake_customer(key, network, number)
        data.update(overrides or {})
        return self.model.add_customer(data, at)

    def network_of(self, access_id: str) -> str:
        """An accessId starts with its network's prefix (MS12345); unknown prefixes belong to MS."""
        return access_id[:2] if access_id[:2] in NETWORKS else "MS"
