"""Generated input: whatever a client sends, the answer is well-formed, HTTP 200 and in the
provider's format, bad values change nothing, and the date filter is exact (SNP-ERR-1, SNP-M-1,
SNP-M-5, SNP-M-8, SNP-AUTH-4)."""
from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .snp import KO, METHODS, TL, TL2, Snp

FUZZ = int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "1000"))
COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
param_names = st.sampled_from(["method", "hash", "id", "date", "status", "type", "message", "api_user", "api_key",
                               "output_format", "junk"])
params = st.dictionaries(param_names, st.one_of(text, st.sampled_from(METHODS), st.integers(-5, 10**12).map(str)),
                         max_size=6)


@pytest.fixture
def snp(fieldsim):
    fieldsim.set_clock("2026-01-05T09:00:00+01:00")
    return Snp(fieldsim)


def _check_any_answer(snp, h, p):
    p = {**p, "hash": h} if "hash" not in p else p
    p.pop("output_format", None)
    root, status, response = snp.xml(**p)  # asserts HTTP 200, application/xml, <root><response/><status/>
    assert status in ("success", "error")
    if status == "error":
        assert list(response) == ["message"] and response["message"]
        assert root == (p.get("method") if p.get("method") in METHODS else "error")


@settings(max_examples=40, **COMMON)
@given(p=params)
def test_any_parameters_get_a_well_formed_answer_SNP_ERR_1(snp, p):
    """SNP-ERR-1: random parameters -> HTTP 200 XML envelope; errors carry one message."""
    _check_any_answer(snp, snp.login(TL), p)


@pytest.mark.fuzz
@settings(max_examples=FUZZ, **COMMON)
@given(p=params)
def test_any_parameters_get_a_well_formed_answer_fuzz_SNP_ERR_1(snp, p):
    """SNP-ERR-1, long run."""
    _check_any_answer(snp, snp.login(TL), p)


@settings(max_examples=25, **COMMON)
@given(status=text)
def test_only_documented_statuses_change_an_order_SNP_M_5(snp, status):
    """SNP-M-5: set_status succeeds iff the value is one of the six; otherwise order and log unchanged."""
    h = snp.login(TL)
    oid = snp.orders(h)[0]["id"]
    before = (snp.ok(method="order_info", hash=h, id=oid), snp.log(h, oid))
    root, result, _ = snp.xml(method="set_status", hash=h, id=oid, status=status)
    valid = status in ("new", "received", "active", "waiting", "cancelled", "delivered")
    assert result == ("success" if valid else "error")
    if not valid:
        assert (snp.ok(method="order_info", hash=h, id=oid), snp.log(h, oid)) == before


@settings(max_examples=25, **COMMON)
@given(mtype=text, message=text)
def test_only_documented_message_types_are_logged_SNP_M_8(snp, mtype, message):
    """SNP-M-8: add_message succeeds iff type is error/alert/system/log and message is non-empty."""
    h = snp.login(KO)
    oid = snp.orders(h)[0]["id"]
    before = snp.log(h, oid)
    _, result, _ = snp.xml(method="add_message", hash=h, id=oid, message=message, type=mtype)
    valid = mtype in ("error", "alert", "system", "log") and message.strip() != ""
    assert result == ("success" if valid else "error")
    assert len(snp.log(h, oid)) == len(before) + (1 if valid else 0)


@settings(max_examples=20, **COMMON)
@given(day=st.dates(min_value=date(2025, 9, 1), max_value=date(2025, 12, 20)))
def test_orders_date_filter_is_exactly_on_or_after_SNP_M_1(snp, day):
    """SNP-M-1: for any day, orders(date) == the orders dated that day or later."""
    h = snp.login(TL2)
    everything = snp.orders(h)
    assert snp.orders(h, day.isoformat()) == [o for o in everything if o["date"][:10] >= day.isoformat()]


@settings(max_examples=20, **COMMON)
@given(order_id=st.integers(1, 10**9))
def test_no_id_reveals_another_tenants_order_SNP_AUTH_4(snp, order_id):
    """SNP-AUTH-4: for any id, TL2 either owns the order or gets exactly the unknown-id error."""
    h = snp.login(TL2)
    root, status, response = snp.xml(method="order_info", hash=h, id=order_id)
    if status == "success":
        assert response["order"]["xsp"] == "31421"
    else:
        assert response == {"message": f"No order with id {order_id}"}
