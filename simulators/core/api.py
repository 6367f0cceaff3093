"""The contract between the core and one simulated API.

Each package `simulators/<name>/` exposes `API`, a subclass of SimulatedAPI. The core mounts its
blueprint, seeds its state, and routes the shared machinery (faults, rate limits, journal, reset,
scenarios, state export) through the hooks below, so every API uses that machinery the same way.
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response

from simulators.core.errors import AdminError, describe
from simulators.core.store import State

if TYPE_CHECKING:  # pragma: no cover
    from simulators.core.runtime import Runtime


def json_error(message: str, status: int) -> Response:
    """`{"message": ...}`: the default error body, and the answer outside any simulated API."""
    return Response(json.dumps({"message": message}), status=status, mimetype="application/json")


def check_state_document(api: str, data) -> None:
    """PUT /__admin/state/<api> takes what GET exports, {"collections": {name: {id: document}},
    "counters": {name: int}}; anything else is a 400 that names the problem and replaces nothing."""
    hint = f"expected the JSON object GET /__admin/state/{api} exports"
    if not isinstance(data, dict) or not isinstance(data.get("collections"), dict):
        raise AdminError(f"{api}: state needs \"collections\", an object of collections; {hint}")
    unknown = sorted(set(data) - {"collections", "counters"})
    if unknown:
        raise AdminError(f"{api}: unknown key(s) {unknown} in the state; {hint}")
    for name, docs in data["collections"].items():
        if not isinstance(docs, dict):
            raise AdminError(f"{api}: collections.{name} must be an object of documents by id; {hint}")
    counters = data.get("counters", {})
    if not isinstance(counters, dict) or any(type(v) is not int for v in counters.values()):
        raise AdminError(f"{api}: counters must be an object of integers; {hint}")


_KINDS = {"list": list, "dict": dict, "int": int, "str": str, "bool": bool, "num": (int, float), "time": str}


def _is_time(value) -> bool:
    try:
        datetime.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


def check_documents(api: str, collections: dict, shapes: dict) -> None:
    """PUT /__admin/state/<api>: each document of a collection in `shapes` ({collection, or the part
    after "<account>:", : ("key", "key:list", "key?:str", ...)}) is an object with those keys, of that
    kind (`key?`: or null; `time`: an ISO date-time), as the API's own reads take them. Anything else
    is a 400 naming it, instead of a 500 on a later read."""
    for coll, docs in collections.items():
        shape = shapes.get(coll, shapes.get(coll.rpartition(":")[2]))
        for key, doc in ([] if shape is None else docs.items()):
            where = f"{api}: collections.{coll}.{key}"
            if not isinstance(doc, dict):
                raise AdminError(f"{where} must be an object, as GET /__admin/state/{api} exports it")
            for spec in shape:
                name, _, kind = spec.partition(":")
                nullable = name.endswith("?")
                name = name.rstrip("?")
                value = doc.get(name)
                if nullable and name in doc and value is None:
                    continue
                if name not in doc or (kind and (not isinstance(value, _KINDS[kind])
                                                 or isinstance(value, bool) and kind in ("int", "num")
                                                 or kind == "time" and not _is_time(value))):
                    raise AdminError(f"{where} needs {name}" + (f" ({kind})" if kind else ""))


@dataclass
class RateLimit:
    """Token bucket (rate per second, burst capacity) plus a cap on requests in flight."""

    rate: float = 20.0
    burst: int = 30
    inflight: int = 3
    enabled: bool = True


class SimulatedAPI:
    name: str = ""
    title: str = ""
    # Request paths this API owns (prefix match). The first is its base path.
    prefixes: tuple[str, ...] = ()
    # None: no rate limiting for this API unless configured.
    default_rate_limit: RateLimit | None = None
    # The provider routes paths whatever their case; fault rules' path prefixes then match alike.
    paths_ignore_case: bool = False
    # What PUT /__admin/state takes of a document, per collection (see check_documents).
    state_shapes: dict[str, tuple[str, ...]] = {}

    def __init__(self, runtime: "Runtime"):
        self.runtime = runtime
        self.options: dict = dict(runtime.config.api_options.get(self.name, {}))

    # -- shared machinery, for the API's own code ------------------------------------------------
    @property
    def state(self) -> State:
        return self.runtime.backend.state(self.name)

    @property
    def clock(self):
        return self.runtime.clock

    def now(self):
        return self.runtime.clock.now()

    # -- hooks the API implements -----------------------------------------------------------------
    def blueprint(self) -> Blueprint:
        """The Flask blueprint serving the provider's real paths."""
        raise NotImplementedError

    def seed(self, state: State) -> None:
        """Write the deterministic demo dataset (config.seed, config.scale) into an empty state."""

    def credentials(self) -> Any:
        """The demo credentials, as JSON, for GET /__admin/credentials and `make serve`."""
        return {}

    def error_response(self, status: int, message: str) -> Response:
        """An error in this provider's own format. Used for faults, rate limits, oversized bodies,
        unknown paths and uncaught errors. Override in every API."""
        return json_error(message, status)

    def rate_limited_response(self, retry_after: float) -> Response:
        """CAPO-RL-5 style refusal; the core adds the Retry-After header."""
        return self.error_response(429, "Too many requests: rate limit exceeded, retry later")

    def soap_fault_response(self, message: str) -> Response:
        """Answer for an injected `soap_fault`; non-SOAP APIs answer a 500 in their own format."""
        return self.error_response(500, message)

    def unauthenticated_response(self) -> Response:
        """Answer for an injected `expire_tokens` on APIs whose credentials cannot expire."""
        return self.error_response(401, "Unauthorized")

    def expire_tokens(self) -> bool:
        """Invalidate every session/token of this API (fault `expire_tokens`). Return False when
        the API has no sessions; the core then answers unauthenticated_response() instead."""
        return False

    def rate_limit_key(self, request) -> str | None:
        """Which client a request belongs to, for rate limiting (None: not limited)."""
        return None

    def load_scenario(self, payload: Any) -> dict:
        """Add entities given in this API's own wire format; answer a summary of what was added."""
        raise AdminError(f"{self.name}: scenarios with entities are not supported yet")

    def advance(self, now) -> None:
        """Called before each request of this API: let time-driven processes (a device completing
        work orders, customers placing orders) catch up with the simulated clock."""

    def export_state(self) -> dict:
        return self.state.export()

    def import_state(self, data: dict) -> None:
        """Replace the state with an export; the caller (PUT /__admin/state) restores the old one
        when this raises. What the API cannot read is a 400: by shape first, then by reading it."""
        check_state_document(self.name, data)
        check_documents(self.name, data["collections"], self.state_shapes)
        self.state.load(data)
        self.state_replaced()
        with self.reading():
            self.read_everything()

    @contextlib.contextmanager
    def reading(self, where: str | None = None):
        """Around a read of imported state: a document it trips over is a 400 naming it (README:
        PUT takes what GET exports), not a 500 on a later request. `where`: "<collection>.<key>"."""
        try:
            yield
        except AdminError:
            raise
        except Exception as exc:
            what = f"collections.{where}" if where else "the imported state"
            raise AdminError(f"{self.name}: {what} cannot be read as the API serves it ({describe(exc)})") from None

    def read_everything(self) -> None:
        """Read the whole state as clients would (every tenant's lists, each document as the wire
        shows it), raising where a document cannot be read; AdminError names the document."""

    def snapshot_state(self):
        """The whole stored state, for restore_state when an admin change fails half-way."""
        return self.runtime.backend.snapshot_api(self.name)

    def restore_state(self, snapshot) -> None:
        self.runtime.backend.restore_api(self.name, snapshot)
        self.state_replaced()

    def state_replaced(self) -> None:
        """The stored state was replaced whole (import, restore): drop what memory derived from it."""

    def reset(self) -> None:
        """Back to the seeded dataset."""
        state = self.state
        with state.lock():
            state.clear()
            self.seed(state)

    def admin_blueprint(self) -> Blueprint | None:
        """Extra admin calls of this API, mounted at /__admin/<name>/ (e.g. werkbon's complete)."""
        return None

    def base_path(self) -> str:
        return self.prefixes[0]

    def owns(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") or path.startswith(p + "?")
                   for p in self.prefixes)
