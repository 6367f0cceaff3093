"""SimClock: the one source of "now" for every time-dependent rule of every API.

Running: real time plus an offset. Frozen: a fixed instant until set or advanced. The state lives
in the backend's meta document `clock`, so several processes on redis share one clock. Within a
request `now()` is read once and reused, so a request sees one consistent instant.
"""
from __future__ import annotations

import re
import time
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from simulators.core.errors import AdminError

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str) -> timedelta:
    """ISO 8601 duration (PnWnDTnHnMnS, optional leading '-'), or plain seconds as a number."""
    try:
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            return timedelta(seconds=text)
        m = _DURATION.match(str(text).strip().upper())
        if not m or str(text).strip().upper() in {"P", "PT", "-P", "-PT"}:
            raise AdminError(f"advance: {text!r} is not an ISO 8601 duration such as PT2H or P1D")
        parts = {k: float(v) for k, v in m.groupdict().items() if v and k != "sign"}
        delta = timedelta(weeks=parts.get("w", 0), days=parts.get("d", 0), hours=parts.get("h", 0),
                          minutes=parts.get("m", 0), seconds=parts.get("s", 0))
    except (OverflowError, ValueError):  # beyond what a timedelta holds (a billion days), NaN
        raise AdminError(f"advance: {text!r} is not a duration the clock can move by") from None
    return -delta if m.group("sign") else delta


def parse_instant(text: str, tz) -> datetime:
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise AdminError(f"now: {text!r} is not an ISO 8601 date-time such as 2026-01-05T09:00:00+01:00") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


# The instant of the request being served: None outside a request, _PENDING until the first now().
# A context variable rather than flask.g: every rule reads the clock, and g's proxy costs ~10x more.
_REQUEST_NOW: ContextVar = ContextVar("fieldsim_request_now", default=None)
_PENDING = ()


def begin_request(carried=None) -> None:
    """A request starts (pipeline): its first now() reads the clock, later ones reuse that instant.
    `carried`: what request_instant() gave earlier in the same request (response_cache's hand-over)."""
    _REQUEST_NOW.set(_PENDING if carried is None else carried)


def request_instant():
    """The current request's instant as now() fixed it (or still pending), for begin_request."""
    return _REQUEST_NOW.get()


def end_request() -> None:
    """The request is done; server threads are reused, so nothing may carry over to the next."""
    _REQUEST_NOW.set(None)


class SimClock:
    META = "clock"

    def __init__(self, backend, tz: str = "Europe/Amsterdam"):
        self.backend = backend
        self.tz = ZoneInfo(tz)

    def _doc(self, fresh: bool = True) -> dict:
        read = self.backend.meta_get if fresh else self.backend.meta_read
        return read(self.META) or {"offset": 0.0, "frozen_at": None}

    def timestamp(self) -> float:
        """Simulated POSIX time (seconds)."""
        doc = self._doc(fresh=False)
        return doc["frozen_at"] if doc.get("frozen_at") is not None else time.time() + doc.get("offset", 0.0)

    def now(self) -> datetime:
        cached = _REQUEST_NOW.get()
        if cached and cached[0] is self:
            return cached[1]
        value = self._now()
        if cached is _PENDING:
            _REQUEST_NOW.set((self, value))
        return value

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), tz=self.tz)

    @property
    def frozen(self) -> bool:
        return self._doc().get("frozen_at") is not None

    def set(self, instant: datetime, frozen: bool = True) -> None:
        ts = instant.timestamp()
        doc = {"offset": ts - time.time(), "frozen_at": ts if frozen else None}
        self.backend.meta_put(self.META, doc)

    def advance(self, delta: timedelta) -> None:
        doc = self._doc()
        if doc.get("frozen_at") is not None:
            doc["frozen_at"] += delta.total_seconds()
        doc["offset"] = doc.get("offset", 0.0) + delta.total_seconds()
        self.backend.meta_put(self.META, doc)

    def freeze(self) -> None:
        """Stop where it is now."""
        ts = self.timestamp()
        self.backend.meta_put(self.META, {"offset": ts - time.time(), "frozen_at": ts})

    def reset(self) -> None:
        """Back to the real clock, running."""
        self.backend.meta_put(self.META, {"offset": 0.0, "frozen_at": None})

    def describe(self) -> dict:
        return {"now": self._now().isoformat(), "frozen": self.frozen, "timezone": str(self.tz)}

    def apply(self, body: dict) -> dict:
        """The admin call: {"now": ...} sets (and freezes unless "frozen": false), {"advance": "PT2H"},
        {"frozen": true} stops it where it is, {"frozen": false} alone lets it run from the real clock
        again (INTERFACE.md). Unknown keys are refused so typos do not pass silently."""
        if not isinstance(body, dict) or not body:
            raise AdminError('clock: expected a JSON object with "now", "advance" and/or "frozen"')
        unknown = set(body) - {"now", "advance", "frozen"}
        if unknown:
            raise AdminError(f"clock: unknown field(s) {sorted(unknown)}; use now, advance, frozen")
        frozen = body.get("frozen")
        if frozen is not None and not isinstance(frozen, bool):
            raise AdminError("clock: frozen must be true or false")
        instant = parse_instant(body["now"], self.tz) if "now" in body else None
        delta = parse_duration(body["advance"]) if "advance" in body else None
        start = instant or (datetime.now(self.tz) if frozen is False else self._now())  # where it will be
        _check_range(start, delta)  # before anything is written
        if instant is not None:
            self.set(instant, frozen=True if frozen is None else frozen)
        elif frozen:
            self.freeze()
        elif frozen is False:
            self.reset()  # back to the real clock, running
        if delta is not None:
            self.advance(delta)
        return self.describe()


EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=timezone.utc), datetime(9000, 1, 1, tzinfo=timezone.utc)


def _check_range(start: datetime, delta: timedelta | None) -> None:
    """The clock stays within 1900..9000: outside it, date arithmetic in the APIs (token expiry, a
    month's window) would overflow, and every request after would fail."""
    try:
        end = start + delta if delta is not None else start
        ok = EARLIEST <= start < LATEST and EARLIEST <= end < LATEST
    except OverflowError:
        ok = False
    if not ok:
        raise AdminError("clock: the simulated time must stay between 1900-01-01 and 9000-01-01 (UTC)")
