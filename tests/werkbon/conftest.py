"""The `wb` fixture: a WerkbonApp caller on the reset embedded server."""
from __future__ import annotations

import pytest

from .wbhelp import Wb


@pytest.fixture
def wb(fieldsim) -> Wb:
    return Wb(fieldsim)
