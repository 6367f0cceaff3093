"""Base of every API's domain model: the API's State and the simulated clock, nothing of HTTP."""
from __future__ import annotations

from datetime import datetime


class ApiModel:
    def __init__(self, api):
        self.api = api

    @property
    def state(self):
        return self.api.state

    def now(self) -> datetime:
        return self.api.now()
