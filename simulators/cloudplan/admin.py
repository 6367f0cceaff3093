"""Admin extras at /__admin/cloudplan/: see sessions and login lockouts, end or lift them."""
from __future__ import annotations

from flask import Blueprint, jsonify, request


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
        body = request.get_json(silent=True) or {}
        name = body.get("username")
        if not isinstance(name, str) or not name:
            return jsonify({"error": "body must be {\"username\": \"...\"}"}), 400
        return jsonify({"username": name, "unlocked": api.state.delete("logins", name)})

    return bp
