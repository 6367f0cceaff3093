"""WerkbonApp / OutSmart Open API v8: accounts, master data, work orders and the simulated device.

No Flask, no JSON here: the wire layer parses requests into Python values and serialises what this
returns. Every rule raises WbError(code, messages), the provider's own response code (WB-ERR-2).
"""
from __future__ import annotations

import fnmatch
import hashlib
import re
from datetime import datetime, timedelta

from simulators.werkbon.common import OPERATORS, WbError, blank, decimal, scalar, valid_date, whole
from simulators.werkbon.entities import DELETE_ENTITIES, ENTITIES, NUMBER_COLUMNS, NUMERIC, SIZED, Entity, max_length
from simulators.werkbon.extras import Extras
from simulators.core.model import ApiModel

MAX_DELAY = timedelta(days=3650)  # the device's pickup/complete delays (admin input)


# ---- format checks named in the entity table -------------------------------------------------
def _check_price(ent: Entity, rec: dict) -> list[str]:
    return [f"Price invalid: {rec['price']}"] if not blank(rec.get("price")) and decimal(rec["price"]) is None else []


def _check_project_dates(ent: Entity, rec: dict) -> list[str]:
    """WB-ERR-2 (1701): date_start (required) and date_end are Y-m-d dates."""
    return [f"Date invalid: {rec[f]}. Format: 2013-10-01" for f in ("date_start", "date_end")
            if not blank(rec.get(f)) and not valid_date(rec[f], "%Y-%m-%d")]


def _check_active(ent: Entity, rec: dict) -> list[str]:
    return [] if blank(rec.get("active")) or rec["active"] in ("0", "1") else ["Active should be 1 or 0"]


def _check_hourtype(ent: Entity, rec: dict) -> list[str]:
    """WB-ERR-2 (1801): booking flags and active are 1 or 0, prices parse (the document's own
    example posts sale_price 0.00, so zero is accepted)."""
    errs = [f"{f} should be 1 or 0" for f in ("cost_booking", "sale_booking", "active")
            if not blank(rec.get(f)) and rec[f] not in ("0", "1")]
    for f in ("sale_price", "cost_price"):
        if not blank(rec.get(f)) and (decimal(rec[f]) is None or decimal(rec[f]) < 0):
            errs.append(f"Price cannot be parsed: {f}")
    return errs


def _check_object_part(ent: Entity, rec: dict) -> list[str]:
    """object_parts: opr_amount and opr_warranty_months are Int (10), the installation a Y-m-d date;
    the expiry date is computed by the provider from installation + warranty months."""
    errs = [f"{f} should be an integer" for f in ("opr_amount", "opr_warranty_months")
            if not blank(rec.get(f)) and not whole(rec[f])]
    inst = rec.get("opr_timestamp_installation")
    if not blank(inst) and not valid_date(inst, "%Y-%m-%d"):
        errs.append("opr_timestamp_installation invalid. Format: 2018-10-11")
    if not errs and not blank(inst) and not blank(rec.get("opr_warranty_months")):
        d = datetime.strptime(inst, "%Y-%m-%d")
        months = d.month - 1 + int(rec["opr_warranty_months"])
        year, month = d.year + months // 12, months % 12 + 1
        day = min(d.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
                          31, 31, 30, 31, 30, 31][month - 1])
        rec["opr_timestamp_warranty_expires"] = f"{year:04d}-{month:02d}-{day:02d}"
    return errs


def _check_numbers(ent: Entity, rec: dict) -> list[str]:
    """Every entity: a column the document types as a number (entities.NUMERIC) holds one."""
    errs = []
    for f, kind in NUMERIC.items():
        value = rec.get(f)
        if blank(value):
            continue
        number = decimal(value)
        if number is None or not number.is_finite() or (kind == "int" and number != number.to_integral_value()):
            errs.append(f"{f} should be {'an integer' if kind == 'int' else 'a number'}: {value}")
    return errs


CHECKS = {"object_part": _check_object_part, "price": _check_price, "project_dates": _check_project_dates, "active": _check_active,
          "hourtype": _check_hourtype, "numbers": _check_numbers}


def like(pattern: str, value: str) -> bool:
    """SQL LIKE: % any run, _ one character, case-insensitive (MySQL's default collation)."""
    glob = "".join("*" if c == "%" else "?" if c == "_" else "[" + c + "]" if c in "*?[" else c for c in pattern)
    return fnmatch.fnmatchcase(value.lower(), glob.lower())


def compare(op: str, actual, wanted: str, numeric: bool | None = None) -> bool:
    """WB-WO-6: one advanced-filter operator, as MySQL compares a column with the text given: a
    column the document types as a number compares as numbers, a Varchar one as text ("00001" is
    not "1", as DeleteEntity and the sync key see it); untyped (numeric None): by the value's shape."""
    actual = "" if actual is None else str(actual)
    if op == "li":
        return like(wanted, actual)
    a, w = decimal(actual), decimal(wanted)
    if (numeric is False or a is None or w is None
            or numeric is None and not re.fullmatch(r"-?\d+([.,]\d+)?", actual.strip() or "x")):
        a, w = actual.lower(), wanted.lower()
    return {"eq": a == w, "ne": a != w, "gt": a > w, "ge": a >= w, "lt": a < w, "le": a <= w}[op]


class Model(Extras, ApiModel):

    # ---- access (WB-AUTH-*) ------------------------------------------------------------------
    def authenticate(self, token: str | None, software_token: str | None) -> str:
        """WB-AUTH-2: token and software_token both required (1002/1003), both checked (1004/1005);
        WB-AUTH-4: the token names one account, whose data is all the caller sees."""
        if blank(token):
            raise WbError(1002, "Request is missing the GET parameter: token")
        if blank(software_token):
            raise WbError(1003, "Request is missing the GET parameter: software_token")
        account = self.state.get("accounts", token)
        if account is None:
            raise WbError(1004, "Client token provided is unauthorized to execute this request")
        if software_token not in account["software_tokens"]:
            raise WbError(1005, "Software token provided is unauthorized to execute this request")
        return account["id"]

    # ---- generic entity engine (WB-ENT-1/2/3) ------------------------------------------------
    @staticmethod
    def coll(acc: str, name: str) -> str:
        return f"{acc}:{name}"

    def _clean(self, ent: Entity, raw) -> dict:
        if not isinstance(raw, dict):
            raise WbError(ent.fail_code, "Each record should be a JSON object")
        rec = {}
        for f in ent.fields:
            try:
                value = scalar(raw.get(f))
            except ValueError:
                raise WbError(ent.fail_code, f"Field {f} should be a text or number") from None
            if value is not None:
                rec[f] = value
        return rec

    def validate_records(self, ent: Entity, body) -> list[dict]:
        """Check every record before storing any (WB-ERR-3): missing required fields answer the
        entity's "required field missing" code, listing each field once."""
        records = [self._clean(ent, raw) for raw in body]
        missing: list[str] = []
        for rec in records:
            missing += [f for f in ent.required if blank(rec.get(f)) and f not in missing]
        if missing:
            raise WbError(ent.missing_code, [f"Required field missing: {f}" for f in missing])
        errors = [msg for rec in records for check in (*ent.checks, "numbers") for msg in CHECKS[check](ent, rec)]
        too_long = [f"Field too long: {f} (max {max_length(ent, f)})" for rec in records for f, v in rec.items()
                    if max_length(ent, f) and len(v) > max_length(ent, f)]
        if too_long:
            raise WbError(ent.fail_code, list(dict.fromkeys(too_long)))
        if errors:
            raise WbError(ent.check_code or ent.fail_code, errors)
        return records

    def post_entities(self, acc: str, ent: Entity, body: list) -> int:
        """WB-ENT-2: the answer is the number of records synced. WB-ENT-3: a record whose sync key
        exists replaces it (fields not posted keep their value) instead of adding a duplicate."""
        records = self.validate_records(ent, body)
        coll = self.coll(acc, ent.path)
        with self.state.lock():
            for rec in records:
                self._store(acc, ent, coll, rec)
        return len(records)

    def _store(self, acc: str, ent: Entity, coll: str, rec: dict) -> dict:
        key = "\x1f".join(rec.get(f, "") for f in ent.key) if ent.key else None
        old = self.state.get(coll, key) if key is not None else None
        if old is None:
            row = self.state.next_id("row", 1000)
            old = {"_row": row, **{f: v for f, v in ent.defaults.items()}}
            if ent.id_field and blank(rec.get(ent.id_field)):
                rec[ent.id_field] = str(row)
            if key is None:
                key = str(row)
        for f in ent.fields:  # the provider fills in the customer id itself
            if f.endswith("_cus_id"):
                rec[f] = acc
        old.update(rec)
        old["_mutated"] = self.now().strftime("%Y-%m-%d %H:%M:%S")
        self.state.put(coll, key, old)
        return old

    def rows(self, acc: str, ent: Entity) -> list[dict]:
        return sorted(self.state.all(self.coll(acc, ent.path)), key=lambda r: r["_row"])

    def list_entities(self, acc: str, ent: Entity, filters=()) -> list[dict]:
        return self.apply_filters(ent.filter_keys or ent.fields, self.rows(acc, ent), filters, typed=ent.path in SIZED)

    @staticmethod
    def apply_filters(fields, rows: list[dict], filters, typed: bool = False) -> list[dict]:
        """WB-WO-6: every filter (key, value, operator) must hold; keys must be fields of the
        entity and operators one of li eq ne gt ge lt le. `typed`: the document types every
        column of the entity (NUMBER_COLUMNS the numbers, the rest Varchar or Text)."""
        for key, value, op in filters:
            if key not in fields:
                raise WbError(1007, f"Filter key not allowed: {key}")
            if op not in OPERATORS:
                raise WbError(1007, f"Filter operator not allowed: {op}. Allowed: {', '.join(OPERATORS)}")
        kinds = {k: (k in NUMBER_COLUMNS) if typed else None for k, _v, _op in filters}
        return [r for r in rows if all(compare(op, r.get(k, ""), v, kinds[k]) for k, v, op in filters)]

    # ---- DeleteEntity ------------------------------------------------------------------------
    def delete_entity(self, acc: str, entity: str, delete_all: bool, keys: list[tuple[str, str]]) -> int:
        """DeleteEntity: answers the number of affected rows; unknown entity or key → 1600;
        delete_all is refused for work orders (1600) and allowed for the others."""
        if entity == "workorder":
            return self._delete_workorders(acc, delete_all, keys)
        ent = DELETE_ENTITIES.get(entity)
        if ent is None:
            raise WbError(1600, f"Entity: {entity} not found")
        allowed = dict(ent.delete_keys)
        if entity in ("employee", "material", "relation"):
            allowed["db_row"] = "_row"
        coll = self.coll(acc, ent.path)
        with self.state.lock():
            items = self.state.items(coll)
            if not delete_all:
                items = self._match_keys(items, keys, allowed, entity)
            for k, _ in items:
                self.state.delete(coll, k)
        return len(items)

    @staticmethod
    def _match_keys(items, keys, allowed, entity):
        if not keys:
            raise WbError(1600, "Key and value are required unless delete_all is true")
        for key, _ in keys:
            if key not in allowed:
                raise WbError(1600, f"Key: {key} not allowed for entity: {entity}")
        return [(k, v) for k, v in items if all(str(v.get(allowed[key], "")) == val for key, val in keys)]

    def _delete_workorders(self, acc, delete_all, keys) -> int:
        if delete_all:
            raise WbError(1600, "Delete all not allowed on Workorder entity")
        allowed = {"db_row": "id", "workorder_no": "WorkorderNo", "order_no": "OrderNr"}
        with self.state.lock():
            coll = self.coll(acc, "workorders")
            items = self._match_keys(self.state.items(coll), keys, allowed, "workorder")
            for k, _ in items:
                self.state.delete(coll, k)
                self.state.delete(self.coll(acc, "device"), k)
        return len(items)

    # ---- helpers for work orders -----------------------------------------------------------
    def employee_exists(self, acc: str, number: str) -> bool:
        return self.state.get(self.coll(acc, "employees"), number) is not None

    def code_of(self, acc: str, path: str, field: str) -> list[str]:
        return [r[field] for r in self.rows(acc, ENTITIES[path]) if r.get(field)]

    @staticmethod
    def worksheet_code(acc: str, row: int) -> str:
        return hashlib.md5(f"{acc}:{row}".encode()).hexdigest()

    @staticmethod
    def parse_delay(text, default: timedelta) -> timedelta:
        """ISO-8601 durations like PT15M, PT2H, P1D, or seconds; from none to MAX_DELAY."""
        if text is None:
            return default
        if isinstance(text, bool) or not isinstance(text, (int, float, str)):
            raise ValueError(f"not a duration: {text!r}")
        if isinstance(text, str):
            m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
            if not m:
                raise ValueError(f"not a duration: {text!r}")
            text = sum(int(x or 0) * unit for x, unit in zip(m.groups(), (86400, 3600, 60, 1)))
        if not 0 <= text <= MAX_DELAY.total_seconds():  # also NaN; timedelta overflows past ~10^9 days
            raise ValueError(f"not a duration from 0 to {MAX_DELAY.days} days: {text}")
        return timedelta(seconds=text)
