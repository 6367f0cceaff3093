"""Assigned attachments (bijlageAssigned) and their files (bijlage): the CAPO-BA-* state machine,
the presigned-style upload/download URLs and the stored bytes. No Flask, no JSON."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from simulators.core.errors import BadRequest, Conflict, Forbidden, NotFound
from simulators.capo.model import hex_id, org_ref
from simulators.core.model import ModelPart

BA_STATUSES = ("assigned", "uploaded", "review", "done")
URL_TTL = timedelta(minutes=15)


class Bijlagen(ModelPart):

    # -- reads -------------------------------------------------------------------------------------
    def assigned_of_project(self, org: dict, project_id: int) -> list[dict]:
        """CAPO-BA-1: a project's assigned attachments (every participant sees them)."""
        self.m.project(org, project_id)
        return sorted((b for b in self.state.all("ba") if b["projectId"] == project_id), key=lambda b: b["seq"])

    def assigned_to(self, org: dict, status: str | None = None) -> list[dict]:
        """CAPO-BA-1: GET /bijlageassigned lists those assigned to the caller's organisation."""
        if status is not None and status not in BA_STATUSES:
            raise BadRequest(f"Query parameter status must be one of {', '.join(BA_STATUSES)}")
        rows = [b for b in self.state.all("ba") if b["assignedTo"]["organisatieId"] == org["organisatieId"]
                and (status is None or b["status"] == status)]
        return sorted(rows, key=lambda b: b["seq"])

    def files(self, org: dict, project_id: int) -> list[dict]:
        """CAPO-BA-10: uploaded files of a project; parentId = bijlageAssignedId."""
        self.m.project(org, project_id)
        rows = [f for f in self.state.all("bijlage") if f["projectId"] == project_id and f["status"] == "uploaded"]
        return sorted(rows, key=lambda f: f["seq"])

    def _ba(self, org: dict, project_id: int, ba_id: str) -> tuple[dict, dict]:
        project = self.m.project(org, project_id)
        ba = self.state.get("ba", ba_id)
        if ba is None or ba["projectId"] != project_id:
            raise NotFound(f"bijlageAssigned {ba_id} not found in project {project_id}")
        return project, ba

    def _assignee(self, org: dict, ba: dict, what: str) -> None:
        """CAPO-AUTH-3: only the organisation it is assigned to uploads under it or delivers it."""
        if ba["assignedTo"]["organisatieId"] != org["organisatieId"]:
            raise Forbidden(f"bijlageAssigned {ba['bijlageAssignedId']} is assigned to "
                            f"{ba['assignedTo']['naam']}; only that organisation may {what}")

    # -- the upload flow ---------------------------------------------------------------------------
    def create_file(self, org: dict, project_id: int, ba_id: str, naam: str, content_type: str,
                    omschrijving: str | None, email: str | None) -> dict:
        """CAPO-BA-2: a new bijlage under an open bijlageAssigned, with an upload URL (CAPO-BA-4:
        several files until delivery; CAPO-BA-5: none after)."""
        with self.state.lock():
            project, ba = self._ba(org, project_id, ba_id)
            self._assignee(org, ba, "upload files under it")
            if ba["status"] not in ("assigned", "uploaded"):
                raise Conflict(f"bijlageAssigned {ba_id} has status {ba['status']}: no new files can be added")
            seq = self.state.next_id("bijlage", 1000)
            doc = {"bijlageId": hex_id(self.m.api.runtime.config.seed, "bijlage", seq), "seq": seq,
                   "parentId": ba_id, "projectId": project_id, "bestandsnaam": naam,
                   "contentType": content_type, "omschrijving": omschrijving, "status": "new",
                   "grootte": None, "aangemaakt": self.m.stamp(), "geupload": None,
                   "organisatie": org_ref(org), "email": email}
            self.state.put("bijlage", doc["bijlageId"], doc)
            self._log(project, ba, doc, org, email, "bijlage aangemaakt")
            self.m.touch(project)
            self.state.put("project", project_id, project)
            return doc

    def mark_uploaded(self, org: dict, project_id: int, bijlage_id: str, status, email: str | None) -> dict:
        """CAPO-BA-3: {"status":"uploaded"} after the bytes arrived (before -> 409); the first
        uploaded file moves its bijlageAssigned from assigned to uploaded (CAPO-BA-6)."""
        if status != "uploaded":
            raise BadRequest('Field status must be "uploaded"')
        with self.state.lock():
            project = self.m.project(org, project_id)
            doc = self.state.get("bijlage", bijlage_id)
            if doc is None or doc["projectId"] != project_id:
                raise NotFound(f"bijlage {bijlage_id} not found in project {project_id}")
            ba = self.state.get("ba", doc["parentId"])
            self._assignee(org, ba, "mark its files uploaded")
            if ba["status"] not in ("assigned", "uploaded"):
                raise Conflict(f"bijlageAssigned {ba['bijlageAssignedId']} has status {ba['status']}: "
                               f"its files cannot change")
            if doc["status"] == "uploaded":
                raise Conflict(f"bijlage {bijlage_id} already has status uploaded")
            if self.state.get("blob", bijlage_id) is None:
                raise Conflict(f"bijlage {bijlage_id}: no file received at the upload URL yet")
            doc["status"], doc["geupload"] = "uploaded", self.m.stamp()
            self.state.put("bijlage", bijlage_id, doc)
            self._log(project, ba, doc, org, email, "bijlage geupload")
            if ba["status"] == "assigned":
                self._set_status(project, ba, "uploaded", org, email)
            self.m.touch(project)
            self.state.put("project", project_id, project)
            return doc

    def patch_assigned(self, org: dict, project_id: int, ba_id: str, status, reden, email: str | None) -> dict:
        """The bijlageAssigned state machine:
        CAPO-BA-5/6: the assignee delivers an uploaded one with {"status":"done"} -> done;
        CAPO-BA-7: with requiresReview it goes to review instead (also asked as {"status":"review"});
        CAPO-BA-8: in review, a netbeheerder of the project approves ({"status":"done"}) or rejects
                   ({"status":"uploaded","reden":...}; reden mandatory -> 400 without);
        CAPO-BA-9: anything else -> 409 naming current and requested status; done is final."""
        if status not in BA_STATUSES:
            raise BadRequest(f"Field status must be one of {', '.join(BA_STATUSES)}")
        if reden is not None and not isinstance(reden, str):
            raise BadRequest("Field reden must be a string")
        with self.state.lock():
            project, ba = self._ba(org, project_id, ba_id)
            current = ba["status"]
            conflict = Conflict(f"bijlageAssigned {ba_id}: cannot change status from {current} to {status}")
            if current == "done":
                raise Conflict(f"bijlageAssigned {ba_id} is delivered (status done): no changes possible; "
                               f"cannot change status from done to {status}")
            if current == "review":
                if not self.m.is_netbeheerder_of(org, project):
                    raise Forbidden(f"bijlageAssigned {ba_id} is in review: only a netbeheerder of the "
                                    f"project may approve or reject it")
                if status == "uploaded" and not (reden or "").strip():
                    raise BadRequest("Field reden is required when rejecting (status uploaded) a reviewed bijlageAssigned")
                if status not in ("done", "uploaded"):
                    raise conflict
                new = status
            else:
                self._assignee(org, ba, "deliver it")
                if current != "uploaded" or status not in ("done", "review"):
                    raise conflict
                if status == "review" and not ba["requiresReview"]:
                    raise conflict
                new = "review" if ba["requiresReview"] else "done"
            ba["reden"] = reden.strip() if new == "uploaded" else ba.get("reden")
            self._set_status(project, ba, new, org, email, reden if new == "uploaded" else None)
            self.m.touch(project)
            self.state.put("project", project_id, project)
            return self.state.get("ba", ba_id)

    def _set_status(self, project, ba: dict, status: str, org: dict, email: str | None, reden: str | None = None) -> None:
        """Every status change, the automatic assigned -> uploaded too, is a BijlageAct and a
        BijlageLogEntry whose act carries the status (and a rejection's reden), as seeded ones do."""
        change = f"status {ba['status']} -> {status}"
        ba["status"] = status
        act = {"actie": "status", "status": status, "datum": self.m.stamp(), "organisatie": org_ref(org),
               "email": email}
        if reden:
            act["reden"] = reden
        ba.setdefault("acts", []).append(act)
        ba["gewijzigd"] = act["datum"]
        self.state.put("ba", ba["bijlageAssignedId"], ba)
        self.m.add_log(project["projectId"], {"type": "BijlageLogEntry", "bijlageAssignedId": ba["bijlageAssignedId"],
                                              "bijlageId": None, "omschrijving": change, "email": email,
                                              "act": {**act, "actie": change}})

    def _log(self, project, ba, doc, org, email, actie: str) -> None:
        """CAPO-EM-2: a BijlageLogEntry carries the acting user's email, also in its BijlageAct."""
        act = {"actie": actie, "datum": self.m.stamp(), "organisatie": org_ref(org), "email": email}
        self.m.add_log(project["projectId"], {"type": "BijlageLogEntry", "bijlageAssignedId": ba["bijlageAssignedId"],
                                              "bijlageId": doc["bijlageId"] if doc else None,
                                              "omschrijving": actie, "email": email, "act": act})

    # -- the presigned URLs (CAPO-BA-2, CAPO-BA-10) --------------------------------------------------
    def _signature(self, kind: str, bijlage_id: str, expires: int) -> str:
        key = f"capo-url-{self.m.api.runtime.config.seed}".encode()
        return hmac.new(key, f"{kind}:{bijlage_id}:{expires}".encode(), hashlib.sha256).hexdigest()

    def signed_query(self, kind: str, bijlage_id: str) -> tuple[str, str]:
        """(query string, expiry) of a URL valid for URL_TTL of simulated time."""
        expires_at = self.m.now() + URL_TTL
        expires = int(expires_at.timestamp())
        return f"expires={expires}&signature={self._signature(kind, bijlage_id, expires)}", \
            expires_at.isoformat(timespec="seconds")

    def check_signature(self, kind: str, bijlage_id: str, expires: str | None, signature: str | None) -> None:
        """A presigned URL works until its expiry on the simulated clock; wrong or expired -> 403."""
        # ASCII only: "²".isdigit() is true and compare_digest refuses non-ASCII text (both were 500s)
        if not expires or not signature or not (expires + signature).isascii() or not expires.isdigit():
            raise Forbidden("Upload/download URL is not signed")
        if not hmac.compare_digest(self._signature(kind, bijlage_id, int(expires)), signature):
            raise Forbidden("Upload/download URL signature does not match")
        if int(expires) < self.m.now().timestamp():
            raise Forbidden("Upload/download URL has expired")

    def put_bytes(self, bijlage_id: str, data: bytes, expires, signature) -> dict:
        """PUT to the upload URL stores the raw bytes (again until the file is marked uploaded)."""
        self.check_signature("upload", bijlage_id, expires, signature)
        with self.state.lock():
            doc = self.state.get("bijlage", bijlage_id)
            if doc is None:
                raise NotFound(f"bijlage {bijlage_id} not found")
            ba = self.state.get("ba", doc["parentId"])
            if doc["status"] != "new" or ba["status"] not in ("assigned", "uploaded"):
                raise Conflict(f"bijlage {bijlage_id} can no longer be changed")
            self.state.put("blob", bijlage_id, base64.b64encode(data).decode())
            doc["grootte"] = len(data)
            self.state.put("bijlage", bijlage_id, doc)
            return doc

    def get_bytes(self, bijlage_id: str, expires, signature) -> tuple[dict, bytes]:
        self.check_signature("download", bijlage_id, expires, signature)
        doc, blob = self.state.get("bijlage", bijlage_id), self.state.get("blob", bijlage_id)
        if doc is None or blob is None:
            raise NotFound(f"bijlage {bijlage_id} has no content")
        return doc, base64.b64decode(blob)
