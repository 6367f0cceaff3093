"""Stadsnet contract fixtures. Against the simulator (default) the demo users are used; against
another base URL (e.g. the real https://www.stadsnatsportalen.se) set STADSNET_TL_USER /
STADSNET_TL_KEY (and optionally STADSNET_TL2_USER/KEY, STADSNET_KO_USER/KEY). Calls that change
orders (set_status, add_message, admin calls) run only against fieldsim (`is_fieldsim`)."""
from __future__ import annotations

import os
import re

import pytest
import requests

PATH = "/plain/serviceguide_log"


def creds(role: str, user: str, key: str) -> tuple[str, str]:
    return os.environ.get(f"STADSNET_{role}_USER", user), os.environ.get(f"STADSNET_{role}_KEY", key)


TL = creds("TL", "1001", "tl-demo-key")
TL2 = creds("TL2", "1002", "tl2-demo-key")
KO = creds("KO", "2001", "ko-demo-key")


@pytest.fixture
def api_url(base_url) -> str:
    return base_url + PATH


def login(api_url: str, who=TL) -> str:
    r = requests.get(api_url, params={"method": "api_login", "api_user": who[0], "api_key": who[1]}, timeout=30)
    match = re.search(r"<hash_key>([0-9a-f]{32})</hash_key>", r.text)
    assert match, f"api_login failed for {who[0]}: {r.text[:300]}"
    return match.group(1)
