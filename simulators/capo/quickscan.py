"""Quickscan (CAPO-QS-*), activities and Mee-in-Combi messages, with the acting user's email
(CAPO-EM-*). No Flask, no JSON."""
from __future__ import annotations

from simulators.core.errors import BadRequest, Conflict
from simulators.capo.model import org_ref
from simulators.core.model import ModelPart

EXTRA_WV = "Extra werkvoorbereiding"
ACTIVITEIT_TYPES = (EXTRA_WV, "Schouw", "Graafwerk", "Montage", "Oplevering", "Overig")


class Quickscan(ModelPart):

    def _open(self, project: dict, what: str) -> None:
        """CAPO-QS-4: after a netbeheerder's first mic the quickscan is done; QS steps -> 409."""
        if project["quickscan"]["afgerond"]:
            raise Conflict(f"Quickscan of project {project['projectId']} is already completed "
                           f"(Mee in Combi given): {what} is no longer possible")

    def hoofdleiding_aanleggen(self, org: dict, project_id: int, opmerking, email) -> dict:
        """CAPO-QS-1: a netbeheerder says a main line is needed (optional quickscan step)."""
        with self.state.lock():
            project = self.m.project(org, project_id)
            self.m.require_netbeheerder(org, "request a hoofdleiding")
            self._open(project, "hoofdleiding-aanleggen")
            project["quickscan"]["hoofdleidingAanleggen"] = True
            project["quickscan"]["hoofdleidingOpmerking"] = opmerking
            self.m.touch(project)
            self.state.put("project", project_id, project)
            return project

    def activiteiten(self, org: dict, project_id: int) -> list[dict]:
        self.m.project(org, project_id)
        rows = [a for a in self.state.all("activiteit") if a["projectId"] == project_id]
        return sorted(rows, key=lambda a: a["activiteitId"])

    def add_activiteit(self, org: dict, project_id: int, kind: str, omschrijving, email) -> dict:
        """CAPO-QS-2: type "Extra werkvoorbereiding" is a netbeheerder's quickscan step (refused
        after the quickscan, CAPO-QS-4). CAPO-EM-2: the ActiviteitAct carries the email."""
        if kind not in ACTIVITEIT_TYPES:
            raise BadRequest(f"Field type must be one of {', '.join(ACTIVITEIT_TYPES)}")
        with self.state.lock():
            project = self.m.project(org, project_id)
            if kind == EXTRA_WV:
                self.m.require_netbeheerder(org, f"add an activiteit of type {EXTRA_WV}")
                self._open(project, f"an activiteit {EXTRA_WV}")
                project["quickscan"]["extraWerkvoorbereiding"] = True
            act = {"actie": "aangemaakt", "datum": self.m.stamp(), "organisatie": org_ref(org), "email": email}
            doc = {"activiteitId": self.state.next_id("activiteit", 5000), "projectId": project_id,
                   "type": kind, "omschrijving": omschrijving, "organisatie": org_ref(org),
                   "aangemaakt": act["datum"], "acts": [act]}
            self.state.put("activiteit", doc["activiteitId"], doc)
            self.m.add_log(project_id, {"type": "ActiviteitLogEntry", "activiteitId": doc["activiteitId"],
                                        "omschrijving": f"activiteit {kind} aangemaakt", "act": act})
            self.m.touch(project)
            self.state.put("project", project_id, project)
            return doc

    def mics(self, org: dict, project_id: int) -> list[dict]:
        self.m.project(org, project_id)
        rows = [x for x in self.state.all("mic") if x["projectId"] == project_id]
        return sorted(rows, key=lambda x: x["micId"])

    def add_mic(self, org: dict, project_id: int, mee: bool, opmerking, email) -> dict:
        """CAPO-QS-3: the Mee in Combi message, always the last step; a netbeheerder's first one
        completes the quickscan (CAPO-QS-4)."""
        with self.state.lock():
            project = self.m.project(org, project_id)
            self.m.require_netbeheerder(org, "send a Mee in Combi message")
            doc = {"micId": self.state.next_id("mic", 7000), "projectId": project_id, "meeInCombi": mee,
                   "opmerking": opmerking, "organisatie": org_ref(org), "datum": self.m.stamp(), "email": email}
            self.state.put("mic", doc["micId"], doc)
            qs = project["quickscan"]
            if not qs["afgerond"]:
                qs["afgerond"], qs["afgerondOp"] = True, doc["datum"]
            self.m.touch(project)
            self.state.put("project", project_id, project)
            return doc
