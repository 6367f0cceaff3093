"""The /__admin blueprint (INTERFACE.md): health, credentials, reset, scenario, clock, faults,
request journal, state export/import, per-API admin calls, and the dashboard."""
from __future__ import annotations

import hmac
from pathlib import Path

import orjson
import yaml
from flask import Blueprint, Response, request

from simulators import __version__
from simulators.core.errors import AdminError, BackendUnavailable

UI_HTML = Path(__file__).with_name("dashboard.html")


def json_response(data, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status=status, mimetype="application/json")


def body_document(allow_yaml: bool = False):
    """The request body as JSON (or YAML where allowed); AdminError naming the problem otherwise."""
    try:
        raw = request.get_data()
    except Exception as exc:  # a body the server cannot hand over (a malformed chunk size)
        raise AdminError(f"request body could not be read ({type(exc).__name__})") from None
    if not raw.strip():
        raise AdminError("expected a request body")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if not allow_yaml:
            raise AdminError(f"body is not valid JSON: {exc}") from None
    try:
        doc = yaml.safe_load(raw)
        orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS)  # YAML takes "\ud800": no text can hold it
    except (yaml.YAMLError, ValueError, RecursionError, TypeError) as exc:  # also absurd nesting, giant numbers
        raise AdminError(f"body is neither valid JSON nor valid YAML: {str(exc)[:200]!r}") from None
    return doc


def build_admin(runtime) -> Blueprint:
    bp = Blueprint("fieldsim_admin", __name__, url_prefix="/__admin")

    def api_or_400(name, status=400):
        """An unknown API named in a query is bad input (400); in a path, an unknown resource (404)."""
        if name not in runtime.apis:
            raise AdminError(f"unknown api {name!r}; served here: {', '.join(runtime.apis)}", status=status)
        return runtime.apis[name]

    @bp.before_request
    def _auth():
        token = runtime.config.admin_token
        if token and request.endpoint != "fieldsim_admin.ui":
            scheme, _, given = request.headers.get("Authorization", "").strip().partition(" ")
            # the scheme is case-insensitive (RFC 7235: "bearer" is Bearer); the token is not
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                return json_response({"message": "admin API: missing or wrong Authorization: Bearer token"}, 401)
        return None

    @bp.errorhandler(AdminError)
    def _admin_error(exc: AdminError):
        return json_response({"message": exc.message}, exc.status)

    @bp.errorhandler(BackendUnavailable)
    def _backend_down(exc):
        return json_response({"status": "error", "message": f"state backend unavailable: {exc}"}, 503)

    @bp.get("/health")
    def health():
        runtime.backend.ping()
        return json_response({"status": "ok", "apis": list(runtime.apis), "version": __version__,
                              "state": runtime.backend.url.split("@")[-1]})

    @bp.get("/credentials")
    def credentials():
        return json_response(runtime.credentials())

    @bp.post("/reset")
    def reset():
        name = request.args.get("api")
        if name is not None:
            api_or_400(name)
        runtime.reset(name)
        return json_response({"status": "ok", "reset": [name] if name else list(runtime.apis)})

    @bp.post("/scenario")
    def scenario():
        doc = body_document(allow_yaml=True)
        if not isinstance(doc, dict):
            raise AdminError("scenario: expected a mapping with clock, faults and/or API sections")
        unknown = set(doc) - {"clock", "faults", *runtime.apis}
        if unknown:
            raise AdminError(f"scenario: unknown section(s) {sorted(unknown)}; "
                             f"use clock, faults, {', '.join(runtime.apis)}")
        faults = doc.get("faults") or []
        if not isinstance(faults, list):
            raise AdminError("scenario: faults must be a list of fault rules")
        from simulators.core.faults import validate
        for rule in faults:  # validate all before changing anything
            validate(rule, runtime.faults.api_names)
        result = {}
        sections = [name for name in runtime.apis if doc.get(name) is not None]
        with runtime.all_or_nothing(sections):  # a scenario that fails changes nothing
            if doc.get("clock") is not None:
                result["clock"] = runtime.clock.apply(doc["clock"])
            result["faults"] = [runtime.faults.add(r) for r in faults]
            for name in sections:
                result[name] = runtime.apis[name].load_scenario(doc[name])
        return json_response(result)

    @bp.route("/clock", methods=["GET", "POST"])
    def clock():
        if request.method == "POST":
            return json_response(runtime.clock.apply(body_document()))
        return json_response(runtime.clock.describe())

    @bp.get("/faults")
    def faults_list():
        return json_response(runtime.faults.list())

    @bp.post("/faults")
    def faults_add():
        doc = body_document()
        if isinstance(doc, list):
            from simulators.core.faults import validate
            for rule in doc:
                validate(rule, runtime.faults.api_names)
            return json_response([runtime.faults.add(r) for r in doc], 201)
        return json_response(runtime.faults.add(doc), 201)

    @bp.delete("/faults")
    def faults_clear():
        runtime.faults.clear()
        return json_response({"status": "ok"})

    @bp.delete("/faults/<rule_id>")
    def faults_delete(rule_id):
        if not runtime.faults.delete(rule_id):
            raise AdminError(f"no fault rule with id {rule_id!r}", status=404)
        return json_response({"status": "ok", "deleted": rule_id})

    def journal_filters() -> tuple:
        a = request.args
        if a.get("api"):
            api_or_400(a["api"])
        return a.get("api"), a.get("path"), a.get("method"), a.get("since")

    @bp.get("/requests")
    def requests_list():
        return json_response(runtime.journal.list(*journal_filters()))

    @bp.delete("/requests")
    def requests_clear():
        runtime.journal.clear(*journal_filters())  # only what the filters select, like GET
        return json_response({"status": "ok"})

    @bp.get("/state/<name>")
    def state_export(name):
        return json_response(api_or_400(name, 404).export_state())

    @bp.put("/state/<name>")
    def state_import(name):
        api = api_or_400(name, 404)
        document = body_document()
        with runtime.all_or_nothing([name]):
            api.import_state(document)
        return json_response({"status": "ok", "api": name})

    @bp.get("/ratelimits")
    def ratelimits():
        usage = runtime.limiter.usage(runtime.rate_limits)
        return json_response({n: ({**vars(r), "clients": usage[n]} if r else None) for n, r in runtime.rate_limits.items()})

    @bp.get("/ui/", endpoint="ui")
    def ui():
        return Response(UI_HTML.read_text(encoding="utf-8"), mimetype="text/html",
                        headers={"Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'"})

    for name, api in runtime.apis.items():
        extra = api.admin_blueprint() if hasattr(api, "admin_blueprint") else None
        if extra is not None:
            bp.register_blueprint(extra, url_prefix=f"/{name}")
    return bp
