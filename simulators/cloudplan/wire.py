"""Cloudplan's wire format: SOAP 1.1 requests in, the seed's exact response shapes out.

Requests are read with the safe lxml parser of envelope.py and checked strictly against the same
shapes the WSDL (soap.py, spyne) declares; responses are written directly, because their exact shape
(CP-R-1 lower-case matcherResults vs CP-R-3 capitalised MatcherResults, per-element xmlns:xsi,
xsi:type on matchers and entities) is what matters and it is also the fast path.
"""
from __future__ import annotations

import math
import re
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from simulators.cloudplan.envelope import (NS, SOAP11, XSI, Fault, children, parse_envelope, tagged_children, text,
                                           unmarshalling)
from simulators.cloudplan.model import (DATE_OPERATORS, KINDS, POLICIES, Cloudplan, DateCond, Matcher,
                                        MatchError, ftype, parse_when)

NOT_AUTHENTICATED = "The current session is not authenticated"  # CP-AUTH-4
SERVICES = {"authentication": ("login", "logout")}
SERVICES.update({k.coll: (f"get{k.plural}", f"push{k.plural}", f"delete{k.plural}") for k in KINDS.values()})
KIND_OF_PLURAL = {k.plural: k.name for k in KINDS.values()}


# ---- reading ------------------------------------------------------------------------------------
def _bool(value: str, where: str) -> bool:
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise unmarshalling(f"'{value}' is not a valid value for boolean {where}")


# per kind: the children a matcher may hold, and its nested matchers <xMatcher> -> (field, kind)
_MATCHER_SHAPE = {name: (("id", "number", *(t for t, _f, _k in k.nested), *k.dates),
                         {tag: (fld, target) for tag, fld, target in k.nested}) for name, k in KINDS.items()}


def parse_matcher(el, kind: str) -> Matcher:
    """CP-M-1..5: a <xMatcher> (or a reference inside values, CP-M-3) into a model Matcher."""
    allowed, nested = _MATCHER_SHAPE[kind]
    m = Matcher(kind)
    attrib = el.attrib
    if attrib:  # most matchers have none; reading each attribute costs an lxml call
        if "allowMultiple" in attrib:
            m.allow_multiple = _bool(attrib["allowMultiple"].strip(), "allowMultiple")
        if "validationPolicy" in attrib:
            m.policy = attrib["validationPolicy"].strip()
            m.policy_given = True
            if m.policy not in POLICIES:
                raise unmarshalling(f"'{m.policy}' is not a valid validationPolicy (FAIL, SKIP)")
        m.select = attrib.get("select")
    for tag, child in tagged_children(el, allowed, once=allowed):  # one of each: a date too, no range on one field
        if tag == "id":
            m.id = _int(text(child), "id")
        elif tag == "number":
            m.number = text(child)
        elif tag in nested:
            fld, target = nested[tag]
            m.nested.append((tag, fld, parse_matcher(child, target)))
        else:
            m.dates.append(_date_cond(child))
    return m


def _date_cond(el) -> DateCond:
    """CP-M-5: <start operator="…"><dateTime>…</dateTime></start>."""
    op = (el.get("operator") or "").strip()
    if op not in DATE_OPERATORS:
        raise unmarshalling(f"'{op}' is not a valid date operator; use one of {', '.join(DATE_OPERATORS)}")
    parts = children(el, ("dateTime",))
    if len(parts) != 1:
        raise unmarshalling(f"<{el.tag}> needs exactly one <dateTime>")
    raw = text(parts[0]).strip()
    return DateCond(el.tag, op, raw, _when(raw))


def _when(raw: str):
    try:
        return parse_when(raw)
    except ValueError:
        raise unmarshalling(f"'{raw}' is not a valid date or dateTime") from None


def _int(value: str, where: str) -> int:
    """A Java long, as JAXB reads it."""
    try:
        number = int(value.strip())
    except ValueError:
        raise unmarshalling(f"Not a number: '{value}' in <{where}>") from None
    if not -2**63 <= number < 2**63:
        raise unmarshalling(f"Not a number: '{value}' in <{where}> (out of range)")
    return number


def parse_values(el, kind: str) -> dict:
    """<xValues>: only the fields given are set; references are matchers (CP-M-3)."""
    fields = dict(KINDS[kind].fields)
    fields.pop("id")
    out = {}
    for child in children(el, tuple(fields), once=fields):
        name, typ = child.tag, fields[child.tag]
        if typ.startswith("ref:"):
            out[name] = parse_matcher(child, typ[4:])
        elif typ == "ref":
            ids = children(child, ("id",), once=("id",))
            out[name] = _int(text(ids[0]), "id") if ids else 0
        else:
            out[name] = parse_scalar(text(child), typ, name)
    return out


def parse_scalar(raw: str, typ: str, name: str):
    raw_s = raw.strip()
    if typ == "str":
        return raw
    if typ == "int":
        return _int(raw, name)
    if typ == "float":
        try:
            number = float(raw_s)
        except ValueError:
            raise unmarshalling(f"Not a number: '{raw}' in <{name}>") from None
        if not math.isfinite(number):  # NaN, INF, 1e400: the store keeps finite numbers only
            raise unmarshalling(f"Not a finite number: '{raw}' in <{name}>")
        return number
    if typ == "bool":
        return _bool(raw_s, name)
    if not raw_s:
        return ""
    if typ == "date":
        try:  # a date, or a whole dateTime whose day is taken; never a date with trailing junk
            return (date.fromisoformat(raw_s) if len(raw_s) == 10 else parse_when(raw_s).date()).isoformat()
        except ValueError:
            raise unmarshalling(f"'{raw}' is not a valid date in <{name}>") from None
    return _when(raw_s).isoformat(timespec="seconds")


def parse_auth(el) -> str:
    tokens = children(el, ("token",), once=("token",))
    return text(tokens[0]).strip() if tokens else ""


def parse_request(op_el, service: str):
    """The operation element → (operation, token, args); strict on names (CP-WS-3, CP-WS-5)."""
    op = op_el.tag.split("}")[-1] if op_el.tag.startswith(f"{{{NS}}}") else None
    if op is None or op not in SERVICES.get(service, ()):
        raise Fault(f"Message part {op_el.tag} was not recognized.  (Does it exist in service WSDL?)")
    if op == "login":
        parts = {c.tag: text(c) for c in children(op_el, ("username", "password"), once=("username", "password"))}
        return op, None, (parts.get("username", ""), parts.get("password", ""))
    if op == "logout":
        auth = children(op_el, ("authentication",), once=("authentication",))
        return op, parse_auth(auth[0]) if auth else "", ()
    verb, plural = re.match(r"(get|push|delete)(\w+)", op).groups()
    kind = KIND_OF_PLURAL[plural]
    item = kind if verb == "push" else f"{kind}Matcher"
    token, args = "", []
    for tag, child in tagged_children(op_el, ("authentication", item), once=("authentication",)):
        if tag == "authentication":
            token = parse_auth(child)
        elif verb == "push":
            args.append(_push_item(child, kind))
        else:
            args.append(parse_matcher(child, kind))
    return op, token, args


def _push_item(el, kind):
    """<x><xMatcher/><xValues/></x> (CP-WS-5)."""
    matcher, values = None, {}
    for child in children(el, (f"{kind}Matcher", f"{kind}Values"), once=(f"{kind}Matcher", f"{kind}Values")):
        if child.tag.endswith("Matcher"):
            matcher = parse_matcher(child, kind)
        else:
            values = parse_values(child, kind)
    if matcher is None:
        raise unmarshalling(f"<{kind}> needs a <{kind}Matcher>")
    return matcher, values


# ---- writing ------------------------------------------------------------------------------------
def envelope(op: str, inner: str) -> bytes:
    return (f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><ns2:{op}Response xmlns:ns2="{NS}">'
            f'<return>{inner}</return></ns2:{op}Response></soap:Body></soap:Envelope>').encode()


def _el(name: str, value: str) -> str:
    return f"<{name}>{value}</{name}>" if value != "" else f"<{name}/>"


# per kind: the position of each nested matcher and date in the WSDL's sequence (the echo's order)
_ECHO_ORDER = {name: {tag: i for i, tag in enumerate(shape[0])} for name, shape in _MATCHER_SHAPE.items()}


def matcher_xml(m: Matcher, tag: str = "matcher", select: str | None = None) -> str:
    """The matcher echoed back (CP-M-1), in schema order, with xsi:type at the top (CP-R-1)."""
    attrs = ' allowMultiple="true"' if m.allow_multiple else ' allowMultiple="false"'
    if m.policy_given:
        attrs += f' validationPolicy="{m.policy}"'
    select = m.select if m.select is not None else select
    if select is not None:
        attrs += f" select={quoteattr(select)}"
    if tag == "matcher":
        head = f'<matcher xsi:type="ns2:{m.kind}Matcher"{attrs} xmlns:xsi="{XSI}">'
    else:
        head = f"<{tag}{attrs}>"
    body = []
    if m.id is not None:
        body.append(f"<id>{m.id}</id>")
    if m.number is not None:
        body.append(_el("number", escape(m.number)))
    order = _ECHO_ORDER[m.kind]  # nested matchers and dates in the WSDL's sequence, not the request's
    body += [matcher_xml(sub, t) for t, _f, sub in sorted(m.nested, key=lambda n: order[n[0]])]
    body += [f'<{c.field} operator="{c.operator}">{_el("dateTime", escape(c.raw))}</{c.field}>'
             for c in sorted(m.dates, key=lambda c: order[c.field])]
    return head + "".join(body) + f"</{tag}>"


def _writer(name: str, typ: str):
    """One field's serialiser, built once per field (the get path is the hot path)."""
    empty, open_, close = f"<{name}/>", f"<{name}>", f"</{name}>"
    if typ == "ref":
        return lambda v: f"{open_}<id>{int(v or 0)}</id>{close}"
    if typ == "bool":
        t, f = f"{open_}true{close}", f"{open_}false{close}"
        return lambda v: t if v else f
    if typ == "float":
        return lambda v: f"{open_}{float(v or 0)!r}{close}"
    if typ == "int":
        return lambda v: f"{open_}{int(v or 0)}{close}"
    return lambda v: f"{open_}{escape(str(v))}{close}" if v not in ("", None) else empty


WRITERS = {kind: [_writer(n, ftype(t)) for n, t in k.fields] for kind, k in KINDS.items()}
FIELD_NAMES = {kind: tuple(n for n, _t in k.fields) for kind, k in KINDS.items()}


_ENTITY_XML: dict = {}  # (kind, field values...) -> serialised entity; records are small and stable


def entity_xml(kind: str, rec: dict) -> str:
    """CP-R-1/CP-R-2: a flat entity, every field present, references as <x><id>n</id></x>."""
    values = tuple(map(rec.get, FIELD_NAMES[kind]))
    key = (kind, values)
    xml = _ENTITY_XML.get(key)
    if xml is None:
        xml = (f'<entity xsi:type="ns2:{kind}" xmlns:xsi="{XSI}">'
               + "".join([w(v) for w, v in zip(WRITERS[kind], values)]) + "</entity>")
        if len(_ENTITY_XML) > 50_000:
            _ENTITY_XML.clear()
        _ENTITY_XML[key] = xml
    return xml


def expiration(seconds: int) -> str:
    return f"<authenticationTokenExpiration>{seconds}</authenticationTokenExpiration>"


def not_authenticated(op: str) -> bytes:
    """CP-AUTH-4: the <error> block; nothing was done."""
    return envelope(op, expiration(0) + f"<error><message>{NOT_AUTHENTICATED}</message></error>")


def outcome_xml(m: Matcher, out, delete: bool = False) -> str:
    """CP-R-3/CP-R-4/CP-V-2/CP-V-3: one MatcherResult. When nothing was changed because of errors
    (FAIL, or CP-M-4 multiple) only <Errors> follows the matcher (seed 07, 08); otherwise the ids,
    then the errors that SKIP passed over (seed 12)."""
    # The manual's push answers carry select="" once the push got to its records: an update (seed 06)
    # or a SKIP pass (seed 12); not on an insert (05), nor when it failed (07, 08).
    reached = not delete and not out.failed and (out.updated or m.policy == "SKIP")
    parts = ["<MatcherResult>", matcher_xml(m, select="" if reached else None)]
    if not out.failed:
        names = (("Deleted", out.deleted),) if delete else (("Inserted", out.inserted), ("Updated", out.updated))
        for name, ids in names:
            parts.append(_el(f"{name}Ids", "".join(f"<{name}Id>{i}</{name}Id>" for i in ids)))
    if out.errors:
        errs = "".join(f"<Error>{escape(msg)}</Error>" if eid is None
                       else f'<Error entityId="{eid}">{escape(msg)}</Error>' for eid, msg in out.errors)
        parts.append(f"<Errors>{errs}</Errors>")
    parts.append("</MatcherResult>")
    return "".join(parts)


# ---- one request --------------------------------------------------------------------------------
def handle(api, service: str, body: bytes) -> bytes:
    """Parse, authenticate, call the model, serialise. Raises Fault for SOAP faults."""
    op, token, args = parse_request(parse_envelope(body), service)
    reading = op.startswith("get")
    model = Cloudplan(api, cache=reading, lookups=len(args) if reading else 1)
    if op == "login":
        tok, seconds = model.login(*args)
        if tok is None:  # CP-AUTH-2/3
            return envelope(op, expiration(0) + "<error>AUTHENTICATION_FAILED</error>"
                                f"<accountLocked_RemainingTimeout>{seconds}</accountLocked_RemainingTimeout>")
        return envelope(op, f"<authenticationToken>{tok}</authenticationToken>{expiration(seconds)}"
                            "<accountLocked_RemainingTimeout>0</accountLocked_RemainingTimeout>")
    if op == "logout":
        if not model.logout(token):
            return not_authenticated(op)
        return envelope(op, expiration(0))
    tenant, seconds = model.authenticate(token)
    if tenant is None:
        return not_authenticated(op)
    if reading:
        return envelope(op, expiration(seconds) + "<matcherResults>"
                        + "".join(_get_result(model, tenant, m) for m in args) + "</matcherResults>")
    results = []
    for item in args:
        if op.startswith("push"):
            results.append(outcome_xml(item[0], model.push(tenant, *item)))
        else:
            results.append(outcome_xml(item, model.delete(tenant, item), delete=True))
    return envelope(op, expiration(seconds) + "<MatcherResults>" + "".join(results) + "</MatcherResults>")


def _get_result(model, tenant, m: Matcher) -> str:
    """CP-R-1: <matcherResult><matcher …/><entities><entity xsi:type=…/>…</entities></matcherResult>."""
    try:
        recs = model.match(tenant, m, enforce_single=True)  # as model.get, without its copies
    except MatchError as exc:  # CP-M-4 in a get: nothing returned, the error instead
        return (f"<matcherResult>{matcher_xml(m)}<entities/>"
                f"<Errors><Error>{escape(str(exc))}</Error></Errors></matcherResult>")
    ents = "".join([entity_xml(m.kind, r) for r in recs])
    return f"<matcherResult>{matcher_xml(m)}{_el('entities', ents)}</matcherResult>"

