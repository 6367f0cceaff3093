"""Hostile SOAP for Cloudplan beyond contracts/cloudplan/test_cloudplan_hostile.py (which covers
entity expansion, DOCTYPEs, byte surgery and nesting up to 400 levels): documents of ~5 MB and
nesting of up to 100,000 levels, at every position of the envelope. Always a SOAP 1.1 fault
(HTTP 500, soap:Client) or the normal answer with the <error> block, nothing changed, and bounded
time and memory (generous "not catastrophically wrong" bounds; speed targets belong to benchmarks).
Rules: CP-F-1 (malformed input → soap:Client fault), CP-F-3 (hostile XML refused safely),
CP-AUTH-4 (unknown token → <error> block, nothing done)."""
from __future__ import annotations

import resource
import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from contracts.cloudplan.helpers import NS, SOAP11, envelope

from .conftest import FUZZ, state

MB5 = 5 * 1024 * 1024
MAX_SECONDS = 10.0
MAX_RSS_GROWTH_MB = 600  # the test process hosts the server; peak growth beyond this is a leak/blow-up
BAD_AUTH = "<authentication><token>0123456789abcdef0123456789abcdef</token></authentication>"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
SOAP_OPEN = f'<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:api="{NS}">'.encode()


def deep(name: str, depth: int) -> str:
    return f"<{name}>" * depth + f"</{name}>" * depth


def deep_document(position: str, name: str, depth: int) -> bytes:
    nest = deep(name, depth)
    if position == "envelope":  # directly under Envelope, before the Body
        return SOAP_OPEN + nest.encode() + b"<soapenv:Body/></soapenv:Envelope>"
    if position == "header":
        return SOAP_OPEN + b"<soapenv:Header>" + nest.encode() + b"</soapenv:Header><soapenv:Body/></soapenv:Envelope>"
    if position == "body":
        return SOAP_OPEN + b"<soapenv:Body>" + nest.encode() + b"</soapenv:Body></soapenv:Envelope>"
    if position == "operation":
        return envelope("getProjects", BAD_AUTH + nest)
    return envelope("getProjects", BAD_AUTH + f"<projectMatcher>{nest}</projectMatcher>")  # matcher


def huge_document(shape: str, size: int) -> bytes:
    """About `size` bytes of hostile-but-well-formed XML; each answer is a fault or an <error> block."""
    if shape == "unknown-elements":
        unit = "<unknownElement>x</unknownElement>"
        return envelope("getProjects", BAD_AUTH + unit * (size // len(unit)))
    if shape == "matchers-bad-token":
        unit = '<projectMatcher allowMultiple="true"><number>PROJ-01</number></projectMatcher>'
        return envelope("getProjects", BAD_AUTH + unit * (size // len(unit)))
    if shape == "long-text":
        return envelope("getProjects", BAD_AUTH + f"<projectMatcher><number>{'A' * size}</number></projectMatcher>")
    if shape == "attributes":
        attrs = " ".join(f'a{i}="x"' for i in range(size // 10))
        return envelope("getProjects", f"<authentication {attrs}><token>x</token></authentication>")
    if shape == "comments":
        return envelope("getProjects", BAD_AUTH + "<!-- " + "-x" * (size // 2) + " -->")
    unit = "<entity><number>X</number></entity>"  # "entities": push with no session
    return envelope("pushProjects", BAD_AUTH + unit * (size // len(unit)))


def check_refused(resp) -> str:
    """A SOAP fault (500, soap:*) or a normal answer carrying the <error> block; returns which."""
    assert resp.status_code in (200, 500), (resp.status_code, resp.text[:300])
    root = etree.fromstring(resp.content, _PARSER)
    assert root.tag == f"{{{SOAP11}}}Envelope", resp.text[:300]
    fault = root.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    if resp.status_code == 500:
        assert fault is not None and fault.findtext("faultcode").startswith("soap:"), resp.text[:300]
        return "fault"
    assert fault is None and root.find(".//return/error") is not None, resp.text[:300]
    return "error"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def send(server, service: str, body: bytes):
    rss0, t0 = _peak_rss_mb(), time.perf_counter()
    resp = requests.post(f"{server.base_url}/v1/{service}", data=body, timeout=120,
                         headers={"Content-Type": "text/xml;charset=UTF-8"})
    return resp, time.perf_counter() - t0, _peak_rss_mb() - rss0


MEASURED: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _report_measurements():
    """Print the worst time and peak-RSS growth per kind (seen with -s; quoted in docs/reliability.md)."""
    yield
    print("\nCloudplan hostile SOAP, worst (seconds, peak RSS growth MB) per kind:",
          {k: (round(v[0], 2), round(v[1], 1)) for k, v in MEASURED.items()}, "cases:", COUNT)


COUNT: dict = {}


def _record(kind, seconds, rss):
    COUNT[kind] = COUNT.get(kind, 0) + 1
    worst = MEASURED.setdefault(kind, [0.0, 0.0])
    worst[0], worst[1] = max(worst[0], seconds), max(worst[1], rss)


DEEP = dict(position=st.sampled_from(["envelope", "header", "body", "operation", "matcher"]),
            name=st.sampled_from(["x", "projectMatcher", "soapenv:Body", "api:getProjects", "number"]),
            depth=st.one_of(st.just(100_000), st.integers(257, 100_000)))
HUGE = dict(shape=st.sampled_from(["unknown-elements", "matchers-bad-token", "long-text", "attributes", "comments",
                                   "entities"]),
            size=st.integers(MB5 // 2, MB5))


def _settings(n):
    return settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def deep_case(rel, position, name, depth):
    before = state(rel, "cloudplan")
    resp, seconds, rss = send(rel, "projects", deep_document(position, name, depth))
    _record("deep", seconds, rss)
    assert check_refused(resp) == "fault"
    assert seconds < MAX_SECONDS and rss < MAX_RSS_GROWTH_MB, (seconds, rss)
    assert state(rel, "cloudplan") == before


def huge_case(rel, shape, size):
    before = state(rel, "cloudplan")
    resp, seconds, rss = send(rel, "projects", huge_document(shape, size))
    _record("huge", seconds, rss)
    check_refused(resp)
    assert seconds < MAX_SECONDS and rss < MAX_RSS_GROWTH_MB, (shape, seconds, rss)
    assert state(rel, "cloudplan") == before


@_settings(8)
@given(**DEEP)
def test_rel_deep_nesting_up_to_100k_levels_is_a_fault_CP_F_1_CP_F_3(rel, position, name, depth):
    """CP-F-1 / CP-F-3: nesting of up to 100,000 levels anywhere in the envelope → soap:Client fault,
    in bounded time and memory, state unchanged."""
    deep_case(rel, position, name, depth)


@_settings(6)
@given(**HUGE)
def test_rel_huge_documents_are_refused_in_bounded_time_CP_F_1_CP_AUTH_4(rel, shape, size):
    """CP-F-1 / CP-AUTH-4: 2.5–5 MB hostile documents (unknown elements, thousands of matchers with a
    bad token, a 5 MB text node, 500k attributes, comments, push entities) → a fault or the <error>
    block, in bounded time and memory, state unchanged."""
    huge_case(rel, shape, size)


@pytest.mark.fuzz
@_settings(min(FUZZ, 100) or 100)
@given(**DEEP)
def test_rel_deep_nesting_fuzz_CP_F_1_CP_F_3(rel, position, name, depth):
    """The same, up to 100 cases in `make fuzz` (each ~0.1 s)."""
    deep_case(rel, position, name, depth)


@pytest.mark.fuzz
@_settings(min(FUZZ, 40) or 40)
@given(**HUGE)
def test_rel_huge_documents_fuzz_CP_F_1_CP_AUTH_4(rel, shape, size):
    """The same, up to 40 cases in `make fuzz` (each up to a few seconds)."""
    huge_case(rel, shape, size)


def test_rel_server_still_answers_after_hostile_documents(rel):
    """After the hostile runs the service still works: a login answers a token."""
    resp = requests.post(rel.base_url + "/v1/authentication", timeout=30, data=envelope(
        "login", "<username>demo</username><password>demo</password>"))
    assert resp.status_code == 200 and b"<authenticationToken>" in resp.content
