"""The servers behind `fieldsim serve`: gunicorn (gthread workers, the default) or granian.

gunicorn hands us the client's socket, so `drop_connection` closes it before any byte of an answer.
granian does the HTTP work in Rust outside the GIL and serves ~2× the requests per second
(docs/benchmarks.md); it does not expose the socket, so a dropped connection is a failed answer:
the client gets no reply or a status line without its body, a connection error either way."""
from __future__ import annotations

import ctypes
import gc
import json
import os
import re
import sys

import logging

from gunicorn.app.base import BaseApplication

from simulators.core.config import Config
from simulators.core.errors import ConnectionDropped


def banner(config: Config, runtime) -> str:
    root = f"http://{config.host}:{config.port}"
    state = re.sub(r"//[^@/]*@", "//", config.state)  # never print a redis password
    lines = [f"fieldsim serving on {root}  (state: {state}, seed {config.seed}, scale {config.scale})"]
    for name, url in runtime.base_urls(root).items():
        lines.append(f"  {name:10} {url}")
    lines.append(f"  admin      {root}/__admin/  (dashboard {root}/__admin/ui/)")
    lines.append("demo credentials:")
    for name, cred in runtime.credentials().items():
        lines.append(f"  {name:10} {json.dumps(cred, ensure_ascii=False)}")
    return "\n".join(lines)


class FieldsimServer(BaseApplication):
    def __init__(self, config: Config, print_banner: bool = True, app=None):
        self.config_obj = config
        self.print_banner = print_banner
        self.app = app  # a WSGI app to serve instead of fieldsim's (the bench's Flask stub)
        super().__init__()

    def load_config(self):
        c = self.config_obj
        settings = {
            "bind": f"{c.host}:{c.port}",
            "workers": c.workers,
            "worker_class": "gthread",
            "threads": c.threads,
            "timeout": max(c.request_timeout, 30),
            "graceful_timeout": 5,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "preload_app": c.workers == 1,
            # a long query (Stadsnät's add_message is a GET) reaches the pipeline, which answers past
            # REQUEST_LINE_LIMIT in the API's own format; gunicorn's own 414 is an HTML page at 4094
            "limit_request_line": 0,
        }
        for key, value in settings.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25: no control socket in CI
            self.cfg.set("control_socket_disable", True)

    def load(self):
        if self.app is not None:
            return settled(self.app)
        from simulators.app import create_app
        app = create_app(self.config_obj)
        if self.print_banner:
            print(banner(self.config_obj, app.fieldsim), flush=True)
            self.print_banner = False
        return settled(app)


def settled(app):
    """The app as built at start-up (dataset, routes, schemas, WSDLs) lives as long as the server:
    take it out of the cyclic collector's reach. A full collection walked all of it (~30 ms on the
    large dataset), a stall for every request in flight; now it walks only what requests left."""
    gc.collect()
    gc.freeze()
    return app


def limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread its own malloc arena kept at its high-water mark: with 16 threads
    building large answers RSS climbs ~40% before it plateaus (docs/reliability.md, Soak).
    Capping the arenas (like MALLOC_ARENA_MAX=2) keeps it flat. No-op off glibc."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # -8 = M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def print_banner_before_fork(config: Config) -> None:
    """Several workers each load the app after the fork: print the banner once, in the parent, from
    a runtime opened just for it (both servers)."""
    from simulators.core.runtime import Runtime
    runtime = Runtime(config)
    print(banner(config, runtime), flush=True)
    runtime.backend.close()


class _QuietDrops(logging.Filter):
    """A connection dropped on purpose (fault kinds drop_connection, timeout) logs no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return ConnectionDropped.__name__ not in record.getMessage()  # granian puts the traceback in the text


def _granian_loader(config: Config, preloaded):
    """Called in each granian worker after the fork: one worker keeps the app built before the fork
    (memory state seeded once); several build their own (own redis connections)."""
    def load(_target):
        for handler in logging.getLogger("_granian").handlers:  # records come from _granian.* loggers
            handler.addFilter(_QuietDrops())
        if preloaded is not None:
            return settled(preloaded)
        from simulators.app import create_app
        return settled(create_app(config))
    return load


def serve_granian(config: Config, print_banner: bool, app=None) -> None:
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server
    from simulators.app import create_app
    preloaded = app or (create_app(config) if config.workers == 1 else None)
    if print_banner and preloaded is not None:
        print(banner(config, preloaded.fieldsim), flush=True)
    elif print_banner:
        print_banner_before_fork(config)
    server = Server(
        "fieldsim", address=config.host, port=config.port, interface=Interfaces.WSGI,
        # no backpressure=threads: granian counts an idle keep-alive connection against it, and
        # clients beyond --threads would wait until another hung up (test_serve.py keep-alive test)
        workers=config.workers, blocking_threads=config.threads,
        http1_settings=HTTP1Settings(header_read_timeout=config.request_timeout * 1000),
        log_level=LogLevels.error, respawn_failed_workers=True, workers_kill_timeout=5,
    )
    server.serve(target_loader=_granian_loader(config, preloaded))


def serve(config: Config, print_banner: bool = True, app=None) -> None:
    """Serve fieldsim, or `app` (any WSGI app, one worker) with exactly fieldsim's server set-up."""
    sys.argv = sys.argv[:1]  # gunicorn must not parse our flags
    limit_malloc_arenas()
    if config.server == "granian":
        return serve_granian(config, print_banner, app)
    if print_banner and config.workers > 1:
        print_banner_before_fork(config)
        print_banner = False
    FieldsimServer(config, print_banner, app).run()
