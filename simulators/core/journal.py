"""The request journal: every request and response the simulated APIs saw, bounded, filterable."""
from __future__ import annotations

from datetime import datetime

from simulators.core.errors import AdminError

BODY_LIMIT = 4096  # characters of each body kept in the journal
HEADERS_KEPT = ("content-type", "authorization", "x-email", "soapaction", "retry-after", "content-length")
# The same headers in the WSGI environ, named as werkzeug names request headers.
_ENVIRON_KEPT = tuple(("CONTENT_TYPE", "Content-Type") if h == "content-type" else
                      ("CONTENT_LENGTH", "Content-Length") if h == "content-length" else
                      ("HTTP_" + h.upper().replace("-", "_"), h.title()) for h in HEADERS_KEPT)


def text_of(raw: bytes) -> str:
    text = raw[:BODY_LIMIT].decode("utf-8", errors="replace")
    return text + ("…" if len(raw) > BODY_LIMIT else "")  # BODY_LIMIT bytes, cut at most mid-character


def headers_of(headers) -> dict:
    """The kept headers of a response (a short list: iterating beats a lookup per kept name)."""
    return {k: v for k, v in headers.items() if k.lower() in HEADERS_KEPT}


def request_headers_of(environ: dict) -> dict:
    """The kept headers of a request, read straight from the WSGI environ."""
    return {name: environ[key] for key, name in _ENVIRON_KEPT if environ.get(key)}


class Entry:
    """One request and its answer as the pipeline saw them, kept raw: worded as the admin API shows it
    (ISO time, text bodies, kept headers) only when read. Wording it on every request was ~10% of a
    CAPO GET; a request's journal entry is read far less often than it is written."""

    __slots__ = ("raw", "_doc")

    def __init__(self, *raw):
        self.raw, self._doc = raw, None

    def doc(self) -> dict:
        if self._doc is None:
            (when, api, method, path, query, req_headers, req_body, status, resp_headers, resp_body,
             duration_ms, fault) = self.raw
            self._doc = {"time": when.isoformat(), "api": api, "method": method, "path": path,
                         "query": query.decode("latin-1"), "requestHeaders": req_headers,
                         "requestBody": text_of(req_body), "status": status,
                         "responseHeaders": headers_of(resp_headers), "responseBody": text_of(resp_body),
                         "durationMs": duration_ms, "fault": fault}  # two readers at once build equal ones
        return self._doc


def as_doc(entry) -> dict:
    return entry.doc() if type(entry) is Entry else entry


def kept(body: bytes) -> bytes:
    """What text_of will need of a body: its start, and whether there was more."""
    return body if len(body) <= BODY_LIMIT else body[:BODY_LIMIT + 1]


class Journal:
    def __init__(self, backend, maxlen: int, tz=None):
        self.backend = backend
        self.maxlen = maxlen
        self.tz = tz  # of a `since` without an offset, as the clock reads such a time

    def record(self, entry: Entry) -> None:
        """The memory backend keeps the Entry as is; the shared ones store its document."""
        self.backend.journal_append(entry if self.backend.journal_keeps_entries else entry.doc(), self.maxlen)

    def clear(self, api=None, path=None, method=None, since=None) -> None:
        """Forget the entries that match (all of them without filters); later ones stay."""
        if not (api or path or method or since):
            self.backend.journal_clear()
        else:
            self.backend.journal_remove(self._matcher(api, path, method, since))

    def list(self, api=None, path=None, method=None, since=None) -> list[dict]:
        return list(filter(self._matcher(api, path, method, since), self.backend.journal_list()))

    def _matcher(self, api, path, method, since):
        """The filters of GET/DELETE /__admin/requests as one test of an entry."""
        since_dt = None
        if since:
            try:
                since_dt = datetime.fromisoformat(since.replace("Z", "+00:00"))
            except ValueError:
                raise AdminError(f"since: {since!r} is not an ISO 8601 date-time") from None
            if since_dt.tzinfo is None:  # local time of the simulator's zone (it matched nothing)
                since_dt = since_dt.replace(tzinfo=self.tz)

        def match(e: dict) -> bool:
            if api and e.get("api") != api:
                return False
            if path and not e.get("path", "").startswith(path):
                return False
            if method and e.get("method") != method.upper():
                return False
            if since_dt is not None:
                t = datetime.fromisoformat(e["time"])
                if (t if t.tzinfo else t.replace(tzinfo=self.tz)) < since_dt:
                    return False
            return True
        return match
