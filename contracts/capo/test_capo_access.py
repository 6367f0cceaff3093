"""Access and isolation, read-only, against any base URL (CAPO-AUTH-1, CAPO-AUTH-2, CAPO-ERR-1)."""
from __future__ import annotations

from .conftest import A1, A2, NB, call


def test_missing_or_unknown_token_is_401_json_CAPO_AUTH_1(api_url):
    """CAPO-AUTH-1: no token / unknown token -> 401 with {"message"}."""
    for token in (None, "fieldsim-unknown-token"):
        r = call("GET", api_url + "/project", token)
        assert r.status_code == 401 and isinstance(r.json().get("message"), str)


def test_tenants_do_not_see_each_others_projects_CAPO_AUTH_2(api_url):
    """CAPO-AUTH-2: a project of one organisation that another does not take part in answers 404 to
    that other, the same as an unknown id."""
    mine = {p["projectId"] for p in call("GET", api_url + "/project", A1).json()}
    theirs = {p["projectId"] for p in call("GET", api_url + "/project", A2).json()}
    only_mine = sorted(mine - theirs)
    assert only_mine, "needs a project that the second aannemer does not take part in"
    r = call("GET", f"{api_url}/project/{only_mine[0]}", A2)
    assert r.status_code == 404 and "message" in r.json()
    assert call("GET", f"{api_url}/project/{only_mine[0]}/bijlageassigned", A2).status_code == 404
    a2_ba = call("GET", api_url + "/bijlageassigned", A2).json()
    assert {b["projectId"] for b in a2_ba} <= theirs  # only its own projects' attachments


def test_bad_query_parameter_is_400_naming_it_CAPO_HL_3_CAPO_ERR_1(api_url):
    """CAPO-HL-3 / CAPO-ERR-1: a bad date -> 400 naming the parameter."""
    r = call("GET", api_url + "/hoofdleiding?changedFrom=gisteren", NB)
    assert r.status_code == 400 and "changedFrom" in r.json()["message"]
