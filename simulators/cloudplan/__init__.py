"""Cloudplan webservice (SOAP 1.1) simulator: /v1/ overview, /v1/<service> endpoints and WSDLs."""
from __future__ import annotations

from flask import Blueprint, Response

from simulators.core.api import SimulatedAPI
from simulators.cloudplan import admin, routes, scenario
from simulators.cloudplan.envelope import fault_xml
from simulators.cloudplan.index import INDEX, rebuild
from simulators.cloudplan.model import KINDS, Cloudplan
from simulators.cloudplan.routes import SOAP_CT
from simulators.cloudplan.seed import seed as seed_data


_KIND_OF = {"int": "int", "float": "num", "bool": "bool", "ref": "int"}  # the rest (str, date, datetime): text


class CloudplanAPI(SimulatedAPI):
    name = "cloudplan"
    title = "Cloudplan webservice (SOAP 1.1)"
    prefixes = ("/v1",)
    # what the reads index: PUT /__admin/state refuses a document without it
    state_shapes = {k.coll: ("id:int", "tenant:str", *(f"{name}?:{_KIND_OF.get(typ.partition(':')[0], 'str')}"
                                                         for name, typ in k.fields)) for k in KINDS.values()}

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
            rebuild(self.state, KINDS.values())

    def admin_blueprint(self) -> Blueprint:
        return admin.blueprint(self)

    def load_scenario(self, payload) -> dict:
        return scenario.load(self, payload)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


API = CloudplanAPI
