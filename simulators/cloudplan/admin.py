"""Admin extras at /__admin/cloudplan/: see sessions and login lockouts, end or lift them."""
from __future__ import annotations

from flask import Blueprint, jsonify

from simulators.core.admin import body_document
from simulators.core.errors import AdminError


def blueprint(api) -> Blueprint:
    bp = Blueprint("cloudplan_admin", __name__)

    @bp.get("/sessions")
    def sessions():
        """Live sessions (token, user, tenant, expires) and login lockouts (CP-AUTH-3/4)."""
        return jsonify({"sessions": [dict(s, token=t) for t, s in api.state.items("sessions")],
                        "logins": {u: f for u, f in api.state.items("logins")}})

    @bp.delete("/sessions")
    def end_sessions():
        from simulators.cloudplan.model import Cloudplan
        Cloudplan(api).expire_all()
        return jsonify({"status": "ok"})

    @bp.post("/unlock")
    def unlock():
        """{"username": "demo"}: forget failed logins and lift a lockout now."""
        doc = body_document()
        name = doc.get("username") if isinstance(doc, dict) else None
        if not isinstance(name, str) or not name:
            raise AdminError('expected {"username": "..."}')
        return jsonify({"username": name, "unlocked": api.state.delete("logins", name)})

    return bp
