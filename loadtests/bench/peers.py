"""The peers a user would pick instead of fieldsim, each serving the same response on loopback:
WireMock standalone (stub mappings), Prism (OpenAPI examples) and nginx (static files: the
near-physical limit). Each one answers every bench case with the exact status, Content-Type and
body fieldsim answered, selected by the request's method, path and `X-Bench-Case` header."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from loadtests.bench import deps
from loadtests.bench.procs import LOOPBACK, ROOT, free_port, stop_proc, wait_http

CASE_HEADER = "X-Bench-Case"


class Peer:
    name = "peer"
    cwd: Path | None = None  # the process's working directory (None: its own directory)

    def __init__(self, workdir: Path, server: str = "granian", threads: int = 16):
        self.server, self.threads = server, threads  # fieldsim's, for a peer that runs on its server
        self.dir = workdir / self.name
        self.port = free_port()
        self.base = f"http://{LOOPBACK}:{self.port}"
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def available() -> str | None:
        """None when it can run here, else the reason it is skipped."""
        return None

    def start(self, cases: list) -> None:
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        cmd, ready = self.prepare(cases)
        log = open(self.dir / "peer.log", "ab")
        self.proc = subprocess.Popen(cmd, cwd=self.cwd or self.dir, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            wait_http(ready, self.proc, 90, ok=(200, 404))
        except RuntimeError as exc:
            self.stop()
            tail = (self.dir / "peer.log").read_text(errors="replace")[-600:]
            raise RuntimeError(f"{self.name} did not start: {exc}: {tail}") from None

    def prepare(self, cases: list) -> tuple[list[str], str]:
        raise NotImplementedError

    def rss_mb(self) -> float:
        from loadtests.bench.procs import tree_rss_mb
        return tree_rss_mb(self.proc.pid) if self.proc else 0.0

    def stop(self) -> None:
        stop_proc(self.proc)
        self.proc = None


class WireMock(Peer):
    """Stubs match method + URL path + X-Bench-Case (+ Authorization for CAPO), as a user would
    record them; request journal and request logging off (the fastest WireMock set-up)."""
    name = "wiremock"

    @staticmethod
    def available() -> str | None:
        if not shutil.which("java"):
            return "java not found (WireMock standalone needs Java 17)"
        return None if deps.wiremock_jar() else "WireMock jar not installed (run `make bench-deps`: npm package wiremock)"

    def prepare(self, cases):
        (self.dir / "mappings").mkdir()
        (self.dir / "__files").mkdir()
        for c in cases:
            headers = {CASE_HEADER: {"equalTo": c.name}}
            if "Authorization" in c.headers:
                headers["Authorization"] = {"equalTo": c.headers["Authorization"]}
            request = {"method": c.method, "urlPath": c.path.split("?")[0], "headers": headers}
            (self.dir / "__files" / f"{c.name}.body").write_bytes(c.expected_body)
            stub = {"request": request, "response": {"status": c.expected_status, "bodyFileName": f"{c.name}.body",
                                                      "headers": {"Content-Type": c.expected_type}}}
            (self.dir / "mappings" / f"{c.name}.json").write_text(json.dumps(stub))
        cmd = ["java", "-jar", str(deps.wiremock_jar()), "--port", str(self.port), "--bind-address", LOOPBACK,
               "--root-dir", str(self.dir), "--no-request-journal", "--disable-request-logging", "--disable-banner"]
        return cmd, self.base + "/__admin/mappings"


class Prism(Peer):
    """`prism mock` of an OpenAPI 3 document whose one named example per case is the body fieldsim
    answered; the client picks it with `Prefer: example=<case>` (added by the bench to every
    request; fieldsim, WireMock and nginx ignore it)."""
    name = "prism"

    @staticmethod
    def available() -> str | None:
        if not shutil.which("node"):
            return "node not found"
        return None if deps.prism_bin() else "Prism not installed (run `make bench-deps`: npm @stoplight/prism-cli)"

    def prepare(self, cases):
        paths: dict = {}
        for c in cases:
            op = paths.setdefault(c.path.split("?")[0], {}).setdefault(c.method.lower(), {
                "operationId": f"{c.method.lower()}_{c.name}".replace("-", "_"),
                "responses": {str(c.expected_status): {"description": "bench", "content": {}}}})
            if c.body:  # Prism validates the request's Content-Type against the declared body
                media_in = c.headers.get("Content-Type", "application/octet-stream").split(";")[0].strip()
                op.setdefault("requestBody", {"content": {}})["content"][media_in] = {"schema": {}}
            content = op["responses"][str(c.expected_status)]["content"]
            media = content.setdefault(c.expected_type.split(";")[0], {"examples": {}})
            value = json.loads(c.expected_body) if "json" in c.expected_type else c.expected_body.decode()
            media["examples"][c.name] = {"value": value}
        doc = {"openapi": "3.0.3", "info": {"title": "fieldsim bench", "version": "1"}, "paths": paths}
        (self.dir / "openapi.json").write_text(json.dumps(doc, ensure_ascii=False))
        cmd = [str(deps.prism_bin()), "mock", "openapi.json", "-h", LOOPBACK, "-p", str(self.port)]
        return cmd, self.base + "/__bench_ready"


NGINX_CONF = """daemon off;
worker_processes {workers};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
{user}
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path {dir}/tmp_body;
  proxy_temp_path {dir}/tmp_proxy;
  fastcgi_temp_path {dir}/tmp_fcgi;
  uwsgi_temp_path {dir}/tmp_uwsgi;
  scgi_temp_path {dir}/tmp_scgi;
  types {{ application/json json; text/xml xml; application/xml axml; text/plain txt; }}
  map $http_x_bench_case $bench_file {{
{map}
    default missing;
  }}
  server {{
    listen {host}:{port};
    root {dir}/bodies;
    location / {{
      rewrite ^ /$bench_file break;
      error_page 405 =200 $uri;
    }}
  }}
}}
"""


class Nginx(Peer):
    """nginx serving each case's body as a static file (POST answered via error_page 405 =200)."""
    name = "nginx"
    EXT = {"application/json": "json", "text/xml": "xml", "application/xml": "axml"}

    @staticmethod
    def available() -> str | None:
        return None if deps.nginx_bin() else "nginx not installed (run `make bench-deps`: apt-get install nginx)"

    def prepare(self, cases):
        (self.dir / "bodies").mkdir()
        lines = []
        for c in cases:
            ext = self.EXT.get(c.expected_type.split(";")[0].strip(), "txt")
            (self.dir / "bodies" / f"{c.name}.{ext}").write_bytes(c.expected_body)
            lines.append(f'    "{c.name}" {c.name}.{ext};')
        user = "user root;" if os.geteuid() == 0 else ""
        conf = NGINX_CONF.format(workers=1, dir=self.dir, user=user, map="\n".join(lines), host=LOOPBACK,
                                 port=self.port)
        (self.dir / "nginx.conf").write_text(conf)
        return [deps.nginx_bin(), "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")], self.base + "/"


class FlaskStub(Peer):
    """fieldsim's Flask class on fieldsim's server and threads, each case's answer from memory
    (loadtests/bench/flask_stub.py): the floor of the framework fieldsim is built on."""
    name = "flask"
    cwd = ROOT  # where `python -m loadtests...` finds the module

    def prepare(self, cases):
        index = {}
        for c in cases:
            (self.dir / f"{c.name}.body").write_bytes(c.expected_body)
            index[c.name] = {"file": f"{c.name}.body", "status": c.expected_status, "type": c.expected_type}
        (self.dir / "cases.json").write_text(json.dumps(index))
        cmd = [sys.executable, "-m", "loadtests.bench.flask_stub", str(self.dir), str(self.port), self.server,
               str(self.threads)]
        return cmd, self.base + "/"


PEERS = (WireMock, Prism, Nginx, FlaskStub)
