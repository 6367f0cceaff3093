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


class ModelPart:
    """One slice of an API's rules (e.g. CAPO's bijlagen, WerkbonApp's work orders) that shares
    its model's state and clock."""

    def __init__(self, model: ApiModel):
        self.m = model

    @property
    def state(self):
        return self.m.state
