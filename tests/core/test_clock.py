"""SimClock parsing and behaviour (the admin clock call is tested over HTTP in test_admin)."""
from datetime import timedelta

import pytest

from simulators.core.clock import SimClock, parse_duration
from simulators.core.errors import AdminError
from simulators.core.store import MemoryBackend


@pytest.mark.parametrize("text,delta", [
    ("PT2H", timedelta(hours=2)), ("P1D", timedelta(days=1)), ("PT90S", timedelta(seconds=90)),
    ("P1W", timedelta(weeks=1)), ("P1DT2H3M4S", timedelta(days=1, hours=2, minutes=3, seconds=4)),
    ("-PT1H", timedelta(hours=-1)), ("PT0.5S", timedelta(milliseconds=500)), (30, timedelta(seconds=30)),
])
def test_parse_duration(text, delta):
    assert parse_duration(text) == delta


@pytest.mark.parametrize("text", ["", "P", "PT", "2h", "P1H", "T1H", "PT1X"])
def test_parse_duration_refuses(text):
    with pytest.raises(AdminError):
        parse_duration(text)


def test_frozen_clock_stays_and_advances():
    clock = SimClock(MemoryBackend())
    clock.apply({"now": "2026-01-05T09:00:00+01:00"})
    assert clock.now().isoformat() == "2026-01-05T09:00:00+01:00"
    clock.apply({"advance": "PT1H"})
    assert clock.now().isoformat() == "2026-01-05T10:00:00+01:00"
    clock.apply({"now": "2026-07-01T12:00:00"})  # naive: the simulator's time zone (summer time)
    assert clock.now().isoformat() == "2026-07-01T12:00:00+02:00"


def test_reset_returns_to_real_time():
    clock = SimClock(MemoryBackend())
    clock.apply({"now": "2001-01-01T00:00:00Z"})
    clock.reset()
    assert clock.now().year >= 2026 and not clock.frozen
