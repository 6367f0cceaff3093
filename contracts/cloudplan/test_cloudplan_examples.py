"""The manual's request examples, sent verbatim (token substituted), answer in the manual's shape —
against any server, whatever its data (CP-WS-3, CP-R-1, CP-M-1, CP-M-5, CP-AUTH-4, CP-F-1)."""
from __future__ import annotations

from lxml import etree

from contracts.cloudplan.helpers import EXAMPLES, NS, SOAP11

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SEED_TOKEN = "F42A1BA2F83074526E7E18238FA2D5C0"
GET_PROJECTS = (EXAMPLES / "01-getProjects-request.xml").read_text()
GET_PLANNING = (EXAMPLES / "03-getPlanning-request.xml").read_text()


def _return(r, op):
    assert r.status_code == 200, r.text
    root = etree.fromstring(r.content)
    assert root.tag == f"{{{SOAP11}}}Envelope"
    ret = root.find(f"{{{SOAP11}}}Body/{{{NS}}}{op}Response/return")
    assert ret is not None, r.text
    return ret


def test_get_projects_example_verbatim(cloudplan):
    ret = _return(cloudplan.post("projects", GET_PROJECTS.replace(SEED_TOKEN, cloudplan.token).encode()), "getProjects")
    assert ret[0].tag == "authenticationTokenExpiration"
    results = ret.findall("matcherResults/matcherResult")
    assert len(results) == 2
    for result, number in zip(results, ("PROJ-01", "PROJ-02")):
        matcher = result.find("matcher")
        assert matcher.get(f"{{{XSI}}}type").endswith(":projectMatcher")
        assert matcher.findtext("number") == number
        assert result.find("entities") is not None
        for entity in result.findall("entities/entity"):
            assert entity.get(f"{{{XSI}}}type").endswith(":project")
            assert entity.find("department/id") is not None  # CP-R-2: flat references


def test_get_planning_example_verbatim(cloudplan):
    ret = _return(cloudplan.post("planning", GET_PLANNING.replace(SEED_TOKEN, cloudplan.token).encode()), "getPlanning")
    [result] = ret.findall("matcherResults/matcherResult")
    assert result.find("matcher").get(f"{{{XSI}}}type").endswith(":planningMatcher")
    for entity in result.findall("entities/entity"):
        assert entity.findtext("start")[:10] <= "2019-09-30" and entity.findtext("end")[:10] >= "2019-09-01"


def test_seed_token_itself_is_not_authenticated(cloudplan):
    ret = _return(cloudplan.post("projects", GET_PROJECTS.encode()), "getProjects")
    assert ret.findtext("error/message") == "The current session is not authenticated"
    assert ret.findtext("authenticationTokenExpiration") == "0"
