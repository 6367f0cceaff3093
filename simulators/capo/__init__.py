"""CAPO (DSP / Mijn Aansluiting): utility-connection projects between netbeheerders and aannemers,
REST/JSON at /api/capo. Rules: /work/shared/fidelity/capo.md (CAPO-*)."""
from __future__ import annotations

import orjson
from flask import Blueprint, Response

from simulators.core.api import RateLimit, SimulatedAPI
from simulators.capo import admin, scenario, seed as seed_data, wire
from simulators.capo.bijlagen import Bijlagen
from simulators.capo.model import Model
from simulators.capo.quickscan import Quickscan


class CapoAPI(SimulatedAPI):
    name = "capo"
    title = "CAPO API"
    prefixes = (wire.BASE,)
    state_shapes = {  # what the reads index: PUT /__admin/state refuses a document without it
        "org": ("organisatieId:int", "naam:str", "rol:str"),
        "contractgebied": ("contractgebiedId:int", "naam:str", "agdRelevant", "wachttijd:int", "deelnemers:list"),
        "project": ("projectId:int", "projectType:str", "naam", "status", "contractgebiedId:int", "contractgebied",
                    "deelnemers:list", "aanvraagDatum:time", "wachttijd:int", "agdRelevant", "changed:time",
                    "planningChanged?:time", "quickscan:dict", "aansluitObjecten:list"),
        "activiteit": ("activiteitId:int", "projectId:int", "type:str", "organisatie:dict", "acts:list"),
        "log": ("logEntryId:str", "seq:int", "projectId:int", "datum:str", "type:str"),
        "mic": ("micId:int", "projectId:int", "organisatie:dict"),
        "ba": ("bijlageAssignedId:str", "seq:int", "projectId:int", "naam:str", "assignedTo:dict",
               "requiresReview", "status:str", "acts:list"),
        "bijlage": ("bijlageId:str", "seq:int", "parentId:str", "projectId:int", "bestandsnaam:str", "status:str")}
    # CAPO-RL-1..3: 20/s average, burst 30, 3 in flight, per client (config api_options.capo.rate_limit).
    default_rate_limit = RateLimit(rate=20, burst=30, inflight=3)

    def __init__(self, runtime):
        super().__init__(runtime)
        self.model = Model(self)
        self.bijlagen = Bijlagen(self.model)
        self.quickscan = Quickscan(self.model)

    def blueprint(self) -> Blueprint:
        return wire.build_blueprint(self)

    def seed(self, state) -> None:
        seed_data.seed(state, self.runtime.config.seed, self.runtime.config.scale)

    def credentials(self) -> list:
        return [{"token": o["token"], "header": f"Authorization: Bearer {o['token']}", "organisatie": o["naam"],
                 "rol": o["rol"]} for o in seed_data.ORGS]

    def read_everything(self) -> None:
        """PUT /__admin/state: every organisation's projects, main lines and areas as GET serves them
        (wensdatum's date arithmetic and the products of each connection object too)."""
        for org in self.state.all("org"):
            for p in self.model.projects(org):
                with self.reading(f"project.{p.get('projectId')}"):
                    orjson.dumps(wire.project_json(self, p))
            with self.reading("project"):
                self.model.hoofdleiding(org)
                self.model.contractgebieden(org)

    def error_response(self, status: int, message: str) -> Response:
        """CAPO-ERR-1: {"message": ...} with the status (also for faults, 404/405/413/429/500); the
        core pipeline adds `Allow` to a 405."""
        return wire.error_json(status, message)

    def rate_limited_response(self, retry_after: float) -> Response:
        """CAPO-RL-5: 429 + JSON body; the core adds Retry-After and applies nothing."""
        lim = self.runtime.rate_limits.get(self.name) or self.default_rate_limit
        return wire.error_json(429, f"Too many requests: rate limit of {lim.rate:g} requests/s (burst {lim.burst}, "
                                    f"{lim.inflight} in flight) per client exceeded; retry after {retry_after} s")

    def rate_limit_key(self, req) -> str | None:
        """CAPO-RL-4: one bucket per presented token over every CAPO endpoint; requests without a
        token are keyed by address so unauthenticated floods are limited too. The presigned
        upload/download URLs carry no token (they stand for the storage service) and are not limited."""
        auth = req.headers.get("Authorization", "")
        if auth:
            return "token:" + auth.strip().partition(" ")[2].strip()
        if req.path.startswith((wire.BASE + "/upload/", wire.BASE + "/download/")):
            return None
        return "addr:" + (req.remote_addr or "?")

    def admin_blueprint(self) -> Blueprint:
        return admin.build_admin_blueprint(self)

    def advance(self, now) -> None:
        """Runs after the limiter admitted the request: the optional processing time holds the slot."""
        admin.processing_delay(self)

    def reset(self) -> None:
        super().reset()
        self.runtime.backend.meta_put(admin.META, 0)

    def load_scenario(self, payload) -> dict:
        return scenario.load(self, payload)


API = CapoAPI
