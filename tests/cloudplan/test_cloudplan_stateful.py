"""Stateful property test: random push/delete/get sequences on departments and resources agree with a
plain-dict model of Cloudplan's rules (CP-R-3, CP-R-4, CP-M-4, CP-V-1, CP-V-2)."""
from __future__ import annotations

import os

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cp_soap import Soap, errors, ids

NUMBERS = st.sampled_from(["S-1", "S-2", "S-3"])
NAMES = st.sampled_from(["", "Noord", "Zuid", "  "])
MULTI = "Multiple results found for this matcher."


class DepartmentsMachine(RuleBasedStateMachine):
    server = None

    @initialize()
    def start(self):
        self.server.reset("cloudplan")
        self.cp = Soap(self.server.url("cloudplan"))
        self.model: dict[int, dict] = {}  # id -> {"number", "name"} (only the S-* test records)

    def _matching(self, number):
        return sorted(i for i, d in self.model.items() if d["number"] == number)

    @rule(number=NUMBERS, name=NAMES, multiple=st.booleans(), policy=st.sampled_from(["FAIL", "SKIP"]))
    def push(self, number, name, multiple, policy):
        ret = self.cp.op("departments", "pushDepartments", (
            f'<department><departmentMatcher allowMultiple="{str(multiple).lower()}" validationPolicy="{policy}">'
            f"<number>{number}</number></departmentMatcher><departmentValues><number>{number}</number>"
            f"<name>{name}</name></departmentValues></department>"))
        hits = self._matching(number)
        if len(hits) > 1 and not multiple:
            assert errors(ret) == [[(None, MULTI)]]
            return
        valid = bool(name.strip())
        if not hits:
            if valid:
                [[new]] = ids(ret, "Inserted")
                self.model[new] = {"number": number, "name": name}
            else:
                assert errors(ret) == [[("0", "Name is empty!")]]
            return
        if valid:
            assert ids(ret, "Updated") == [hits]
            for i in hits:
                self.model[i]["name"] = name
        else:
            assert errors(ret) == [[(str(i), "Name is empty!") for i in hits]]

    @rule(number=NUMBERS, multiple=st.booleans())
    def delete(self, number, multiple):
        ret = self.cp.op("departments", "deleteDepartments",
                         f'<departmentMatcher allowMultiple="{str(multiple).lower()}"><number>{number}</number>'
                         "</departmentMatcher>")
        hits = self._matching(number)
        if len(hits) > 1 and not multiple:
            assert errors(ret) == [[(None, MULTI)]]
            return
        assert ids(ret, "Deleted") == [hits]
        for i in hits:
            del self.model[i]

    @rule(dup=NUMBERS)
    def insert_duplicate(self, dup):
        """A second record with the same number, so allowMultiple matters (the seed's 07 situation)."""
        ret = self.cp.op("departments", "pushDepartments", (
            '<department><departmentMatcher><id>0</id></departmentMatcher><departmentValues>'
            f"<number>{dup}</number><name>Dubbel</name></departmentValues></department>"))
        [[new]] = ids(ret, "Inserted")
        self.model[new] = {"number": dup, "name": "Dubbel"}

    @invariant()
    def agrees(self):
        if not hasattr(self, "cp"):
            return
        ret = self.cp.op("departments", "getDepartments", '<departmentMatcher allowMultiple="true"/>')
        got = {int(e.findtext("id")): {"number": e.findtext("number"), "name": e.findtext("name") or ""}
               for e in ret.iter("entity") if e.findtext("number", "").startswith("S-")}
        assert got == self.model


def test_departments_state_machine(fieldsim):
    DepartmentsMachine.server = fieldsim
    n = int(os.environ.get("FIELDSIM_FUZZ_EXAMPLES", "0")) or 12
    DepartmentsMachine.TestCase.settings = settings(max_examples=n, stateful_step_count=12, deadline=None)
    DepartmentsMachine.TestCase().runTest()
