"""Answers to repeated reads, kept in front of Flask.

A view marked @cacheable answers from state and the request alone (not the clock, not chance).
Its 200 answer to a GET is kept, by the request's path, query and headers, together with the state
generation it was read at (MemoryBackend counts every write). The same GET is answered with those
bytes while the generation is unchanged, still admitted, rate limited and journalled as any request
(pipeline.serve_kept), but without Flask and the view: ~16 µs of a repeated CAPO GET instead of ~140.
Any write, fault rule, clock change or admin change moves the generation, and the next such GET is
answered by the view again. Only a backend that counts its writes in-process (memory) takes part:
with several processes a write elsewhere would go unseen.
"""
from __future__ import annotations

from werkzeug.datastructures import Headers

from simulators.core import pipeline

ENTRIES = 4096  # answers kept; all are forgotten at once past either bound
BYTES = 64 * 1024 * 1024
ENTRY_BYTES = 1024 * 1024  # a larger answer is not kept


def cacheable(view):
    """Mark a view whose answer depends only on state and the request (see the module doc)."""
    view.fieldsim_cacheable = True
    return view


class Kept:
    __slots__ = ("api", "path", "query", "generation", "status", "status_code", "header_list", "headers", "body")

    def __init__(self, api, path, query, generation, status, header_list, body):
        self.api, self.path, self.query, self.generation = api, path, query, generation
        self.status, self.status_code = status, int(status.split(" ", 1)[0])
        self.header_list, self.headers, self.body = header_list, Headers(header_list), body


def request_key(environ) -> tuple | None:
    """What a kept answer may depend on: everything a GET without a body says; None for others."""
    if (environ.get("REQUEST_METHOD") != "GET" or environ.get("CONTENT_LENGTH", "") not in ("", "0")
            or "HTTP_TRANSFER_ENCODING" in environ):
        return None
    return (environ.get("wsgi.url_scheme"), environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
            environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            environ.get("CONTENT_TYPE", ""), *(item for item in environ.items() if item[0][:5] == "HTTP_"))


class ResponseCache:
    """WSGI middleware around the Flask app, for the base paths of APIs with @cacheable views: the
    others' requests pass straight through, without a key built or a start_response wrapped."""

    def __init__(self, app, runtime, paths: tuple[str, ...]):
        self.app, self.runtime, self.paths = app, runtime, paths
        self.entries: dict[tuple, Kept] = {}
        self.size = 0

    def __call__(self, environ, start_response):
        key = request_key(environ) if environ.get("PATH_INFO", "").startswith(self.paths) else None
        if key is None:
            return self.app(environ, start_response)
        kept = self.entries.get(key)
        if kept is not None and pipeline.serve_kept(self.runtime, environ, kept):
            start_response(kept.status, kept.header_list)
            return [kept.body]
        environ[pipeline.KEEP] = None
        answer: list = []

        def noting_start_response(status, headers, exc_info=None):
            answer[:] = (status, headers)
            return start_response(status, headers, exc_info)

        body = self.app(environ, noting_start_response)
        self._keep(key, environ, answer, body)
        return body

    def _keep(self, key, environ, answer, body) -> None:
        kept_as, generation = environ.get(pipeline.KEPT_AS), environ.get(pipeline.KEEP)
        if (kept_as is None or generation != self.runtime.backend.generation or not answer
                or type(body) is not list or not all(type(chunk) is bytes for chunk in body)):
            return  # not a cacheable answer, or state moved while it was read
        data = b"".join(body)
        if len(data) > ENTRY_BYTES:
            return
        stale = self.entries.get(key)
        if stale is not None:
            self.size -= len(stale.body)
        if len(self.entries) >= ENTRIES or self.size + len(data) > BYTES:
            self.entries, self.size = {}, 0
        self.entries[key] = Kept(*kept_as, generation, answer[0], list(answer[1]), data)
        self.size += len(data)


def install(app, runtime) -> None:
    """Put the cache in front of the app where the backend counts its writes, config allows and
    some API has a @cacheable view (a blueprint's endpoints are named "<its name>.<view>")."""
    paths = tuple(api.base_path() for name, api in runtime.apis.items()
                  if any(getattr(view, "fieldsim_cacheable", False)
                         for endpoint, view in app.view_functions.items() if endpoint.startswith(name + ".")))
    if runtime.config.response_cache and runtime.backend.generation is not None and paths:
        app.wsgi_app = ResponseCache(app.wsgi_app, runtime, paths)
