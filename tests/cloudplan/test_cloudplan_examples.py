"""The seed's twelve XML examples: requests accepted verbatim, responses in exactly the seed's shape.
Shapes are compared structurally (element paths, namespaces, prefixes, attribute names, xsi:type)."""
from __future__ import annotations

from lxml import etree

from cp_soap import EXAMPLES, NS, XSI, errors, ids, numbers

IGNORED_ATTRS = {"select"}


def shape(root, skip_attrs=()) -> list:
    """Every element as (path, prefix, attribute names, xsi:type); values are ignored."""
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        path = "/".join(etree.QName(a).localname for a in reversed(list(el.iterancestors()))) + "/" + etree.QName(el).localname
        attrs = sorted(etree.QName(a).localname for a in el.attrib if etree.QName(a).localname not in skip_attrs)
        ns = etree.QName(el).namespace
        out.append((path, ns, el.prefix if ns else None, tuple(attrs), el.get(f"{{{XSI}}}type")))
    return out


def assert_same_shape(actual: bytes, example: str, skip_attrs=IGNORED_ATTRS):
    want = etree.fromstring((EXAMPLES / example).read_bytes())
    got = etree.fromstring(actual)
    assert shape(got, skip_attrs) == shape(want, skip_attrs)


def test_get_projects_example_verbatim_has_seed_shape(cp):
    """CP-R-1, CP-R-2, CP-WS-3, CP-M-1, CP-M-2: seed example 01 answers exactly like 02 (values aside)."""
    r = cp.example("01-getProjects-request.xml", "projects")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/xml")
    assert_same_shape(r.content, "02-getProjects-response.xml", skip_attrs=())
    ret = etree.fromstring(r.content).find(f".//{{{NS}}}getProjectsResponse/return")
    assert numbers(ret) == [["PROJ-01"], ["PROJ-02"]]
    p1 = ret.find("matcherResults/matcherResult/entities/entity")
    assert p1.findtext("description") == "Example-Project1" and p1.findtext("start") == "2019-01-01"
    assert p1.findtext("end") == "2025-12-31" and p1.findtext("budget") == "0.0" and p1.findtext("hidden") == "false"
    assert p1.find("department/id").text == "0"  # CP-R-2: unset reference reads id 0


def test_get_planning_example_returns_exactly_the_september_overlap(cp):
    """CP-M-5, CP-M-3: seed example 03 (KLANT-01, overlapping September 2019) → exactly the overlapping items."""
    r = cp.example("03-getPlanning-request.xml", "planning")
    assert r.status_code == 200, r.text
    ret = etree.fromstring(r.content).find(f".//{{{NS}}}getPlanningResponse/return")
    assert numbers(ret) == [["PL-2019-02", "PL-2019-03", "PL-2019-04", "PL-2019-06"]]
    entity = ret.find("matcherResults/matcherResult/entities/entity")
    assert entity.get(f"{{{XSI}}}type") == "ns2:planning"
    matcher = ret.find("matcherResults/matcherResult/matcher")
    assert matcher.get(f"{{{XSI}}}type") == "ns2:planningMatcher"
    assert matcher.find("customerMatcher/number").text == "KLANT-01"
    assert matcher.find("start").get("operator") == "BEFORE_OR_EQUAL_DATE"


def test_push_resources_example_inserts_then_updates(cp):
    """CP-R-3, CP-M-3: example 04 inserts (shape 05), the same again updates the same id (shape 06),
    attributes included: the update's matcher echo carries select="" as 06 shows, the insert's does not."""
    first = cp.example("04-pushResources-request.xml", "resources")
    assert_same_shape(first.content, "05-pushResources-response-inserted.xml", skip_attrs=())
    ret = etree.fromstring(first.content).find(f".//{{{NS}}}pushResourcesResponse/return")
    [[new_id]] = ids(ret, "Inserted")
    second = cp.example("04-pushResources-request.xml", "resources")
    assert_same_shape(second.content, "06-pushResources-response-updated.xml", skip_attrs=())
    ret2 = etree.fromstring(second.content).find(f".//{{{NS}}}pushResourcesResponse/return")
    assert ids(ret2, "Updated") == [[new_id]] and ids(ret2, "Inserted") == [[]]
    got = cp.op("resources", "getResources", "<resourceMatcher><number>001</number></resourceMatcher>")
    ent = got.find("matcherResults/matcherResult/entities/entity")
    dep = cp.op("departments", "getDepartments", "<departmentMatcher><number>AFD-01</number></departmentMatcher>")
    assert ent.find("department/id").text == dep.findtext("matcherResults/matcherResult/entities/entity/id")
    assert ent.findtext("name") == "Jan L" and ent.findtext("availability") == "40.0"


def test_push_multiple_matches_answers_seed_07_and_changes_nothing(cp):
    """CP-M-4: allowMultiple=false with two matches → Errors 'Multiple results found…', nothing changed."""
    for name in ("A", "B"):
        cp.op("resources", "pushResources", "<resource><resourceMatcher allowMultiple=\"true\"><id>1</id></resourceMatcher>"
              f"<resourceValues><number>001</number><name>{name}</name></resourceValues></resource>")
    r = cp.example("04-pushResources-request.xml", "resources")
    # the seed's 07 omits allowMultiple in the echo; the prose (and we) echo it
    assert_same_shape(r.content, "07-pushResources-response-multiple.xml", {"allowMultiple"})
    ret = etree.fromstring(r.content).find(f".//{{{NS}}}pushResourcesResponse/return")
    assert errors(ret) == [[(None, "Multiple results found for this matcher.")]]
    got = cp.op("resources", "getResources", '<resourceMatcher allowMultiple="true"><number>001</number></resourceMatcher>')
    assert sorted(e.findtext("name") for e in got.iter("entity")) == ["A", "B"]


def test_push_validation_fail_answers_seed_08(cp):
    """CP-V-1, CP-V-2, CP-V-3: an empty name → <Error entityId="0">Name is empty!</Error>, nothing inserted."""
    r = cp.call("resources", "pushResources", cp.auth() + '<resource><resourceMatcher allowMultiple="true" '
                'validationPolicy="FAIL"><number>002</number></resourceMatcher><resourceValues><number>002</number>'
                "<name></name></resourceValues></resource>")
    assert_same_shape(r.content, "08-pushResources-response-validation.xml", skip_attrs=())
    ret = etree.fromstring(r.content).find(f".//{{{NS}}}pushResourcesResponse/return")
    assert errors(ret) == [[("0", "Name is empty!")]]
    got = cp.op("resources", "getResources", '<resourceMatcher allowMultiple="true"><number>002</number></resourceMatcher>')
    assert numbers(got) == [[]]


def test_push_validation_skip_answers_seed_12(cp):
    """CP-V-2, CP-V-3: SKIP with an invalid insert → empty InsertedIds/UpdatedIds plus the Errors (seed 12),
    the echo with select="" as 12 shows though the request has none."""
    r = cp.call("resources", "pushResources", cp.auth() + '<resource><resourceMatcher allowMultiple="false" '
                'validationPolicy="SKIP"><number>9999</number></resourceMatcher><resourceValues>'
                "<number>9999</number></resourceValues></resource>")
    assert_same_shape(r.content, "12-pushResources-response-skip-validation.xml", skip_attrs=())
    ret = etree.fromstring(r.content).find(f".//{{{NS}}}pushResourcesResponse/return")
    assert errors(ret) == [[("0", "Name is empty!")]]


def test_unauthenticated_answers_seed_10(cp):
    """CP-AUTH-4: a wrong token → the <error> block of example 10, HTTP 200."""
    r = cp.call("resources", "getResources", "<authentication><token>NOPE</token></authentication>"
                "<resourceMatcher><number>001</number></resourceMatcher>")
    assert r.status_code == 200
    assert_same_shape(r.content, "10-error-not-authenticated.xml", skip_attrs=())
    assert b"<message>The current session is not authenticated</message>" in r.content


def test_failed_login_answers_seed_11(cp):
    """CP-AUTH-2: a wrong password → AUTHENTICATION_FAILED with accountLocked_RemainingTimeout 0."""
    r = cp.login("demo", "wrong")
    assert r.status_code == 200
    assert_same_shape(r.content, "11-login-failed.xml", skip_attrs=())
    ret = etree.fromstring(r.content).find(f".//{{{NS}}}loginResponse/return")
    assert ret.findtext("error") == "AUTHENTICATION_FAILED"
    assert ret.findtext("accountLocked_RemainingTimeout") == "0"
    assert ret.findtext("authenticationTokenExpiration") == "0"


def test_malformed_xml_answers_seed_09_fault(cp):
    """CP-F-1: a wrong close tag → soap:Client 'Unmarshalling Error: Unexpected close tag …', HTTP 500."""
    body = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:api="https://api.cloudplan.nl/">\n'
            "   <soapenv:Header/>\n   <soapenv:Body>\n      <api:login>\n"
            "         <username>demo</username>\n         <password>demo</usernaem>\n"
            "      </api:login>\n   </soapenv:Body>\n</soapenv:Envelope>")
    r = cp.post("authentication", body.encode())
    assert r.status_code == 500
    assert_same_shape(r.content, "09-fault-unmarshalling.xml", skip_attrs=())
    root = etree.fromstring(r.content)
    assert root.findtext(".//faultcode") == "soap:Client"
    fs = root.findtext(".//faultstring")
    assert fs.startswith("Unmarshalling Error: Unexpected close tag </usernaem>; expected </password>.")
    assert "at [row,col {unknown-source}]: [6," in fs
