"""Helpers for the Cloudplan tests: raw SOAP over HTTP, exactly as a client sends it."""
from __future__ import annotations

import re

import requests
from lxml import etree

from contracts.cloudplan.helpers import EXAMPLES
SEED_TOKEN = "F42A1BA2F83074526E7E18238FA2D5C0"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "https://api.cloudplan.nl/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def envelope(op: str, inner: str) -> bytes:
    return (f'<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:api="{NS}"><soapenv:Header/><soapenv:Body>'
            f"<api:{op}>{inner}</api:{op}></soapenv:Body></soapenv:Envelope>").encode()


class Soap:
    """Posts raw envelopes to one fieldsim; `token` logs in as demo once."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self._token = None

    def post(self, service: str, body: bytes) -> requests.Response:
        return self.http.post(f"{self.base}/{service}", data=body, headers={"Content-Type": "text/xml;charset=UTF-8"},
                              timeout=30)

    def call(self, service: str, op: str, inner: str) -> requests.Response:
        return self.post(service, envelope(op, inner))

    def login(self, user="demo", password="demo") -> requests.Response:
        return self.call("authentication", "login", f"<username>{user}</username><password>{password}</password>")

    def new_token(self, user="demo", password="demo") -> str:
        return re.search(r"<authenticationToken>(\w+)<", self.login(user, password).text).group(1)

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.new_token()
        return self._token

    def auth(self, token=None) -> str:
        return f"<authentication><token>{token or self.token}</token></authentication>"

    def op(self, service: str, op: str, inner: str, token=None) -> etree._Element:
        """Call an operation with the token; the parsed <return> (asserting HTTP 200)."""
        r = self.call(service, op, self.auth(token) + inner)
        assert r.status_code == 200, r.text
        return etree.fromstring(r.content).find(f".//{{{NS}}}{op}Response/return")

    def example(self, name: str, service: str, token=None) -> requests.Response:
        body = (EXAMPLES / name).read_text().replace(SEED_TOKEN, token or self.token)
        return self.post(service, body.encode())


def numbers(ret, path="matcherResults/matcherResult") -> list[list[str]]:
    return [[e.findtext("number") for e in r.findall("entities/entity")] for r in ret.findall(path)]


def errors(ret) -> list[list[tuple]]:
    return [[(e.get("entityId"), e.text) for e in r.findall("Errors/Error")]
            for r in ret.findall("MatcherResults/MatcherResult")]


def ids(ret, which: str) -> list[list[int]]:
    return [[int(i.text) for i in r.findall(f"{which}Ids/{which}Id")] for r in ret.findall("MatcherResults/MatcherResult")]


