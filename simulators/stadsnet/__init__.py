"""Stadsnätsportalen Atlas "serviceguide_log": the Tjänsteguiden order API for service providers
(TL) and network operators (KO), at /plain/serviceguide_log?method=..."""
from __future__ import annotations

from flask import Blueprint, Response

from simulators.core.api import SimulatedAPI
from simulators.stadsnet import admin, index as order_index, seed as seed_data, wire
from simulators.stadsnet.generator import EndCustomers
from simulators.stadsnet.model import Model


class StadsnetAPI(SimulatedAPI):
    name = "stadsnet"
    title = "Stadsnätsportalen serviceguide_log"
    prefixes = (wire.PATH,)
    state_shapes = {  # what the reads index: PUT /__admin/state refuses a document without it
        "users": ("id:int", "key:str", "name:str", "role:str"),
        "services": ("id:int", "name:str", "code:str", "xsp:int"),
        "customers": ("id:int", "socket:str", "firstname:str", "surname:str", "network:str", "date:time"),
        "orders": ("id:int", "type:str", "date:time", "status:str", "service:int", "xsp:int", "delivery:str",
                   "customer:int", "network:str"),
        "logs": ("entries:list",)}

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

    def state_replaced(self) -> None:
        """A hand-made state may carry an index that does not match its orders: rebuild on first use."""
        self.model.index.forget()

    def load_scenario(self, payload) -> dict:
        return admin.load_scenario(self, payload)


API = StadsnetAPI
