"""CAPO's wire format: JSON over REST at /api/capo, bearer tokens, {"message": ...} errors
(CAPO-ERR-1). Parses requests, calls the model, serialises its documents."""
from __future__ import annotations

import re
from functools import wraps

import orjson
from flask import Blueprint, Response, g, request

from simulators.core.errors import BadRequest
from simulators.core.response_cache import cacheable
from simulators.capo.model import UNCHANGED, parse_email, parse_when, wensdatum

BASE = "/api/capo"
PRIVATE = ("seq",)


def json_response(data, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status=status, mimetype="application/json")


def error_json(status: int, message: str) -> Response:
    """CAPO-ERR-1: {"message": ...} with the HTTP status; a 401 names its scheme (RFC 7235)."""
    resp = json_response({"message": message}, status)
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="CAPO"'
    return resp


# -- parsing ----------------------------------------------------------------------------------------
def body() -> dict:
    """The JSON object body; unknown fields are ignored later (CAPO-ERR-1). Empty body = {}."""
    raw = request.get_data()
    if not raw.strip():
        return {}
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("Request body must be valid JSON") from None
    if not isinstance(doc, dict):
        raise BadRequest("Request body must be a JSON object")
    return doc


def field(doc: dict, name: str, kind, required: bool = False, nullable: bool = True):
    """Wrong types -> 400 naming the field (CAPO-ERR-1)."""
    value = doc.get(name)
    if value is None:
        if required:
            raise BadRequest(f"Field {name} is required")
        if name in doc and not nullable:
            raise BadRequest(f"Field {name} must not be null")
        return None
    if kind is str and not isinstance(value, str):
        raise BadRequest(f"Field {name} must be a string")
    if kind is bool and not isinstance(value, bool):
        raise BadRequest(f"Field {name} must be a boolean")
    if kind is str and required and not value.strip():
        raise BadRequest(f"Field {name} must not be empty")
    return value


INTEGER = re.compile(r"^-?[0-9]{1,18}$")
ID_RANGE = (0, 999_999_999_999)  # the served OpenAPI's bounds (projectId from 1)


def int_arg(name: str, value: str | None, lo: int = ID_RANGE[0]) -> int | None:
    """An id parameter: an integer within the document's bounds (400 naming them), else 404 if unknown."""
    if value is None:
        return None
    if not INTEGER.match(value):
        raise BadRequest(f"{name} must be an integer, got {value!r}")
    if not lo <= int(value) <= ID_RANGE[1]:
        raise BadRequest(f"{name} must be an integer from {lo} to {ID_RANGE[1]}, got {value!r}")
    return int(value)


def when_arg(api, name: str, end: bool):
    return parse_when(name, request.args.get(name), api.clock.tz, end)


def public_root(api) -> str:
    """Links the simulator hands out use the host the client used, or config.public_url."""
    return (api.runtime.config.public_url or request.host_url).rstrip("/")


# -- serialising ------------------------------------------------------------------------------------
def clean(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in PRIVATE}


def project_json(api, p: dict) -> dict:
    out = clean(p)
    out["wensdatum"] = wensdatum(p)
    orgs = api.state.get_many("org", p["deelnemers"])
    out["deelnemers"] = [{"organisatieId": o["organisatieId"], "naam": o["naam"], "rol": o["rol"]} for o in orgs if o]
    return out


def bijlage_json(api, doc: dict) -> dict:
    """CAPO-BA-10: each file has its parentId and, once its bytes are stored, a download URL."""
    out = clean(doc)
    out["downloadUrl"] = None
    if doc.get("grootte") is not None:
        query, _ = api.bijlagen.signed_query("download", doc["bijlageId"])
        out["downloadUrl"] = f"{public_root(api)}{BASE}/download/{doc['bijlageId']}?{query}"
    return out


# -- routes -----------------------------------------------------------------------------------------
def build_blueprint(api) -> Blueprint:
    bp = Blueprint("capo", __name__, url_prefix=BASE)
    # @cacheable: answers from state and the request alone; not the files, whose URLs expire
    m, b, q = api.model, api.bijlagen, api.quickscan

    def authed(view):
        @wraps(view)
        def inner(**kwargs):
            g.capo_org = m.authenticate(request.headers.get("Authorization"))
            g.capo_email = parse_email(request.headers.get("x-email")) if request.method in ("POST", "PUT", "PATCH") else None
            if "projectId" in kwargs:
                kwargs["projectId"] = int_arg("projectId", kwargs["projectId"], lo=1)
            return view(**kwargs)
        return inner

    @bp.get("/project")
    @cacheable
    @authed
    def projects():
        rows = m.projects(g.capo_org, request.args.get("projectType"),
                          int_arg("contractgebiedId", request.args.get("contractgebiedId")),
                          when_arg(api, "changedFrom", False), when_arg(api, "changedTo", True))
        return json_response([project_json(api, p) for p in rows])

    @bp.get("/project/<projectId>")
    @cacheable
    @authed
    def project(projectId):
        return json_response(project_json(api, m.project(g.capo_org, projectId)))

    @bp.patch("/project/<projectId>")
    @authed
    def patch_project(projectId):
        doc = body()
        omschrijving = field(doc, "omschrijving", str) if "omschrijving" in doc else UNCHANGED
        p = m.patch_project(g.capo_org, projectId, field(doc, "startUitvoeringWeek", str, nullable=False), omschrijving)
        return json_response(project_json(api, p))

    @bp.get("/hoofdleiding")
    @cacheable
    @authed
    def hoofdleiding():
        rows = m.hoofdleiding(g.capo_org, when_arg(api, "changedFrom", False), when_arg(api, "changedTo", True),
                              when_arg(api, "planningChangedFrom", False), when_arg(api, "planningChangedTo", True))
        return json_response([project_json(api, p) for p in rows])

    @bp.get("/contractgebied")
    @cacheable
    @authed
    def contractgebieden():
        return json_response([{k: v for k, v in c.items() if k != "deelnemers"} for c in m.contractgebieden(g.capo_org)])

    @bp.get("/bijlageassigned")
    @cacheable
    @authed
    def all_assigned():
        return json_response([clean(x) for x in b.assigned_to(g.capo_org, request.args.get("status"))])

    @bp.get("/project/<projectId>/bijlageassigned")
    @cacheable
    @authed
    def project_assigned(projectId):
        return json_response([clean(x) for x in b.assigned_of_project(g.capo_org, projectId)])

    @bp.patch("/project/<projectId>/bijlageassigned/<baId>")
    @authed
    def patch_assigned(projectId, baId):
        doc = body()
        ba = b.patch_assigned(g.capo_org, projectId, baId, field(doc, "status", str, required=True),
                              field(doc, "reden", str), g.capo_email)
        return json_response(clean(ba))

    @bp.post("/project/<projectId>/bijlageassigned/<baId>/bijlage")
    @authed
    def create_file(projectId, baId):
        doc = body()
        created = b.create_file(g.capo_org, projectId, baId, field(doc, "bestandsnaam", str, required=True),
                                field(doc, "contentType", str) or "application/octet-stream",
                                field(doc, "omschrijving", str), g.capo_email)
        query, expires = b.signed_query("upload", created["bijlageId"])
        out = bijlage_json(api, created)
        out["url"] = f"{public_root(api)}{BASE}/upload/{created['bijlageId']}?{query}"
        out["urlExpires"] = expires
        return json_response(out, 201)

    @bp.get("/project/<projectId>/bijlage")
    @authed
    def files(projectId):
        return json_response([bijlage_json(api, f) for f in b.files(g.capo_org, projectId)])

    @bp.patch("/project/<projectId>/bijlage/<bijlageId>")
    @authed
    def patch_file(projectId, bijlageId):
        doc = body()
        f = b.mark_uploaded(g.capo_org, projectId, bijlageId, field(doc, "status", str, required=True), g.capo_email)
        return json_response(bijlage_json(api, f))

    @bp.put("/upload/<bijlageId>")
    def upload(bijlageId):
        """The presigned upload URL (CAPO-BA-2): raw bytes, no token; the signature is the credential."""
        doc = b.put_bytes(bijlageId, request.get_data(), request.args.get("expires"), request.args.get("signature"))
        return json_response({"bijlageId": bijlageId, "grootte": doc["grootte"]})

    @bp.get("/download/<bijlageId>")
    def download(bijlageId):
        doc, data = b.get_bytes(bijlageId, request.args.get("expires"), request.args.get("signature"))
        return Response(data, mimetype=doc.get("contentType") or "application/octet-stream", headers={
            "Content-Disposition": f'attachment; filename="{doc["bestandsnaam"]}"'})

    @bp.post("/project/<projectId>/hoofdleiding-aanleggen")
    @authed
    def hoofdleiding_aanleggen(projectId):
        doc = body()
        p = q.hoofdleiding_aanleggen(g.capo_org, projectId, field(doc, "opmerking", str), g.capo_email)
        return json_response(project_json(api, p), 201)

    @bp.get("/project/<projectId>/activiteit")
    @cacheable
    @authed
    def activiteiten(projectId):
        return json_response(q.activiteiten(g.capo_org, projectId))

    @bp.post("/project/<projectId>/activiteit")
    @authed
    def add_activiteit(projectId):
        doc = body()
        a = q.add_activiteit(g.capo_org, projectId, field(doc, "type", str, required=True),
                             field(doc, "omschrijving", str), g.capo_email)
        return json_response(a, 201)

    @bp.get("/project/<projectId>/mic")
    @cacheable
    @authed
    def mics(projectId):
        return json_response(q.mics(g.capo_org, projectId))

    @bp.post("/project/<projectId>/mic")
    @authed
    def add_mic(projectId):
        doc = body()
        x = q.add_mic(g.capo_org, projectId, field(doc, "meeInCombi", bool, required=True),
                      field(doc, "opmerking", str), g.capo_email)
        return json_response(x, 201)

    @bp.get("/project/<projectId>/log")
    @cacheable
    @authed
    def log(projectId):
        return json_response([clean(e) for e in m.log(g.capo_org, projectId)])

    from simulators.capo import openapi
    openapi.add_routes(bp)
    return bp
