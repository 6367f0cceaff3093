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
from simulators.core.config import Config
from simulators.server import serve

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


if __name__ == "__main__":
    root, port, server, threads = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    # fieldsim's own server set-up (simulators/server.py), serving the stub instead of fieldsim
    serve(Config(port=port, server=server, threads=threads), print_banner=False, app=build(root))
