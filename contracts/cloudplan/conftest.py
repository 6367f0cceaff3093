"""Cloudplan contract fixtures: a logged-in raw SOAP client against `base_url`."""
from __future__ import annotations

import pytest

from contracts.cloudplan.helpers import Cloudplan


@pytest.fixture
def cloudplan(base_url) -> Cloudplan:
    return Cloudplan(base_url)
