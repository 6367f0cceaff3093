"""Capitech wire format: POST /api/public/v1/<Area>/<method> with a camelCase JSON body, answered
with the envelope {"success", "serverErrorMessage", "displayErrorMessage", "content"} (CT-API-1/2).
Parsing and type checks live here; every rule is in model.py."""
from __future__ import annotations

import re
from datetime import date, datetime

import orjson
from flask import Blueprint, Response, request

from simulators.core.errors import BadRequest, DomainError, Unauthorized
from simulators.capitech.model import Query, Refused
from simulators.capitech.seed import CATEGORIES, CATEGORY_TYPES, DUTIES, EPOCH, FD1 as FD1_NAMES, FD2 as FD2_NAMES

JSON_TYPES = ("application/json", "text/json")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,7})?$")

# CT-TT-7: the seed's return-field table, names and casing exactly as listed there.
FIELDS = (
    "clientId", "employeeid", "employee", "datein", "timein", "dateout", "timeout",
    "departmentid", "department", "taskid", "task", "classicdutyid", "classicdutycode", "classicduty",
    "orderid", "order", "projectid", "projectAlphanumericCode", "project",
    "subProjectid", "subProjectAlphanumericCode", "subProject",
    "projectPhaseid", "phaseAlphanumericCode", "projectPhase", "shiftId", "shift",
    "freeDimension1Id", "freeDimension1", "freeDimension2Id", "freeDimension2", "freeText",
    "approvedLevelOne", "approvedLevelTwo", "approvedLevelThree", "approvedLevelFour",
    "approvedLevelOneBy", "approvedLevelTwoBy", "approvedLevelThreeBy", "approvedLevelFourBy",
    "approvedLevelOneOn", "approvedLevelTwoOn", "approvedLevelThreeOn", "approvedLevelFourOn",
    "timeCategoryId", "timeCategory", "timeCategoryTypeId", "timeCategoryType", "timeCategoryPayable",
    "qty", "uid", "externalId", "correlationId", "externalStatusCode", "lastUpdatedOn", "recordStateKey",
)
ID_FILTERS = ("employeeIdFilter", "departmentIdFilter", "taskIdFilter", "orderIdFilter", "dutyIdFilter",
              "projectIdFilter", "subProjectIdFilter", "projectPhaseIdFilter",
              "freeDimension1Filter", "freeDimension2Filter")
CODE_FILTERS = ("projectAlphanumericCodeFilter", "subProjectAlphanumericCodeFilter", "phaseAlphanumericCodeFilter")
BODY_NAMES = {n.casefold(): n for n in (
    *ID_FILTERS, *CODE_FILTERS, "accessToken", "approvedLevelFilter", "clientId", "externalStatusCode",
    "externalStatusCodeFilter", "fromDate", "includeElementsWithExternalStatusCodeNull", "includePassive",
    "includePayableCategory", "lastApprovedOrUpdatedFilter", "lastUpdatedGreaterThanOrEqualToFilter", "password",
    "refreshToken", "timeCategoryIdFilter", "timeCategoryTypeIdFilter", "toDate", "uids", "username")}
CATALOGUE_CALLS = {"getdepartments": "departments", "gettasks": "tasks", "getprojects": "projects",
                   "getsubprojects": "subprojects", "getphases": "phases", "getorders": "orders",
                   "getfreedimension1s": "freedimension1s", "getfreedimension2s": "freedimension2s",
                   "getdutydefinitions": "dutydefinitions"}

# absent dimensions serialise as nulls
NO_PROJECT = (None, None, None, None)
NO_SUB = (None, None, None, None)
NO_ORDER = (None, None)
NO_TASK = (None, None, None)
NO_DUTY = (None, None, None, None)
_DAYS: dict[int, str] = {}
_TIMES = [f"{m // 60:02d}:{m % 60:02d}:00.000" for m in range(1440)]
_CATS = {c: (n, t, CATEGORY_TYPES[t], p) for c, (n, t, p) in CATEGORIES.items()}


# -- envelope ------------------------------------------------------------------------------------
def envelope(content=None, *, success=True, server=None, display=None, status=200) -> Response:
    """CT-API-2: the one response shape of every call, errors included."""
    body = {"success": success, "serverErrorMessage": server, "displayErrorMessage": display,
            "content": content if content is not None else []}
    return Response(orjson.dumps(body, option=orjson.OPT_OMIT_MICROSECONDS),
                    status=status, mimetype="application/json")


def error_envelope(status: int, message: str) -> Response:
    return envelope(success=False, server=message, display=message, status=status)


def domain_error(exc: DomainError) -> Response:
    if isinstance(exc, Refused):
        return envelope(success=False, server=exc.server, display=exc.display, status=200)
    if isinstance(exc, Unauthorized):  # CT-AUTH-2
        return envelope(success=False, server="Session expired",
                        display="Session expired. Please log in again.", status=401)
    return envelope(success=False, server=exc.message, display=exc.message, status=exc.status)


# -- request parsing -----------------------------------------------------------------------------
def json_body() -> dict:
    """CT-API-1: a JSON object sent as application/json or text/json."""
    ctype = (request.mimetype or "").lower()
    if ctype not in JSON_TYPES and not ctype.endswith("+json"):
        raise BadRequest(f"Unsupported content type {ctype or '(none)'!r}: send application/json or text/json",
                         status=415)
    raw = request.get_data() or b""
    try:
        body = orjson.loads(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)  # System.Text.Json skips a BOM
    except orjson.JSONDecodeError:
        raise BadRequest("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    # ASP.NET Core binds JSON property names whatever their case (JsonSerializerDefaults.Web), as it
    # routes paths: "EmployeeIdFilter" filters; it was ignored, and every record came back.
    return {BODY_NAMES.get(k.casefold(), k) if isinstance(k, str) else k: v for k, v in body.items()}


def is_int(v) -> bool:
    """A JSON integer the provider's (.NET int32) model binding accepts."""
    return isinstance(v, int) and not isinstance(v, bool) and -2**31 <= v < 2**31


def req_int(body: dict, name: str) -> int:
    v = body.get(name)
    if v is None:
        raise BadRequest(f"{name} is required")
    if not is_int(v):
        raise BadRequest(f"{name} must be an integer")
    return v


def req_date(body: dict, name: str, required: bool = True) -> date | None:
    v = body.get(name)
    if v is None:
        if required:
            raise BadRequest(f"{name} is required (format yyyy-mm-dd)")
        return None
    if not isinstance(v, str) or not DATE.match(v):
        raise BadRequest(f"{name} must be a date in the format yyyy-mm-dd")
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise BadRequest(f"{name} is not a valid date: {v!r}") from None


def opt_datetime(body: dict, name: str) -> datetime | None:
    v = body.get(name)
    if v is None:
        return None
    m = DATETIME.match(v) if isinstance(v, str) else None
    if not m:
        raise BadRequest(f"{name} must be a date and time in the format yyyy-mm-dd hh:mm:ss.000")
    try:
        return datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{(m.group(3) or '')[:7]}")
    except ValueError:
        raise BadRequest(f"{name} is not a valid date and time: {v!r}") from None


def opt_bool(body: dict, name: str) -> bool | None:
    v = body.get(name)
    if v is not None and not isinstance(v, bool):
        raise BadRequest(f"{name} must be true, false or null")
    return v


def opt_list(body: dict, name: str, kind: type) -> set | None:
    """A filter: a JSON array (a single value counts as one element); null or [] means no filter."""
    v = body.get(name)
    if v is None:
        return None
    items = v if isinstance(v, list) else [v]
    for item in items:
        if not (is_int(item) if kind is int else isinstance(item, str)):
            raise BadRequest(f"{name} must be an array of {'integers' if kind is int else 'strings'}")
    return set(items) or None


def parse_query(body: dict) -> Query:
    q = Query(client_id=req_int(body, "clientId"), from_date=req_date(body, "fromDate"),
              to_date=req_date(body, "toDate"))
    q.approved_levels = opt_list(body, "approvedLevelFilter", int)
    for name in ID_FILTERS:
        if (values := opt_list(body, name, int)) is not None:
            q.dims[name] = values
    for name in CODE_FILTERS:
        if (values := opt_list(body, name, str)) is not None:
            q.dims[name] = values
    q.category_ids = opt_list(body, "timeCategoryIdFilter", int)
    q.category_types = opt_list(body, "timeCategoryTypeIdFilter", str)
    q.payable = opt_bool(body, "includePayableCategory")
    q.ext_codes = opt_list(body, "externalStatusCodeFilter", int)
    q.include_null = opt_bool(body, "includeElementsWithExternalStatusCodeNull")
    v = body.get("lastUpdatedGreaterThanOrEqualToFilter")
    if isinstance(v, str) and not DATE.match(v):  # CT-TT-5: date only, a time part is refused
        raise BadRequest("lastUpdatedGreaterThanOrEqualToFilter supports only a date (yyyy-mm-dd) without time")
    q.updated_from = req_date(body, "lastUpdatedGreaterThanOrEqualToFilter", required=False)
    q.approved_or_updated_from = opt_datetime(body, "lastApprovedOrUpdatedFilter")
    return q


# -- serialisation -------------------------------------------------------------------------------
def day_text(day: int) -> str:
    s = _DAYS.get(day)
    if s is None:
        s = _DAYS[day] = date.fromordinal(EPOCH.date().toordinal() + day).isoformat()
    return s


def datetime_text(secs: int) -> str:
    rest = secs % 86400
    return f"{day_text(secs // 86400)} {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


def records(cd, matches) -> list[dict]:
    """CT-TT-7: one dict per record, fields and casing as in the seed's table."""
    c = cd.cols
    uid_c, emp_c, start_c, end_c, dept_c, task_c = c["uid"], c["emp"], c["start"], c["end"], c["dept"], c["task"]
    proj_c, sub_c, phase_c, order_c, duty_c = c["proj"], c["sub"], c["phase"], c["order"], c["duty"]
    fd1_c, fd2_c, text_c = c["fd1"], c["fd2"], c["text"]
    emps, depts, tasks, projs, subs, phases, orders = (cd.employees, cd.departments, cd.tasks, cd.projects,
                                                        cd.subprojects, cd.phases, cd.orders)
    fd1s, fd2s = dict(FD1_NAMES), dict(FD2_NAMES)
    client_id, out = cd.client_id, []
    base_r, base = -1, None
    for m in matches:
        r = m.r
        cat = cd.cat[m.k]
        cname, ctype, ctype_name, payable = _CATS[cat]
        qty = m.qty
        if r == base_r:  # another category of the same registration: only its own fields differ
            rec = base.copy()
            rec.update(timeCategoryId=cat, timeCategory=cname, timeCategoryTypeId=ctype,
                       timeCategoryType=ctype_name, timeCategoryPayable=payable, qty=qty / 100,
                       recordStateKey=f"{rec['uid']}_{cat}_{qty // 100}.{qty % 100:02d}")
            out.append(rec)
            continue
        uid, start, end = uid_c[r], start_c[r], end_c[r]
        emp, dept = emps[emp_c[r]], depts[dept_c[r]]
        task = tasks[task_c[r]] if task_c[r] >= 0 else NO_TASK
        p, s, ph, o, d, f1, t = proj_c[r], sub_c[r], phase_c[r], order_c[r], duty_c[r], fd1_c[r], text_c[r]
        proj = projs[p] if p >= 0 else NO_PROJECT
        sub = subs[s] if s >= 0 else NO_SUB
        phase = phases[ph] if ph >= 0 else NO_SUB
        order = orders[o] if o >= 0 else NO_ORDER
        duty = DUTIES[d] if d >= 0 else NO_DUTY
        a1, a2, a3, a4 = m.approvals
        f2 = fd2_c[r]
        base_r = r
        base = {
            "clientId": client_id, "employeeid": emp[0], "employee": emp[1],
            "datein": day_text(start // 1440), "timein": _TIMES[start % 1440],
            "dateout": day_text(end // 1440), "timeout": _TIMES[end % 1440],
            "departmentid": dept[0], "department": dept[1], "taskid": task[1], "task": task[2],
            "classicdutyid": duty[1], "classicdutycode": duty[2], "classicduty": duty[3],
            "orderid": order[0], "order": order[1],
            "projectid": proj[0], "projectAlphanumericCode": proj[1], "project": proj[2],
            "subProjectid": sub[1], "subProjectAlphanumericCode": sub[2], "subProject": sub[3],
            "projectPhaseid": phase[1], "phaseAlphanumericCode": phase[2], "projectPhase": phase[3],
            "shiftId": duty[0], "shift": duty[2],
            "freeDimension1Id": f1 if f1 >= 0 else None, "freeDimension1": fd1s.get(f1),
            "freeDimension2Id": f2 if f2 >= 0 else None, "freeDimension2": fd2s.get(f2),
            "freeText": cd.texts[t] if t >= 0 else None,
            "approvedLevelOne": 1 if a1 else None, "approvedLevelTwo": 1 if a2 else None,
            "approvedLevelThree": 1 if a3 else None, "approvedLevelFour": 1 if a4 else None,
            "approvedLevelOneBy": a1[0] if a1 else None, "approvedLevelTwoBy": a2[0] if a2 else None,
            "approvedLevelThreeBy": a3[0] if a3 else None, "approvedLevelFourBy": a4[0] if a4 else None,
            "approvedLevelOneOn": datetime_text(a1[1]) if a1 else None,
            "approvedLevelTwoOn": datetime_text(a2[1]) if a2 else None,
            "approvedLevelThreeOn": datetime_text(a3[1]) if a3 else None,
            "approvedLevelFourOn": datetime_text(a4[1]) if a4 else None,
            "timeCategoryId": cat, "timeCategory": cname, "timeCategoryTypeId": ctype,
            "timeCategoryType": ctype_name, "timeCategoryPayable": payable,
            "qty": qty / 100, "uid": uid, "externalId": None, "correlationId": m.correlation,
            "externalStatusCode": m.ext, "lastUpdatedOn": datetime_text(m.updated),
            "recordStateKey": f"{uid}_{cat}_{qty // 100}.{qty % 100:02d}",  # CT-TT-9
        }
        out.append(base)
    return out



# -- calls ---------------------------------------------------------------------------------------
def build_blueprint(api) -> Blueprint:
    model = api.model
    bp = Blueprint("capitech", __name__, url_prefix="/api/public/v1")

    def login(body):
        user, pw = body.get("username"), body.get("password")
        if not isinstance(user, str) or not isinstance(pw, str):
            raise BadRequest("username and password are required")
        return [model.login(user, pw)]

    def logout(body):
        model.logout(body.get("accessToken"))
        return []

    def time_transactions(body):
        user = model.session_user(body.get("accessToken"))
        parts = model.time_transactions(user, parse_query(body))
        out = [rec for cd, matches in parts for rec in records(cd, matches)]
        if len(parts) > 1:  # scenario registrations among the seeded ones, in time order
            out.sort(key=lambda rec: (rec["datein"], rec["timein"], rec["uid"]))
        return out

    def set_external_status_code(body):
        user = model.session_user(body.get("accessToken"))
        client_id = req_int(body, "clientId")
        if "externalStatusCode" not in body:
            raise BadRequest("externalStatusCode is required (an integer, or null to clear it)")
        code = body["externalStatusCode"]
        if code is not None and not is_int(code):
            raise BadRequest("externalStatusCode must be an integer or null")
        uids = body.get("uids")
        if is_int(uids):  # a single value counts as a one-element array, as in the filters
            uids = [uids]
        if not isinstance(uids, list) or not uids or not all(is_int(u) for u in uids):
            raise BadRequest("uids must be a non-empty array of integers")
        return model.set_external_status_code(user, client_id, code, list(dict.fromkeys(uids)))

    def catalogue(what):
        def call(body):
            user = model.session_user(body.get("accessToken"))
            return model.catalogue(user, req_int(body, "clientId"), what, bool(opt_bool(body, "includePassive")))
        return call

    calls = {"access/login": login, "access/logout": logout,
             "time/gettimetransactions": time_transactions,
             "time/setexternalstatuscode": set_external_status_code}
    calls.update({f"catalogue/{name}": catalogue(what) for name, what in CATALOGUE_CALLS.items()})

    @bp.route("/<area>/<method>", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE"],
              provide_automatic_options=False)
    def dispatch(area, method):
        call = calls.get(f"{area}/{method}".lower())  # ASP.NET routes are case-insensitive
        if call is None:
            return error_envelope(404, f"No API method {area}/{method}")
        if request.method != "POST":
            resp = error_envelope(405, f"{area}/{method} accepts POST only")
            resp.headers["Allow"] = "POST"
            return resp
        try:
            return envelope(call(json_body()))
        except DomainError as exc:
            return domain_error(exc)

    @bp.get("/openapi.json")
    def openapi():
        from simulators.capitech.openapi import document
        return Response(orjson.dumps(document(request.host_url.rstrip("/"))), mimetype="application/json")

    return bp
