"""Placeholder until the capo simulator lands: mounts nothing but its base path."""
from flask import Blueprint

from simulators.core.api import SimulatedAPI


class PlaceholderAPI(SimulatedAPI):
    name = "capo"
    prefixes = ("/api/capo",)

    def blueprint(self) -> Blueprint:
        return Blueprint("capo", __name__)


API = PlaceholderAPI
