"""Access: api_login, the 20-minute hash on the simulated clock, add_message's api_user form,
and the expire_tokens fault (SNP-AUTH-1, SNP-AUTH-2, SNP-AUTH-3)."""
from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from .snp import KO, NAMES, TL, TL2, Snp


@pytest.fixture
def snp(fieldsim):
    fieldsim.set_clock("2026-01-05T09:00:00+01:00")
    return Snp(fieldsim)


@pytest.mark.parametrize("who", [TL, TL2, KO])
def test_api_login_gives_32_hex_hash_and_logged_in_message_SNP_AUTH_1(snp, who):
    """SNP-AUTH-1: hash_key of 32 hex digits; message "<name> logged in"."""
    response = snp.ok(method="api_login", api_user=who[0], api_key=who[1])
    assert re.fullmatch(r"[0-9a-f]{32}", response["hash_key"])
    assert response["message"] == f"{NAMES[who[0]]} logged in"


def test_api_login_answers_message_then_hash_key_as_the_provider_does_SNP_AUTH_1(snp):
    """SNP-AUTH-1: <api_login><response><message>… logged in</message><hash_key>…</hash_key>, the order of
    the provider's own example; an api_user with leading zeros is the same user, as ids are everywhere."""
    r = snp.raw(method="api_login", api_user="01001", api_key="tl-demo-key")
    response = ElementTree.fromstring(r.content).find("response")
    assert [c.tag for c in response] == ["message", "hash_key"], r.text
    assert response.find("message").text == f"{NAMES[1001]} logged in"
    assert list(snp.json(method="api_login", api_user="1001", api_key="tl-demo-key")["response"]) == [
        "message", "hash_key"]


@pytest.mark.parametrize("params, needle", [
    ({"api_user": "1001", "api_key": "wrong"}, "Login failed"),
    ({"api_user": "9999", "api_key": "tl-demo-key"}, "Login failed"),
    ({"api_user": "1001", "api_key": "tl2-demo-key"}, "Login failed"),
    ({"api_user": "1001"}, "Missing parameter: api_key"),
    ({"api_key": "tl-demo-key"}, "Missing parameter: api_user"),
    ({"api_user": "\u0661\u0660\u0660\u0661", "api_key": "tl-demo-key"}, "Login failed"),  # Arabic-Indic 1001
])
def test_api_login_refuses_bad_credentials_with_error_response_SNP_AUTH_1(snp, params, needle):
    """SNP-AUTH-1 / SNP-ERR-1: wrong or missing credentials -> status error naming the problem."""
    assert needle in snp.err(method="api_login", **params)


def test_hash_is_valid_for_20_minutes_of_simulated_time_SNP_AUTH_1_SNP_AUTH_2(snp):
    """SNP-AUTH-1, SNP-AUTH-2: the hash works until 20 minutes after login, then it is refused."""
    h = snp.login(TL)
    snp.sim.advance("PT19M59S")
    assert snp.orders(h)
    snp.sim.advance("PT1S")
    message = snp.err(method="orders", hash=h, date="2000-01-01")
    assert "hash" in message.lower() and "expired" in message.lower()
    assert snp.orders(snp.login(TL))  # a fresh login works again


@pytest.mark.parametrize("method", ["orders", "order_info", "customers", "customer_info", "set_status", "order_log"])
def test_every_method_needs_a_valid_hash_SNP_AUTH_2(snp, method):
    """SNP-AUTH-2: no hash -> "Missing parameter: hash"; unknown hash -> invalid hash error."""
    params = {"method": method, "date": "2000-01-01", "id": "19530", "status": "received"}
    assert snp.err(**params) == "Missing parameter: hash"
    assert "Invalid or expired hash" in snp.err(hash="0" * 32, **params)


def test_add_message_with_api_user_after_login_SNP_AUTH_3(snp):
    """SNP-AUTH-3: the documented api_user= form works for a user logged in within 20 minutes."""
    h = snp.login(TL)
    oid = snp.orders(h)[0]["id"]
    ok = snp.ok(method="add_message", api_user="1001", id=oid, message="Port finns ej", type="error")
    assert ok["message"] == f"Message added to order {oid}"
    last = snp.log(h, oid)[-1]
    assert (last["type"], last["message"], last["user"]) == ("error", "Port finns ej", NAMES[1001])


def test_add_message_with_api_user_refused_without_recent_login_SNP_AUTH_3(snp):
    """SNP-AUTH-3: never logged in, or logged in more than 20 minutes ago -> error, nothing logged."""
    h = snp.login(TL)
    oid = snp.orders(h)[0]["id"]
    before = snp.log(h, oid)
    assert "not logged in" in snp.err(method="add_message", api_user="1002", id=oid, message="x", type="log")
    snp.sim.advance("PT20M")
    assert "not logged in" in snp.err(method="add_message", api_user="1001", id=oid, message="x", type="log")
    assert snp.log(snp.login(TL), oid) == before
    assert snp.err(method="add_message", id=oid, message="x", type="log") == "Missing parameter: api_user"


def test_add_message_accepts_a_hash_too_SNP_AUTH_3(snp):
    """SNP-AUTH-3 [decision]: a valid hash works for add_message as well."""
    h = snp.login(KO)
    oid = snp.orders(h)[0]["id"]
    snp.ok(method="add_message", hash=h, id=oid, message="Kontrollera porten", type="alert")
    assert snp.log(h, oid)[-1]["type"] == "alert"


def test_expire_tokens_fault_ends_every_session_SNP_AUTH_2(snp):
    """SNP-AUTH-2: after the expire_tokens fault old hashes are refused; a new login works."""
    h = snp.login(TL)
    r = snp.sim.admin("POST", "faults", json={"api": "stadsnet", "kind": "expire_tokens", "times": 1})
    assert r.status_code == 201
    assert "Invalid or expired hash" in snp.err(method="orders", hash=h, date="2000-01-01")
    assert snp.orders(snp.login(TL))
