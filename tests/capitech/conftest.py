"""The `ct` fixture: a Capitech caller on the reset embedded server, clock frozen at cthelp.NOW."""
from __future__ import annotations

import pytest

from .cthelp import NOW, Ct


@pytest.fixture
def ct(fieldsim) -> Ct:
    fieldsim.set_clock(NOW)
    return Ct(fieldsim)
