"""WerkbonApp / OutSmart Open API version 8 (issue 6): the hooks the core calls."""
from __future__ import annotations


from flask import Blueprint, Response

from simulators.core.api import SimulatedAPI, check_documents
from simulators.core.errors import AdminError
from simulators.werkbon import seed as seed_mod
from simulators.werkbon import wire
from simulators.werkbon.common import MAT_REQUIRED, NUMBER_TABLES, WO_SCALARS, WP_REQUIRED, WbError
from simulators.werkbon.entities import ENTITIES
from simulators.werkbon.model import Model
from simulators.werkbon.workorders import Workorders, fill_end

# A work order's nested rows as workorder_out reshapes them: objects with the fields PostWorkorders requires.
ROW_SHAPES = {"Materials": tuple(f"{f}:str" for f in MAT_REQUIRED),
              "Workperiods": tuple(f"{f}:str" for f in WP_REQUIRED)}


class WerkbonAPI(SimulatedAPI):
    name = "werkbon"
    title = "WerkbonApp / OutSmart Open API v8"
    prefixes = ("/openapi",)
    # what the reads index: PUT /__admin/state refuses a document without it ("<account>:<entity>")
    state_shapes = {"accounts": ("id:str", "token:str", "software_tokens:list", "name:str"),
                    "workorders": ("id:str", "WorkorderNo:str", "status:str", "WorksheetCode:str",
                                   *(f"{name}:list" for name in wire.WO_LISTS)),
                    "device": ("pickup:time", "complete:time"),
                    **{path: ("_row:int",) for path in ENTITIES},
                    "invoices": ("_row:int", "inv_id:str"), "quotations": ("_row:int", "inv_id:str"),  # PUT keys
                    "transactions": ("_row:int", "int_timestamp:str"),  # the latest one stamps a paid invoice
                    "values": ("val_entity:str", "val_primary:str", "val_column:str", "val_value:str")}
    default_rate_limit = None  # the document names no rate limit

    def __init__(self, runtime):
        super().__init__(runtime)
        self.model = Model(self)
        self.workorders = Workorders(self.model)

    def versions(self) -> tuple[str, ...]:
        """WB-AUTH-3: only version 8 is complete; other versions answer 1001 unless configured
        (api option "versions": ["8", "7"] serves the same model under those numbers too)."""
        return tuple(str(v) for v in self.options.get("versions", ("8",)))

    def check_https(self, request) -> None:
        """WB-ERR-2 (1006): https is required by the provider; enforced only with option require_https."""
        if self.options.get("require_https") and request.headers.get("X-Forwarded-Proto", request.scheme) != "https":
            raise WbError(1006, "All endpoints should use https")

    # ---- hooks -------------------------------------------------------------------------------
    def blueprint(self) -> Blueprint:
        return wire.build_blueprint(self)

    def admin_blueprint(self) -> Blueprint:
        return wire.build_admin(self)

    def seed(self, state) -> None:
        seed_mod.seed(self, state)

    def credentials(self) -> dict:
        """The demo account at the top (as INTERFACE.md lists it), the second account for
        isolation tests (WB-AUTH-4), and both in `accounts`."""
        accounts = [{"token": a["token"], "software_token": a["software_tokens"][0], "name": a["name"],
                     "note": a["note"]} for a in seed_mod.ACCOUNTS]
        return {"token": accounts[0]["token"], "software_token": accounts[0]["software_token"],
                "other_account": accounts[1], "accounts": accounts,
                "base_path": "/openapi/8/<function>/?token=...&software_token=..."}

    def error_response(self, status: int, message: str) -> Response:
        return wire.error_envelope(status, message)

    def rate_limited_response(self, retry_after: float) -> Response:
        """The document names no rate limit; when one is configured (or injected) the refusal is a
        real HTTP 429 (the core adds Retry-After) with the envelope, so clients can back off."""
        return wire.envelope(1007, ["Too many requests: rate limit exceeded, retry later"], status=429)

    def unauthenticated_response(self) -> Response:
        """Tokens never change (WB-AUTH-4), so an expired session looks like an unauthorized token."""
        return wire.envelope(1004, ["Client token provided is unauthorized to execute this request"])

    def rate_limit_key(self, request) -> str | None:
        return request.args.get("token") or None

    def advance(self, now) -> None:
        self.workorders.advance(now)

    def set_device(self, conf) -> None:
        if not isinstance(conf, dict) or set(conf) - {"enabled", "pickup_after", "complete_after"}:
            raise AdminError("device: expected {enabled, pickup_after, complete_after} (durations like PT15M)")
        if not isinstance(conf.get("enabled", True), bool):
            raise AdminError("device: enabled must be true or false")
        try:
            for k in ("pickup_after", "complete_after"):
                self.model.parse_delay(conf.get(k), None)
        except ValueError as exc:
            raise AdminError(f"device: {exc}") from None
        with self.state.lock():
            self.state.put("meta", "device", {**(self.state.get("meta", "device") or {}), **conf})

    # ---- PUT /__admin/state reads what it imported ---------------------------------------------
    def read_everything(self) -> None:
        """Every account's data read as the endpoints serve it (WB-WO-2/3 GetWorkorders and
        GetWorkorder, WB-ENT-1 the entity lists, numbers, values, the changed lists) and as the
        device (WB-WO-5) reads it before every request."""
        with self.reading("meta.device"):
            self.workorders.plan(self.now())
        for key, account in self.state.items("accounts"):
            if account["token"] != key:  # a request finds its account by token
                raise AdminError(f"werkbon: collections.accounts.{key} has token {account['token']!r}, not its key")
            self._read_workorders(account["id"])
            self._read_device(account["id"])
            self._read_entities(account["id"])

    def _read_workorders(self, acc: str) -> None:
        coll = self.model.coll(acc, "workorders")
        for key, order in self.state.items(coll):
            where = f"{coll}.{key}"
            # GetWorkorder finds it by row_id, GetWorkorders sorts by it as a number
            if order["id"] != key or not (key.isascii() and key.isdigit()):
                raise AdminError(f"werkbon: collections.{where} has id {order['id']!r}; it needs its key, a row number")
            for name, shape in ROW_SHAPES.items():
                rows = f"{where}.{name}"
                check_documents(self.name, {rows: dict(enumerate(order[name]))}, {rows: shape})
            loose = next((f for f in WO_SCALARS if f in order and not isinstance(order[f], str)), None)
            if loose:
                raise AdminError(f"werkbon: collections.{where} needs {loose} (str), as PostWorkorders stores it")
            with self.reading(where):
                wire.envelope(200, [], wire.workorder_out(self.workorders.get_one(acc, key, None, False)))
                fill_end(order, {})  # UpdateWorkorder moves the end along: WorkDuration, WorkDate, WorkTime
        with self.reading(coll):
            wire.envelope(200, [], [wire.workorder_out(o) for o in self.workorders.get_many(acc, "Alle", False, None)])

    def _read_device(self, acc: str) -> None:
        dev = self.model.coll(acc, "device")
        for key, plan in self.state.items(dev):
            with self.reading(f"{dev}.{key}"):
                for step in ("pickup", "complete"):
                    self.workorders.plan_at(plan, step)

    def _read_entities(self, acc: str) -> None:
        for ent in ENTITIES.values():
            with self.reading(self.model.coll(acc, ent.path)):
                wire.envelope(200, [], [wire.entity_out(ent, r) for r in self.model.list_entities(acc, ent)])
        with self.reading(self.model.coll(acc, "object_parts")):
            self.model.changed_object_parts(acc, "1970-01-01 00:00:00")
        with self.reading(self.model.coll(acc, "values")):
            self.model.matching_values(acc)
        with self.reading(self.model.coll(acc, "numbers")):
            for table in NUMBER_TABLES:
                self.model.peek_number(acc, table)

    def load_scenario(self, payload) -> dict:
        """{"token": optional account, "device": {...}, "<entity>": [records as POSTed],
        "workorders": [as PostWorkorders], "complete": [WorkorderNo, ...]}"""
        if not isinstance(payload, dict):
            raise AdminError("werkbon: scenario must be a mapping")
        token = payload.get("token", seed_mod.ACCOUNTS[0]["token"])
        account = self.state.get("accounts", token) if isinstance(token, str) else None
        if account is None:
            raise AdminError(f"werkbon: unknown token {token!r}")
        known = set(ENTITIES) | {"token", "device", "workorders", "complete"}
        unknown = set(payload) - known
        if unknown:
            raise AdminError(f"werkbon: unknown section(s) {sorted(unknown)}")
        summary: dict = {}
        try:
            if "device" in payload:
                self.set_device(payload["device"])
            for name, records in payload.items():
                if name in ENTITIES and ENTITIES[name].post:
                    summary[name] = self.model.post_entities(account["id"], ENTITIES[name], _list(records))
            if "workorders" in payload:
                summary["workorders"] = self.workorders.post(account["id"], _list(payload["workorders"]))
            complete = payload.get("complete") or []
            if not isinstance(complete, list) or not all(isinstance(no, str) for no in complete):
                raise AdminError('werkbon: complete must be a list of WorkorderNo texts, e.g. ["WB1205-0001"]')
            for no in complete:
                self.workorders.complete_now(no, token)
                summary.setdefault("completed", []).append(no)
        except WbError as exc:
            raise AdminError(f"werkbon: code {exc.code}: {'; '.join(exc.messages)}") from None
        return summary


def _list(records) -> list:
    return records if isinstance(records, list) else [records]


API = WerkbonAPI
