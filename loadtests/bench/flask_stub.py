"""The framework's floor: fieldsim's Flask class on fieldsim's server and threads, answering each
bench case from memory (one dict lookup, no pipeline, no journal, no state). fieldsim's ratio to
it is the cost of what fieldsim does per request; its ratio to WireMock is what any Flask app
served this way can reach on this machine.

    python -m loadtests.bench.flask_stub DIR PORT SERVER THREADS   (DIR holds cases.json + bodies)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from flask import Response, request

from simulators.app import FieldsimFlask

CASE_HEADER = "X-Bench-Case"


def build(directory: Path) -> FieldsimFlask:
    cases = json.loads((directory / "cases.json").read_text())
    answers = {name: ((directory / c["file"]).read_bytes(), c["status"], c["type"]) for name, c in cases.items()}
    app = FieldsimFlask("flask-stub")

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def stub(path):
        found = answers.get(request.headers.get(CASE_HEADER, ""))
        if found is None:
            return Response(b"no such case", status=404)
        body, status, content_type = found
        return Response(body, status=status, content_type=content_type)

    return app


def serve(app, port: int, server: str, threads: int) -> None:
    """The same server set-up as `fieldsim serve` (simulators/server.py), one process."""
    if server == "granian":
        from granian.constants import Interfaces
        from granian.log import LogLevels
        from granian.server import Server
        Server("flask-stub", address="127.0.0.1", port=port, interface=Interfaces.WSGI, workers=1,
               blocking_threads=threads, log_level=LogLevels.error).serve(target_loader=lambda _t: app)
        return
    from gunicorn.app.base import BaseApplication

    class Stub(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": 1, "threads": threads,
                               "worker_class": "gthread", "loglevel": "error"}.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    sys.argv = sys.argv[:1]
    Stub().run()


if __name__ == "__main__":
    root, port, server, threads = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    serve(build(root), port, server, threads)
