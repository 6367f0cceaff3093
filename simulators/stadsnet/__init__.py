"""Stadsnätsportalen Atlas "serviceguide_log": the Tjänsteguiden order API for service providers
(TL) and network operators (KO), at /plain/serviceguide_log?method=..."""
from __future__ import annotations


from flask import Blueprint, Response

from simulators.core.api import SimulatedAPI, check_documents
from simulators.core.errors import AdminError
from simulators.stadsnet import admin, index as order_index, seed as seed_data, wire
from simulators.stadsnet.generator import EndCustomers, generator_settings
from simulators.stadsnet.model import Model

# Beyond state_shapes: what each role's owner key reads (Model.owner), a log entry as model._log
# writes it, and the generator's settings and mark (EndCustomers.advance, before every request).
ROLE_SHAPES = {"tl": ("xsp:int",), "ko": ("network:str",)}
LOG_ENTRY = ("id:int", "date:str", "type:str", "message:str", "user:str")
META_SHAPES = {"generator": ("last:num", "count:int"),
               "generator_config": ("enabled:bool", "interval:num", "direct_share:num")}


class StadsnetAPI(SimulatedAPI):
    name = "stadsnet"
    title = "Stadsnätsportalen serviceguide_log"
    prefixes = (wire.PATH,)
    state_shapes = {  # what the reads index: PUT /__admin/state refuses a document without it
        "users": ("id:int", "key:str", "name:str", "role:str"),
        "services": ("id:int", "name:str", "code:str", "xsp:int"),
        "customers": ("id:int", "socket:str", "serial:str", "firstname:str", "surname:str", "email:str", "address:str",
                      "zip:str", "city:str", "phone:str", "premise:str", "network:str", "date:time"),
        "orders": ("id:int", "type:str", "date:time", "status:str", "service:int", "xsp:int", "delivery:str",
                   "customer:int", "network:str"),
        "logs": ("entries:list",), "sessions": ("user:int", "expires:num"), "logins": ("at:num",)}

    def __init__(self, runtime):
        super().__init__(runtime)
        self.model = Model(self.state, self.now)
        self.end_customers = EndCustomers(self.model, runtime.config.seed, self.options.get("generator"))

    def blueprint(self) -> Blueprint:
        return wire.build_blueprint(self)

    def admin_blueprint(self) -> Blueprint:
        return admin.build_admin_blueprint(self)

    def seed(self, state) -> None:
        seed_data.seed(state, self.runtime.config.seed, self.runtime.config.scale)

    def credentials(self) -> list:
        return [{"api_user": u["id"], "api_key": u["key"], "role": u["role"], "name": u["name"]}
                for u in seed_data.USERS]

    def error_response(self, status: int, message: str) -> Response:
        """SNP-ERR-1 format for faults, 404/405/413/429/500: the injected HTTP status is kept."""
        try:
            return wire.render(wire.error_root(), {"message": message}, "error", wire.request_format(), status)
        except RuntimeError:  # outside a request
            return wire.render("error", {"message": message}, "error", "xml", status)

    def expire_tokens(self) -> bool:
        self.model.expire_all()
        return True

    def rate_limit_key(self, req) -> str | None:
        """One client per API user (api_login / add_message) or per login hash."""
        values = req.values
        return values.get("api_user") or values.get("hash") or req.remote_addr

    def advance(self, now) -> None:
        self.end_customers.advance(now)

    def export_state(self) -> dict:
        data = super().export_state()
        data["collections"].pop(order_index.COLL, None)  # derived from the orders: rebuilt after import
        return data

    def import_state(self, data) -> None:
        with self.state.lock():
            super().import_state(data)

    def read_everything(self) -> None:
        """PUT /__admin/state: every document read as a client is served it, through the wire's own
        handlers (SNP-M-1..4, SNP-M-7: orders, order_info, customers, customer_info, order_log)."""
        self._check_references()
        for user in self.state.all("users"):
            with self.reading(f"users.{user['id']}"):
                # each list's index, tenancy and sort; its items are the documents below, in both formats there
                for method in ("orders", "customers"):
                    self._serve(method, _Caller(self.model, user), {"date": "1970-01-01"}, ("json",))
        for coll, method in (("orders", "order_info"), ("logs", "order_log"), ("customers", "customer_info")):
            for key, doc in self.state.items(coll):
                with self.reading(f"{coll}.{key}"):
                    self._serve(method, _Caller(self.model, None, doc), {"id": key})

    def _check_references(self) -> None:
        """What the reads look up by key, and nested shapes check_documents does not reach."""
        state = self.state
        for coll in ("users", "services", "customers", "orders"):
            for key, doc in state.items(coll):
                if str(doc["id"]) != key:  # reads find a document by its id (the index, sessions)
                    raise AdminError(f"stadsnet: collections.{coll}.{key} has id {doc['id']!r}, not its key")
        for key, user in state.items("users"):
            if user["role"] not in ROLE_SHAPES:
                raise AdminError(f"stadsnet: collections.users.{key} needs role tl or ko")
            check_documents(self.name, {"users": {key: user}}, {"users": ROLE_SHAPES[user["role"]]})
            if not user["key"].isascii():  # login compares keys with secrets.compare_digest: ASCII only
                raise AdminError(f"stadsnet: collections.users.{key} needs an ASCII key")
        for coll, field in (("sessions", "user"), ("logins", None)):
            for key, doc in state.items(coll):
                if state.get("users", doc[field] if field else key) is None:
                    raise AdminError(f"stadsnet: collections.{coll}.{key} belongs to no user in collections.users")
        for key, log in state.items("logs"):
            where = f"logs.{key}.entries"
            check_documents(self.name, {where: dict(enumerate(log["entries"]))}, {where: LOG_ENTRY})
        for key, doc in state.items("meta"):
            check_documents(self.name, {"meta": {key: doc}}, {"meta": META_SHAPES.get(key, ())})
        with self.reading("meta.generator_config"):  # stored as configure() checked it: ranges too
            generator_settings(state.get("meta", "generator_config"))

    def _serve(self, method: str, caller: "_Caller", params: dict, formats=wire.FORMATS) -> None:
        answer = wire.HANDLERS[method](caller, {"hash": "read_everything", **params})
        for fmt in formats:
            wire.render(method, answer, "success", fmt)

    def state_replaced(self) -> None:
        """A hand-made state may carry an index that does not match its orders: rebuild on first use."""
        self.model.index.forget()

    def load_scenario(self, payload) -> dict:
        return admin.load_scenario(self, payload)


class _Caller:
    """Stands in for the API when read_everything calls the wire's handlers: the caller is `user`,
    without a login; a by-id read answers `doc`, the document being read, without the visibility
    scan a request makes (for a TL one scan of all orders per customer), so reading stays linear."""

    def __init__(self, model: Model, user: dict | None, doc: dict | None = None):
        self.model, self._model, self._user, self._doc = self, model, user, doc

    def user_by_hash(self, _hash) -> dict | None:
        return self._user

    def order_info(self, _user, _id) -> dict:
        return self._doc

    def customer_info(self, _user, _id) -> dict:
        return self._doc

    def order_log(self, _user, _id) -> list:
        return self._doc["entries"]

    def __getattr__(self, name):
        return getattr(self._model, name)


API = StadsnetAPI
