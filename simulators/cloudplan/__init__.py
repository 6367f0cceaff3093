"""Cloudplan webservice (SOAP 1.1) simulator: /v1/ overview, /v1/<service> endpoints and WSDLs."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response

from simulators.core.api import SimulatedAPI
from simulators.core.errors import AdminError
from simulators.cloudplan import admin, routes, scenario
from simulators.cloudplan.envelope import Fault, fault_xml
from simulators.cloudplan.index import INDEX, rebuild
from simulators.cloudplan.model import KINDS, TENANTS, USERS, Cloudplan, parse_when, validate
from simulators.cloudplan.routes import SOAP_CT
from simulators.cloudplan.seed import seed as seed_data
from simulators.cloudplan.wire import entity_xml, parse_scalar


_KIND_OF = {"int": "int", "float": "num", "bool": "bool", "ref": "int"}  # the rest (str, date, datetime): text


class CloudplanAPI(SimulatedAPI):
    name = "cloudplan"
    title = "Cloudplan webservice (SOAP 1.1)"
    prefixes = ("/v1",)
    # what the reads index: PUT /__admin/state refuses a document without it (the rest: read_everything)
    state_shapes = {k.coll: ("id:int", "tenant:str", *(f"{name}?:{_KIND_OF.get(typ.partition(':')[0], 'str')}"
                                                         for name, typ in k.fields)) for k in KINDS.values()}
    state_shapes.update(sessions=("user:str", "tenant:str", "expires:time"), logins=("count:int", "locked_until?:time"))

    def blueprint(self) -> Blueprint:
        return routes.blueprint(self)

    def seed(self, state) -> None:
        seed_data(self, state)

    def credentials(self):
        return {"username": "demo", "password": "demo",
                "other_tenant": {"username": "demo2", "password": "demo2"},
                "login": "POST /v1/authentication <api:login><username>demo</username><password>demo</password>"}

    def error_response(self, status: int, message: str) -> Response:
        """A 500 is a SOAP fault (soap:Server), as CXF answers server errors; every other status is
        the servlet container's plain HTML error page, as a 404 during maintenance is (CP-F-2)."""
        if status == 500:
            return Response(fault_xml(message, "Server"), status=500, content_type=SOAP_CT)
        page = (f"<html><head><title>Error {status}</title></head><body><h1>HTTP ERROR {status}</h1>"
                f"<p>{_html(message)}</p></body></html>")
        return Response(page, status=status, content_type="text/html;charset=ISO-8859-1")

    def soap_fault_response(self, message: str) -> Response:
        """Fault `soap_fault` (CP-F-2): a SOAP 1.1 Fault, HTTP 500."""
        return Response(fault_xml(message, "Server"), status=500, content_type=SOAP_CT)

    def rate_limit_key(self, request):
        """Only limited when configured (Cloudplan documents no limit): per client address."""
        return request.remote_addr or "unknown"

    def expire_tokens(self) -> bool:
        """Fault `expire_tokens` (CP-F-2): all sessions end; the next call gets the <error> block."""
        Cloudplan(self).expire_all()
        return True

    def export_state(self) -> dict:
        """The records as stored; the number index is derived from them (index.py), so left out."""
        data = self.state.export()
        data["collections"].pop(INDEX, None)
        return data

    def import_state(self, data) -> None:
        """An imported number index is not trusted: it is rebuilt from the imported records, in
        the same lock (on sqlite: the same transaction) so no reader sees records without it."""
        if isinstance(data, dict) and isinstance(data.get("collections"), dict):
            data = dict(data, collections={c: d for c, d in data["collections"].items() if c != INDEX})
        with self.state.lock():
            super().import_state(data)
            self._check_counter(data.get("counters", {}))
            rebuild(self.state, KINDS.values())

    def read_everything(self) -> None:
        """PUT /__admin/state: every record as a push would have written it, then every tenant's
        records read as getX serialises them and a date matcher (CP-M-5) compares them."""
        items = {kind: self.state.items(k.coll) for kind, k in KINDS.items()}
        ids: dict = {}
        for kind, recs in items.items():
            for key, rec in recs:
                _check_home(kind, key, rec)
                ids.setdefault((rec["tenant"], kind), set()).add(rec["id"])
        for kind, recs in items.items():
            for key, rec in recs:
                _check_values(kind, key, rec, ids)
        model = Cloudplan(self)
        for tenant in TENANTS:
            for kind, k in KINDS.items():
                for rec in model.records(tenant, kind):
                    entity_xml(kind, rec)
                    for f in k.dates:
                        if rec.get(f):
                            parse_when(rec[f])
        self._check_sessions()

    def _check_sessions(self) -> None:
        """A session is a demo account's, in its tenant, and ends at a time with an offset (CP-AUTH-4
        compares it with the clock); so does a login lockout (CP-AUTH-3)."""
        for token, sess in self.state.items("sessions"):
            where = f"cloudplan: collections.sessions.{token}"
            if USERS.get(sess["user"], ("", None))[1] != sess["tenant"]:
                raise AdminError(f"{where}: user {sess['user']!r} of tenant {sess['tenant']!r} is no Cloudplan account")
            _aware(where + ".expires", sess["expires"])
        for user, fails in self.state.items("logins"):
            if fails.get("locked_until") is not None:
                _aware(f"cloudplan: collections.logins.{user}.locked_until", fails["locked_until"])

    def _check_counter(self, counters: dict) -> None:
        """A push inserts under the next id of counter "entity" (from 100): were that an imported
        record's id, the insert would overwrite it."""
        top = max((rec["id"] for k in KINDS.values() for rec in self.state.all(k.coll)), default=0)
        upcoming = max(counters.get("entity", 99) + 1, 100)
        if top >= upcoming:
            raise AdminError(f"cloudplan: counters.entity ({counters.get('entity', 'missing')}) is below "
                             f"record id {top}: the next insert would take id {upcoming}; "
                             "keep the counters GET exports")

    def admin_blueprint(self) -> Blueprint:
        return admin.blueprint(self)

    def load_scenario(self, payload) -> dict:
        return scenario.load(self, payload)


def _check_home(kind: str, key: str, rec: dict) -> None:
    """A record lives under its own id (a push writes it back there) and in a known tenant."""
    where = f"cloudplan: collections.{KINDS[kind].coll}.{key}"
    if str(rec["id"]) != key:
        raise AdminError(f"{where}.id is {rec['id']}: a record is stored under its own id")
    if rec["tenant"] not in TENANTS:
        raise AdminError(f"{where}.tenant: unknown tenant {rec['tenant']!r}; tenants are {list(TENANTS)}")


def _check_values(kind: str, key: str, rec: dict, ids: dict) -> None:
    """Each value as a push reads its text (parse_scalar), each reference to a record of the same
    tenant (0: unset, CP-R-2), and the push's own validations (CP-V-1)."""
    where = f"cloudplan: collections.{KINDS[kind].coll}.{key}"
    for name, typ in KINDS[kind].fields:
        value = rec.get(name)
        if value is None or typ in ("str", "bool"):  # their kind is all the shape check needs
            continue
        try:
            parse_scalar(str(value), "int" if typ.startswith("ref") else typ, name)
        except Fault as exc:
            raise AdminError(f"{where}.{name}: {exc.message}") from None
        target = typ[4:] if typ.startswith("ref:") else None
        if target and value and value not in ids.get((rec["tenant"], target), ()):
            raise AdminError(f"{where}.{name}: no {target} with id {value} in tenant {rec['tenant']!r}")
    try:
        errors = validate(kind, rec)
    except (AttributeError, TypeError, ValueError) as exc:  # e.g. a null name
        errors = [f"cannot be validated as a push validates it ({type(exc).__name__}: {exc})"]
    if errors:
        raise AdminError(f"{where}: {' '.join(errors)}")


def _aware(where: str, text: str) -> None:
    if datetime.fromisoformat(text).tzinfo is None:
        raise AdminError(f"{where} needs a time with its UTC offset, as GET /__admin/state/cloudplan exports it")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


API = CloudplanAPI
