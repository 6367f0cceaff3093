"""Fuzz of malformed and hostile envelopes: always a SOAP fault or a normal answer (error block
included), never a crash, never entity expansion, never file or network access (CP-F-1, CP-F-3)."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from contracts.cloudplan.helpers import NS, SOAP11, envelope

N = int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "0")) or 40
SETTINGS = settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
VALID = envelope("getProjects", '<authentication><token>X</token></authentication>'
                 '<projectMatcher allowMultiple="false"><number>PROJ-01</number></projectMatcher>')
HOSTILE = [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + VALID.replace(b"PROJ-01", b"&x;"),
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://169.254.169.254/latest/meta-data/">]>'
    + VALID.replace(b"PROJ-01", b"&x;"),
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    + VALID.replace(b"PROJ-01", b"&d;"),
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><r/>',
    b'<!doctype html><html/>',
    VALID.replace(SOAP11.encode(), b"urn:wrong"),
    VALID.replace(NS.encode(), b"urn:wrong"),
    VALID.replace(b"<number>", b"<api:number>").replace(b"</number>", b"</api:number>"),
    VALID.replace(b"<number>PROJ-01</number>", b"<x>" * 5000 + b"</x>" * 5000),
    VALID.replace(b"<number>PROJ-01</number>", b"<unknownElement/>"),
    b"\xff\xfe<\x00x\x00/\x00>\x00",
    b"<" * 1000,
]


def check(r):
    """A SOAP answer: 200 with a Response, or 500 with a Fault; nothing leaked or expanded."""
    assert r.status_code in (200, 500), (r.status_code, r.text[:300])
    assert b"root:" not in r.content and b"aaaaaaaaaaaaaaaaaaaa" not in r.content
    root = etree.fromstring(r.content, _PARSER)
    assert root.tag == f"{{{SOAP11}}}Envelope"
    body = root.find(f"{{{SOAP11}}}Body")
    fault = body.find(f"{{{SOAP11}}}Fault")
    if r.status_code == 500:
        assert fault is not None and fault.findtext("faultcode").startswith("soap:")
    else:
        assert fault is None and len(body) == 1


@pytest.mark.parametrize("body", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_envelopes_are_refused_cleanly(cloudplan, body):
    """CP-F-1, CP-F-3: each hostile envelope gets a SOAP fault; the service still works afterwards."""
    r = cloudplan.post("projects", body)
    check(r)
    assert r.status_code == 500
    assert cloudplan.op("projects", "getProjects", "<projectMatcher><id>0</id></projectMatcher>") is not None


def test_processing_instructions_are_ignored_not_followed(cloudplan):
    """CP-F-3: a stylesheet PI is neither fetched nor applied: the request is answered normally (here the
    <error> block for the fake token)."""
    r = cloudplan.post("projects", b'<?xml version="1.0"?><?xml-stylesheet href="http://127.0.0.1:1/x.xsl"?>' + VALID)
    check(r)
    assert r.status_code == 200 and b"The current session is not authenticated" in r.content


@SETTINGS
@given(cut=st.integers(0, len(VALID)), length=st.integers(0, 40), junk=st.binary(max_size=12))
def test_mutated_envelopes_never_crash(cloudplan, cut, length, junk):
    """CP-F-1: arbitrary byte surgery on a valid envelope → a fault or a normal answer, never a stack trace."""
    body = VALID[:cut] + junk + VALID[cut + length:]
    check(cloudplan.post("projects", body))


@SETTINGS
@given(depth=st.integers(1, 400), name=st.sampled_from(["projectMatcher", "customerMatcher", "x", "start"]))
def test_deep_nesting_never_crashes(cloudplan, depth, name):
    """CP-F-1: deeply nested (matchers or junk) → fault or answer, bounded."""
    inner = f"<{name}>" * depth + f"</{name}>" * depth
    check(cloudplan.post("projects", envelope("getProjects", inner)))
