"""Capitech public API (time transactions): /api/public/v1/<Area>/<method>, JSON envelope."""
from __future__ import annotations

import os
import threading

import orjson
from flask import Blueprint, request

from simulators.core.admin import body_document, json_response
from simulators.core.api import SimulatedAPI
from simulators.core.errors import AdminError, DomainError
from simulators.capitech.added import INTS, TEXTS
from simulators.capitech.model import CATALOGUE, LEVELS, MAX_HOURS, USERS, CapitechModel
from simulators.capitech.seed import clients_for

ADDED_FIELDS = tuple(f"{f}?:{'int' if f in INTS else 'str'}" for f in INTS + TEXTS
                     if f not in ("clientId", "uid", "timeCategoryId", "employeeid", "departmentid"))


class CapitechAPI(SimulatedAPI):
    name = "capitech"
    title = "Capitech public API (time transactions)"
    prefixes = ("/api/public/v1",)
    paths_ignore_case = True  # ASP.NET routing: /Time/getTimeTransactions and /time/gettimetransactions alike
    # what the reads index: PUT /__admin/state refuses a document without it (the rest: read_everything)
    state_shapes = {"added": ("clientId:int", "uid:int", "timeCategoryId:int", "employeeid:int", "departmentid:int",
                              "start:int", "end:int", "qty:int", "created:int", *ADDED_FIELDS),
                    "overlay": (), "added_version": ("v:str",), "overlay_version": ("v:str",),
                    "sessions": ("user:str", "exp:num")}

    def __init__(self, runtime):
        super().__init__(runtime)
        self.model = CapitechModel(self)
        self._warm_pid = None

    def advance(self, now) -> None:
        """Approvals and new registrations follow the clock by themselves (model.py evaluates them
        lazily on read). Here only: on the first request of each process, build a medium or large
        dataset in the background (not at import: gunicorn forks after preloading the app, and a
        lock held by a thread at fork time would stay held in the worker)."""
        if self._warm_pid != os.getpid() and self.runtime.config.scale != "small":
            self._warm_pid = os.getpid()
            threading.Thread(target=self.model.dataset.warm, name="capitech-seed", daemon=True).start()

    def blueprint(self) -> Blueprint:
        from simulators.capitech.wire import build_blueprint
        return build_blueprint(self)

    def seed(self, state) -> None:
        """Nothing to write: the base dataset is derived from (seed, scale) in seed.py."""

    def credentials(self) -> dict:
        return {"baseUrl": self.base_path(),
                "users": [{"username": u, "password": v["password"], "clientIds": self._clients_of(v),
                           "apiAccess": v["api"]} for u, v in USERS.items()]}

    def _clients_of(self, user: dict) -> list[int]:
        """The user's clients that exist at this scale (client 400 only on --scale large)."""
        present = set(clients_for(self.runtime.config.scale))
        return [c for c in user["clients"] if c in present]

    def error_response(self, status: int, message: str):
        from simulators.capitech.wire import error_envelope
        if status == 401:
            message = f"Session expired. {message}"
        resp = error_envelope(status, message)
        if status == 405:  # any other method on a call (RFC 9110 wants the Allow header)
            resp.headers["Allow"] = "POST"
        return resp

    def expire_tokens(self) -> bool:
        self.model.expire_all()
        return True

    def rate_limit_key(self, request) -> str | None:
        try:
            body = orjson.loads(request.get_data() or b"{}")
        except orjson.JSONDecodeError:
            return request.remote_addr
        token = body.get("accessToken") if isinstance(body, dict) else None
        return str(token) if token else request.remote_addr

    # -- state: only the mutations; the dataset is named by its parameters -------------------
    def _params(self) -> dict:
        cfg = self.runtime.config
        return {"seed": cfg.seed, "scale": cfg.scale, "start": self.options.get("start"),
                "days": self.options.get("days")}

    def export_state(self) -> dict:
        return {"dataset": self._params(), **self.state.export()}

    def import_state(self, data) -> None:
        if isinstance(data, dict):  # anything else: the shared check answers the 400
            params = data.get("dataset")
            if params is not None and params != self._params():
                raise AdminError(f"capitech: state was exported from dataset {params}, this server runs {self._params()}")
            data = {k: v for k, v in data.items() if k != "dataset"}
        super().import_state(data)

    def read_everything(self) -> None:
        """PUT /__admin/state: what the import touches (sessions, overlays, scenario records) read
        as getTimeTransactions and the Catalogue calls read it; the model names what it refuses."""
        from simulators.capitech.wire import records
        for where, cd, r in self.model.imported_registrations():
            try:
                records(cd, self.model.read_registration(cd, r))
            except Exception as exc:  # what no check above foresaw: still named, still a 400
                raise AdminError(f"{where} cannot be read as getTimeTransactions reads it "
                                 f"({type(exc).__name__}: {exc})") from None
        for client in self.model.dataset.client_ids:
            added = self.model.added(client)
            if added is not None:
                for what in CATALOGUE:
                    CATALOGUE[what](added, True)

    def state_replaced(self) -> None:
        self.model._overlays.clear()
        self.model._added.clear()

    def reset(self) -> None:
        super().reset()
        self.state_replaced()

    def load_scenario(self, payload) -> dict:
        """{"transactions": [records in the wire format], "approve": [approve bodies],
        "change": [change bodies], "setExternalStatusCode": [...]}, applied in that order."""
        keys = {"transactions", "approve", "change", "setExternalStatusCode"}
        if not isinstance(payload, dict) or set(payload) - keys:
            raise AdminError('capitech scenario: expected a mapping with "transactions", "approve", "change" '
                             'and/or "setExternalStatusCode" lists')
        done = {}
        if payload.get("transactions") is not None:
            if not isinstance(payload["transactions"], list):
                raise AdminError("capitech scenario: transactions must be a list of records")
            done["transactions"] = _admin(lambda: self.model.add_transactions(payload["transactions"]))
        for key, fn in (("approve", self._approve), ("change", self._change), ("setExternalStatusCode", self._ext)):
            items = payload.get(key) or []
            if not isinstance(items, list):
                raise AdminError(f"capitech scenario: {key} must be a list")
            try:
                done[key] = [fn(item) for item in items]
            except AdminError as exc:  # an unknown uid is bad scenario input: 400, as every section's
                raise AdminError(f"capitech scenario: {key}: {exc.message}") from None
        return done

    # -- admin calls ---------------------------------------------------------------------------
    def _approve(self, body) -> list:
        body = _obj(body)
        level = body.get("level", 1)
        if level not in LEVELS or isinstance(level, bool):
            raise AdminError("approve: level must be 1, 2, 3 or 4")
        by = body.get("by")
        if by is not None and not isinstance(by, str):
            raise AdminError("approve: by must be a user name")
        return _admin(lambda: self.model.approve(_int(body, "clientId"), _uids(body), level, by))

    def _change(self, body) -> dict:
        body = _obj(body)
        qty = body.get("qty")
        if not isinstance(qty, (int, float)) or isinstance(qty, bool) or qty < 0 or qty > MAX_HOURS:
            raise AdminError(f"change: qty must be a number of hours between 0 and {MAX_HOURS}")
        return _admin(lambda: self.model.change_hours(_int(body, "clientId"), _int(body, "uid"),
                                                      _int(body, "timeCategoryId"), round(qty * 100)))

    def _ext(self, body) -> list:
        body = _obj(body)
        code = body.get("externalStatusCode")
        if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
            raise AdminError("setExternalStatusCode: externalStatusCode must be an integer or null")
        return _admin(lambda: self.model.apply_external_status_code(
            self.model.admin_client(_int(body, "clientId")), code, _uids(body)))

    def admin_blueprint(self) -> Blueprint:
        bp = Blueprint("capitech_admin", __name__)

        @bp.post("/approve")
        def approve():
            """{"clientId":100,"uids":[...],"level":1,"by":"trineg"}: a manager approves now."""
            return json_response(self._approve(body_document()))

        @bp.post("/change")
        def change():
            """{"clientId":100,"uid":1000042,"timeCategoryId":10,"qty":8.0}: a manager changes hours now."""
            return json_response(self._change(body_document()))

        @bp.get("/summary")
        def summary():
            """Dataset size per client (?build=1 builds clients not yet generated)."""
            ds = self.model.dataset
            if request.args.get("build"):
                ds.warm()
            out = {}
            for c in ds.client_ids:
                cd = ds._clients.get(c)
                out[str(c)] = {"name": cd.name, "registrations": len(cd), "transactions": len(cd.cat),
                               "employees": len(cd.employees), "firstDay": str(ds.first_day())} if cd else None
            return json_response({"scale": ds.scale, "seed": ds.seed, "clients": out})

        return bp


def _obj(body) -> dict:
    if not isinstance(body, dict):
        raise AdminError("expected a JSON object")
    return body


def _int(body: dict, name: str) -> int:
    v = body.get(name)
    if not isinstance(v, int) or isinstance(v, bool):
        raise AdminError(f"{name} must be an integer")
    return v


def _uids(body: dict) -> list:
    uids = body.get("uids")
    if not isinstance(uids, list) or not uids or not all(isinstance(u, int) and not isinstance(u, bool) for u in uids):
        raise AdminError("uids must be a non-empty list of integers")
    return list(dict.fromkeys(uids))


def _admin(fn):
    """Model refusals in admin calls are admin errors (400), not wire envelopes."""
    try:
        return fn()
    except DomainError as exc:
        raise AdminError(getattr(exc, "server", None) or exc.message, status=404 if "Unknown uid" in exc.message else 400) from None


API = CapitechAPI
__all__ = ["API"]
