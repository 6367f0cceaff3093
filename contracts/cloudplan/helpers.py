"""Raw SOAP helpers for the Cloudplan contract suite (any base URL)."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import requests
from lxml import etree

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
# The manual's examples, verbatim copies of shared/examples/cloudplan (tests/core/test_vendored.py).
EXAMPLES = Path(__file__).with_name("examples")
NS = "https://api.cloudplan.nl/"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def envelope(op: str, inner: str) -> bytes:
    return (f'<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:api="{NS}"><soapenv:Header/><soapenv:Body>'
            f"<api:{op}>{inner}</api:{op}></soapenv:Body></soapenv:Envelope>").encode()


def tag() -> str:
    """A unique number prefix, so tests work next to any existing data."""
    return "T" + uuid.uuid4().hex[:10].upper()


class Cloudplan:
    def __init__(self, root: str):
        self.base = root.rstrip("/") + "/v1"
        self.http = requests.Session()
        self.user = os.environ.get("CLOUDPLAN_USERNAME", "demo")
        self.password = os.environ.get("CLOUDPLAN_PASSWORD", "demo")
        self._token = None

    def post(self, service: str, body: bytes) -> requests.Response:
        return self.http.post(f"{self.base}/{service}", data=body, timeout=30,
                              headers={"Content-Type": "text/xml;charset=UTF-8"})

    @property
    def token(self) -> str:
        if self._token is None:
            r = self.post("authentication", envelope(
                "login", f"<username>{self.user}</username><password>{self.password}</password>"))
            self._token = re.search(r"<authenticationToken>(\w+)<", r.text).group(1)
        return self._token

    def op(self, service: str, op: str, inner: str) -> etree._Element:
        r = self.post(service, envelope(op, f"<authentication><token>{self.token}</token></authentication>{inner}"))
        assert r.status_code == 200, r.text
        ret = etree.fromstring(r.content, _PARSER).find(f".//{{{NS}}}{op}Response/return")
        assert ret.find("error") is None, r.text
        return ret


def entities(ret) -> list[list[dict]]:
    return [[{c.tag: (c.findtext("id") if len(c) else (c.text or "")) for c in e}
             for e in r.findall("entities/entity")] for r in ret.findall("matcherResults/matcherResult")]


def outcomes(ret) -> list[dict]:
    out = []
    for r in ret.findall("MatcherResults/MatcherResult"):
        out.append({
            "inserted": [int(i.text) for i in r.findall("InsertedIds/InsertedId")],
            "updated": [int(i.text) for i in r.findall("UpdatedIds/UpdatedId")],
            "deleted": [int(i.text) for i in r.findall("DeletedIds/DeletedId")],
            "errors": [(e.get("entityId"), e.text) for e in r.findall("Errors/Error")],
        })
    return out
