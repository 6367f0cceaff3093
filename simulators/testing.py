"""Embedded mode for other people's test suites (like moto's mock_aws, WireMock's JUnit rule).

    from simulators.testing import fieldsim_server
    with fieldsim_server(apis=["capo"]) as sim:
        requests.get(sim.url("capo") + "/project", headers={"Authorization": "Bearer capo-netbeheerder-demo"})

As a pytest plugin (entry point `pytest11`, active once fieldsim is installed):
- `fieldsim_server`: one server for the session, on a free port.
- `fieldsim`: the same server, reset to the seeded dataset (and real clock) before each test.
"""
from __future__ import annotations

import contextlib
import os
import threading
from typing import Iterator

import requests
from werkzeug.serving import make_server

from simulators.core.config import Config


class EmbeddedServer:
    """A running fieldsim: base URLs, demo credentials and admin helpers."""

    def __init__(self, config: Config):
        from simulators.app import create_app
        self.app = create_app(config)
        self.runtime = self.app.fieldsim
        self._server = make_server(config.host, config.port, self.app, threaded=True)
        self.port = self._server.server_port
        self.base_url = f"http://{config.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fieldsim", daemon=True)
        self.http = requests.Session()

    def start(self) -> "EmbeddedServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.runtime.backend.close()

    def url(self, api: str) -> str:
        return self.base_url + self.runtime.apis[api].base_path()

    @property
    def credentials(self) -> dict:
        return self.runtime.credentials()

    def admin(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, f"{self.base_url}/__admin/{path.lstrip('/')}", **kwargs)

    def reset(self, api: str | None = None) -> None:
        self.runtime.reset(api)

    def set_clock(self, now: str, frozen: bool = True) -> dict:
        return self.runtime.clock.apply({"now": now, "frozen": frozen})

    def advance(self, duration: str) -> dict:
        return self.runtime.clock.apply({"advance": duration})


@contextlib.contextmanager
def fieldsim_server(apis=None, *, seed: int = 42, scale: str = "small", state: str = "memory",
                    host: str = "127.0.0.1", port: int = 0, **options) -> Iterator[EmbeddedServer]:
    """Start fieldsim in-process on a free port; stop it on exit."""
    kwargs = dict(host=host, port=port, seed=seed, scale=scale, state=state, **options)
    if apis:
        kwargs["apis"] = tuple(apis)
    server = EmbeddedServer(Config(**kwargs)).start()
    try:
        yield server
    finally:
        server.stop()


# ---- pytest plugin --------------------------------------------------------------------------
try:
    import pytest
except ImportError:  # pragma: no cover - pytest is optional for embedded use
    pytest = None

if pytest is not None:
    @pytest.fixture(scope="session")
    def fieldsim_server_session() -> Iterator[EmbeddedServer]:
        """FIELDSIM_TEST_STATE (e.g. sqlite:////tmp/t.db, redis://127.0.0.1:6379/15) runs the
        whole suite on another backend."""
        with fieldsim_server(state=os.environ.get("FIELDSIM_TEST_STATE", "memory")) as server:
            yield server

    @pytest.fixture
    def fieldsim(fieldsim_server_session) -> EmbeddedServer:
        """The session's fieldsim, reset to the seeded dataset, faults and journal cleared."""
        fieldsim_server_session.reset()
        return fieldsim_server_session
