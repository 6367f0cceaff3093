"""Unit tests of the model's pure rules (no HTTP)."""
from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.cloudplan.model import DATE_OPERATORS, compare, parse_when, validate


def test_date_means_midnight():
    """CP-M-5: a date where a datetime is asked means 00:00:00."""
    assert parse_when("2019-09-30") == datetime(2019, 9, 30, 0, 0, 0)
    assert parse_when("2019-09-30T08:15:00") == datetime(2019, 9, 30, 8, 15)


@settings(max_examples=200, deadline=None)
@given(a=st.datetimes(), b=st.datetimes())
def test_operators_are_consistent(a, b):
    """CP-M-5: the ten operators partition correctly; *_DATE ignores the time of day."""
    r = {op: compare(op, a, b) for op in DATE_OPERATORS}
    assert r["EQUALS_TIME"] == (a == b)
    assert r["AFTER_OR_EQUAL_TIME"] == (r["AFTER_TIME"] or r["EQUALS_TIME"])
    assert r["BEFORE_TIME"] == (not r["AFTER_OR_EQUAL_TIME"])
    assert r["BEFORE_OR_EQUAL_TIME"] == (not r["AFTER_TIME"])
    assert r["EQUALS_DATE"] == (a.date() == b.date())
    assert r["AFTER_DATE"] == (a.date() > b.date()) and r["BEFORE_DATE"] == (a.date() < b.date())
    assert r["AFTER_OR_EQUAL_DATE"] == (a.date() >= b.date())
    assert r["BEFORE_OR_EQUAL_DATE"] == (a.date() <= b.date())


@pytest.mark.parametrize("kind,rec,msgs", [
    ("resource", {"name": ""}, ["Name is empty!"]),
    ("planning", {"start": "2020-01-02T00:00:00", "end": "2020-01-01T23:00:00"}, ["End is before start!"]),
    ("project", {"description": "x", "start": "2020-01-02", "end": "2020-01-01"}, ["End date is before start date!"]),
    ("department", {"name": "ok"}, []),
])
def test_validation_messages(kind, rec, msgs):
    """CP-V-1: stable messages."""
    assert validate(kind, rec) == msgs
