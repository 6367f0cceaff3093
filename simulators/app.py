"""create_app(config): mounts each API at its real path, the admin API at /__admin, and the
shared request pipeline around them."""
from __future__ import annotations

import logging

from flask import Flask

from simulators.core.admin import build_admin, json_response
from simulators.core.config import Config
from simulators.core import pipeline, response_cache
from simulators.core.runtime import Runtime


ROUTES_REMEMBERED = 4096  # distinct (path, method) matches kept; forgotten all at once past it


class _RememberedRoutes:
    """The URL adapter of one request: match() answers from the app's memory of earlier matches of
    the same (script, path, method); werkzeug's adapter (bind_to_environ, the state-machine
    matcher: ~15% of a CAPO GET) is made only for a new path, a refusal (404, 405, redirect), or
    anything else Flask asks of an adapter (building URLs)."""

    __slots__ = ("_app", "_request", "_adapter")

    def __init__(self, app, request):
        self._app, self._request, self._adapter = app, request, None

    @property
    def adapter(self):
        if self._adapter is None:
            self._adapter = Flask.create_url_adapter(self._app, self._request)
        return self._adapter

    def match(self, path_info=None, method=None, return_rule=False, query_args=None, websocket=None):
        if path_info is not None or method is not None or websocket is not None:
            return self.adapter.match(path_info, method, return_rule, query_args, websocket)
        environ = self._request.environ
        key = (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), self._request.method)
        routes = self._app._routes
        hit = routes.get(key)
        if hit is None:
            hit = self.adapter.match(return_rule=True)  # raises the refusals, which stay unremembered
            if len(routes) >= ROUTES_REMEMBERED:
                routes.clear()
            routes[key] = hit
        rule, args = hit
        return (rule if return_rule else rule.endpoint), dict(args)  # a view may change its args

    def __getattr__(self, name):
        return getattr(self.adapter, name)


class CaseFreePrefixes:
    """WSGI: an API whose provider routes paths whatever their case (Capitech, ASP.NET) gets its base
    path as sent (/API/Public/V1/...) routed as its own; Flask's routing is case-sensitive."""

    def __init__(self, app, prefixes):
        self.app, self.prefixes = app, [(p, p.casefold(), len(p)) for p in prefixes]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for prefix, folded, n in self.prefixes:
            head = path[:n]
            if head != prefix and head.casefold() == folded and path[n:n + 1] in ("", "/"):
                environ["PATH_INFO"] = prefix + path[n:]
                break
        return self.app(environ, start_response)


class FieldsimFlask(Flask):
    """Flask, with per-request costs taken out (the hot path of every API)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync: dict = {}
        self._routes: dict = {}

    def create_url_adapter(self, request):
        if request is None or self.config["TRUSTED_HOSTS"] is not None or self.url_map.host_matching:
            return super().create_url_adapter(request)
        return _RememberedRoutes(self, request)

    def ensure_sync(self, func):
        # Flask asks `inspect` on every request whether each hook and view is a coroutine
        # function; for a given function the answer never changes.
        sync = self._sync.get(func)
        if sync is None:
            sync = self._sync[func] = super().ensure_sync(func)
        return sync

    def process_response(self, response):
        response = super().process_response(response)
        body = response.response
        if (not response.direct_passthrough and type(body) is list
                and all(type(chunk) is bytes for chunk in body)):
            # A body already in memory goes out as the list itself, not werkzeug's iterator:
            # granian then sends it in one call instead of stepping an iterator, each step a GIL
            # hand-off between threads (Cloudplan getProjects ×10: ~+25% req/s on 16 threads).
            response.direct_passthrough = True
        return response


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    runtime = Runtime(config)
    app = FieldsimFlask("fieldsim")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.sort_keys = False
    app.url_map.strict_slashes = False
    app.extensions["fieldsim"] = runtime
    app.fieldsim = runtime  # type: ignore[attr-defined]
    pipeline.install(app, runtime)
    for api in runtime.apis.values():
        app.register_blueprint(api.blueprint())
    app.register_blueprint(build_admin(runtime))
    case_free = [p for a in runtime.apis.values() if a.paths_ignore_case for p in a.prefixes]
    if case_free:
        app.wsgi_app = CaseFreePrefixes(app.wsgi_app, case_free)
    response_cache.install(app, runtime)

    @app.get("/")
    def index():
        return json_response({"fieldsim": list(runtime.apis), "admin": "/__admin/ui/",
                              "apis": {n: a.base_path() for n, a in runtime.apis.items()}})

    return app
