"""Reference client for the Cloudplan webservice (SOAP 1.1), usable against the real
https://api.cloudplan.nl/v1 and against fieldsim's /v1.

    c = CloudplanClient("http://127.0.0.1:8080/v1", "demo", "demo")
    [projects] = c.get("project", {"number": "PROJ-01"})
    c.push("resource", [({"number": "001", "@validationPolicy": "FAIL"},
                         {"number": "001", "name": "Jan L", "department": {"number": "AFD-01"}})])
    c.get("planning", {"@allowMultiple": True, "customerMatcher": {"number": "KLANT-01"},
                       "start": ("BEFORE_OR_EQUAL_DATE", date(2019, 9, 30))})

Matchers and values are Python dicts in the provider's element names; keys starting with "@" are
attributes (allowMultiple, validationPolicy); a (operator, date) tuple is a date matcher; a dict value
is a nested element (a reference matcher). It logs in lazily, logs in again once when the session
expired, and raises on every <Errors>, <error> and SOAP fault: errors are never ignored.
"""
from __future__ import annotations

from datetime import date, datetime

import requests
from lxml import etree

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "https://api.cloudplan.nl/"
NOT_AUTHENTICATED = "The current session is not authenticated"
PLURAL = {"project": "Projects", "resource": "Resources", "planning": "Planning", "customer": "Customers",
          "department": "Departments"}
SERVICE = {"project": "projects", "resource": "resources", "planning": "planning", "customer": "customers",
           "department": "departments"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class CloudplanError(Exception):
    """Base of every error the client raises."""


class SoapFault(CloudplanError):
    def __init__(self, code: str, message: str, status: int):
        super().__init__(f"{code}: {message} (HTTP {status})")
        self.code, self.message, self.status = code, message, status


class HttpError(CloudplanError):
    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body[:200]}")
        self.status, self.body = status, body


class NotAuthenticated(CloudplanError):
    pass


class LoginFailed(CloudplanError):
    def __init__(self, error: str, locked_seconds: int):
        super().__init__(f"{error} (account locked for {locked_seconds} s)" if locked_seconds else error)
        self.error, self.locked_seconds = error, locked_seconds


class MatcherErrors(CloudplanError):
    """A push/delete/get matcher reported <Errors>; `results` holds every matcher's outcome."""

    def __init__(self, results: list):
        errs = [e for r in results for e in r["errors"]]
        super().__init__("; ".join(f"{m} (entity {i})" if i is not None else m for i, m in errs))
        self.results = results


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def build(parent, name: str, value) -> None:
    """Append `value` under `parent` as unqualified element(s) named `name`."""
    if isinstance(value, list):
        for item in value:
            build(parent, name, item)
        return
    el = etree.SubElement(parent, name)
    if isinstance(value, tuple):  # date matcher (operator, when)
        el.set("operator", value[0])
        etree.SubElement(el, "dateTime").text = _text(value[1])
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key.startswith("@"):
                el.set(key[1:], _text(sub))
            else:
                build(el, key, sub)
    else:
        el.text = _text(value)


def envelope(operation: str, parts: list) -> bytes:
    env = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soapenv": SOAP11, "api": NS})
    etree.SubElement(env, f"{{{SOAP11}}}Header")
    op = etree.SubElement(etree.SubElement(env, f"{{{SOAP11}}}Body"), f"{{{NS}}}{operation}")
    for name, value in parts:
        build(op, name, value)
    return etree.tostring(env)


def to_python(el):
    """An element as a dict (children), or its text; attributes under "@name"."""
    kids = [c for c in el if isinstance(c.tag, str)]
    if not kids:
        return el.text or ""
    out = {f"@{etree.QName(k).localname}": v for k, v in el.attrib.items()}
    for c in kids:
        out.setdefault(c.tag, []).append(to_python(c))
    return {k: v[0] if len(v) == 1 and not k.startswith("@") else v for k, v in out.items()}


def entity(el) -> dict:
    """A flat entity: the id and references become ints; other values stay text as sent."""
    out = {}
    for c in el:
        ref = c.find("id")
        out[c.tag] = int(ref.text) if ref is not None else int(c.text) if c.tag == "id" else (c.text or "")
    return out


class CloudplanClient:
    def __init__(self, base_url: str, username: str = "demo", password: str = "demo", *,
                 session: requests.Session | None = None, timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.username, self.password = username, password
        self.http = session or requests.Session()
        self.timeout = timeout
        self.token: str | None = None
        self.expiration = 0

    # -- transport ---------------------------------------------------------------------------
    def call(self, service: str, operation: str, parts: list) -> etree._Element:
        """POST one operation; the <return> element, or an exception."""
        resp = self.http.post(f"{self.base_url}/{service}", data=envelope(operation, parts), timeout=self.timeout,
                              headers={"Content-Type": "text/xml;charset=UTF-8", "SOAPAction": operation})
        try:
            root = etree.fromstring(resp.content, _PARSER)
        except etree.XMLSyntaxError:
            raise HttpError(resp.status_code, resp.text) from None
        fault = root.find(f".//{{{SOAP11}}}Fault")
        if fault is not None:
            raise SoapFault(fault.findtext("faultcode", ""), fault.findtext("faultstring", ""), resp.status_code)
        if resp.status_code != 200:
            raise HttpError(resp.status_code, resp.text)
        ret = root.find(f".//{{{NS}}}{operation}Response/return")
        if ret is None:
            raise CloudplanError(f"no {operation}Response in answer")
        return ret

    def login(self) -> str:
        ret = self.call("authentication", "login", [("username", self.username), ("password", self.password)])
        if ret.findtext("error"):
            raise LoginFailed(ret.findtext("error"), int(ret.findtext("accountLocked_RemainingTimeout") or 0))
        self.token = ret.findtext("authenticationToken")
        self.expiration = int(ret.findtext("authenticationTokenExpiration") or 0)
        return self.token

    def logout(self) -> None:
        if self.token:
            self.call("authentication", "logout", [("authentication", {"token": self.token})])
            self.token = None

    def authed(self, service: str, operation: str, name: str, items: list) -> etree._Element:
        """Call with the token; log in (again) once when the session is missing or expired."""
        for attempt in (0, 1):
            if self.token is None:
                self.login()
            ret = self.call(service, operation, [("authentication", {"token": self.token}), (name, items)])
            message = ret.findtext("error/message")
            if message is None:
                self.expiration = int(ret.findtext("authenticationTokenExpiration") or 0)
                return ret
            self.token = None
            if message != NOT_AUTHENTICATED or attempt:
                raise NotAuthenticated(message)
        raise NotAuthenticated(NOT_AUTHENTICATED)  # pragma: no cover

    # -- operations ------------------------------------------------------------------------
    def get(self, kind: str, *matchers: dict) -> list[list[dict]]:
        """One list of entities per matcher, in order."""
        ret = self.authed(SERVICE[kind], f"get{PLURAL[kind]}", f"{kind}Matcher", list(matchers))
        results = ret.findall("matcherResults/matcherResult")
        problems = [_outcome(r) for r in results if r.find("Errors") is not None]
        if problems:
            raise MatcherErrors(problems)
        return [[entity(e) for e in r.findall("entities/entity")] for r in results]

    def push(self, kind: str, items: list[tuple[dict, dict]]) -> list[dict]:
        """[(matcher, values)] → per matcher {"inserted": [...], "updated": [...], "errors": []}."""
        payload = [{f"{kind}Matcher": m, f"{kind}Values": v} for m, v in items]
        ret = self.authed(SERVICE[kind], f"push{PLURAL[kind]}", kind, payload)
        return _outcomes(ret)

    def delete(self, kind: str, *matchers: dict) -> list[dict]:
        ret = self.authed(SERVICE[kind], f"delete{PLURAL[kind]}", f"{kind}Matcher", list(matchers))
        return _outcomes(ret)


def _outcome(el) -> dict:
    ids = {n: [int(i.text) for i in el.findall(f"{n.capitalize()}Ids/{n.capitalize()}Id")]
           for n in ("inserted", "updated", "deleted")}
    errors = [(int(e.get("entityId")) if e.get("entityId") is not None else None, e.text or "")
              for e in el.findall("Errors/Error")]
    return dict(ids, errors=errors, matcher=to_python(el.find("matcher")))


def _outcomes(ret) -> list[dict]:
    results = [_outcome(r) for r in ret.findall("MatcherResults/MatcherResult")]
    if any(r["errors"] for r in results):
        raise MatcherErrors(results)
    return results
