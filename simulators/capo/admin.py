"""CAPO's admin extras at /__admin/capo/...: server-side processing time.

POST /__admin/capo/latency {"delay_ms": 800} makes every CAPO request take that long *inside* the
rate limiter (it holds its in-flight slot), so CAPO-RL-3 (3 in flight) can be exercised. The core's
`latency` fault sleeps before the limiter admits a request, so it does not occupy in-flight slots.
{"delay_ms": 0} switches it off; a reset does too.
"""
from __future__ import annotations

import time

from flask import Blueprint

from simulators.core.errors import AdminError

META = "capo:latency_ms"


def delay_ms(api) -> int:
    return int(api.runtime.backend.meta_read(META, 0) or 0)


def processing_delay(api) -> None:
    ms = delay_ms(api)
    if ms:
        time.sleep(ms / 1000.0)


def build_admin_blueprint(api) -> Blueprint:
    from simulators.capo.wire import json_response
    from simulators.core.admin import body_document
    bp = Blueprint("capo_admin", __name__)

    @bp.get("/latency")
    def get_latency():
        return json_response({"delay_ms": delay_ms(api)})

    @bp.post("/latency")
    def set_latency():
        doc = body_document()
        value = doc.get("delay_ms") if isinstance(doc, dict) else None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 60000:
            raise AdminError('expected {"delay_ms": <integer 0..60000>}')
        api.runtime.backend.meta_put(META, value)
        return json_response({"delay_ms": value})

    return bp
