"""Flask routes of the Cloudplan simulator: overview page, WSDLs (spyne), SOAP endpoints (wire.py)."""
from __future__ import annotations

import re

from flask import Blueprint, Response, request

from simulators.cloudplan import wire
from simulators.cloudplan.envelope import Fault, fault_xml

SOAP_CT = "text/xml;charset=UTF-8"


def blueprint(api) -> Blueprint:
    bp = Blueprint("cloudplan", __name__)

    @bp.get("/v1")
    @bp.get("/v1/")
    def overview():
        """CP-WS-1: the overview page listing every service and its WSDL."""
        root = request.host_url.rstrip("/") + "/v1/"
        rows = "".join(
            f'<tr><td><b>{svc}</b></td><td>{", ".join(ops)}</td>'
            f'<td><a href="{root}{svc}?wsdl">{root}{svc}?wsdl</a></td></tr>'
            for svc, ops in wire.SERVICES.items())
        page = ("<html><head><title>cloudplan webservice</title></head><body><h1>cloudplan webservice v1</h1>"
                f"<table><tr><th>service</th><th>operations</th><th>WSDL</th></tr>{rows}</table></body></html>")
        return Response(page, content_type="text/html;charset=UTF-8")

    @bp.route("/v1/<service>", methods=["GET", "POST"])
    def endpoint(service):
        if service not in wire.SERVICES:
            return api.error_response(404, f"Not Found: /v1/{service}")
        if request.method in ("GET", "HEAD"):  # HEAD is a GET without the body (it fell through to SOAP)
            if "wsdl" in request.args or request.query_string.lower() == b"wsdl":
                return _wsdl(service)
            return _fault(f"No such operation: (HTTP GET PATH_INFO: /v1/{service})")
        try:
            body = wire.handle(api, service, request.get_data())
        except Fault as exc:
            return _fault(exc.message, exc.code)
        return Response(body, content_type=SOAP_CT)

    return bp


def _fault(message: str, code: str = "Client") -> Response:
    """CP-F-1: SOAP 1.1 faults travel with HTTP 500."""
    return Response(fault_xml(message, code), status=500, content_type=SOAP_CT)


def _wsdl(service: str) -> Response:
    """CP-WS-1: spyne's WsgiApplication answers ?wsdl from this request's environ."""
    from simulators.cloudplan.soap import wsgi_app
    status = {}

    def start_response(code, headers, exc_info=None):
        status["code"] = int(code.split()[0])

    environ = dict(request.environ, QUERY_STRING="wsdl", REQUEST_METHOD="GET")
    body = b"".join(wsgi_app(service)(environ, start_response))
    # spyne caches the first URL it saw; point the address at this server
    here = (request.host_url.rstrip("/") + f"/v1/{service}").encode()
    body = re.sub(rb'(<wsdlsoap11:address location=")[^"]*(")', rb"\g<1>" + here + rb"\g<2>", body)
    return Response(body, status=status.get("code", 200), content_type=SOAP_CT)
