"""SOAP faults for bad XML, hostile XML refused, and every CP-F-2 situation through /__admin/faults."""
from __future__ import annotations

import pytest
import requests
from lxml import etree

from cp_soap import SOAP11, envelope, numbers

XXE = (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:api="https://api.cloudplan.nl/">'
       b"<soapenv:Body><api:login><username>&xxe;</username><password>x</password></api:login></soapenv:Body>"
       b"</soapenv:Envelope>")
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
          b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:api="https://api.cloudplan.nl/">'
          b"<soapenv:Body><api:login><username>&lol3;</username><password>x</password></api:login></soapenv:Body>"
          b"</soapenv:Envelope>")


def fault_of(r):
    assert r.status_code == 500, r.text
    root = etree.fromstring(r.content)
    f = root.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert f is not None, r.text
    return f.findtext("faultcode"), f.findtext("faultstring")


@pytest.mark.parametrize("body", [XXE, LAUGHS, b'<!DOCTYPE x SYSTEM "http://127.0.0.1:1/x.dtd"><x/>'])
def test_doctype_and_entities_are_refused(cp, body):
    """CP-F-3: DOCTYPE/entities → soap:Client fault, no expansion, no file content."""
    code, text = fault_of(cp.post("authentication", body))
    assert code == "soap:Client" and text.startswith("Unmarshalling Error:")
    assert "root:" not in text and "lollol" not in text


@pytest.mark.parametrize("body,needle", [
    (b"", "Premature end of file"),
    (b"not xml", "Unmarshalling Error"),
    (b"<a><b></a>", "Unexpected close tag"),
    (b"<notsoap/>", "unexpected element"),
    (envelope("getProjects", "<authentication><token>x</token></authentication><bogus/>"), 'local:"bogus"'),
    (envelope("getProjects", "<api:authentication/>"), 'uri:"https://api.cloudplan.nl/"'),
    (envelope("getProjects", '<projectMatcher allowMultiple="maybe"/>'), "allowMultiple"),
    (envelope("getProjects", "<projectMatcher><id>abc</id></projectMatcher>"), "Not a number"),
    (envelope("getProjects", "<projectMatcher><id>99999999999999999999</id></projectMatcher>"), "out of range"),
    (envelope("getProjects", '<projectMatcher><start operator="EQUALS_DATE"><dateTime>2019-13-45</dateTime>'
                             "</start></projectMatcher>"), "not a valid date"),
    (b"<a>" * 300 + b"</a>" * 300, "Unmarshalling Error"),
])
def test_malformed_requests_are_client_faults(cp, body, needle):
    """CP-F-1, CP-WS-3: malformed XML, wrong elements, qualified children, bad values, deep nesting →
    soap:Client 'Unmarshalling Error…', HTTP 500, never a stack trace."""
    code, text = fault_of(cp.post("projects", body))
    assert code == "soap:Client" and text.startswith("Unmarshalling Error")
    assert needle in text


def test_unknown_operation_and_wrong_namespace(cp):
    """CP-WS-2: operations live on their own service and in the api namespace."""
    code, text = fault_of(cp.post("projects", envelope("getPlanning", "")))
    assert code == "soap:Client" and "was not recognized" in text
    wrong_ns = envelope("getProjects", "").replace(b'xmlns:api="https://api.cloudplan.nl/"', b'xmlns:api="urn:other"')
    code, _text = fault_of(cp.post("projects", wrong_ns))
    assert code == "soap:Client"


def test_soap12_envelope_is_a_version_mismatch(cp):
    body = b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>'
    code, _ = fault_of(cp.post("projects", body))
    assert code == "soap:VersionMismatch"


def test_unknown_service_is_404_page(cp):
    r = requests.post(cp.base + "/nothing", data=b"<x/>")
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")


def _fault(fieldsim, **rule):
    r = fieldsim.admin("POST", "faults", json={"api": "cloudplan", **rule})
    assert r.status_code in (200, 201), r.text
    return r.json()


def test_injected_404_is_a_maintenance_page(cp, fieldsim):
    """CP-F-2: HTTP 404 (service offline for maintenance) on demand, then normal again."""
    cp.auth()
    _fault(fieldsim, path="/v1/planning", kind="http_status", status=404, times=1)
    r = cp.call("planning", "getPlanning", cp.auth() + "<planningMatcher/>")
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")
    assert cp.call("planning", "getPlanning", cp.auth() + "<planningMatcher><id>1</id></planningMatcher>").status_code == 200


def test_injected_500_is_a_server_soap_fault(cp, fieldsim):
    """CP-F-2: HTTP 500 on demand, as a SOAP fault soap:Server."""
    auth = cp.auth()
    _fault(fieldsim, kind="http_status", status=500, times=1)
    code, text = fault_of(cp.call("projects", "getProjects", auth))
    assert code == "soap:Server"


def test_injected_soap_fault(cp, fieldsim):
    """CP-F-2: a SOAP fault on demand (HTTP 500, SOAP 1.1 envelope)."""
    auth = cp.auth()
    _fault(fieldsim, kind="soap_fault", message="Backend unavailable", times=1)
    code, text = fault_of(cp.call("projects", "getProjects", auth))
    assert code == "soap:Server" and text == "Backend unavailable"


def test_injected_expire_tokens_gives_error_block_then_relogin_works(cp, fieldsim):
    """CP-F-2, CP-AUTH-4: expire_tokens ends every session; the next call gets the <error> block."""
    token = cp.token
    _fault(fieldsim, kind="expire_tokens", times=1)
    ret = cp.op("projects", "getProjects", "<projectMatcher><number>PROJ-01</number></projectMatcher>", token)
    assert ret.findtext("error/message") == "The current session is not authenticated"
    ret = cp.op("projects", "getProjects", "<projectMatcher><number>PROJ-01</number></projectMatcher>", token)
    assert ret.findtext("error/message") == "The current session is not authenticated"  # really ended
    assert numbers(cp.op("projects", "getProjects", "<projectMatcher><number>PROJ-01</number></projectMatcher>",
                         cp.new_token())) == [["PROJ-01"]]


def test_injected_timeout_drops_the_connection(cp, fieldsim):
    """CP-F-2: a socket timeout on demand."""
    auth = cp.auth()
    _fault(fieldsim, kind="timeout", delay_ms=300, times=1)
    with pytest.raises(requests.RequestException):
        requests.post(cp.base + "/projects", data=envelope("getProjects", auth), timeout=0.2)


def test_failed_login_and_validation_errors_reproducible(cp):
    """CP-F-2: the failed-login answer and <Errors> from validation are reachable by ordinary requests."""
    assert b"AUTHENTICATION_FAILED" in cp.login("demo", "nope").content
    r = cp.call("departments", "pushDepartments", cp.auth() + "<department><departmentMatcher><number>Z</number>"
                "</departmentMatcher><departmentValues/></department>")
    assert b'<Error entityId="0">Name is empty!</Error>' in r.content


def test_journal_records_cloudplan_calls(cp, fieldsim):
    cp.login()
    entries = fieldsim.admin("GET", "requests", params={"api": "cloudplan"}).json()
    entries = entries.get("requests", entries) if isinstance(entries, dict) else entries
    assert any("/v1/authentication" in e["path"] for e in entries)


def test_utf16_doctype_is_refused_too(cp):
    """CP-F-3: the DOCTYPE check does not depend on the encoding."""
    body = XXE.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    code, text = fault_of(cp.post("authentication", body))
    assert code == "soap:Client" and "DOCTYPE" in text


def test_must_understand_header_is_refused(cp):
    """SOAP 1.1: an unknown header block with mustUnderstand="1" → soap:MustUnderstand fault."""
    body = envelope("getProjects", cp.auth()).replace(
        b"<soapenv:Header/>", b'<soapenv:Header><x:Sec xmlns:x="urn:x" soapenv:mustUnderstand="1"/></soapenv:Header>')
    code, text = fault_of(cp.post("projects", body))
    assert code == "soap:MustUnderstand" and "{urn:x}Sec" in text


@pytest.mark.parametrize("service,op,kind,field,value", [
    ("resources", "pushResources", "resource", "availability", "NaN"),
    ("resources", "pushResources", "resource", "availability", "INF"),
    ("projects", "pushProjects", "project", "budget", "1e400"),
    ("projects", "pushProjects", "project", "start", "2019-01-01garbage"),
    ("projects", "pushProjects", "project", "end", "2025-12-31T99:99"),
])
def test_a_value_the_store_cannot_keep_is_an_unmarshalling_fault_and_changes_nothing(cp, fieldsim, service, op,
                                                                                      kind, field, value):
    """CP-F-1: a number that is not finite, or a date with junk after it, is refused with the
    Unmarshalling Error fault; it used to be reported as updated and then read back as 0.0, or cut
    to its first ten characters."""
    number = {"resource": "1001", "project": "PROJ-01"}[kind]
    before = fieldsim.admin("GET", "state/cloudplan").json()["collections"][service]
    r = cp.call(service, op, f"{cp.auth()}<{kind}><{kind}Matcher><number>{number}</number></{kind}Matcher>"
                             f"<{kind}Values><{field}>{value}</{field}></{kind}Values></{kind}>")
    code, text = fault_of(r)
    assert r.status_code == 500 and code == "soap:Client" and text.startswith("Unmarshalling Error")
    assert value in text and f"<{field}>" in text
    assert fieldsim.admin("GET", "state/cloudplan").json()["collections"][service] == before


@pytest.mark.parametrize("op,inner", [
    ("deleteProjects", "<projectMatcher><number>PROJ-01</number><number>PROJ-02</number></projectMatcher>"),
    ("getProjects", "<projectMatcher><id>1</id><id>2</id></projectMatcher>"),
    ("getProjects", "<projectMatcher><customerMatcher><number>A</number></customerMatcher>"
                    "<customerMatcher><number>B</number></customerMatcher></projectMatcher>"),
    ("deleteProjects", '<projectMatcher allowMultiple="true"><start operator="AFTER_DATE"><dateTime>2019-01-01'
                       '</dateTime></start><start operator="BEFORE_DATE"><dateTime>2030-01-01</dateTime></start>'
                       '</projectMatcher>'),
])
def test_a_matcher_element_given_twice_is_a_fault_and_changes_nothing(cp, fieldsim, op, inner):
    """CP-M-1, CP-M-5: a matcher holds one id, one number, one of each nested matcher and one of each
    date (the WSDL's sequence). A second one is an Unmarshalling Error; the last no longer wins
    silently (a deleteProjects naming PROJ-01 and PROJ-02 deleted PROJ-02), and two bounds on one date
    are no range the real service has (its echo broke the WSDL: zeep refused the answer)."""
    before = fieldsim.admin("GET", "state/cloudplan").json()["collections"]["projects"]
    r = cp.call("projects", op, cp.auth() + inner)
    code, text = fault_of(r)
    assert code == "soap:Client" and text.startswith("Unmarshalling Error") and "only once" in text
    assert fieldsim.admin("GET", "state/cloudplan").json()["collections"]["projects"] == before



@pytest.mark.parametrize("inner", [
    "<resource><resourceMatcher><number>1001</number></resourceMatcher><resourceMatcher><number>1002</number>"
    "</resourceMatcher><resourceValues><name>X</name></resourceValues></resource>",
    "<resource><resourceMatcher><number>1001</number></resourceMatcher><resourceValues><name>X</name>"
    "</resourceValues><resourceValues><name>Y</name></resourceValues></resource>",
    "<resource><resourceMatcher><number>1001</number></resourceMatcher><resourceValues><name>X</name>"
    "<name>Y</name></resourceValues></resource>",
])
def test_an_element_the_wsdl_holds_once_given_twice_in_a_push_is_a_fault_and_changes_nothing(cp, fieldsim, inner):
    """CP-WS-5, CP-F-1: a push item holds one matcher and one values block, each value once (the WSDL's
    sequence). A second one is an Unmarshalling Error; the last used to win silently (two matchers
    updated only the record the second named)."""
    before = fieldsim.admin("GET", "state/cloudplan").json()["collections"]["resources"]
    code, text = fault_of(cp.call("resources", "pushResources", cp.auth() + inner))
    assert code == "soap:Client" and text.startswith("Unmarshalling Error") and "only once" in text
    assert fieldsim.admin("GET", "state/cloudplan").json()["collections"]["resources"] == before


def test_authentication_given_twice_is_a_fault(cp):
    """CP-WS-5, CP-AUTH-4: one <authentication>, one <token>: a second is an Unmarshalling Error, not the
    last one winning."""
    for inner in (cp.auth() + cp.auth(), f"<authentication><token>{cp.token}</token><token>x</token></authentication>"):
        code, text = fault_of(cp.call("projects", "getProjects", inner + "<projectMatcher><number>PROJ-01</number>"
                                                                       "</projectMatcher>"))
        assert code == "soap:Client" and "only once" in text