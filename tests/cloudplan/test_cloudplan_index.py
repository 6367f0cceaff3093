"""The number index (simulators/cloudplan/index.py): number matchers read it instead of the whole
collection, so it must follow every push, delete, scenario and import, and a store without it
(written before it existed) must still answer correctly."""
from __future__ import annotations

from cp_soap import Soap, errors, ids, numbers
from simulators.cloudplan.index import INDEX, build, key
from simulators.cloudplan.model import KINDS
from simulators.testing import fieldsim_server

MULTI = "Multiple results found for this matcher."


def _get(cp, number, multiple=False):
    return cp.op("projects", "getProjects", f'<projectMatcher allowMultiple="{str(multiple).lower()}">'
                 f"<number>{number}</number></projectMatcher>")


def _renumber(cp, old, new):
    return cp.op("projects", "pushProjects", f"<project><projectMatcher><number>{old}</number></projectMatcher>"
                 f"<projectValues><number>{new}</number></projectValues></project>")


def _assert_index_matches_records(api, allow_missing=False):
    """Every stored index equals the one built from the records as they are now."""
    for kind in KINDS.values():
        tenants = {r["tenant"] for r in api.state.all(kind.coll)}
        for tenant in tenants:
            items = [(k, r) for k, r in api.state.items(kind.coll) if r["tenant"] == tenant]
            stored = api.state.get(INDEX, key(tenant, kind.name))
            assert stored == build(items) or (allow_missing and stored is None), (kind.name, tenant)


def test_index_follows_push_and_delete(cp, fieldsim):
    """CP-M-2, CP-M-4, CP-R-3, CP-R-4: a renumbered project is found by its new number only; a second
    record with the same number makes a single-result matcher fail; delete removes both."""
    api = fieldsim.runtime.apis["cloudplan"]
    _renumber(cp, "PROJ-02", "PROJ-4B")
    assert numbers(_get(cp, "PROJ-02")) == [[]]
    assert numbers(_get(cp, "PROJ-4B")) == [["PROJ-4B"]]
    pushed = cp.op("projects", "pushProjects", "<project><projectMatcher><number>NEW-1</number></projectMatcher>"
                   "<projectValues><number>PROJ-4B</number><description>Tweede</description></projectValues></project>")
    [[new_id]] = ids(pushed, "Inserted")
    both = _get(cp, "PROJ-4B", multiple=True)
    assert numbers(both) == [["PROJ-4B", "PROJ-4B"]]
    assert [int(e.findtext("id")) for e in both.iter("entity")][-1] == new_id  # id order, as the scan gives
    single = _get(cp, "PROJ-4B")
    assert single.findtext(".//Errors/Error") == MULTI
    _assert_index_matches_records(api)
    deleted = cp.op("projects", "deleteProjects", '<projectMatcher allowMultiple="true"><number>PROJ-4B</number>'
                    "</projectMatcher>")
    assert errors(deleted) == [[]] and len(ids(deleted, "Deleted")[0]) == 2
    assert numbers(_get(cp, "PROJ-4B", multiple=True)) == [[]]
    _assert_index_matches_records(api)


def test_index_is_per_tenant(cp, fieldsim):
    """Both tenants have a PROJ-01; each sees only its own, also after the other renumbers it."""
    other = Soap(fieldsim.url("cloudplan"))
    other._token = other.new_token("demo2", "demo2")
    _renumber(other, "PROJ-01", "PROJ-01-B")
    assert [e.findtext("description") for e in _get(cp, "PROJ-01").iter("entity")] == ["Example-Project1"]
    assert numbers(_get(cp, "PROJ-01-B")) == [[]]
    assert numbers(_get(other, "PROJ-01-B")) == [["PROJ-01-B"]]


def test_export_leaves_index_out_and_import_rebuilds_it(cp, fieldsim):
    """The index is derived data: not exported, and an imported one is ignored and rebuilt."""
    api = fieldsim.runtime.apis["cloudplan"]
    exported = fieldsim.admin("GET", "state/cloudplan").json()
    assert INDEX not in exported["collections"]
    projects = exported["collections"]["projects"]
    rec_key = next(k for k, r in projects.items() if r["number"] == "PROJ-04" and r["tenant"] == "demo")
    projects[rec_key]["number"] = "PROJ-IMPORTED"
    exported["collections"][INDEX] = {key("demo", "project"): {"PROJ-05": [int(rec_key)]}}  # a lying index
    assert fieldsim.admin("PUT", "state/cloudplan", json=exported).status_code in (200, 204)
    cp._token = None  # the import restored the sessions of the export
    assert numbers(_get(cp, "PROJ-IMPORTED")) == [["PROJ-IMPORTED"]]
    assert numbers(_get(cp, "PROJ-04")) == [[]]
    assert numbers(_get(cp, "PROJ-05")) == [["PROJ-05"]]
    _assert_index_matches_records(api)


def test_store_without_index_answers_and_heals(cp, fieldsim):
    """A store written before the index existed: number matchers scan; the first write builds it."""
    api = fieldsim.runtime.apis["cloudplan"]
    for k, _ in api.state.items(INDEX):
        api.state.delete(INDEX, k)
    assert numbers(_get(cp, "PROJ-04")) == [["PROJ-04"]]
    _renumber(cp, "PROJ-05", "PROJ-5B")
    assert api.state.get(INDEX, key("demo", "project")) is not None
    assert numbers(_get(cp, "PROJ-5B")) == [["PROJ-5B"]]
    assert numbers(_get(cp, "PROJ-04")) == [["PROJ-04"]]
    _assert_index_matches_records(api, allow_missing=True)


def test_scenario_entities_are_indexed(cp, fieldsim):
    scenario = {"cloudplan": {"projects": [{"number": "PROJ-SC", "description": "Scenario"}]}}
    assert fieldsim.admin("POST", "scenario", json=scenario).status_code == 200
    assert numbers(_get(cp, "PROJ-SC")) == [["PROJ-SC"]]
    _assert_index_matches_records(fieldsim.runtime.apis["cloudplan"])


def test_index_survives_restart_on_sqlite(tmp_path):
    """On a durable store the index is written with the records (one transaction) and read back."""
    url = f"sqlite:///{tmp_path}/cp.db"
    with fieldsim_server(apis=["cloudplan"], state=url) as sim:
        _renumber(Soap(sim.url("cloudplan")), "PROJ-04", "PROJ-4S")
    with fieldsim_server(apis=["cloudplan"], state=url) as sim:
        cp = Soap(sim.url("cloudplan"))
        assert numbers(_get(cp, "PROJ-4S")) == [["PROJ-4S"]]
        assert numbers(_get(cp, "PROJ-04")) == [[]]
        _assert_index_matches_records(sim.runtime.apis["cloudplan"])
