"""Fixtures of the Cloudplan tests."""
from __future__ import annotations

import pytest

from cp_soap import Soap


@pytest.fixture
def cp(fieldsim) -> Soap:
    return Soap(fieldsim.url("cloudplan"))
