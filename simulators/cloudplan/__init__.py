"""Placeholder until the cloudplan simulator lands: mounts nothing but its base path."""
from flask import Blueprint

from simulators.core.api import SimulatedAPI


class PlaceholderAPI(SimulatedAPI):
    name = "cloudplan"
    prefixes = ("/v1",)

    def blueprint(self) -> Blueprint:
        return Blueprint("cloudplan", __name__)


API = PlaceholderAPI
