"""Capitech contract fixtures. Against the embedded fieldsim the clock is frozen at 2026-11-23 12:00;
against any other base URL (fieldsim or the real provider) set:
  CAPITECH_USERNAME / CAPITECH_PASSWORD   an integration user with API access (default demo/demo)
  CAPITECH_CLIENT_ID                      a client with some hours (default 100)
  CAPITECH_BIG_CLIENT_ID                  a client with > 5000 records in a month (default 200; "" skips)
  CAPITECH_FROM                           first day of a week with hours (default 2026-10-05)
"""
from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
import requests

USER = os.environ.get("CAPITECH_USERNAME", "demo")
PASSWORD = os.environ.get("CAPITECH_PASSWORD", "demo")
CLIENT = int(os.environ.get("CAPITECH_CLIENT_ID", "100"))
BIG_CLIENT = os.environ.get("CAPITECH_BIG_CLIENT_ID", "200")
FROM = date.fromisoformat(os.environ.get("CAPITECH_FROM", "2026-10-05"))
NOW = "2026-11-23T12:00:00+01:00"


def api(base_url: str) -> str:
    return base_url + "/api/public/v1"


def login(base_url: str) -> str:
    r = requests.post(api(base_url) + "/Access/login", json={"username": USER, "password": PASSWORD}, timeout=30)
    return r.json()["content"][0]["accessToken"]


def week(days: int = 7) -> tuple[str, str]:
    return str(FROM), str(FROM + timedelta(days=days - 1))


@pytest.fixture
def ct_base(base_url, sim) -> str:
    if sim is not None:
        sim.set_clock(NOW)
    return base_url


@pytest.fixture
def token(ct_base) -> str:
    return login(ct_base)


def tt(base_url, token, frm, to, client=CLIENT, **filters) -> requests.Response:
    return requests.post(api(base_url) + "/Time/getTimeTransactions",
                         json={"accessToken": token, "clientId": client, "fromDate": frm, "toDate": to, **filters},
                         timeout=60)
