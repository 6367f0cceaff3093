"""Reading a request's body once, within the limit, so the journal, the API and any WSGI app
mounted below (spyne) all see the same bytes; an oversized body is refused before it is read whole."""
from __future__ import annotations

import io

from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, ClientDisconnected, RequestEntityTooLarge

from simulators.core.errors import describe


def _forget_body(req) -> None:
    """After refusing an oversized body, let error formatters read query args without touching it."""
    req.__dict__.update(form=ImmutableMultiDict(), files=ImmutableMultiDict(), _cached_data=b"")
    req.environ["wsgi.input"] = io.BytesIO(b"")


def read_body(req, limit: int) -> bytes:
    """Read (and keep) the body, so the journal sees it and any WSGI app mounted below can re-read it."""
    environ = req.environ
    if not environ.get("CONTENT_LENGTH") and "HTTP_TRANSFER_ENCODING" not in environ:
        # HTTP/1.1: no Content-Length and no Transfer-Encoding means no body. Read from the environ:
        # werkzeug's content_length parse was ~3% of a CAPO GET. The journal shows no Content-Length.
        req.environ["wsgi.input"] = io.BytesIO(b"")
        req._cached_data = b""
        return b""
    length = _declared_length(req)
    if length is not None and length > limit:
        _forget_body(req)
        raise RequestEntityTooLarge()
    elif length is None:
        # chunked: werkzeug's stream would stop quietly at the limit; read past it to tell
        body = _unbroken(_read_capped, environ["wsgi.input"], limit + 1)
    else:
        # Exactly the declared length, straight from the server (PEP 3333): werkzeug's stream cost
        # ~4% of a Cloudplan request, and read(limit + 1) had io allocate 20 MB per request.
        body = _unbroken(environ["wsgi.input"].read, length)
        if len(body) < length:  # the client went away mid-body (werkzeug's stream: a bare 400)
            raise ClientDisconnected(f"Request body ended after {len(body)} of the {length} bytes "
                                     "its Content-Length announced")
    if len(body) > limit:
        _forget_body(req)
        raise RequestEntityTooLarge()
    return _keep_body(req, body)


READ_PIECE = 64 * 1024


def _unbroken(read, *args) -> bytes:
    """A body the server cannot hand over (a malformed chunk size: gunicorn's InvalidChunkSize) is
    the client's error, a 400 in the API's format, not a 500."""
    try:
        return read(*args)
    except Exception as exc:
        raise BadRequest(f"Request body could not be read ({describe(exc)})") from None


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
