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
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from simulators.core.api import json_error
from simulators.core.errors import BackendUnavailable, DomainError
from simulators.core.journal import headers_of, text_of

log = logging.getLogger("fieldsim")


def drop_connection() -> Response:
    """Close the client's socket without an answer (fault kinds drop_connection, timeout)."""
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if sock is not None:
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


def _forget_body() -> None:
    """After refusing an oversized body, let error formatters read query args without touching it."""
    request.__dict__.update(form=ImmutableMultiDict(), files=ImmutableMultiDict(), _cached_data=b"")
    request.environ["wsgi.input"] = io.BytesIO(b"")


def _read_body(runtime) -> bytes:
    """Read (and keep) the body, so the journal sees it and any WSGI app mounted below can re-read it."""
    length = request.content_length
    if length is not None and length > runtime.config.max_body_bytes:
        _forget_body()
        raise RequestEntityTooLarge()
    if length is None and request.environ.get("wsgi.input_terminated"):
        # chunked: werkzeug's stream would stop quietly at the limit; read past it to tell
        body = request.environ["wsgi.input"].read(runtime.config.max_body_bytes + 1)
    else:
        body = request.stream.read(runtime.config.max_body_bytes + 1)
    if len(body) > runtime.config.max_body_bytes:
        _forget_body()
        raise RequestEntityTooLarge()
    request.environ["wsgi.input"] = io.BytesIO(body)
    request.environ["CONTENT_LENGTH"] = str(len(body))
    request._cached_data = body  # werkzeug's cache, so get_data()/get_json() see the same bytes
    return body


def install(app: Flask, runtime) -> None:
    @app.before_request
    def _before():
        api = runtime.api_for(request.path)
        g.fieldsim_api = api
        if api is None:
            return None
        g.fieldsim_started = time.perf_counter()
        g.fieldsim_body = _read_body(runtime)
        rule = runtime.faults.match(api.name, request.path, request.method)
        if rule is not None:
            resp = apply_fault(runtime, api, rule)
            if resp is not None:
                return resp
        limit = runtime.rate_limits.get(api.name)
        client = api.rate_limit_key(request) if limit else None
        if client is not None:
            ok, retry_after, reason = runtime.limiter.acquire(api.name, client, limit)
            if not ok:
                resp = api.rate_limited_response(retry_after)
                resp.headers["Retry-After"] = str(retry_after)
                return resp
            g.fieldsim_client = client
        if rule is not None and rule["kind"] in ("latency", "timeout"):
            resp = delay(rule)
            if resp is not None:
                return resp
        api.advance(runtime.clock.now())
        return None

    @app.after_request
    def _after(resp: Response):
        api = g.get("fieldsim_api")
        if api is None:
            return resp
        started = g.get("fieldsim_started") or time.perf_counter()
        body = b"" if resp.is_streamed or resp.direct_passthrough else resp.get_data()
        try:
            runtime.journal.record({
                "time": runtime.clock.now().isoformat(),
                "api": api.name,
                "method": request.method,
                "path": request.path,
                "query": request.query_string.decode("latin-1"),
                "requestHeaders": headers_of(request.headers),
                "requestBody": text_of(g.get("fieldsim_body") or b""),
                "status": resp.status_code,
                "responseHeaders": headers_of(resp.headers),
                "responseBody": text_of(body),
                "durationMs": round((time.perf_counter() - started) * 1000, 3),
                "fault": g.get("fieldsim_fault"),
            })
        except BackendUnavailable:
            pass
        return resp

    @app.teardown_request
    def _teardown(exc):
        client = g.pop("fieldsim_client", None)
        api = g.get("fieldsim_api")
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
