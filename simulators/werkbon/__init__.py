"""Placeholder until the werkbon simulator lands: mounts nothing but its base path."""
from flask import Blueprint

from simulators.core.api import SimulatedAPI


class PlaceholderAPI(SimulatedAPI):
    name = "werkbon"
    prefixes = ("/openapi",)

    def blueprint(self) -> Blueprint:
        return Blueprint("werkbon", __name__)


API = PlaceholderAPI
