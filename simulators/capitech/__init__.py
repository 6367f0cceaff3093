"""Placeholder until the capitech simulator lands: mounts nothing but its base path."""
from flask import Blueprint

from simulators.core.api import SimulatedAPI


class PlaceholderAPI(SimulatedAPI):
    name = "capitech"
    prefixes = ("/api/public/v1",)

    def blueprint(self) -> Blueprint:
        return Blueprint("capitech", __name__)


API = PlaceholderAPI
