"""Deterministic CAPO demo data (config.seed, config.scale), anchored on a fixed date so every
rule can be exercised out of the box:
- three demo organisations/tokens (INTERFACE.md); Aannemer Twee only in Combi Zwolle (isolation);
- AGD projects of all three wensdatum scenarios (CAPO-AGD-4), in an AGD contract area;
- main-line (Hoofdleiding) projects with changed/planningChanged spread over the weeks before
  SEED_EPOCH (CAPO-HL-*); a project with an open quickscan and one already done (CAPO-QS-*);
- bijlageAssigned in every status, one requiresReview in review with a stored file (CAPO-BA-*);
- seeded activities, mic messages and log entries with emails (CAPO-EM-2).
Scale medium/large add generated projects and 100 load-test client tokens capo-client-001..100.
"""
from __future__ import annotations

import base64
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from faker import Faker

from simulators.capo.model import hex_id, org_ref

SEED_EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
NB, A1, A2 = 1, 2, 3
ORGS = [
    {"organisatieId": NB, "naam": "Netbeheer Demo", "rol": "netbeheerder", "token": "capo-netbeheerder-demo"},
    {"organisatieId": A1, "naam": "Aannemer Demo", "rol": "aannemer", "token": "capo-aannemer-demo"},
    {"organisatieId": A2, "naam": "Aannemer Twee", "rol": "aannemer", "token": "capo-aannemer2-demo"},
]
GEBIEDEN = [  # id, naam, agdRelevant, wachttijd (days), deelnemers
    (11, "Combi Utrecht Oost", True, 126, [NB, A1]),
    (12, "Combi Amersfoort", False, 91, [NB, A1]),
    (13, "Combi Zwolle", True, 98, [NB, A2]),
]
EXTRA_SCALE = {"small": 0, "medium": 200, "large": 2000}
LOAD_CLIENTS = {"small": 0, "medium": 100, "large": 100}
DISCIPLINES = ("Elektra", "Gas", "Water", "Data")


def stamp(days: float) -> str:
    return (SEED_EPOCH + timedelta(days=days)).isoformat(timespec="seconds")


class Seeder:
    def __init__(self, state, seed: int):
        self.state, self.seed = state, seed
        self.fake = Faker("nl_NL")
        self.fake.seed_instance(seed)
        self.counter = 0

    def hex(self, kind: str) -> str:
        self.counter += 1
        return hex_id(self.seed, f"seed-{kind}", self.counter)

    def email(self, org_id: int) -> str:
        domain = {NB: "netbeheer-demo.nl", A1: "aannemer-demo.nl", A2: "aannemertwee.nl"}.get(org_id, "example.nl")
        first, last = self.fake.first_name(), self.fake.last_name()
        return f"{first[0].lower()}.{last.replace(' ', '').lower()}@{domain}"

    def org(self, org_id: int) -> dict:
        return self.state.get("org", org_id)

    def add_org(self, org: dict) -> None:
        self.state.put("org", org["organisatieId"], {k: v for k, v in org.items() if k != "token"})
        self.state.put("token", org["token"], org["organisatieId"])

    def gebied(self, gid, naam, agd, wachttijd, deelnemers) -> None:
        self.state.put("contractgebied", gid, {"contractgebiedId": gid, "naam": naam, "agdRelevant": agd,
                                               "wachttijd": wachttijd, "deelnemers": deelnemers})

    def project(self, pid: int, kind: str, gid: int, *, aanvraag: date, agd: str | None = None,
                changed: float = -60, planning: float | None = None, objects: int = 2, week: str | None = None,
                quickscan_done: bool = False) -> dict:
        g = self.state.get("contractgebied", gid)
        objs = []
        for i in range(objects):
            produkten = [{"produktId": pid * 100 + i * 10 + j, "discipline": d, "agd": agd if g["agdRelevant"] else None}
                         for j, d in enumerate(DISCIPLINES[: 2 + (i % 2)])]
            objs.append({"aansluitObjectId": pid * 10 + i, "adres": {
                "straat": self.fake.street_name(), "huisnummer": self.fake.building_number(),
                "postcode": self.fake.postcode(), "plaats": self.fake.city()}, "produkten": produkten})
        doc = {"projectId": pid, "projectType": kind, "naam": f"{kind} {objs[0]['adres']['straat']} {objs[0]['adres']['plaats']}",
               "omschrijving": None, "status": "In uitvoering" if week else "Quickscan",
               "contractgebiedId": gid, "contractgebied": g["naam"], "deelnemers": list(g["deelnemers"]),
               "aanvraagDatum": aanvraag.isoformat(), "wachttijd": g["wachttijd"], "agdRelevant": g["agdRelevant"],
               "startUitvoeringWeek": week, "changed": stamp(changed),
               "planningChanged": stamp(planning) if planning is not None else None,
               "quickscan": {"afgerond": quickscan_done, "afgerondOp": stamp(changed) if quickscan_done else None,
                             "hoofdleidingAanleggen": False, "hoofdleidingOpmerking": None,
                             "extraWerkvoorbereiding": False},
               "aansluitObjecten": objs}
        self.state.put("project", pid, doc)
        return doc

    def log(self, pid: int, days: float, entry: dict) -> None:
        seq = self.state.next_id("log")
        doc = {"logEntryId": hex_id(self.seed, "log", seq), "seq": seq, "projectId": pid, "datum": stamp(days), **entry}
        self.state.put("log", doc["logEntryId"], doc)

    def ba(self, pid: int, naam: str, org_id: int, review: bool, path: list[str], days: float = -20) -> dict:
        """A bijlageAssigned walked through `path` (statuses after assigned), with a file when uploaded."""
        seq = self.state.next_id("ba", 1)
        org, nb = self.org(org_id), self.org(NB)
        ba = {"bijlageAssignedId": hex_id(self.seed, "ba", seq), "seq": seq, "projectId": pid, "naam": naam,
              "omschrijving": f"{naam} aanleveren", "assignedTo": org_ref(org), "requiresReview": review,
              "status": "assigned", "deadline": (SEED_EPOCH.date() + timedelta(days=14)).isoformat(),
              "reden": None, "aangemaakt": stamp(days), "gewijzigd": stamp(days), "acts": []}
        for step, status in enumerate(path, start=1):
            who = nb if status in ("done", "uploaded") and ba["status"] == "review" else org
            email = self.email(who["organisatieId"])
            if status == "uploaded" and ba["status"] == "assigned":
                self.file(ba, org, email, days + step)
            act = {"actie": "status", "status": status, "datum": stamp(days + step), "organisatie": org_ref(who), "email": email}
            if status == "uploaded" and ba["status"] == "review":
                act["reden"] = ba["reden"] = "Foto's onscherp, graag opnieuw aanleveren"
            ba["acts"].append(act)
            self.log(pid, days + step, {"type": "BijlageLogEntry", "bijlageAssignedId": ba["bijlageAssignedId"],
                                        "bijlageId": None, "omschrijving": f"status {ba['status']} -> {status}",
                                        "email": email, "act": {**act, "actie": f"status {ba['status']} -> {status}"}})
            ba["status"], ba["gewijzigd"] = status, act["datum"]
        self.state.put("ba", ba["bijlageAssignedId"], ba)
        return ba

    def file(self, ba: dict, org: dict, email: str, days: float) -> None:
        seq = self.state.next_id("bijlage", 1000)
        data = f"%PDF-1.4\n% fieldsim demo file {ba['naam']}\n".encode()
        doc = {"bijlageId": hex_id(self.seed, "bijlage", seq), "seq": seq, "parentId": ba["bijlageAssignedId"],
               "projectId": ba["projectId"], "bestandsnaam": f"{ba['naam'].lower().replace(' ', '-')}.pdf",
               "contentType": "application/pdf", "omschrijving": None, "status": "uploaded", "grootte": len(data),
               "aangemaakt": stamp(days), "geupload": stamp(days), "organisatie": org_ref(org), "email": email}
        self.state.put("bijlage", doc["bijlageId"], doc)
        self.state.put("blob", doc["bijlageId"], base64.b64encode(data).decode())

    def activity(self, pid: int, kind: str, org_id: int, days: float) -> None:
        org = self.org(org_id)
        act = {"actie": "aangemaakt", "datum": stamp(days), "organisatie": org_ref(org), "email": self.email(org_id)}
        aid = self.state.next_id("activiteit", 5000)
        self.state.put("activiteit", aid, {"activiteitId": aid, "projectId": pid, "type": kind, "omschrijving": None,
                                           "organisatie": org_ref(org), "aangemaakt": act["datum"], "acts": [act]})
        self.log(pid, days, {"type": "ActiviteitLogEntry", "activiteitId": aid,
                             "omschrijving": f"activiteit {kind} aangemaakt", "act": act})

    def mic(self, pid: int, org_id: int, days: float) -> None:
        mid = self.state.next_id("mic", 7000)
        self.state.put("mic", mid, {"micId": mid, "projectId": pid, "meeInCombi": True, "opmerking": None,
                                    "organisatie": org_ref(self.org(org_id)), "datum": stamp(days),
                                    "email": self.email(org_id)})


def seed(state, seed_value: int, scale: str) -> None:
    s = Seeder(state, seed_value)
    for org in ORGS:
        s.add_org(org)
    for g in GEBIEDEN:
        s.gebied(*g)
    nov3 = date(2025, 11, 3)  # + 126 days wachttijd = 2026-03-09
    s.project(3000101, "Aansluiting", 11, aanvraag=nov3, agd="2026-01-20")  # AGD earlier than wachttijd
    s.project(3000102, "Aansluiting", 11, aanvraag=nov3, agd=None)  # no AGD
    s.project(3000103, "Aansluiting", 11, aanvraag=nov3, agd="2026-05-15")  # AGD later than wachttijd
    s.project(3000104, "Aansluiting", 12, aanvraag=date(2025, 12, 1))  # quickscan open
    s.project(3000105, "Aansluiting", 12, aanvraag=date(2025, 11, 17), quickscan_done=True, changed=-10)
    s.activity(3000105, "Extra werkvoorbereiding", NB, -12)
    s.mic(3000105, NB, -10)
    s.project(3000106, "Verzwaring", 12, aanvraag=date(2025, 10, 6), week="2026-W08", changed=-5)
    for pid, gid, changed, planning, week in ((3000201, 11, -30, -30, "2026-W04"), (3000202, 12, -14, None, None),
                                              (3000203, 11, -7, -7, "2026-W10"), (3000204, 12, -1, -20, "2026-W12")):
        s.project(pid, "Hoofdleiding", gid, aanvraag=date(2025, 9, 1), changed=changed, planning=planning,
                  week=week, objects=1)
    s.ba(3000106, "Revisietekening", A1, False, [])
    s.ba(3000106, "Inmeetgegevens", A1, True, [])
    s.ba(3000106, "Foto's oplevering", A1, True, ["uploaded", "review", "uploaded", "review"])
    s.ba(3000106, "Schouwrapport", A1, False, ["uploaded", "done"])
    s.ba(3000106, "Tracétekening netbeheerder", NB, False, [])
    s.project(3000301, "Aansluiting", 13, aanvraag=date(2025, 11, 10), agd="2026-04-01")
    s.project(3000205, "Hoofdleiding", 13, aanvraag=date(2025, 9, 15), changed=-3, planning=-3, week="2026-W06", objects=1)
    s.ba(3000301, "Revisietekening", A2, False, [])
    extra(s, scale)


def extra(s: Seeder, scale: str) -> None:
    """Scale medium/large: generated projects and 100 load-test clients (one project each)."""
    for n in range(EXTRA_SCALE[scale]):
        gid = (11, 12, 13)[n % 3]
        s.project(3100000 + n, ("Aansluiting", "Hoofdleiding", "Verzwaring")[n % 3], gid,
                  aanvraag=date(2025, 6, 1) + timedelta(days=n % 180), changed=-(n % 60), objects=1 + n % 3)
    if LOAD_CLIENTS[scale]:
        s.gebied(19, "Combi Loadtest", False, 91, [NB])
    for n in range(1, LOAD_CLIENTS[scale] + 1):
        oid = 100 + n
        s.add_org({"organisatieId": oid, "naam": f"Loadtest Aannemer {n:03d}", "rol": "aannemer",
                   "token": f"capo-client-{n:03d}"})
        g = s.state.get("contractgebied", 19)
        g["deelnemers"].append(oid)
        s.state.put("contractgebied", 19, g)
        p = s.project(3900000 + n, "Aansluiting", 19, aanvraag=date(2025, 11, 1), objects=1)
        p["deelnemers"] = [NB, oid]
        s.state.put("project", p["projectId"], p)
        s.ba(p["projectId"], "Revisietekening", oid, False, [])
