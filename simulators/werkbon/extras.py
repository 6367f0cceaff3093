"""The endpoints outside the generic entity engine: numbers, locations, objects/changed,
object_parts/changed, values, invoices/quotations updates and transactions. Mixed into Model."""
from __future__ import annotations

from decimal import Decimal

from simulators.werkbon.common import NUMBER_TABLES, PARSE_MSG, WbError, blank, decimal, scalar, valid_date
from simulators.werkbon.entities import ENTITIES, Entity


def _require(**params) -> None:
    missing = [name for name, value in params.items() if blank(value)]
    if missing:
        raise WbError(1007, f"Request is missing the GET parameter(s): {', '.join(missing)}")


def invoice_ref(value) -> str | None:
    """A transaction's int_inv_id as stored: unassigned is null, whether sent as null, "" or the
    text "null" (the document's own PUT example unassigns with "int_inv_id": "null")."""
    ref = scalar(value)
    return None if ref is None or ref.strip().lower() in ("", "null") else ref


class Extras:
    def next_number(self, acc: str, table: str | None) -> str:
        """GET /numbers?table=…: the next free number of that series."""
        if not table:
            raise WbError(1007, f"Request is missing the GET parameter: table ({', '.join(NUMBER_TABLES)})")
        if table not in NUMBER_TABLES:
            raise WbError(1007, f"Unknown table: {table}. Allowed: {', '.join(NUMBER_TABLES)}")
        with self.state.lock():
            number = self.peek_number(acc, table)
            self.state.put(self.coll(acc, "numbers"), table, number)
        return str(number)

    def peek_number(self, acc: str, table: str) -> int:
        """The number next_number hands out next: after the last one handed out, or after the
        highest the account has (seeded invoices 1, 2)."""
        return max(self.state.get(self.coll(acc, "numbers"), table, 0), self._highest_number(acc, table)) + 1

    def _highest_number(self, acc: str, table: str) -> int:
        column = {"invoices": "inv_number_numeric", "quotations": "inv_number_numeric", "projects": "code"}.get(table)
        rows = [r for _, r in self.state.items(self.coll(acc, table))] if column else []
        digits = ("".join(ch for ch in str(r.get(column, "")) if ch.isdigit()) for r in rows)
        return max((int(d) for d in digits if d), default=0)

    def locations(self, acc: str) -> list[dict]:
        """GET /locations: 1400 when the account has no location data."""
        rows = self.rows(acc, ENTITIES["locations"])
        if not rows:
            raise WbError(1400)
        return rows

    def post_locations(self, acc: str, body: list) -> int:
        ent = ENTITIES["locations"]
        records = self.validate_records(ent, body)
        stamp = self.now().strftime("%Y-%m-%d %H:%M:%S")
        for rec in records:
            if rec["type"] not in ("0", "1"):
                raise WbError(ent.fail_code, "type should be 0 (employee) or 1 (car)")
            if decimal(rec["lat"]) is None or decimal(rec["long"]) is None:
                raise WbError(ent.fail_code, "lat and long should be numbers")
            rec.update(customer_id=acc, last_seen=stamp,
                       employee_nr=rec["identifier"] if rec["type"] == "0" else "")
        with self.state.lock():
            for rec in records:
                self._store(acc, ent, self.coll(acc, ent.path), rec)
        return len(records)

    def changed_objects(self, acc: str, obj_code: str | None) -> list[dict]:
        """objects/changed: objects changed from the app. Called with obj_code (processed in the
        external software) the changed indicator of that object is set to 0, so it is not shown
        again; the answer is the list still changed."""
        coll = self.coll(acc, "objects")
        with self.state.lock():
            if not blank(obj_code):
                row = self.state.get(coll, obj_code)
                if row is not None and row.get("_changed"):
                    self.state.put(coll, obj_code, {**row, "_changed": 0})
            return [r for r in self.rows(acc, ENTITIES["objects"]) if r.get("_changed")]

    def touch_object(self, acc: str, obj_code: str, stamp: str) -> None:
        """The app changed an object (e.g. on a completed work order): it shows in objects/changed."""
        coll = self.coll(acc, "objects")
        row = self.state.get(coll, obj_code)
        if row is not None:
            self.state.put(coll, obj_code, {**row, "_changed": 1, "obj_modified": stamp})

    def changed_object_parts(self, acc: str, since: str | None) -> list[dict]:
        """object_parts/changed: rows mutated after a Y-m-d H:i:s timestamp (required, as the
        document marks it)."""
        _require(opr_timestamp_mutate=since)
        if not valid_date(since, "%Y-%m-%d %H:%M:%S"):
            raise WbError(1007, "opr_timestamp_mutate invalid. Format: 2018-10-11 12:00:00")
        rows = self.rows(acc, ENTITIES["object_parts"])
        for r in rows:
            r.setdefault("opr_timestamp_mutate", r.get("_mutated", ""))
        return [r for r in rows if r["opr_timestamp_mutate"] > since]

    def values(self, acc: str, entity, primary, column) -> list[dict]:
        """GET /values: the document marks val_entity, val_primary and val_column required."""
        _require(val_entity=entity, val_primary=primary, val_column=column)
        return self.matching_values(acc, val_entity=entity, val_primary=primary, val_column=column)

    def matching_values(self, acc: str, **want) -> list[dict]:
        """The stored values whose fields equal `want` (every one, without)."""
        rows = self.state.all(self.coll(acc, "values"))
        return [r for r in rows if all(r.get(k) == v for k, v in want.items())]

    def post_value(self, acc: str, entity, primary, column, value) -> list[dict]:
        if any(blank(v) for v in (entity, primary, column)):
            raise WbError(1051, [f"Required field missing: {k}" for k, v in
                                 (("val_entity", entity), ("val_primary", primary), ("val_column", column)) if blank(v)])
        with self.state.lock():
            self.state.put(self.coll(acc, "values"), f"{entity}\x1f{primary}\x1f{column}",
                           {"val_entity": entity, "val_primary": str(primary), "val_column": column,
                            "val_value": "" if value is None else str(value)})
        return self.values(acc, entity, primary, column)

    def update_rows(self, acc: str, ent: Entity, filters, changes: dict) -> list[dict]:
        """PUT /invoices, /quotations: set the given fields on the rows the filter selects."""
        if not isinstance(changes, dict) or not changes:
            raise WbError(1502, "Update request is missing update data")
        bad = [k for k in changes if k not in ent.fields or k in ent.key]
        if bad:
            raise WbError(1504, [f"Field not allowed: {k}" for k in bad])
        try:
            clean = {k: scalar(v) or "" for k, v in changes.items()}
        except ValueError:
            raise WbError(1504, PARSE_MSG) from None
        with self.state.lock():
            rows = self.list_entities(acc, ent, filters)
            for r in rows:
                r.update(clean)
                self.state.put(self.coll(acc, ent.path), r["inv_id"], r)
        return rows

    def put_transactions(self, acc: str, body: list) -> int:
        """PUT /transactions: rows referenced by int_transaction_id or int_external_transaction_id."""
        coll = self.coll(acc, "transactions")
        with self.state.lock():
            items = self.state.items(coll)
            affected = 0
            for raw in body:
                if not isinstance(raw, dict) or all(blank(raw.get(k)) for k in
                                                    ("int_transaction_id", "int_external_transaction_id")):
                    raise WbError(1051, "Required field missing: int_transaction_id")
            for raw in body:
                for k, row in items:
                    ref = "int_transaction_id" if not blank(raw.get("int_transaction_id")) else "int_external_transaction_id"
                    if row.get(ref) == str(raw[ref]):
                        touched = {row.get("int_inv_id"), invoice_ref(raw.get("int_inv_id"))}
                        row["int_inv_id"] = invoice_ref(raw.get("int_inv_id"))
                        self.state.put(coll, k, row)
                        self._rebalance(acc, touched)
                        affected += 1
        return affected

    def _rebalance(self, acc: str, inv_ids) -> None:
        """inv_balance is the total of the transactions registered to the invoice ("once it is
        assigned the balance of the invoice will be adjusted"); when it reaches inv_amount the
        invoice is PAYED, stamped with its last transaction's time (and OPEN again below it)."""
        coll = self.coll(acc, "invoices")
        txs = [t for _, t in self.state.items(self.coll(acc, "transactions"))]
        for inv_id in filter(None, inv_ids):
            inv = self.state.get(coll, inv_id)
            if inv is None:
                continue
            mine = [t for t in txs if t.get("int_inv_id") == inv_id]
            balance = sum((decimal(t.get("int_amount")) or 0 for t in mine), Decimal(0))
            inv["inv_balance"] = f"{balance:.2f}"
            payed = balance > 0 and balance >= (decimal(inv.get("inv_amount")) or 0)
            inv["inv_timestamp_payed"] = max(t.get("int_timestamp") or "" for t in mine) if payed else ""
            if payed or inv.get("inv_status") == "PAYED":
                inv["inv_status"] = "PAYED" if payed else "OPEN"
            self.state.put(coll, inv_id, inv)

    def post_transactions(self, acc: str, body: list) -> list[dict]:
        ent = ENTITIES["transactions"]
        records = self.validate_records(ent, body)
        for rec in records:
            if decimal(rec["int_amount"]) is None:
                raise WbError(ent.fail_code, f"int_amount invalid: {rec['int_amount']}")
        out = []
        with self.state.lock():
            for rec in records:
                rec.pop("int_transaction_id", None)  # generated by the provider
                rec.update(int_status="PROCESSED", int_user="OpenAPI", int_inv_id=invoice_ref(rec.get("int_inv_id")))
                rec.setdefault("int_timestamp", self.now().strftime("%Y-%m-%d %H:%M:%S"))
                stored = self._store(acc, ent, self.coll(acc, ent.path), rec)
                stored["int_transaction_id"] = f"{stored['_row']:016X}"
                self.state.put(self.coll(acc, ent.path), str(stored["_row"]), stored)
                out.append(stored)
            self._rebalance(acc, {t.get("int_inv_id") for t in out})
        return out
