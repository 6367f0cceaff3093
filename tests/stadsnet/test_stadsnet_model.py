"""Model-level checks without HTTP: the rules in simulators/stadsnet/model.py on a fresh memory
backend with a hand-driven clock (SNP-AUTH-1, SNP-AUTH-3, SNP-AUTH-4, SNP-M-1, SNP-M-5, SNP-M-6)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from simulators.core.errors import BadRequest, NotFound, Unauthorized
from simulators.core.store import MemoryBackend
from simulators.stadsnet import seed
from simulators.stadsnet.model import LOCAL, Model


@pytest.fixture
def world():
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=LOCAL)]
    state = MemoryBackend().state("stadsnet")
    seed.seed(state, 42, "small")
    model = Model(state, lambda: now[0])
    users = {u["id"]: state.get("users", u["id"]) for u in seed.USERS}
    return model, users, now


def test_login_hash_lifetime_and_api_user_window_SNP_AUTH_1_SNP_AUTH_3(world):
    """SNP-AUTH-1: valid strictly less than 20 minutes; SNP-AUTH-3: api_user within 20 minutes of login."""
    model, users, now = world
    h, user = model.login("1001", "tl-demo-key")
    assert len(h) == 32 and user["name"] == "Fibernet Demo AB"
    now[0] += timedelta(minutes=20) - timedelta(seconds=1)
    assert model.user_by_hash(h)["id"] == 1001 and model.user_by_api_user("1001")["id"] == 1001
    now[0] += timedelta(seconds=1)
    with pytest.raises(Unauthorized):
        model.user_by_hash(h)
    with pytest.raises(Unauthorized):
        model.user_by_api_user("1001")
    with pytest.raises(Unauthorized):
        model.login("1001", "tl2-demo-key")


def test_visibility_rule_SNP_AUTH_4(world):
    """SNP-AUTH-4: TL by xsp, KO by network; foreign ids raise the same NotFound as unknown ids."""
    model, users, _ = world
    orders = model.state.all("orders")
    for o in orders:
        assert Model.sees(users[1001], o) == (o["xsp"] == 31420)
        assert Model.sees(users[2001], o) == (o["network"] == "MS")
    foreign = next(o for o in orders if o["xsp"] == 31421)
    with pytest.raises(NotFound) as a:
        model.order_info(users[1001], foreign["id"])
    with pytest.raises(NotFound) as b:
        model.order_info(users[1001], 10**9)
    assert str(a.value) == f"No order with id {foreign['id']}" and str(b.value) == "No order with id 1000000000"


def test_date_filter_and_status_rule_SNP_M_1_SNP_M_5_SNP_M_6(world):
    """SNP-M-1: date must be YYYY-MM-DD; SNP-M-5: only the six statuses; SNP-M-6: each change logged."""
    model, users, _ = world
    with pytest.raises(BadRequest):
        model.orders(users[1001], "05-01-2026")
    order = model.orders(users[1001], "2000-01-01")[0]
    with pytest.raises(BadRequest):
        model.set_status(users[1001], order["id"], "finished")
    before = len(model.order_log(users[1001], order["id"]))
    model.set_status(users[2001] if order["network"] == "MS" else users[1001], order["id"], "waiting")
    log = model.order_log(users[1001], order["id"])
    assert len(log) == before + 1 and log[-1]["message"] == "Status changed to waiting"
    assert log[-1]["date"] == "2026-01-05 09:00:00"
