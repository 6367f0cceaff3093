"""Runtime: the one object that ties config, backend, clock, faults, journal, limiter and APIs."""
from __future__ import annotations

import contextlib
import importlib
import logging

from simulators.core.api import RateLimit, SimulatedAPI
from simulators.core.clock import SimClock
from simulators.core.config import Config
from simulators.core.faults import Faults
from simulators.core.journal import Journal
from simulators.core.ratelimit import Limiter
from simulators.core.store import open_backend

log = logging.getLogger("fieldsim")


def api_class(name: str) -> type[SimulatedAPI]:
    return importlib.import_module(f"simulators.{name}").API


class Runtime:
    def __init__(self, config: Config):
        self.config = config
        self.backend = open_backend(config.state)
        self.clock = SimClock(self.backend, config.timezone)
        self.faults = Faults(self.backend, config.apis)
        self.journal = Journal(self.backend, config.journal_size, self.clock.tz)
        self.limiter = Limiter(self.backend)
        self.apis: dict[str, SimulatedAPI] = {n: api_class(n)(self) for n in config.apis}
        self.rate_limits = {n: self._rate_limit(a) for n, a in self.apis.items()}
        self.seed_all()

    def _rate_limit(self, api: SimulatedAPI) -> RateLimit | None:
        opts = api.options.get("rate_limit")
        if opts is False:
            return None
        base = api.default_rate_limit
        if isinstance(opts, dict):
            base = RateLimit(**{**(base.__dict__ if base else {}), **opts})
        return base if base and base.enabled else None

    def seed_marker(self) -> dict:
        return {"seed": self.config.seed, "scale": self.config.scale}

    def seed_all(self) -> None:
        """Seed every API whose state is empty (a durable or shared backend keeps its state)."""
        with self.backend.lock("__seed__"):
            for name, api in self.apis.items():
                if self.backend.meta_get(f"seeded:{name}") is None:
                    api.reset()
                    self.backend.meta_put(f"seeded:{name}", self.seed_marker())

    def reset(self, name: str | None = None) -> None:
        names = [name] if name else list(self.apis)
        if name is None:  # first the clock, so the reseeded data is anchored to the real clock
            self.clock.reset()
        for n in names:
            self.apis[n].reset()
            self.backend.meta_put(f"seeded:{n}", self.seed_marker())
        self.faults.clear(name)
        self.journal.clear(api=name)
        self.backend.ratelimit_reset(name)

    @contextlib.contextmanager
    def all_or_nothing(self, names):
        """An admin change that lands whole or not at all: when it fails, the named APIs' state,
        the clock and the fault rules go back to what they were before it started."""
        saved = {n: self.apis[n].snapshot_state() for n in names}
        meta = {m: self.backend.meta_get(m) for m in (SimClock.META, Faults.META)}
        try:
            yield
        except BaseException:
            for name, snapshot in saved.items():
                self.apis[name].restore_state(snapshot)
            for m, value in meta.items():
                self.backend.meta_put(m, value)
            raise

    def api_for(self, path: str) -> SimulatedAPI | None:
        for api in self.apis.values():
            if api.owns(path):
                return api
        return None

    def base_urls(self, root: str) -> dict:
        return {n: root.rstrip("/") + a.base_path() for n, a in self.apis.items()}

    def credentials(self) -> dict:
        return {n: a.credentials() for n, a in self.apis.items()}
