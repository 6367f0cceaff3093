"""The Cloudplan services declared with spyne, for their WSDLs (CP-WS-1, CP-WS-2, CP-WS-5).

Types are generated from the model's entity table, so the WSDL, the request reader (wire.py) and
the responses always agree. Child elements are unqualified (CP-WS-3). Requests themselves are served
by wire.py (exact shapes, strict and fast); spyne's WsgiApplication answers `?wsdl`.
"""
from __future__ import annotations

from functools import lru_cache

from spyne import (Application, Boolean, ComplexModel, Double, Enum, Integer, Long, ServiceBase, Unicode,
                   XmlAttribute, XmlData, rpc)
from spyne.interface.wsdl import Wsdl11
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from simulators.cloudplan.envelope import NS
from simulators.cloudplan.model import DATE_OPERATORS, KINDS, POLICIES
from simulators.cloudplan.wire import SERVICES

UNBOUNDED = "unbounded"
SCALARS = {"str": Unicode, "int": Integer, "float": Double, "bool": Boolean, "date": Unicode, "datetime": Unicode}


def _type(name: str, fields: list, base=ComplexModel):
    attrs = {"__namespace__": NS, "_type_info": fields}
    if base is not ComplexModel:  # spyne drops an empty base (entity) unless told: <xs:extension base>
        attrs["__extends__"] = base
    return type(name, (base,), attrs)


def _many(t):
    return t.customize(max_occurs=UNBOUNDED, min_occurs=0)


@lru_cache(maxsize=1)
def types() -> dict:
    """Every schema type, by name."""
    t = {}
    t["authentication"] = _type("authentication", [("token", Unicode)])
    t["reference"] = _type("reference", [("id", Long)])
    t["errorInfo"] = _type("errorInfo", [("message", Unicode)])
    t["Error"] = _type("Error", [("entityId", XmlAttribute(Long)), ("value", XmlData(Unicode))])
    t["Errors"] = _type("Errors", [("Error", _many(t["Error"]))])
    t["dateMatcher"] = _type("dateMatcher", [
        ("operator", XmlAttribute(Enum(*DATE_OPERATORS, type_name="dateOperator"))), ("dateTime", Unicode)])
    policy = Enum(*POLICIES, type_name="validationPolicy")
    t["matcher"] = _type("matcher", [("allowMultiple", XmlAttribute(Boolean)),
                                     ("validationPolicy", XmlAttribute(policy)), ("select", XmlAttribute(Unicode))])
    t["entity"] = _type("entity", [])
    for kind in ("department", "customer", "resource", "project", "planning"):  # referenced ones first
        k = KINDS[kind]
        fields = [("id", Long), ("number", Unicode)]
        fields += [(tag, t[f"{target}Matcher"]) for tag, _f, target in k.nested]
        fields += [(d, t["dateMatcher"]) for d in k.dates]
        t[f"{kind}Matcher"] = _type(f"{kind}Matcher", fields, t["matcher"])
        flat = [(n, t["reference"] if ty.startswith("ref") else SCALARS[ty]) for n, ty in k.fields]
        t[kind] = _type(kind, flat, t["entity"])
        values = [(n, t[f"{ty[4:]}Matcher"] if ty.startswith("ref:") else t["reference"] if ty == "ref"
                   else SCALARS[ty]) for n, ty in k.fields if n != "id"]
        t[f"{kind}Values"] = _type(f"{kind}Values", values)
        t[f"{kind}Push"] = _type(f"{kind}Push", [(f"{kind}Matcher", t[f"{kind}Matcher"]),
                                                   (f"{kind}Values", t[f"{kind}Values"])])
    t["entities"] = _type("entities", [("entity", _many(t["entity"]))])
    t["matcherResult"] = _type("matcherResult", [("matcher", t["matcher"]), ("entities", t["entities"]),
                                                 ("Errors", t["Errors"])])
    t["matcherResults"] = _type("matcherResults", [("matcherResult", _many(t["matcherResult"]))])
    ids = {n: _type(f"{n}Ids", [(f"{n}Id", _many(Long))]) for n in ("Inserted", "Updated", "Deleted")}
    t["MatcherResult"] = _type("MatcherResult", [("matcher", t["matcher"])]
                               + [(f"{n}Ids", ids[n]) for n in ids] + [("Errors", t["Errors"])])
    t["MatcherResults"] = _type("MatcherResults", [("MatcherResult", _many(t["MatcherResult"]))])
    exp = ("authenticationTokenExpiration", Long)
    t["getResult"] = _type("getResult", [exp, ("error", t["errorInfo"]), ("matcherResults", t["matcherResults"])])
    t["pushResult"] = _type("pushResult", [exp, ("error", t["errorInfo"]), ("MatcherResults", t["MatcherResults"])])
    t["logoutResult"] = _type("logoutResult", [exp, ("error", t["errorInfo"])])
    t["loginResult"] = _type("loginResult", [("authenticationToken", Unicode), exp, ("error", Unicode),
                                             ("accountLocked_RemainingTimeout", Long)])
    return t


def _stub(name: str, arity: int):
    """A service method spyne can describe; requests are answered by wire.py, never by this."""
    def one(ctx, a):
        raise NotImplementedError

    def two(ctx, a, b):
        raise NotImplementedError
    fn = one if arity == 1 else two
    fn.__name__ = fn.__qualname__ = name
    return fn


def _operation(op: str):
    t = types()
    if op == "login":
        return rpc(Unicode, Unicode, _in_variable_names={"a": "username", "b": "password"},
                   _returns=t["loginResult"], _out_variable_name="return", _operation_name="login")(
            _stub(op, 2))
    if op == "logout":
        return rpc(t["authentication"], _in_variable_names={"a": "authentication"}, _returns=t["logoutResult"],
                   _out_variable_name="return", _operation_name="logout")(_stub(op, 1))
    verb = "get" if op.startswith("get") else "push" if op.startswith("push") else "delete"
    kind = next(k.name for k in KINDS.values() if op == verb + k.plural)
    item, result = {"get": (f"{kind}Matcher", "getResult"), "push": (kind, "pushResult"),
                    "delete": (f"{kind}Matcher", "pushResult")}[verb]
    item_type = t[f"{kind}Push"] if verb == "push" else t[f"{kind}Matcher"]
    return rpc(t["authentication"], _many(item_type), _in_variable_names={"a": "authentication", "b": item},
               _returns=t[result], _out_variable_name="return", _operation_name=op)(_stub(op, 2))


@lru_cache(maxsize=None)
def wsgi_app(service: str) -> WsgiApplication:
    """spyne's WSGI application for one service; its WSDL has unqualified child elements."""
    attrs = {op: _operation(op) for op in SERVICES[service]}
    svc = type(f"{service}Service", (ServiceBase,), attrs)
    app = Application([svc], tns=NS, name=service, in_protocol=Soap11(), out_protocol=Soap11())
    for kind in KINDS:  # the entity subtypes answered with xsi:type (CP-R-1) must be in the schema
        app.interface.add_class(types()[kind])
    wsgi = WsgiApplication(app)
    wsgi.doc.wsdl11 = Wsdl11(app.interface, element_form_default="unqualified")
    wsgi._wsdl = None
    return wsgi
