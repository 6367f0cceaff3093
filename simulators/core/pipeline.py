"""What happens around every request to a simulated API, the same for all five:
journal, body limit, injected faults, rate limit, time-driven catch-up, and errors in the
provider's own format (never a stack trace)."""
from __future__ import annotations

import logging
import socket
import time
import traceback
from typing import NamedTuple

from flask import Flask, Response, g, request
from werkzeug import Request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, RequestURITooLarge

from simulators.core import clock
from simulators.core.body import read_body
from simulators.core.api import json_error
from simulators.core.errors import BackendUnavailable, ConnectionDropped, DomainError
from simulators.core.journal import Entry, kept, request_headers_of

log = logging.getLogger("fieldsim")


def _dropped():
    yield b"-"  # granian mostly holds the status line back with the first chunk...
    raise ConnectionDropped()  # ...and, with most of the Content-Length owed, closes without a reply


def drop_connection() -> Response:
    """Close the client's socket without an answer (fault kinds drop_connection, timeout) where the
    server hands the socket over (gunicorn, werkzeug); else (granian) fail the answer mid-way."""
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if sock is None:
        return Response(_dropped(), status=499, headers={"Content-Length": "1048576"})
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return Response(b"", status=499)


def apply_fault(runtime, api, rule) -> Response | None:
    """Answer for a fault that replaces the response (None: the request goes on). `latency` and
    `timeout` are applied by delay() after admission, so a slow request holds its in-flight slot."""
    kind = rule["kind"]
    g.fieldsim_fault = rule["id"]
    if kind in ("latency", "timeout"):
        return None
    if kind == "drop_connection":
        return drop_connection()
    if kind == "http_status":
        return api.error_response(rule["status"], rule.get("message") or f"Injected fault: HTTP {rule['status']}")
    if kind == "soap_fault":
        return api.soap_fault_response(rule.get("message") or "Injected fault")
    if kind == "expire_tokens":
        return None if api.expire_tokens() else api.unauthenticated_response()
    if kind == "rate_limit":
        resp = api.rate_limited_response(1)
        resp.headers["Retry-After"] = "1"
        return resp
    return None


def delay(rule) -> Response | None:
    time.sleep(rule.get("delay_ms", 0) / 1000.0)
    return drop_connection() if rule["kind"] == "timeout" else None


REQUEST_LINE_LIMIT = 8190  # bytes, as Apache's and nginx's defaults (the providers name none)


def _check_request_line(environ) -> None:
    """[decision] A request line past the common servers' limit is a 414 in the API's own format."""
    length = (len(environ.get("REQUEST_METHOD", "")) + len(environ.get("SCRIPT_NAME", ""))
              + len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) + 11)  # " ", "?", " HTTP/1.1"
    if length > REQUEST_LINE_LIMIT:
        raise RequestURITooLarge(f"Request line longer than {REQUEST_LINE_LIMIT} bytes")


def journal_entry(runtime, api, method, path, query, environ, req_body, status, headers, body,
                  started, fault=None) -> Entry:
    return Entry(runtime.clock.now(), api.name, method, path, query, request_headers_of(environ),
                 kept(req_body), status, headers, kept(body), round((time.perf_counter() - started) * 1000, 3),
                 fault)


def _journal_entry(runtime, api, req, ctx, resp: Response) -> Entry:
    body = b"" if resp.is_streamed or resp.direct_passthrough else resp.get_data()
    return journal_entry(runtime, api, req.method, req.path, req.query_string, req.environ,
                         ctx.get("fieldsim_body") or b"", resp.status_code, resp.headers, body,
                         ctx.get("fieldsim_started") or time.perf_counter(), ctx.get("fieldsim_fault"))


def take_slot(runtime, api, req) -> tuple[str | None, int]:
    """The rate limiter on this request: (the client now holding an in-flight slot, or None when
    the API or the request is not limited; 0), or (None, seconds to wait) when it is refused."""
    limit = runtime.rate_limits.get(api.name)
    client = api.rate_limit_key(req) if limit else None
    if client is None:
        return None, 0
    ok, retry_after, _ = runtime.limiter.acquire(api.name, client, limit)
    return (client, 0) if ok else (None, retry_after)


def _admit(runtime, api, req, ctx) -> Response | None:
    """Faults, rate limit, then the API's time-driven catch-up; a Response ends the request here."""
    rule = runtime.faults.match(api.name, req.path, req.method, api.paths_ignore_case)
    if rule is not None:
        resp = apply_fault(runtime, api, rule)
        if resp is not None:
            return resp
    client, retry_after = take_slot(runtime, api, req)
    if retry_after:
        resp = api.rate_limited_response(retry_after)
        resp.headers["Retry-After"] = str(retry_after)
        return resp
    if client is not None:
        ctx.fieldsim_client = client
    if rule is not None and rule["kind"] in ("latency", "timeout"):
        resp = delay(rule)
        if resp is not None:
            return resp
    api.advance(runtime.clock.now())
    return None


# Between response_cache and the pipeline, in the request's WSGI environ:
KEEP = "fieldsim.keep"  # a GET the cache may keep: None, then the state generation it was admitted at
KEPT_AS = "fieldsim.kept_as"  # the answer may be kept: (api, path, query), set after the view
ADMITTED = "fieldsim.admitted"  # an Admitted: serve_kept admitted it, the pipeline answers it


class Admitted(NamedTuple):
    """What serve_kept did before handing a request on: the slot it holds, whether the catch-up
    ran, and when it started on the real and the simulated clock (the journal's durationMs and
    time are the request's, as without the cache)."""
    client: str | None
    advanced: bool
    started: float
    instant: object


def serve_kept(runtime, environ, kept) -> bool:
    """Admit a GET whose answer response_cache keeps, as _before would: True when that answer may
    go out now (journalled). False when the pipeline must answer it after all: a fault may apply,
    the limiter refused (the pipeline asks again and answers the 429; a refusal spends nothing),
    or state changed since the answer was kept (ADMITTED hands on the slot taken)."""
    api, backend, started = kept.api, runtime.backend, time.perf_counter()
    clock.begin_request()
    backend.meta_snapshot()
    try:
        if (kept.generation != backend.generation
                or runtime.faults.apply_to(api.name, kept.path, "GET", api.paths_ignore_case)):
            return False
        client, retry_after = take_slot(runtime, api, Request(environ))
        if retry_after:
            return False
        try:
            api.advance(runtime.clock.now())
        except Exception:  # the pipeline runs it again and answers the error in the API's format
            environ[ADMITTED] = Admitted(client, False, started, clock.request_instant())
            return False
        if kept.generation != backend.generation:  # the catch-up (or another request) wrote
            environ[ADMITTED] = Admitted(client, True, started, clock.request_instant())
            return False
        try:
            runtime.journal.record(journal_entry(runtime, api, "GET", kept.path, kept.query, environ, b"",
                                                 kept.status_code, kept.headers, kept.body, started))
        except BackendUnavailable:
            pass
        finally:
            if client is not None:
                runtime.limiter.release(api.name, client)
        return True
    finally:
        clock.end_request()
        backend.meta_snapshot_end()


def install(app: Flask, runtime) -> None:
    # The hooks run on every request: they bind request and g once (each proxy access costs).
    @app.before_request
    def _before():
        req, ctx = request._get_current_object(), g._get_current_object()
        handed = req.environ.pop(ADMITTED, None)  # admitted by serve_kept, whose kept answer went stale
        clock.begin_request(handed and handed.instant)
        api = runtime.api_for(req.path)
        ctx.fieldsim_api = api
        if api is None:
            return None
        ctx.fieldsim_started = handed.started if handed else time.perf_counter()
        runtime.backend.meta_snapshot()  # faults, clock, API switches: one read for the request
        _check_request_line(req.environ)
        ctx.fieldsim_body = read_body(req, runtime.config.max_body_bytes)
        if handed is None:
            resp = _admit(runtime, api, req, ctx)
        else:
            ctx.fieldsim_client = handed.client
            if not handed.advanced:
                api.advance(runtime.clock.now())
            resp = None
        if resp is None and KEEP in req.environ:
            req.environ[KEEP] = runtime.backend.generation  # what the answer will have been read at
        return resp

    @app.after_request
    def _after(resp: Response):
        ctx = g._get_current_object()
        api = ctx.get("fieldsim_api")
        if api is None:
            return resp
        req = request._get_current_object()
        try:
            runtime.journal.record(_journal_entry(runtime, api, req, ctx, resp))
        except BackendUnavailable:
            pass
        if (req.environ.get(KEEP) is not None and resp.status_code == 200 and not ctx.get("fieldsim_fault")
                and getattr(app.view_functions.get(req.endpoint), "fieldsim_cacheable", False)):
            req.environ[KEPT_AS] = (api, req.path, req.query_string)  # response_cache keeps it
        return resp

    @app.teardown_request
    def _teardown(exc):
        clock.end_request()
        runtime.backend.meta_snapshot_end()
        ctx = g._get_current_object()
        client = ctx.pop("fieldsim_client", None)
        api = ctx.get("fieldsim_api")
        if client is not None and api is not None:
            try:
                runtime.limiter.release(api.name, client)
            except Exception:  # backend down: the slot expires with the backend's own state
                log.warning("could not release in-flight slot for %s", client)

    @app.errorhandler(Exception)
    def _error(exc):
        api = g.get("fieldsim_api") or runtime.api_for(request.path)
        if isinstance(exc, BackendUnavailable):
            message, status = f"State backend unavailable: {exc}", 503
        elif isinstance(exc, DomainError):
            message, status = exc.message, exc.status
        elif isinstance(exc, HTTPException):
            message, status = exc.description or exc.name, exc.code or 500
            if isinstance(exc, RequestEntityTooLarge):
                message = f"Request body larger than {runtime.config.max_body_bytes} bytes"
        else:
            log.error("uncaught error on %s %s\n%s", request.method, request.path, traceback.format_exc())
            message, status = "Internal error in the simulator", 500
        resp = api.error_response(status, message) if api else json_error(message, status)
        allowed = getattr(exc, "valid_methods", None)
        if allowed and "Allow" not in resp.headers:  # a 405 names the methods that are allowed
            resp.headers["Allow"] = ", ".join(allowed)
        return resp
