"""WSDLs and the overview page; a client generated from the WSDL alone (zeep) works end to end."""
from __future__ import annotations

import pytest
import requests
import zeep
from lxml import etree

SERVICES = {"authentication": {"login", "logout"},
            "projects": {"getProjects", "pushProjects", "deleteProjects"},
            "resources": {"getResources", "pushResources", "deleteResources"},
            "planning": {"getPlanning", "pushPlanning", "deletePlanning"},
            "customers": {"getCustomers", "pushCustomers", "deleteCustomers"},
            "departments": {"getDepartments", "pushDepartments", "deleteDepartments"}}
WSDL = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"


def test_overview_lists_every_service_and_its_wsdl(fieldsim):
    """CP-WS-1: /v1/ lists the services with their WSDL links."""
    base = fieldsim.url("cloudplan")
    r = requests.get(base + "/")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    for svc in SERVICES:
        assert f"/v1/{svc}?wsdl" in r.text


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_each_service_has_its_own_wsdl(fieldsim, service):
    """CP-WS-1, CP-WS-2, CP-WS-3, CP-WS-5: one WSDL per service, its operations, unqualified children,
    namespace https://api.cloudplan.nl/, address pointing at this server."""
    r = requests.get(f"{fieldsim.url('cloudplan')}/{service}?wsdl")
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.get("targetNamespace") == "https://api.cloudplan.nl/"
    ops = {o.get("name") for o in root.findall(f"{{{WSDL}}}portType/{{{WSDL}}}operation")}
    assert ops == SERVICES[service]
    schema = root.find(f"{{{WSDL}}}types/{{{XS}}}schema")
    assert schema.get("elementFormDefault") == "unqualified"
    assert f"{fieldsim.url('cloudplan')}/{service}" in r.text


def test_zeep_client_from_wsdl_alone(fieldsim):
    """CP-WS-2, CP-WS-4, CP-WS-5, CP-M-5: login, getProjects, pushProjects, getPlanning with a date matcher
    through zeep, which knows nothing but the WSDLs."""
    base = fieldsim.url("cloudplan")
    login = zeep.Client(base + "/authentication?wsdl").service.login(username="demo", password="demo")
    assert login.authenticationTokenExpiration == 3600
    auth = {"token": login.authenticationToken}
    projects = zeep.Client(base + "/projects?wsdl").service
    got = projects.getProjects(authentication=auth, projectMatcher=[{"number": "PROJ-01"}, {"number": "PROJ-02"}])
    ents = [r.entities.entity[0] for r in got.matcherResults.matcherResult]
    assert [e.number for e in ents] == ["PROJ-01", "PROJ-02"]
    assert ents[0].description == "Example-Project1" and ents[0].department.id == 0 and ents[0].hidden is False
    pushed = projects.pushProjects(authentication=auth, project=[{
        "projectMatcher": {"number": "PROJ-Z"},
        "projectValues": {"number": "PROJ-Z", "description": "Via zeep", "customer": {"number": "KLANT-01"},
                          "start": "2026-01-01", "end": "2026-02-01", "budget": 12.5}}])
    [new_id] = pushed.MatcherResults.MatcherResult[0].InsertedIds.InsertedId
    again = projects.getProjects(authentication=auth, projectMatcher=[{"id": new_id}])
    ent = again.matcherResults.matcherResult[0].entities.entity[0]
    assert (ent.description, ent.budget, ent.start) == ("Via zeep", 12.5, "2026-01-01") and ent.customer.id > 0
    planning = zeep.Client(base + "/planning?wsdl").service
    sept = planning.getPlanning(authentication=auth, planningMatcher=[{
        "allowMultiple": True, "customerMatcher": {"number": "KLANT-01"},
        "start": {"operator": "BEFORE_OR_EQUAL_DATE", "dateTime": "2019-09-30"},
        "end": {"operator": "AFTER_OR_EQUAL_DATE", "dateTime": "2019-09-01"}}])
    nums = [e.number for e in sept.matcherResults.matcherResult[0].entities.entity]
    assert nums == ["PL-2019-02", "PL-2019-03", "PL-2019-04", "PL-2019-06"]


def test_get_on_endpoint_without_wsdl_is_a_fault(fieldsim):
    r = requests.get(fieldsim.url("cloudplan") + "/projects")
    assert r.status_code == 500 and b"soap:Client" in r.content


def _schema(base: str, service: str) -> etree.XMLSchema:
    """The WSDL's schema as a standalone document (with the WSDL's namespace prefixes in scope)."""
    wsdl = etree.fromstring(requests.get(f"{base}/{service}?wsdl", timeout=10).content)
    inner = wsdl.find(f".//{{{XS}}}schema")
    nsmap = {**{k: v for k, v in wsdl.nsmap.items() if k}, **{k: v for k, v in inner.nsmap.items() if k}}
    schema = etree.Element(inner.tag, attrib=dict(inner.attrib), nsmap=nsmap)
    schema.extend(list(inner))
    return etree.XMLSchema(schema)


def _service_of(operation: str) -> str:
    for service, ops in SERVICES.items():
        if operation.removesuffix("Response") in ops:
            return service
    raise AssertionError(operation)


def test_the_manuals_examples_and_live_answers_are_valid_against_the_wsdl(fieldsim, cp):
    """CP-WS-2 (a strict generated client works from the WSDL alone: SoapUI's schema compliance,
    .NET, JAXB with validation) and CP-R-1: the entity types extend `entity`, so an
    `<entity xsi:type="ns2:project">` is valid. Every request and answer among the manual's
    examples, and live getProjects/getPlanning answers, validate against the served WSDL."""
    from contracts.cloudplan.helpers import EXAMPLES
    base = fieldsim.url("cloudplan")
    checked = 0
    for path in sorted(EXAMPLES.glob("*.xml")):
        body = etree.parse(str(path)).find(".//{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]
        operation = etree.QName(body).localname
        if operation == "Fault":
            continue  # the SOAP envelope's own schema, not the service's
        schema = _schema(base, _service_of(operation))
        assert schema.validate(body), (path.name, [e.message for e in schema.error_log][:3])
        checked += 1
    assert checked >= 10
    for service, op in (("projects", "getProjects"), ("planning", "getPlanning")):
        ret = cp.op(service, op, f"<{service.rstrip('s')}Matcher allowMultiple=\"true\"/>")
        answer = ret.getparent()
        assert len(answer.findall(".//entity")) > 1
        schema = _schema(base, service)
        assert schema.validate(answer), (op, [e.message for e in schema.error_log][:3])


def test_the_matcher_echo_follows_the_wsdl_sequence_whatever_the_requests_order(fieldsim, cp):
    """CP-M-1 / CP-R-1: the echoed matcher is re-serialised in the schema's order (as JAXB does), so
    a request with its nested matchers and dates out of order still gets a schema-valid answer."""
    ret = cp.op("planning", "getPlanning",
                '<planningMatcher allowMultiple="true"><end operator="BEFORE_DATE"><dateTime>2030-01-01</dateTime></end>'
                "<resourceMatcher><number>1001</number></resourceMatcher>"
                '<start operator="AFTER_OR_EQUAL_DATE"><dateTime>2019-01-01</dateTime></start>'
                "<customerMatcher><number>KLANT-01</number></customerMatcher></planningMatcher>")
    echo = ret.find("matcherResults/matcherResult/matcher")
    assert [c.tag for c in echo] == ["customerMatcher", "resourceMatcher", "start", "end"]
    schema = _schema(fieldsim.url("cloudplan"), "planning")
    assert schema.validate(ret.getparent()), [e.message for e in schema.error_log][:3]
