"""Values that look like input but are not what a column or parameter holds: non-finite and huge
numbers, digits of other scripts, non-ASCII signatures, and HEAD on a WSDL. Each is refused in the
provider's own terms (or answered as GET is), changes nothing, and never reaches an internal error
(WB-ERR-2, WB-ERR-3, WB-WO-4, WB-WO-6, CAPO-BA-2, CAPO-ERR-1, CP-WS-1)."""
from __future__ import annotations

import pytest
import requests

from tests.werkbon.wbhelp import order

from .conftest import state

W = {"token": "werkbon-demo-token", "software_token": "werkbon-demo-software"}
CRASH = "Internal error in the simulator"


def wb(rel, method, function, params=None, **kw):
    r = requests.request(method, f"{rel.base_url}/openapi/8/{function}/", params={**W, **(params or {})},
                         timeout=30, **kw)
    assert r.status_code == 200 and CRASH not in r.text, r.text
    return r.json()


ORDER = order("H1", WorkDate="01-02-2026", WorkTime="08:00")


@pytest.mark.parametrize("body", [
    b'[{"code": "M1", "description": "d", "price": NaN, "unit": "st"}]',
    b'[{"code": "M1", "description": "d", "price": Infinity, "unit": "st"}]',
    b'[{"code": "M1", "description": "d", "price": 1e400, "unit": "st"}]',
    b"[" * 100_000 + b"]" * 100_000,
])
def test_wb_err_2_a_body_php_cannot_decode_is_1009_and_stores_nothing(rel, body):
    """WB-ERR-2: NaN, Infinity, 1e400 and absurd nesting are no JSON to the provider's decoder: 1009."""
    before = state(rel, "werkbon")
    got = wb(rel, "POST", "materials", data=body, headers={"Content-Type": "application/json"})
    assert got["code"] == 1009 and state(rel, "werkbon") == before


@pytest.mark.parametrize("price", ["Infinity", "sNaN", "1e999999", "NaN"])
def test_wb_err_2_a_price_that_is_no_finite_number_is_refused(rel, price):
    """WB-ERR-2, WB-ERR-3: such a price was stored, and the device's sums with it later broke every
    request of the account (on sqlite even after a restart)."""
    before = state(rel, "werkbon")
    got = wb(rel, "POST", "materials", json=[{"code": "M1", "description": "d", "price": price, "unit": "st"}])
    assert got["code"] == 1200 and state(rel, "werkbon") == before


@pytest.mark.parametrize("field, value", [("WorkDuration", "99999999999999"), ("WorkDuration", "\u00b2"),
                                          ("WorkDuration", "\uff11\uff10")])
def test_wb_wo_4_a_duration_that_is_no_ascii_integer_is_1504_and_nothing_of_the_batch_is_kept(rel, field, value):
    """WB-WO-4, WB-ERR-3: "²" passes str.isdigit(); 14 digits of minutes overflowed the end time. Both
    crashed after validation, keeping the batch's valid order."""
    before = state(rel, "werkbon")
    got = wb(rel, "POST", "PostWorkorders", json=[ORDER, {**ORDER, "WorkorderNo": "H2", field: value}])
    assert got["code"] == 1504 and state(rel, "werkbon") == before


def test_wb_wo_4_an_end_past_the_year_9999_is_left_empty(rel):
    got = wb(rel, "POST", "PostWorkorders", json=[{**ORDER, "WorkDate": "31-12-9999", "WorkTime": "23:00",
                                                    "WorkDuration": "600"}])
    assert got["code"] == 200
    one = wb(rel, "GET", "GetWorkorder", {"workorder_no": "H1", "update_status": "false"})["response"]
    assert (one["WorkEndDate"], one["WorkEndTime"]) == ("", "")


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity"])
def test_wb_wo_6_a_filter_value_that_is_no_number_compares_as_text(rel, value):
    got = wb(rel, "GET", "employees", {"key": "number", "value": value, "operator": "gt"})
    assert got["code"] == 200 and isinstance(got["response"], list)


@pytest.mark.parametrize("query", ["expires=%C2%B2&signature=abc", "expires=1&signature=%C3%A9%C3%A9"])
def test_capo_a_presigned_url_with_foreign_characters_is_403_CAPO_BA_2(rel, query):
    """CAPO-BA-2: a signature or expiry with characters outside ASCII is no signature: 403 (was a 500)."""
    for method in ("GET", "PUT"):
        path = "download" if method == "GET" else "upload"
        r = requests.request(method, f"{rel.base_url}/api/capo/{path}/62c7d159eb277e1b79161430?{query}", data=b"x",
                             timeout=30)
        assert r.status_code == 403 and r.json()["message"], r.text


def test_capo_a_week_in_full_width_digits_is_400_CAPO_ERR_1(rel):
    h = {"Authorization": "Bearer capo-netbeheerder-demo"}
    before = state(rel, "capo")
    r = requests.patch(f"{rel.base_url}/api/capo/project/3000201", json={"startUitvoeringWeek": "\uff12\uff10\uff12\uff16-W\uff10\uff17"},
                       headers=h, timeout=30)
    assert r.status_code == 400 and "startUitvoeringWeek" in r.json()["message"]
    assert state(rel, "capo") == before


def test_cloudplan_head_of_a_wsdl_is_its_get_without_a_body_CP_WS_1(rel):
    get = requests.get(f"{rel.base_url}/v1/projects?wsdl", timeout=30)
    head = requests.head(f"{rel.base_url}/v1/projects?wsdl", timeout=30)
    assert get.status_code == head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
