"""Registrations added through POST /__admin/scenario ({"capitech": {"transactions": [...]}}), given
as records in the wire format of getTimeTransactions. They are kept in the State (coll "added",
one document per record) and turned into a small ClientData per client, so the one query
engine of model.py serves them exactly like the seeded ones."""
from __future__ import annotations

import re
from array import array
from datetime import date, datetime

from simulators.core.errors import BadRequest
from simulators.capitech.seed import CATEGORIES, DAY, DUTIES, EPOCH, REG_COLUMNS, ClientData

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$")
REQUIRED = ("clientId", "employeeid", "datein", "timein", "dateout", "timeout", "departmentid",
            "timeCategoryId", "qty")
INTS = ("clientId", "employeeid", "departmentid", "taskid", "orderid", "projectid", "subProjectid",
        "projectPhaseid", "shiftId", "freeDimension1Id", "freeDimension2Id", "uid", "timeCategoryId")
TEXTS = ("employee", "department", "task", "order", "project", "projectAlphanumericCode", "subProject",
         "subProjectAlphanumericCode", "projectPhase", "phaseAlphanumericCode", "freeText")


def _minute(d: str, t: str, name: str) -> int:
    if not isinstance(d, str) or not DATE.match(d) or not isinstance(t, str) or not TIME.match(t):
        raise BadRequest(f"{name}: expected a date yyyy-mm-dd and a time hh:mm:ss.000")
    try:
        when = datetime.combine(date.fromisoformat(d), datetime.strptime(t[:5], "%H:%M").time())
    except ValueError:
        raise BadRequest(f"{name}: {d} {t} is not a valid date and time") from None
    return int((when - EPOCH).total_seconds() // 60)


def normalise(rec) -> dict:
    """One record of a scenario: checked and reduced to what the query engine needs."""
    if not isinstance(rec, dict):
        raise BadRequest("transactions: every item must be a record object")
    missing = [k for k in REQUIRED if rec.get(k) is None]
    if missing:
        raise BadRequest(f"transactions: missing field(s) {missing}")
    for k in INTS:
        v = rec.get(k)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not -2**31 <= v < 2**31):
            raise BadRequest(f"transactions: {k} must be an integer")
    for k in TEXTS:
        if rec.get(k) is not None and not isinstance(rec[k], str):
            raise BadRequest(f"transactions: {k} must be a string")
    if rec["timeCategoryId"] not in CATEGORIES:
        raise BadRequest(f"transactions: unknown timeCategoryId {rec['timeCategoryId']}; "
                         f"known: {sorted(CATEGORIES)}")
    qty = rec["qty"]
    if not isinstance(qty, (int, float)) or isinstance(qty, bool) or not 0 <= qty <= 24:
        raise BadRequest("transactions: qty must be a number of hours between 0 and 24")
    start = _minute(rec["datein"], rec["timein"], "datein/timein")
    end = _minute(rec["dateout"], rec["timeout"], "dateout/timeout")
    if not start <= end < start + DAY:
        raise BadRequest("transactions: dateout/timeout must be after datein/timein and within 24 hours")
    doc = {k: rec.get(k) for k in INTS + TEXTS}
    doc.update(start=start, end=end, qty=round(qty * 100))
    return doc


def reconcile(doc: dict, cd: ClientData) -> None:
    """CT-CAT-1, CT-TT-2, CT-TT-7: one id, one name. A dimension the client's catalogue has keeps the
    catalogue's name and code: left out, they are filled in (so the code filters find the record);
    given otherwise, the record is refused. Ids the catalogue lacks take the names given."""
    def same(id_field: str, pairs) -> None:
        for field, value in pairs:
            if doc.get(field) is None:
                doc[field] = value
            elif doc[field] != value:
                raise BadRequest(f"transactions: {field} {doc[field]!r} is not what client {cd.client_id}'s catalogue "
                                 f"calls {id_field} {doc[id_field]}: {value!r}")

    def one(items, match):
        return next((i for i, it in enumerate(items) if match(it)), None)

    emp = one(cd.employees, lambda e: e[0] == doc["employeeid"])
    if emp is not None:
        same("employeeid", [("employee", cd.employees[emp][1])])
    dept = one(cd.departments, lambda d: d[0] == doc["departmentid"])
    if dept is not None:
        same("departmentid", [("department", cd.departments[dept][1])])
        task = one(cd.tasks, lambda t: (t[0], t[1]) == (dept, doc["taskid"]))
        if task is not None:
            same("taskid", [("task", cd.tasks[task][2])])
    order = one(cd.orders, lambda o: o[0] == doc["orderid"])
    if order is not None:
        same("orderid", [("order", cd.orders[order][1])])
    proj = one(cd.projects, lambda p: p[0] == doc["projectid"])
    if proj is None:
        return
    same("projectid", [("projectAlphanumericCode", cd.projects[proj][1]), ("project", cd.projects[proj][2])])
    sub = one(cd.subprojects, lambda s: (s[0], s[1]) == (proj, doc["subProjectid"]))
    if sub is None:
        return
    same("subProjectid", [("subProjectAlphanumericCode", cd.subprojects[sub][2]), ("subProject", cd.subprojects[sub][3])])
    phase = one(cd.phases, lambda p: (p[0], p[1]) == (sub, doc["projectPhaseid"]))
    if phase is not None:
        same("projectPhaseid", [("phaseAlphanumericCode", cd.phases[phase][2]), ("projectPhase", cd.phases[phase][3])])


def build(client_id: int, docs: list[dict]) -> ClientData:
    """The added registrations of one client as a ClientData (uids mapped explicitly)."""
    cd = ClientData(client_id, "", 1, uid_base=0)
    cols = {c: array("i") for c in REG_COLUMNS}
    by_uid: dict[int, list] = {}
    for doc in docs:
        by_uid.setdefault(doc["uid"], []).append(doc)
    regs = sorted(by_uid.values(), key=lambda ds: (ds[0]["start"], ds[0]["uid"]))
    dims = _Dims(cd)
    cd.uid_map = {}
    for r, ds in enumerate(regs):
        d = ds[0]
        cd.uid_map[d["uid"]] = r
        values = dims.registration(d)
        values.update(uid=d["uid"], start=d["start"], end=d["end"], day=d["start"] // DAY,
                      dayout=d["end"] // DAY, created=d["created"], appr1=0, appr2=0, rec=len(cd.cat))
        for c in REG_COLUMNS:
            cols[c].append(values[c])
        for one in sorted(ds, key=lambda x: x["timeCategoryId"]):
            cd.cat.append(one["timeCategoryId"])
            cd.qty.append(one["qty"])
    cols["rec"].append(len(cd.cat))
    cd.cols = cols
    return cd


class _Dims:
    """Collects the dimension lists of a ClientData from the records' ids and names."""

    def __init__(self, cd: ClientData):
        self.cd = cd
        self.seen: dict = {}

    def _index(self, kind: str, key, item, target: list) -> int:
        known = self.seen.setdefault(kind, {})
        if key not in known:
            known[key] = len(target)
            target.append(item)
        return known[key]

    def registration(self, d: dict) -> dict:
        cd = self.cd
        out = {"emp": self._index("emp", d["employeeid"], (d["employeeid"], d["employee"]), cd.employees)}
        dept = out["dept"] = self._index("dept", d["departmentid"], (d["departmentid"], d["department"], None),
                                         cd.departments)
        out["task"] = -1 if d["taskid"] is None else self._index(
            "task", (dept, d["taskid"]), (dept, d["taskid"], d["task"]), cd.tasks)
        proj = out["proj"] = -1 if d["projectid"] is None else self._index(
            "proj", d["projectid"], (d["projectid"], d["projectAlphanumericCode"], d["project"], False), cd.projects)
        sub = out["sub"] = -1 if proj < 0 or d["subProjectid"] is None else self._index(
            "sub", (proj, d["subProjectid"]), (proj, d["subProjectid"], d["subProjectAlphanumericCode"],
                                               d["subProject"]), cd.subprojects)
        out["phase"] = -1 if sub < 0 or d["projectPhaseid"] is None else self._index(
            "phase", (sub, d["projectPhaseid"]), (sub, d["projectPhaseid"], d["phaseAlphanumericCode"],
                                                  d["projectPhase"]), cd.phases)
        out["order"] = -1 if d["orderid"] is None else self._index(
            "order", d["orderid"], (d["orderid"], d["order"]), cd.orders)
        out["duty"] = next((i for i, du in enumerate(DUTIES) if du[0] == d["shiftId"]), -1)
        out["fd1"] = -1 if d["freeDimension1Id"] is None else d["freeDimension1Id"]
        out["fd2"] = -1 if d["freeDimension2Id"] is None else d["freeDimension2Id"]
        out["text"] = -1 if d["freeText"] is None else self._index("text", d["freeText"], d["freeText"], cd.texts)
        return out
