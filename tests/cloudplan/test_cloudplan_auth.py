"""Authentication: login, token lifetime on the simulated clock, lockout, logout, tenants."""
from __future__ import annotations

import re

from lxml import etree

from cp_soap import NS, numbers

GET_PROJ1 = "<projectMatcher><number>PROJ-01</number></projectMatcher>"


def _ret(r, op):
    return etree.fromstring(r.content).find(f".//{{{NS}}}{op}Response/return")


def test_login_returns_token_and_lifetime_usable_for_many_requests(cp, fieldsim):
    """CP-AUTH-1, CP-WS-4: login answers authenticationToken + authenticationTokenExpiration (seconds)."""
    fieldsim.set_clock("2026-03-02T09:00:00+01:00")
    ret = _ret(cp.login(), "login")
    token = ret.findtext("authenticationToken")
    assert re.fullmatch(r"[0-9A-F]{32}", token)
    assert ret.findtext("authenticationTokenExpiration") == "3600"
    assert ret.find("error") is None
    for _ in range(3):
        assert numbers(cp.op("projects", "getProjects", GET_PROJ1, token)) == [["PROJ-01"]]


def test_token_expires_after_60_idle_minutes_and_is_renewed_by_use(cp, fieldsim):
    """CP-AUTH-4: 60 minutes of simulated time, renewed by use; then the <error> block and nothing done."""
    fieldsim.set_clock("2026-03-02T09:00:00+01:00")
    token = cp.new_token()
    fieldsim.advance("PT50M")
    ret = cp.op("projects", "getProjects", GET_PROJ1, token)
    assert ret.findtext("authenticationTokenExpiration") == "3600"  # renewed
    fieldsim.advance("PT59M")
    assert numbers(cp.op("projects", "getProjects", GET_PROJ1, token)) == [["PROJ-01"]]
    fieldsim.advance("PT60M")
    ret = cp.op("projects", "getProjects", GET_PROJ1, token)
    assert ret.findtext("error/message") == "The current session is not authenticated"
    assert ret.findtext("authenticationTokenExpiration") == "0"
    assert ret.find("matcherResults") is None


def test_unauthenticated_push_changes_nothing(cp):
    """CP-AUTH-4: the <error> block, and the push did not happen."""
    body = ("<authentication><token>BAD</token></authentication><department><departmentMatcher><number>AFD-77"
            "</number></departmentMatcher><departmentValues><number>AFD-77</number><name>X</name></departmentValues>"
            "</department>")
    ret = _ret(cp.call("departments", "pushDepartments", body), "pushDepartments")
    assert ret.findtext("error/message") == "The current session is not authenticated"
    got = cp.op("departments", "getDepartments", "<departmentMatcher><number>AFD-77</number></departmentMatcher>")
    assert numbers(got) == [[]]


def test_missing_authentication_element_is_not_authenticated(cp):
    """CP-AUTH-4: no <authentication> at all → the <error> block."""
    ret = _ret(cp.call("projects", "getProjects", GET_PROJ1), "getProjects")
    assert ret.findtext("error/message") == "The current session is not authenticated"


def test_lockout_after_five_failures_for_fifteen_minutes(cp, fieldsim):
    """CP-AUTH-3: 5 failed logins in a row lock the account for 15 simulated minutes, with the seconds left."""
    fieldsim.set_clock("2026-03-02T09:00:00+01:00")
    for i in range(4):
        assert _ret(cp.login("demo", "bad"), "login").findtext("accountLocked_RemainingTimeout") == "0"
    fifth = _ret(cp.login("demo", "bad"), "login")
    assert fifth.findtext("error") == "AUTHENTICATION_FAILED"
    assert fifth.findtext("accountLocked_RemainingTimeout") == "900"
    fieldsim.advance("PT10M")
    locked = _ret(cp.login("demo", "demo"), "login")  # even the right password
    assert locked.findtext("error") == "AUTHENTICATION_FAILED" and locked.find("authenticationToken") is None
    assert locked.findtext("accountLocked_RemainingTimeout") == "300"
    fieldsim.advance("PT5M")
    assert _ret(cp.login("demo", "demo"), "login").findtext("authenticationToken")


def test_success_resets_the_failure_count(cp, fieldsim):
    """CP-AUTH-3: 'in a row': a good login in between starts the count again."""
    fieldsim.set_clock("2026-03-02T09:00:00+01:00")
    for _ in range(4):
        cp.login("demo", "bad")
    assert _ret(cp.login("demo", "demo"), "login").findtext("authenticationToken")
    for _ in range(4):
        assert _ret(cp.login("demo", "bad"), "login").findtext("accountLocked_RemainingTimeout") == "0"


def test_logout_ends_the_session(cp):
    """CP-WS-4: logout takes <authentication><token>; the token is dead afterwards."""
    token = cp.new_token()
    r = cp.call("authentication", "logout", cp.auth(token))
    assert r.status_code == 200 and _ret(r, "logout").find("error") is None
    ret = cp.op("projects", "getProjects", GET_PROJ1, token)
    assert ret.findtext("error/message") == "The current session is not authenticated"


def test_tenants_are_isolated(cp):
    """Tenants: demo2 sees only its own PROJ-01, cannot update or delete demo's records, and demo's
    ids look exactly like unknown ones."""
    demo = cp.op("projects", "getProjects", GET_PROJ1)
    demo_id = demo.findtext("matcherResults/matcherResult/entities/entity/id")
    other = cp.new_token("demo2", "demo2")
    mine = cp.op("projects", "getProjects", GET_PROJ1, other)
    ent = mine.find("matcherResults/matcherResult/entities/entity")
    assert ent.findtext("description") == "Other tenant project" and ent.findtext("id") != demo_id
    by_id = cp.op("projects", "getProjects", f"<projectMatcher><id>{demo_id}</id></projectMatcher>", other)
    unknown = cp.op("projects", "getProjects", "<projectMatcher><id>999999</id></projectMatcher>", other)
    assert numbers(by_id) == numbers(unknown) == [[]]
    cp.op("projects", "deleteProjects", f"<projectMatcher><id>{demo_id}</id></projectMatcher>", other)
    assert numbers(cp.op("projects", "getProjects", GET_PROJ1)) == [["PROJ-01"]]


def test_admin_sessions_and_unlock(cp, fieldsim):
    """CP-AUTH-3 admin extras: list sessions, lift a lockout."""
    token = cp.new_token()
    sessions = fieldsim.admin("GET", "cloudplan/sessions").json()["sessions"]
    assert any(s["token"] == token and s["user"] == "demo" for s in sessions)
    for _ in range(5):
        cp.login("demo", "bad")
    assert _ret(cp.login(), "login").find("authenticationToken") is None
    assert fieldsim.admin("POST", "cloudplan/unlock", json={"username": "demo"}).json()["unlocked"] is True
    assert _ret(cp.login(), "login").findtext("authenticationToken")
    assert fieldsim.admin("DELETE", "cloudplan/sessions").status_code == 200
    ret = cp.op("projects", "getProjects", GET_PROJ1, token)
    assert ret.findtext("error/message") == "The current session is not authenticated"
