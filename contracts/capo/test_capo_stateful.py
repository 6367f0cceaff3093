"""Hypothesis state machines driving the bijlageAssigned workflow (CAPO-BA-2..9, CAPO-AUTH-3) and
the quickscan (CAPO-QS-1..4) over HTTP with random legal and illegal steps; after every step the
server's state must equal the model's. They change data, so they run against fieldsim only
(each example starts from POST /__admin/reset?api=capo)."""
from __future__ import annotations

import os

import pytest
import requests
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from .conftest import A1, NB, call, reset

# Each example starts from a reset (full rate-limit bucket); 8 steps stay within the burst of 30.
EXAMPLES = int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "0")) or 15
SETTINGS = settings(max_examples=EXAMPLES, stateful_step_count=8, deadline=None,
                    suppress_health_check=list(HealthCheck))
BA_PROJECT, QS_PROJECT = 3000106, 3000104
ACTORS = st.sampled_from([A1, NB])


def bijlage_machine(api_url: str, base_url: str):
    class BijlageWorkflow(RuleBasedStateMachine):
        """Model: per bijlageAssigned its status, requiresReview, status history and uploaded files;
        per created file whether bytes arrived and whether it is marked uploaded."""

        @initialize()
        def start(self):
            reset(base_url)
            rows = call("GET", f"{api_url}/project/{BA_PROJECT}/bijlageassigned", A1).json()
            self.bas = {b["bijlageAssignedId"]: {"status": b["status"], "review": b["requiresReview"],
                                                 "acts": [a["status"] for a in b["acts"]],
                                                 "assignee": A1 if b["assignedTo"]["naam"] == "Aannemer Demo" else NB}
                        for b in rows if b["naam"] in ("Revisietekening", "Inmeetgegevens")}
            self.files: dict[str, dict] = {}

        def _open(self, ba):
            return self.bas[ba]["status"] in ("assigned", "uploaded")

        @rule(data=st.data(), actor=ACTORS)
        def create_file(self, data, actor):
            ba = data.draw(st.sampled_from(sorted(self.bas)))
            r = call("POST", f"{api_url}/project/{BA_PROJECT}/bijlageassigned/{ba}/bijlage", actor,
                     json={"bestandsnaam": "f.pdf"})
            expect = 403 if actor != self.bas[ba]["assignee"] else 201 if self._open(ba) else 409
            assert r.status_code == expect, (r.status_code, r.text)  # CAPO-AUTH-3, CAPO-BA-4/5
            if expect == 201:
                self.files[r.json()["bijlageId"]] = {"ba": ba, "url": r.json()["url"], "bytes": False, "uploaded": False}

        @precondition(lambda self: self.files)
        @rule(data=st.data())
        def put_bytes(self, data):
            fid = data.draw(st.sampled_from(sorted(self.files)))
            f = self.files[fid]
            r = requests.put(f["url"], data=b"content", timeout=30)
            expect = 200 if not f["uploaded"] and self._open(f["ba"]) else 409
            assert r.status_code == expect, (r.status_code, r.text)  # CAPO-BA-2
            f["bytes"] |= expect == 200

        @precondition(lambda self: self.files)
        @rule(data=st.data(), actor=ACTORS)
        def mark_uploaded(self, data, actor):
            fid = data.draw(st.sampled_from(sorted(self.files)))
            f, ba = self.files[fid], self.bas[self.files[fid]["ba"]]
            r = call("PATCH", f"{api_url}/project/{BA_PROJECT}/bijlage/{fid}", actor, json={"status": "uploaded"})
            if actor != ba["assignee"]:
                expect = 403
            elif not self._open(f["ba"]) or f["uploaded"] or not f["bytes"]:
                expect = 409  # CAPO-BA-3 (no bytes yet), CAPO-BA-5
            else:
                expect = 200
            assert r.status_code == expect, (r.status_code, r.text)
            if expect == 200:
                f["uploaded"] = True
                if ba["status"] == "assigned":
                    ba["status"] = "uploaded"
                    ba["acts"].append("uploaded")

        @rule(data=st.data(), actor=ACTORS, status=st.sampled_from(["assigned", "uploaded", "review", "done"]),
              reden=st.sampled_from([None, "", "Onvolledig"]))
        def patch_status(self, data, actor, status, reden):
            bid = data.draw(st.sampled_from(sorted(self.bas)))
            ba = self.bas[bid]
            body = {"status": status} if reden is None else {"status": status, "reden": reden}
            r = call("PATCH", f"{api_url}/project/{BA_PROJECT}/bijlageassigned/{bid}", actor, json=body)
            new, cur = None, ba["status"]
            if cur == "done":
                expect = 409  # CAPO-BA-5
            elif cur == "review":  # CAPO-BA-8: the netbeheerder reviews
                if actor != NB:
                    expect = 403
                elif status == "uploaded" and not reden:
                    expect = 400
                elif status in ("done", "uploaded"):
                    expect, new = 200, status
                else:
                    expect = 409
            elif actor != ba["assignee"]:
                expect = 403  # CAPO-AUTH-3
            elif cur == "uploaded" and (status == "done" or status == "review" and ba["review"]):
                expect, new = 200, "review" if ba["review"] else "done"  # CAPO-BA-6/7
            else:
                expect = 409  # CAPO-BA-9
            assert r.status_code == expect, (cur, actor, body, r.status_code, r.text)
            if new:
                ba["status"] = new
                ba["acts"].append(new)

        @invariant()
        def server_matches_model(self):
            rows = {b["bijlageAssignedId"]: b for b in call("GET", f"{api_url}/project/{BA_PROJECT}/bijlageassigned", NB).json()}
            files = call("GET", f"{api_url}/project/{BA_PROJECT}/bijlage", NB).json()
            for bid, ba in self.bas.items():
                assert rows[bid]["status"] == ba["status"]
                assert [a["status"] for a in rows[bid]["acts"]] == ba["acts"]  # CAPO-BA-6 order
                listed = {f["bijlageId"] for f in files if f["parentId"] == bid}  # CAPO-BA-10
                assert listed == {k for k, f in self.files.items() if f["ba"] == bid and f["uploaded"]}

    return BijlageWorkflow


def quickscan_machine(api_url: str, base_url: str):
    class QuickscanOrder(RuleBasedStateMachine):
        @initialize()
        def start(self):
            reset(base_url)
            self.qs = {"afgerond": False, "hoofdleidingAanleggen": False, "extraWerkvoorbereiding": False}
            self.mics = 0

        @rule(actor=ACTORS)
        def hoofdleiding(self, actor):
            r = call("POST", f"{api_url}/project/{QS_PROJECT}/hoofdleiding-aanleggen", actor, json={})
            expect = 403 if actor != NB else 409 if self.qs["afgerond"] else 201  # CAPO-QS-1, CAPO-QS-4
            assert r.status_code == expect, r.text
            self.qs["hoofdleidingAanleggen"] |= expect == 201

        @rule(actor=ACTORS, kind=st.sampled_from(["Extra werkvoorbereiding", "Schouw"]))
        def activiteit(self, actor, kind):
            r = call("POST", f"{api_url}/project/{QS_PROJECT}/activiteit", actor, json={"type": kind})
            if kind == "Schouw":
                expect = 201
            else:  # CAPO-QS-2, CAPO-QS-4
                expect = 403 if actor != NB else 409 if self.qs["afgerond"] else 201
                self.qs["extraWerkvoorbereiding"] |= expect == 201
            assert r.status_code == expect, r.text

        @rule(actor=ACTORS, mee=st.booleans())
        def mic(self, actor, mee):
            r = call("POST", f"{api_url}/project/{QS_PROJECT}/mic", actor, json={"meeInCombi": mee})
            expect = 201 if actor == NB else 403  # CAPO-QS-3
            assert r.status_code == expect, r.text
            if expect == 201:
                self.qs["afgerond"] = True
                self.mics += 1

        @invariant()
        def server_matches_model(self):
            qs = call("GET", f"{api_url}/project/{QS_PROJECT}", NB).json()["quickscan"]
            assert {k: qs[k] for k in self.qs} == self.qs
            assert len(call("GET", f"{api_url}/project/{QS_PROJECT}/mic", A1).json()) == self.mics

    return QuickscanOrder


def test_bijlage_assigned_workflow_state_machine_CAPO_BA_3_CAPO_BA_5_CAPO_BA_9_CAPO_AUTH_3(api_url, base_url, is_fieldsim):
    """CAPO-BA-2..10 and CAPO-AUTH-3: random legal and illegal steps; server state equals the model."""
    if not is_fieldsim:
        pytest.skip("changes data: fieldsim only")
    run_state_machine_as_test(bijlage_machine(api_url, base_url), settings=SETTINGS)


def test_quickscan_state_machine_CAPO_QS_1_CAPO_QS_2_CAPO_QS_3_CAPO_QS_4(api_url, base_url, is_fieldsim):
    """CAPO-QS-1..4: random quickscan steps by both roles; the quickscan state equals the model."""
    if not is_fieldsim:
        pytest.skip("changes data: fieldsim only")
    run_state_machine_as_test(quickscan_machine(api_url, base_url), settings=SETTINGS)
