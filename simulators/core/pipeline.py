"""What happens around every request to a simulated API, the same for all five:
journal, body limit, injected faults, rate limit, time-driven catch-up, and errors in the
provider's own format (never a stack trace)."""
from __future__ import annotations

import io
import logging
import socket
import time
import traceback

from flask import Flask, Response, g, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge

from simulators.core import clock
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


def _forget_body(req) -> None:
    """After refusing an oversized body, let error formatters read query args without touching it."""
    req.__dict__.update(form=ImmutableMultiDict(), files=ImmutableMultiDict(), _cached_data=b"")
    req.environ["wsgi.input"] = io.BytesIO(b"")


def _read_body(req, limit: int) -> bytes:
    """Read (and keep) the body, so the journal sees it and any WSGI app mounted below can re-read it."""
    environ = req.environ
    if not environ.get("CONTENT_LENGTH") and "HTTP_TRANSFER_ENCODING" not in environ:
        # HTTP/1.1: no Content-Length and no Transfer-Encoding means no body. Read from the environ:
        # werkzeug's content_length parse was ~3% of a CAPO GET.
        return _keep_body(req, b"")
    length = _declared_length(req)
    if length is not None and length > limit:
        _forget_body(req)
        raise RequestEntityTooLarge()
    elif length is None:
        # chunked: werkzeug's stream would stop quietly at the limit; read past it to tell
        body = _read_capped(environ["wsgi.input"], limit + 1)
    else:
        # Exactly the declared length, straight from the server (PEP 3333): werkzeug's stream cost
        # ~4% of a Cloudplan request, and read(limit + 1) had io allocate 20 MB per request.
        body = environ["wsgi.input"].read(length)
        if len(body) < length:  # the client went away mid-body (werkzeug's stream: a bare 400)
            raise ClientDisconnected(f"Request body ended after {len(body)} of the {length} bytes "
                                     "its Content-Length announced")
    if len(body) > limit:
        _forget_body(req)
        raise RequestEntityTooLarge()
    return _keep_body(req, body)


READ_PIECE = 64 * 1024


def _read_capped(stream, cap: int) -> bytes:
    """At most `cap` bytes of a body of unknown length, in pieces: one read(cap) has io allocate
    all of `cap` (20 MB) before it reads a byte."""
    pieces, size = [], 0
    while size < cap:
        piece = stream.read(min(READ_PIECE, cap - size))
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


def _declared_length(req) -> int | None:
    """Content-Length as werkzeug reads it (None with Transfer-Encoding), plain digits parsed here."""
    raw = req.environ.get("CONTENT_LENGTH", "")
    if raw.isascii() and raw.isdigit() and "HTTP_TRANSFER_ENCODING" not in req.environ:
        return int(raw)
    return req.content_length


def _keep_body(req, body: bytes) -> bytes:
    environ = req.environ
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    req._cached_data = body  # werkzeug's cache, so get_data()/get_json() see the same bytes
    return body


def _journal_entry(runtime, api, req, ctx, resp: Response) -> Entry:
    body = b"" if resp.is_streamed or resp.direct_passthrough else resp.get_data()
    started = ctx.get("fieldsim_started") or time.perf_counter()
    return Entry(runtime.clock.now(), api.name, req.method, req.path, req.query_string,
                 request_headers_of(req.environ), kept(ctx.get("fieldsim_body") or b""), resp.status_code,
                 resp.headers, kept(body), round((time.perf_counter() - started) * 1000, 3),
                 ctx.get("fieldsim_fault"))


def _admit(runtime, api, req, ctx) -> Response | None:
    """Faults, rate limit, then the API's time-driven catch-up; a Response ends the request here."""
    rule = runtime.faults.match(api.name, req.path, req.method, api.paths_ignore_case)
    if rule is not None:
        resp = apply_fault(runtime, api, rule)
        if resp is not None:
            return resp
    limit = runtime.rate_limits.get(api.name)
    client = api.rate_limit_key(req) if limit else None
    if client is not None:
        ok, retry_after, reason = runtime.limiter.acquire(api.name, client, limit)
        if not ok:
            resp = api.rate_limited_response(retry_after)
            resp.headers["Retry-After"] = str(retry_after)
            return resp
        ctx.fieldsim_client = client
    if rule is not None and rule["kind"] in ("latency", "timeout"):
        resp = delay(rule)
        if resp is not None:
            return resp
    api.advance(runtime.clock.now())
    return None


def install(app: Flask, runtime) -> None:
    # The hooks run on every request: they bind request and g once (each proxy access costs).
    @app.before_request
    def _before():
        clock.begin_request()
        req, ctx = request._get_current_object(), g._get_current_object()
        api = runtime.api_for(req.path)
        ctx.fieldsim_api = api
        if api is None:
            return None
        ctx.fieldsim_started = time.perf_counter()
        runtime.backend.meta_snapshot()  # faults, clock, API switches: one read for the request
        ctx.fieldsim_body = _read_body(req, runtime.config.max_body_bytes)
        return _admit(runtime, api, req, ctx)

    @app.after_request
    def _after(resp: Response):
        ctx = g._get_current_object()
        api = ctx.get("fieldsim_api")
        if api is None:
            return resp
        try:
            runtime.journal.record(_journal_entry(runtime, api, request._get_current_object(), ctx, resp))
        except BackendUnavailable:
            pass
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
