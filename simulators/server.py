"""Serving with gunicorn (gthread workers): the production server behind `fieldsim serve`."""
from __future__ import annotations

import ctypes
import json
import os
import re
import sys

from gunicorn.app.base import BaseApplication

from simulators.core.config import Config


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
    def __init__(self, config: Config, print_banner: bool = True):
        self.config_obj = config
        self.print_banner = print_banner
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
        }
        for key, value in settings.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn >= 25: no control socket in CI
            self.cfg.set("control_socket_disable", True)

    def load(self):
        from simulators.app import create_app
        app = create_app(self.config_obj)
        if self.print_banner:
            print(banner(self.config_obj, app.fieldsim), flush=True)
            self.print_banner = False
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


def serve(config: Config, print_banner: bool = True) -> None:
    sys.argv = sys.argv[:1]  # gunicorn must not parse our flags
    limit_malloc_arenas()
    if print_banner and config.workers > 1:
        # Several workers each load the app after the fork: print the banner once, here, instead.
        from simulators.core.runtime import Runtime
        runtime = Runtime(config)
        print(banner(config, runtime), flush=True)
        runtime.backend.close()
        print_banner = False
    FieldsimServer(config, print_banner).run()
