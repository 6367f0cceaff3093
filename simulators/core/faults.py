"""Fault rules (INTERFACE.md, /__admin/faults): chosen per request by API, path prefix and method.

Rules live in the backend's meta document `faults`, so every process applies the same rules and
`times` counts down once across all of them.
"""
from __future__ import annotations

import random
import uuid

from simulators.core.errors import AdminError

KINDS = ("latency", "http_status", "drop_connection", "timeout", "soap_fault", "expire_tokens", "rate_limit")
FIELDS = {"api", "path", "method", "kind", "status", "delay_ms", "times", "probability", "message", "id"}
DEFAULT_DELAY_MS = {"latency": 1000, "timeout": 30000}


def validate(rule, api_names) -> dict:
    if not isinstance(rule, dict):
        raise AdminError("fault: expected a JSON object")
    unknown = set(rule) - FIELDS
    if unknown:
        raise AdminError(f"fault: unknown field(s) {sorted(unknown)}")
    kind = rule.get("kind")
    if kind not in KINDS:
        raise AdminError(f"fault: kind must be one of {', '.join(KINDS)} (got {kind!r})")
    api = rule.get("api")
    if api is not None and api not in api_names:
        raise AdminError(f"fault: api must be one of {', '.join(api_names)} (got {api!r})")
    out = {"id": rule.get("id") or uuid.uuid4().hex[:12], "kind": kind, "api": api,
           "path": rule.get("path"), "method": rule.get("method")}  # omitted or null: every method
    if out["path"] is not None and (not isinstance(out["path"], str) or not out["path"].startswith("/")):
        raise AdminError("fault: path must be a string starting with '/' (a prefix of the request path)")
    if out["method"] is not None:  # 0, "", {} are no method: refused, not read as "every method"
        if not isinstance(out["method"], str) or not out["method"].strip():
            raise AdminError("fault: method must be a string such as GET or POST (omit it for every method)")
        out["method"] = out["method"].strip().upper()
    if kind == "http_status":
        status = rule.get("status")
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
            raise AdminError("fault: http_status needs status, an integer from 100 to 599")
        out["status"] = status
    delay = rule.get("delay_ms", DEFAULT_DELAY_MS.get(kind))
    if delay is not None:
        if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0 or delay > 600_000:
            raise AdminError("fault: delay_ms must be a number from 0 to 600000")
        out["delay_ms"] = delay
    times = rule.get("times")
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        raise AdminError("fault: times must be a positive integer (omit it for 'until deleted')")
    out["times"] = times
    prob = rule.get("probability", 1)
    if not isinstance(prob, (int, float)) or isinstance(prob, bool) or not 0 <= prob <= 1:
        raise AdminError("fault: probability must be a number from 0 to 1")
    out["probability"] = prob
    if rule.get("message") is not None:
        out["message"] = str(rule["message"])
    return out


class Faults:
    META = "faults"

    def __init__(self, backend, api_names):
        self.backend = backend
        self.api_names = tuple(api_names)

    def list(self) -> list[dict]:
        return self.backend.meta_get(self.META) or []  # none yet, or put back as none (all_or_nothing)

    def add(self, rule) -> dict:
        rule = validate(rule, self.api_names)
        with self.backend.lock("__faults__"):
            rules = self.list()
            rules.append(rule)
            self.backend.meta_put(self.META, rules)
        return rule

    def delete(self, rule_id: str) -> bool:
        with self.backend.lock("__faults__"):
            rules = self.list()
            kept = [r for r in rules if r["id"] != rule_id]
            self.backend.meta_put(self.META, kept)
        return len(kept) != len(rules)

    def clear(self, api: str | None = None) -> None:
        """All rules, or one API's own (a rule for every API stays: it is not that API's alone)."""
        with self.backend.lock("__faults__"):
            kept = [r for r in self.list() if api is not None and r.get("api") != api]
            self.backend.meta_put(self.META, kept)

    @staticmethod
    def _applies(rule, api, path, method, ignore_case) -> bool:
        prefix = rule.get("path")
        if prefix and ignore_case:  # the API's own paths ignore case (Capitech, as ASP.NET): so does its fault
            path, prefix = path.casefold(), prefix.casefold()
        return ((rule.get("api") in (None, api)) and (rule.get("method") in (None, method))
                and (not prefix or path.startswith(prefix)))

    def apply_to(self, api: str, path: str, method: str, ignore_case: bool = False) -> bool:
        """Whether some rule may fire on this request (nothing spent: match() decides)."""
        rules = self.backend.meta_read(self.META, [])
        return bool(rules) and any(self._applies(r, api, path, method, ignore_case) for r in rules)

    def match(self, api: str, path: str, method: str, ignore_case: bool = False) -> dict | None:
        """The first rule that applies and fires (probability), with its `times` spent once."""
        if not self.apply_to(api, path, method, ignore_case):
            return None
        with self.backend.lock("__faults__"):
            rules = self.list()
            for rule in rules:
                if not self._applies(rule, api, path, method, ignore_case):
                    continue
                if rule["probability"] < 1 and random.random() >= rule["probability"]:
                    continue
                if rule.get("times") is not None:
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        rules.remove(rule)
                    self.backend.meta_put(self.META, rules)
                return rule
        return None
