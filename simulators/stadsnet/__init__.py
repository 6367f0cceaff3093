"""Placeholder until the stadsnet simulator lands: mounts nothing but its base path."""
from flask import Blueprint

from simulators.core.api import SimulatedAPI


class PlaceholderAPI(SimulatedAPI):
    name = "stadsnet"
    prefixes = ("/plain/serviceguide_log",)

    def blueprint(self) -> Blueprint:
        return Blueprint("stadsnet", __name__)


API = PlaceholderAPI
