"""Config: what `fieldsim serve` flags and `--config FILE` (YAML or JSON) set."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from simulators import API_NAMES

SCALES = ("small", "medium", "large")
SERVERS = ("gunicorn", "granian")


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    apis: tuple[str, ...] = API_NAMES
    seed: int = 42
    scale: str = "small"
    state: str = "memory"
    admin_token: str | None = None
    server: str = "gunicorn"  # or "granian": ~2× the throughput, drops are less exact (simulators/server.py)
    workers: int = 1
    threads: int = 16
    timezone: str = "Europe/Amsterdam"
    max_body_bytes: int = 20 * 1024 * 1024  # larger bodies are refused with 413 in the API's format
    journal_size: int = 1000
    request_timeout: int = 60  # seconds a slow client may take before gunicorn drops it
    public_url: str | None = None  # base URL used in links the simulator hands out (upload URLs)
    response_cache: bool = True  # repeated reads answered from kept bytes (core/response_cache.py)
    # Per-API options, e.g. {"capo": {"rate_limit": {"rate": 20, "burst": 30, "inflight": 3}}}
    api_options: dict = field(default_factory=dict)

    def __post_init__(self):
        unknown = [a for a in self.apis if a not in API_NAMES]
        if unknown:
            raise ValueError(f"unknown --api {unknown}; choose from {', '.join(API_NAMES)}")
        if self.server not in SERVERS:
            raise ValueError(f"unknown --server {self.server!r}; choose from {', '.join(SERVERS)}")
        if self.scale not in SCALES:
            raise ValueError(f"unknown --scale {self.scale!r}; choose from {', '.join(SCALES)}")

    @classmethod
    def load(cls, path: str | None, **overrides) -> "Config":
        data: dict = {}
        if path:
            text = Path(path).read_text(encoding="utf-8")
            data = yaml.safe_load(text) or {}
            if not isinstance(data, dict):
                raise ValueError(f"--config {path}: expected a mapping at the top level")
        known = {f.name for f in fields(cls)}
        api_options = dict(data.pop("api_options", {}) or {})
        for name in API_NAMES:  # `capo: {...}` at top level is the same as api_options.capo
            if name in data:
                api_options[name] = data.pop(name)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"--config {path}: unknown keys {sorted(unknown)}")
        data.update({k: v for k, v in overrides.items() if v is not None})
        if "apis" in data:
            data["apis"] = tuple(data["apis"])
        return cls(api_options=api_options, **data)
