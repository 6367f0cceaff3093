"""Work orders (WB-WO-*): PostWorkorders, UpdateWorkorder, GetWorkorder(s), the Compleet →
Afgehandeld flip, and the simulated device (Klaargezet → Opgehaald → Compleet) on the sim clock."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from simulators.werkbon.common import (DATE_MSG, MAT_FIELDS, MAT_REQUIRED, PARSE_MSG, STATUSES, TIME_MSG,
                                       WO_REQUIRED, WO_SCALARS, WP_FIELDS, WP_REQUIRED, WbError, blank, decimal, money,
                                       scalar, valid_date, valid_time, whole)
from simulators.werkbon.entities import ENTITIES, WO_TEXT
from simulators.core.model import ModelPart

LISTS = ("Attachments", "Materials", "Workperiods", "Forms", "Employees", "WorkObjects")
BASE = "https://www.werkbonapp.nl"
DEFAULT_PICKUP, DEFAULT_COMPLETE = timedelta(minutes=15), timedelta(hours=2)


def _rows(order: dict, name: str, fields, required, missing: list, errors: list) -> list[dict]:
    """Validate one nested list of objects (Materials, Workperiods, Forms)."""
    out = []
    for raw in order.get(name) or []:
        if not isinstance(raw, dict):
            errors.append(PARSE_MSG)
            continue
        try:
            row = {f: scalar(raw.get(f)) for f in fields if raw.get(f) is not None}
        except ValueError:
            errors.append(PARSE_MSG)
            continue
        missing += [f for f in required if blank(row.get(f)) and f not in missing]
        out.append(row)
    return out

def _formats(doc: dict, errors: list) -> None:
    """WB-WO-4: dates d-m-Y, times H:i, numbers where the document says Integer/Decimal."""
    for f in ("WorkDate", "WorkEndDate"):
        if not blank(doc.get(f)) and not valid_date(doc[f]) and DATE_MSG not in errors:
            errors.append(DATE_MSG)
    for f in ("WorkTime", "WorkEndTime"):
        if not blank(doc.get(f)) and not valid_time(doc[f]) and TIME_MSG not in errors:
            errors.append(TIME_MSG)
    for f in ("WorkDuration", "PickupPlanning", "WebPlanning"):
        if not blank(doc.get(f)) and not whole(doc[f], 6):  # minutes: up to ~2 years
            errors.append(f"{f} should be an integer")
    if doc.get("PickupPlanning", "0") not in ("0", "1", ""):
        errors.append("PickupPlanning should be 0 or 1")
    for f in ("CustomerLatitude", "CustomerLongitude", "MinimumHours"):
        if not blank(doc.get(f)) and decimal(doc[f]) is None:
            errors.append(f"{f} should be a number")
    for wp in doc["Workperiods"]:
        if not valid_date(wp.get("WorkDate")) and DATE_MSG not in errors:
            errors.append(DATE_MSG)
        if not all(valid_time(wp.get(f)) for f in ("BeginTime", "EndTime", "TotalTime")) and TIME_MSG not in errors:
            errors.append(TIME_MSG)
        errors += [f"{f} should be an integer" for f in ("Break", "Travel") if not blank(wp.get(f)) and not whole(wp[f], 6)]
    for m in doc["Materials"]:
        if decimal(m.get("MaterialNr")) is None or decimal(m.get("MaterialPrice")) is None:
            errors.append(f"Material amount or price invalid: {m.get('MaterialCode')}")

def parse_order(raw) -> tuple[dict, list, list]:
    """One posted work order → (document, missing fields, other errors)."""
    missing: list[str] = []
    errors: list[str] = []
    if not isinstance(raw, dict):
        return {}, [], [PARSE_MSG]
    doc: dict = {}
    for f in WO_SCALARS:
        try:
            value = scalar(raw.get(f))
        except ValueError:
            errors.append(PARSE_MSG)
            continue
        if value is not None:
            doc[f] = value
    missing += [f for f in WO_REQUIRED if blank(doc.get(f))]
    errors += [f"Field too long: {f} (max 255)" for f, v in doc.items() if f not in WO_TEXT and len(v) > 255]
    for name in LISTS:
        if raw.get(name) is not None and not isinstance(raw[name], list):
            errors.append(f"{name} should be an array")
            raw = {**raw, name: []}
    doc["Materials"] = _rows(raw, "Materials", MAT_FIELDS, MAT_REQUIRED, missing, errors)
    doc["Workperiods"] = _rows(raw, "Workperiods", WP_FIELDS, WP_REQUIRED, missing, errors)
    doc["Forms"] = _rows(raw, "Forms", ("Name", "Data", "ObjectCode"), ("Name",), missing, errors)
    attachments = _rows(raw, "Attachments", ("File", "Data", "FileName"), (), missing, errors)
    doc["Documents"] = [a.get("File") or f"{BASE}/uploads/documents/{a.get('FileName', 'file')}"
                        for a in attachments if a.get("File") or a.get("FileName")]
    for name in ("Employees", "WorkObjects"):
        items = raw.get(name) or []
        if not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in items):
            errors.append(f"{name} should be an array of codes")
            items = []
        doc[name] = [str(x) for x in items]
    if not errors:
        _formats(doc, errors)
    return doc, missing, errors

def material_total(m: dict) -> str:
    nr, price = decimal(m.get("MaterialNr")) or Decimal(0), decimal(m.get("MaterialPrice")) or Decimal(0)
    return money(nr * price)

def fill_end(order: dict, given: dict) -> None:
    """WB-WO-4: WorkDuration (minutes) fills WorkEndDate and WorkEndTime from WorkDate and WorkTime,
    unless this request (`given`) set an end itself: a reschedule or re-post moves the end along
    (it stayed behind, before the new start)."""
    minutes = int(order.get("WorkDuration") or 0)
    if minutes <= 0 or blank(order.get("WorkDate")) or blank(order.get("WorkTime")):
        return
    if not blank(given.get("WorkEndDate")) or not blank(given.get("WorkEndTime")):
        return
    try:
        end = datetime.strptime(f"{order['WorkDate']} {order['WorkTime']}", "%d-%m-%Y %H:%M") + timedelta(minutes=minutes)
    except OverflowError:  # past 31-12-9999: no end to show
        return
    order["WorkEndDate"], order["WorkEndTime"] = end.strftime("%d-%m-%Y"), end.strftime("%H:%M")


# WB-WO-6 on GetWorkorders: a filter's key is one of an order's own scalar fields
WO_FILTER_KEYS = frozenset(WO_SCALARS) | {"id", "status", "CreationDate", "WorkFinished", "Archived", "WorksheetCode"}


class Workorders(ModelPart):
    """Work orders of one account live in collection "<account>:workorders", keyed by row id."""

    def coll(self, acc):
        return self.m.coll(acc, "workorders")

    def find(self, acc: str, row_id=None, workorder_no=None) -> dict | None:
        if not blank(row_id):
            order = self.state.get(self.coll(acc), str(row_id).strip())
            if order is not None and (blank(workorder_no) or order["WorkorderNo"] == workorder_no):
                return order
            return None
        if not blank(workorder_no):
            return next((o for o in self.state.all(self.coll(acc)) if o["WorkorderNo"] == workorder_no), None)
        return None

    # ---- PostWorkorders (WB-WO-4) ----------------------------------------------------------
    def post(self, acc: str, body: list) -> list[dict]:
        """All orders are checked before any is stored (WB-ERR-3): missing fields → 1501 listing
        each, unparsable values → 1504. Re-posting an existing WorkorderNo updates that order
        (same row_id) instead of adding a duplicate [decision, WB-ENT-3 style]."""
        parsed = [parse_order(raw) for raw in body]
        missing = [f for _, miss, _ in parsed for f in miss]
        if missing:
            raise WbError(1501, [f"Required field missing: {f}" for f in dict.fromkeys(missing)])
        errors = [e for _, _, errs in parsed for e in errs]
        if errors:
            raise WbError(1504, list(dict.fromkeys(errors)))
        out = []
        with self.state.lock():
            for doc, _, _ in parsed:
                order = self._store_new(acc, doc)
                out.append({"workorder_no": order["WorkorderNo"], "row_id": int(order["id"])})
        return out

    def _store_new(self, acc: str, doc: dict) -> dict:
        order = self.find(acc, workorder_no=doc["WorkorderNo"])
        if order is None:
            row = self.state.next_id("workorder", 169824)
            code = self.m.worksheet_code(acc, row)
            order = {"id": str(row), "OrderNr": code[:11].upper(), "status": "Klaargezet", "WorkFinished": "0",
                     "Archived": "0", "CreationDate": self.m.now().strftime("%Y-%m-%d %H:%M"),
                     "Signature": "", "SignatureUrl": "", "Photos": [], "WorksheetCode": code,
                     "PdfUrl": f"{BASE}/mailpdf.php?action=display&sheet_id={code}",
                     "WordUrl": f"{BASE}/mailpdf.php?action=word&sheet_id={code}"}
        for m in doc["Materials"]:
            m["MaterialTotalPrice"] = material_total(m)
        order.update(doc)
        # the provider renders each form as a PDF (changelog 27-09-2017: "Added PdfUrl to Forms")
        order["Forms"] = [{**form, "PdfUrl": f"{BASE}/mailpdf.php?action=form&sheet_id={order['WorksheetCode']}&form={i}"}
                          for i, form in enumerate(order.get("Forms") or [], 1)]
        for f in ("WorkDuration", "PickupPlanning", "WebPlanning"):
            order.setdefault(f, "0")
        fill_end(order, doc)
        self.state.put(self.coll(acc), order["id"], order)
        self.schedule(acc, order)
        return order

    # ---- UpdateWorkorder (GET) -------------------------------------------------------------
    def update(self, acc: str, row_id, workorder_no, workdate, worktime, employee_nr, workstatus) -> None:
        """Unknown order → 1500; nothing to update → 1502; invalid date/time/unknown employee → 1504
        (nothing applied); values equal to the current ones → 1503."""
        with self.state.lock():
            order = self.find(acc, row_id, workorder_no)
            if order is None:
                raise WbError(1500)
            changes = {k: v for k, v in (("WorkDate", workdate), ("WorkTime", worktime),
                                         ("EmployeeNr", employee_nr), ("WorkStatus", workstatus)) if v is not None}
            if not changes:
                raise WbError(1502, "Update workorder request is missing update data")
            errors = []
            if "WorkDate" in changes and not valid_date(changes["WorkDate"]):
                errors.append(DATE_MSG)
            if "WorkTime" in changes and not valid_time(changes["WorkTime"]):
                errors.append(TIME_MSG)
            if "EmployeeNr" in changes and not self.m.employee_exists(acc, changes["EmployeeNr"]):
                errors.append("Employee not updated")
            if errors:
                raise WbError(1504, errors)
            if all(order.get(k, "") == v for k, v in changes.items()):
                raise WbError(1503, "No data changed")
            order.update(changes)
            fill_end(order, changes)
            self.state.put(self.coll(acc), order["id"], order)
            self.schedule(acc, order)

    def update_materials(self, acc: str, row_id, workorder_no, clear: bool, body: list) -> None:
        """UpdateWorkorder (POST): add material rows; ClearMaterials=true replaces the existing ones."""
        fake = {"Materials": body}
        missing: list = []
        errors: list = []
        rows = _rows(fake, "Materials", MAT_FIELDS, MAT_REQUIRED, missing, errors)
        if missing:
            raise WbError(1501, [f"Required field missing: {f}" for f in missing])
        if errors or any(decimal(r["MaterialNr"]) is None or decimal(r["MaterialPrice"]) is None for r in rows):
            raise WbError(1504, errors or [PARSE_MSG])
        with self.state.lock():
            order = self.find(acc, row_id, workorder_no)
            if order is None:
                raise WbError(1500)
            for r in rows:
                r["MaterialTotalPrice"] = material_total(r)
            order["Materials"] = rows if clear else order.get("Materials", []) + rows
            self.state.put(self.coll(acc), order["id"], order)

    # ---- GetWorkorder(s) and the flip (WB-WO-2, WB-WO-3) -----------------------------------
    def get_one(self, acc: str, row_id, workorder_no, update_status: bool) -> dict:
        """WB-WO-3: one order by row_id or workorder_no (1500 when neither finds one); with
        update_status=true (the default) a Compleet order becomes Afgehandeld. The answer shows
        the order as it was fetched."""
        if blank(row_id) and blank(workorder_no):
            raise WbError(1500)  # as UpdateWorkorder's documented 1500: no messages
        with self.state.lock():
            order = self.find(acc, row_id, workorder_no)
            if order is None:
                raise WbError(1500)
            if update_status and order["status"] == "Compleet":
                self.state.put(self.coll(acc), order["id"], {**order, "status": "Afgehandeld"})
        return order

    def get_many(self, acc: str, status: str | None, update_status: bool, workstatus: str | None,
                 filters=()) -> list[dict]:
        """WB-WO-2: orders with that status (required: Alle for every status) and the advanced filters
        (WB-WO-6); with update_status true every fetched Compleet order becomes Afgehandeld in the same
        locked section, so under concurrency each Compleet order is handed out exactly once. A
        refused request flips nothing (a missing status used to read as Alle and flip them all)."""
        if status not in ("Alle", *STATUSES):
            raise WbError(1007, f"status is required: one of Alle, {', '.join(STATUSES)}"
                                + ("" if blank(status) else f" (not {status!r})"))
        workstatus = None if blank(workstatus) else workstatus
        coll = self.coll(acc)
        with self.state.lock():
            # Filter before sorting: a status poll sorts (and flips) only the orders it returns.
            orders = [o for o in self.state.all(coll) if (status == "Alle" or o["status"] == status)
                      and (workstatus is None or o.get("WorkStatus", "") == workstatus)]
            orders = self.m.apply_filters(WO_FILTER_KEYS, orders, filters)
            orders.sort(key=lambda o: int(o["id"]))
            if update_status:
                for o in orders:
                    if o["status"] == "Compleet":
                        self.state.put(coll, o["id"], {**o, "status": "Afgehandeld"})
        return orders

    # ---- the simulated device (WB-WO-5) ----------------------------------------------------
    def device_settings(self) -> dict:
        conf = {**(self.m.api.options.get("device") or {}), **(self.state.get("meta", "device") or {})}
        return {"enabled": conf.get("enabled", True),
                "pickup": self.m.parse_delay(conf.get("pickup_after"), DEFAULT_PICKUP),
                "complete": self.m.parse_delay(conf.get("complete_after"), DEFAULT_COMPLETE)}

    def assignee(self, acc: str, order: dict) -> str | None:
        """An order is on a device when its EmployeeNr (or one of Employees) is a known employee."""
        for nr in [order.get("EmployeeNr")] + list(order.get("Employees") or []):
            if not blank(nr) and self.m.employee_exists(acc, nr):
                return nr
        return None

    def schedule(self, acc: str, order: dict) -> None:
        """Plan pickup and completion for a Klaargezet order that has an employee on a device."""
        if order["status"] not in ("Klaargezet", "Opgehaald") or self.assignee(acc, order) is None:
            return
        dev = self.m.coll(acc, "device")
        if self.state.get(dev, order["id"]) is not None:
            return
        self.state.put(dev, order["id"], self.plan(self.m.now()))

    def plan(self, now: datetime) -> dict:
        """When the device picks up and completes an order scheduled `now` (the device settings)."""
        s = self.device_settings()
        pickup = now + s["pickup"]
        return {"pickup": pickup.isoformat(), "complete": (pickup + s["complete"]).isoformat()}

    @staticmethod
    def plan_at(plan: dict, step: str) -> datetime:
        """A plan's pickup or complete instant; it must carry its UTC offset, being compared with
        the sim clock's (aware) now before every request."""
        at = datetime.fromisoformat(plan[step])
        if at.tzinfo is None:
            raise ValueError(f"{step} {plan[step]!r} has no UTC offset")
        return at

    def advance(self, now: datetime) -> None:
        """WB-WO-5, lazily: move every planned order whose time has come (sim clock)."""
        if not self.device_settings()["enabled"]:
            return
        for account in self.state.all("accounts"):
            acc = account["id"]
            dev = self.m.coll(acc, "device")
            due = [(k, p) for k, p in self.state.items(dev) if self.plan_at(p, "pickup") <= now]
            if not due:
                continue
            with self.state.lock():
                for key, plan in due:
                    self._step(acc, key, plan, now)

    def _step(self, acc: str, key: str, plan: dict, now: datetime) -> None:
        order = self.state.get(self.coll(acc), key)
        dev = self.m.coll(acc, "device")
        if order is None or order["status"] not in ("Klaargezet", "Opgehaald"):
            self.state.delete(dev, key)
            return
        complete_at = self.plan_at(plan, "complete")
        if complete_at <= now:
            self.state.delete(dev, key)
            self.complete_order(acc, order, complete_at)
        elif order["status"] == "Klaargezet":
            self.state.put(self.coll(acc), key, {**order, "status": "Opgehaald"})

    def complete_order(self, acc: str, order: dict, when: datetime) -> dict:
        """The employee finishes on the device: work period, materials, photo and signature are
        filled in and the order is Compleet, ready for administrative handling."""
        rnd = random.Random(f"{self.m.api.runtime.config.seed}:{acc}:{order['id']}")
        emp = self.assignee(acc, order) or order.get("EmployeeNr", "")
        minutes = rnd.choice((45, 60, 90, 120, 150))
        begin = when - timedelta(minutes=minutes)
        hourtypes = self.m.code_of(acc, "hourtypes", "code")
        order["Workperiods"] = (order.get("Workperiods") or []) + [{
            "WorkDate": begin.strftime("%d-%m-%Y"), "BeginTime": begin.strftime("%H:%M"),
            "EndTime": when.strftime("%H:%M"), "Break": "0", "TotalTime": f"{minutes // 60:02d}:{minutes % 60:02d}",
            "Travel": str(rnd.randint(2, 40)), "WorkRemark": "Werkzaamheden uitgevoerd",
            "HourType": hourtypes[0] if hourtypes else "", "EmployeeNr": emp}]
        if not order.get("Materials"):
            order["Materials"] = self._used_materials(acc, rnd)
        code = order["WorksheetCode"]
        order.update(status="Compleet", WorkFinished="1", Signature=f"{code[:14]}.png",
                     SignatureUrl=f"{BASE}/uploads/handtekeningen/{code[:14]}.png",
                     Photos=[{"image": f"{BASE}/werkbonimages/{code[:12]}_1.png", "title": "WorkOrderImage_1"}])
        self.state.put(self.coll(acc), order["id"], order)
        for code in order.get("WorkObjects") or []:
            self.m.touch_object(acc, code, when.strftime("%Y-%m-%d %H:%M:%S"))
        return order

    def _used_materials(self, acc: str, rnd: random.Random) -> list[dict]:
        mats = self.m.rows(acc, ENTITIES["materials"])
        used = []
        for mat in rnd.sample(mats, min(len(mats), rnd.randint(1, 2))):
            row = {"MaterialCode": mat["code"], "MaterialNr": str(rnd.randint(1, 4)), "MaterialPrice": mat["price"],
                   "MaterialName": mat["description"], "MaterialUnit": mat.get("unit", "")}
            row["MaterialTotalPrice"] = material_total(row)
            used.append(row)
        return used

    def complete_now(self, workorder_no: str, token: str | None = None) -> dict:
        """Admin: the device completes this order now (WB-WO-5)."""
        accounts = self.state.all("accounts")
        if token:
            accounts = [a for a in accounts if a["token"] == token]
        with self.state.lock():
            found = [(a["id"], o) for a in accounts if (o := self.find(a["id"], workorder_no=workorder_no))]
            if not found:
                raise WbError(404, f"Workorder {workorder_no} not found")
            if len(found) > 1:  # one account's order, not whichever comes first
                raise WbError(409, f"Workorder {workorder_no} exists in {len(found)} accounts: "
                                   "name one with ?token=<its token>")
            acc, order = found[0]
            if order["status"] not in ("Klaargezet", "Opgehaald"):
                raise WbError(409, f"Workorder {workorder_no} is already {order['status']}")
            self.state.delete(self.m.coll(acc, "device"), order["id"])
            return self.complete_order(acc, order, self.m.now())
