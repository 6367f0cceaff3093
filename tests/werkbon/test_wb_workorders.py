"""Work orders over HTTP: post, update, fetch, the flip to Afgehandeld, the simulated device."""
from __future__ import annotations

import pytest

import threading

from .wbhelp import DEMO, OTHER, order

NO_FLIP = {"status": "Alle", "update_status": "false"}


def statuses(wb):
    return {o["WorkorderNo"]: o["status"] for o in wb.ok("GET", "GetWorkorders", NO_FLIP)}


def test_wb_wo_1_seeded_orders_cover_every_status(wb):
    """WB-WO-1: Klaargezet, Opgehaald, Compleet, Afgehandeld."""
    assert set(statuses(wb).values()) == {"Klaargezet", "Opgehaald", "Compleet", "Afgehandeld"}


def test_wb_wo_4_post_workorders_answers_row_ids_and_stores_the_fields(wb):
    """WB-WO-4: PostWorkorders answers [{workorder_no, row_id}]; the order comes back with the
    document's field names, d-m-Y / H:i formats, strings for numbers and the nested lists."""
    rec = order("AB756X", WorkDate="11-06-2013", WorkTime="10:30", WorkDuration=60, CustomerLatitude=52.1,
                Materials=[{"MaterialCode": "A786878", "MaterialNr": "2", "MaterialPrice": "1,50",
                            "MaterialName": "Kleinmateriaal", "MaterialUnit": "M2"}],
                Workperiods=[{"WorkDate": "26-09-2013", "BeginTime": "08:30", "EndTime": "12:15", "TotalTime": "03:45"}],
                Forms=[{"Name": "Form 1", "Data": "", "ObjectCode": ""}], Employees=["100"], WorkObjects=["OBJ1"])
    out = wb.ok("POST", "PostWorkorders", json=[rec, order("AB756X1")])
    assert [o["workorder_no"] for o in out] == ["AB756X", "AB756X1"]
    assert all(isinstance(o["row_id"], int) for o in out) and out[0]["row_id"] != out[1]["row_id"]
    got = wb.ok("GET", "GetWorkorder", {"row_id": out[0]["row_id"], "update_status": "false"})
    assert got["id"] == str(out[0]["row_id"]) and got["WorkorderNo"] == "AB756X" and got["status"] == "Klaargezet"
    assert got["WorkDate"] == "11-06-2013" and got["WorkTime"] == "10:30"
    assert got["WorkDuration"] == "60" and got["CustomerLatitude"] == "52.1"
    assert (got["WorkEndDate"], got["WorkEndTime"]) == ("11-06-2013", "11:30")  # filled from WorkDuration
    other = wb.ok("GET", "GetWorkorder", {"row_id": out[1]["row_id"], "update_status": "false"})
    assert (other["WorkDuration"], other["PickupPlanning"], other["WebPlanning"], other["WorkEndDate"]) == ("0", "0", "0", "")
    assert got["Materials"][0]["MaterialTotalPrice"] == "3,00" and got["Materials"][0]["MaterialType"] is None
    assert got["Workperiods"][0]["TotalTime"] == "03:45"
    # each form row as posted, plus the PdfUrl the provider renders it at (changelog 27-09-2017)
    assert [{k: v for k, v in f.items() if k != "PdfUrl"} for f in got["Forms"]] == [
        {"Name": "Form 1", "Data": "", "ObjectCode": ""}]
    assert got["Forms"][0]["PdfUrl"].startswith("https://") and got["WorksheetCode"] in got["Forms"][0]["PdfUrl"]
    assert got["Employees"] == ["100"] and got["WorkObjects"] == ["OBJ1"]
    for key in ("OrderNr", "CreationDate", "PdfUrl", "WorksheetCode", "WorkFinished", "Archived", "Photos", "Documents"):
        assert key in got


def test_wb_wo_4_required_fields_1501_and_formats_1504(wb):
    """WB-WO-4: missing required fields → 1501 naming each; bad date/time → 1504; nothing stored."""
    before = statuses(wb)
    rec = order("X1")
    for f in ("WorkorderNo", "CustomerZIP", "CustomerCity"):
        del rec[f]
    body = wb.code("POST", "PostWorkorders", json=[rec])
    assert body["code"] == 1501 and body["response"] is None
    assert body["messages"] == ["Required field missing: WorkorderNo", "Required field missing: CustomerZIP",
                                "Required field missing: CustomerCity"]
    bad = wb.code("POST", "PostWorkorders", json=[order("X2"), order("X3", WorkDate="2013-06-11", WorkTime="25:00")])
    assert bad["code"] == 1504 and "Date invalid. Format: 20-02-2016" in bad["messages"]
    assert "Time invalid. Format: 07:08" in bad["messages"]
    # the document's own "Required value missing" example
    doc = {k: v for k, v in order("ignored").items() if k in (
        "CustomerName", "CustomerDebtorNr", "CustomerStreet", "CustomerZIPInvoice", "CustomerCityInvoice",
        "CustomerContactPersonInvoice", "TypeOfWork", "PaymentMethod")}
    assert wb.code("POST", "PostWorkorders", json=[{**doc, "WorkDate": "11-06-2011", "WorkTime": "10:31"}]) == {
        "code": 1501, "response": None, "messages": [f"Required field missing: {f}" for f in (
            "WorkorderNo", "CustomerZIP", "CustomerCity", "CustomerContactPerson", "CustomerNameInvoice",
            "CustomerDebtorNrInvoice", "CustomerStreetInvoice")]}
    mat = wb.code("POST", "PostWorkorders", json=[order("X4", Materials=[{"MaterialCode": "A"}])])
    assert mat["code"] == 1501 and "Required field missing: MaterialNr" in mat["messages"]
    assert statuses(wb) == before


def test_wb_wo_4_update_workorder(wb):
    """WB-WO-4 UpdateWorkorder: 200 / 1500 unknown / 1502 no data / 1503 unchanged / 1504 invalid."""
    row = wb.ok("POST", "PostWorkorders", json=[order("U1")])[0]["row_id"]
    q = {"row_id": row, "workdate": "05-03-2016", "worktime": "16:45", "employee_nr": "100"}
    assert wb.code("GET", "UpdateWorkorder", q) == {"code": 200, "messages": [], "response": None}
    got = wb.ok("GET", "GetWorkorder", {"workorder_no": "U1", "update_status": "false"})
    assert (got["WorkDate"], got["WorkTime"], got["EmployeeNr"]) == ("05-03-2016", "16:45", "100")
    assert wb.code("GET", "UpdateWorkorder", q)["code"] == 1503
    assert wb.code("GET", "UpdateWorkorder", {"row_id": row})["code"] == 1502
    assert wb.code("GET", "UpdateWorkorder", {**q, "row_id": 1}) == {"code": 1500, "messages": [], "response": None}
    bad = wb.code("GET", "UpdateWorkorder", {"workorder_no": "U1", "workdate": "2016-03-05", "worktime": "7",
                                             "employee_nr": "nobody"})
    assert bad == {"code": 1504, "messages": ["Date invalid. Format: 20-02-2016", "Time invalid. Format: 07:08",
                                              "Employee not updated"], "response": None}
    assert wb.ok("GET", "GetWorkorder", {"row_id": row, "update_status": "false"})["WorkDate"] == "05-03-2016"
    mats = [{"MaterialCode": "A1", "MaterialNr": "2", "MaterialPrice": "233,00", "MaterialName": "Klein"}]
    wb.ok("POST", "UpdateWorkorder", {"row_id": row, "ClearMaterials": "true"}, json=mats)
    assert wb.ok("GET", "GetWorkorder", {"row_id": row, "update_status": "false"})["Materials"][0]["MaterialTotalPrice"] == "466,00"


def test_wb_wo_2_fetching_compleet_flips_to_afgehandeld_once(wb):
    """WB-WO-2: with update_status true (default) every fetched Compleet order becomes
    Afgehandeld, so the next call does not return it again."""
    first = wb.ok("GET", "GetWorkorders", {"status": "Compleet"})
    assert first and all(o["status"] == "Compleet" for o in first)
    assert wb.ok("GET", "GetWorkorders", {"status": "Compleet"}) == []
    after = statuses(wb)
    assert all(after[o["WorkorderNo"]] == "Afgehandeld" for o in first)


def test_wb_wo_2_status_filter_and_workstatus(wb):
    """WB-WO-2: status ∈ Alle/Opgehaald/Klaargezet/Compleet/Afgehandeld; optional workstatus."""
    alle = wb.ok("GET", "GetWorkorders", NO_FLIP)
    for status in ("Klaargezet", "Opgehaald", "Afgehandeld"):
        got = wb.ok("GET", "GetWorkorders", {"status": status})
        assert [o["id"] for o in got] == [o["id"] for o in alle if o["status"] == status]
    row = wb.ok("POST", "PostWorkorders", json=[order("WS1", WorkStatus="001")])[0]["row_id"]
    got = wb.ok("GET", "GetWorkorders", {**NO_FLIP, "workstatus": "001"})
    assert [o["id"] for o in got] == [str(row)]


def test_wb_wo_3_update_status_false_then_get_workorder_marks_handled(wb):
    """WB-WO-3: update_status=false leaves statuses alone; GetWorkorder update_status=true marks
    one order Afgehandeld after the integration processed it."""
    compleet = wb.ok("GET", "GetWorkorders", {"status": "Compleet", "update_status": "false"})
    again = wb.ok("GET", "GetWorkorders", {"status": "Compleet", "update_status": "false"})
    assert compleet and [o["id"] for o in again] == [o["id"] for o in compleet]
    one = compleet[0]
    got = wb.ok("GET", "GetWorkorder", {"row_id": one["id"], "update_status": "false"})
    assert got["status"] == "Compleet"
    wb.ok("GET", "GetWorkorder", {"workorder_no": one["WorkorderNo"], "update_status": "true"})
    left = wb.ok("GET", "GetWorkorders", {"status": "Compleet", "update_status": "false"})
    assert [o["id"] for o in left] == [o["id"] for o in compleet[1:]]
    assert wb.ok("GET", "GetWorkorder", {"row_id": one["id"], "update_status": "false"})["status"] == "Afgehandeld"
    assert wb.code("GET", "GetWorkorder", {"row_id": "999999999"})["code"] == 1500
    assert wb.code("GET", "GetWorkorder", {})["code"] == 1500


def test_wb_wo_3_get_workorder_does_not_flip_open_orders(wb):
    """WB-WO-3: only Compleet orders become Afgehandeld; a Klaargezet order stays Klaargezet."""
    row = wb.ok("POST", "PostWorkorders", json=[order("K1")])[0]["row_id"]
    wb.ok("GET", "GetWorkorder", {"row_id": row})
    assert wb.ok("GET", "GetWorkorder", {"row_id": row, "update_status": "false"})["status"] == "Klaargezet"


def test_wb_wo_2_concurrent_fetches_hand_out_each_compleet_order_exactly_once(wb, fieldsim):
    """WB-WO-2 under concurrency: 8 clients fetch Compleet at once; each order is returned once."""
    for k in range(6):
        wb.ok("POST", "PostWorkorders", json=[order(f"C{k}", EmployeeNr="100")])
        fieldsim.admin("POST", f"werkbon/workorders/C{k}/complete").raise_for_status()
    expected = {o["id"] for o in wb.ok("GET", "GetWorkorders", {"status": "Compleet", "update_status": "false"})}
    results, barrier = [], threading.Barrier(8)

    def fetch():
        from .wbhelp import Wb
        client = Wb(fieldsim)
        barrier.wait()
        results.append([o["id"] for o in client.ok("GET", "GetWorkorders", {"status": "Compleet"})])
    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    handed = [i for r in results for i in r]
    assert sorted(handed) == sorted(expected) and len(handed) == len(set(handed))


def test_wb_wo_5_device_moves_orders_over_simulated_time(wb, fieldsim):
    """WB-WO-5: an order assigned to an employee goes Klaargezet → Opgehaald → Compleet on the
    simulated clock, with work period, materials, photo and signature filled in."""
    fieldsim.set_clock("2026-03-02T08:00:00+01:00")
    fieldsim.admin("POST", "werkbon/device", json={"pickup_after": "PT10M", "complete_after": "PT1H"}).raise_for_status()
    row = wb.ok("POST", "PostWorkorders", json=[order("D1", EmployeeNr="100")])[0]["row_id"]
    unassigned = wb.ok("POST", "PostWorkorders", json=[order("D2")])[0]["row_id"]
    get = lambda r: wb.ok("GET", "GetWorkorder", {"row_id": r, "update_status": "false"})  # noqa: E731
    assert get(row)["status"] == "Klaargezet"
    fieldsim.advance("PT9M")
    assert get(row)["status"] == "Klaargezet"
    fieldsim.advance("PT2M")
    assert get(row)["status"] == "Opgehaald"
    fieldsim.advance("PT1H")
    done = get(row)
    assert done["status"] == "Compleet" and done["WorkFinished"] == "1"
    assert done["Workperiods"] and done["Workperiods"][0]["EmployeeNr"] == "100"
    assert done["Workperiods"][0]["WorkDate"] == "02-03-2026"
    assert done["Materials"] and done["Photos"] and done["Signature"] and done["SignatureUrl"]
    assert get(unassigned)["status"] == "Klaargezet"  # no employee, no device


def test_wb_wo_5_admin_completes_an_order_at_once(wb, fieldsim):
    """WB-WO-5: POST /__admin/werkbon/workorders/<WorkorderNo>/complete."""
    wb.ok("POST", "PostWorkorders", json=[order("AD1")])
    r = fieldsim.admin("POST", "werkbon/workorders/AD1/complete")
    assert r.status_code == 200 and r.json()["status"] == "Compleet" and r.json()["Workperiods"]
    assert fieldsim.admin("POST", "werkbon/workorders/AD1/complete").status_code == 409
    assert fieldsim.admin("POST", "werkbon/workorders/NOPE/complete").status_code == 404
    assert [o["WorkorderNo"] for o in wb.ok("GET", "GetWorkorders", {"status": "Compleet"})].count("AD1") == 1


def test_wb_wo_5_admin_completion_of_a_number_two_accounts_have_needs_the_token(wb, fieldsim):
    """WB-WO-5: a WorkorderNo both accounts use is ambiguous without ?token= (409, nothing completed; one
    of them used to be completed silently); with the token only that account's order completes."""
    wb.ok("POST", "PostWorkorders", json=[order("DUP-1")])
    wb.ok("POST", "PostWorkorders", json=[order("DUP-1")], auth=OTHER)
    r = fieldsim.admin("POST", "werkbon/workorders/DUP-1/complete")
    assert r.status_code == 409 and "token" in r.json()["message"]
    one = lambda auth: wb.ok("GET", "GetWorkorder", {"workorder_no": "DUP-1", "update_status": "false"}, auth=auth)
    assert one(DEMO)["status"] == one(OTHER)["status"] == "Klaargezet"
    assert fieldsim.admin("POST", "werkbon/workorders/DUP-1/complete?token=werkbon-demo2-token").status_code == 200
    assert (one(DEMO)["status"], one(OTHER)["status"]) == ("Klaargezet", "Compleet")


def test_wb_wo_5_scenario_loads_orders_and_device_settings(wb, fieldsim):
    """WB-WO-5 via POST /__admin/scenario: entities and orders in wire format, completions."""
    r = fieldsim.admin("POST", "scenario", json={"werkbon": {
        "employees": [{"firstname": "S", "lastname": "C", "number": "S1"}],
        "workorders": [order("SC1", EmployeeNr="S1")], "complete": ["SC1"], "device": {"enabled": False}}})
    assert r.status_code == 200, r.text
    assert wb.ok("GET", "GetWorkorder", {"workorder_no": "SC1", "update_status": "false"})["status"] == "Compleet"
    bad = fieldsim.admin("POST", "scenario", json={"werkbon": {"workorders": [{"WorkorderNo": "x"}]}})
    assert bad.status_code == 400 and "1501" in bad.text


@pytest.mark.parametrize("section, named", [
    ({"complete": 1}, "complete"), ({"complete": "WB1205-0001"}, "complete"), ({"complete": [5]}, "complete"),
    ({"token": ["werkbon-demo-token"]}, "token"),
    ({"device": {"pickup_after": 2 ** 63}}, "duration"), ({"device": {"complete_after": -300}}, "duration"),
    ({"device": {"pickup_after": True}}, "duration"), ({"device": {"pickup_after": "P99999999999D"}}, "duration")])
def test_wb_wo_5_admin_input_of_the_wrong_kind_is_a_400_naming_it_and_changes_nothing(wb, fieldsim, section, named):
    """WB-WO-5 admin input (README Admin API: bad input gets a 400 whose `message` names the problem):
    a string was read letter by letter as work order numbers, a number or list was a 500, and a
    negative or absurd device delay was taken or overflowed (500)."""
    before = fieldsim.admin("GET", "werkbon/device").json()
    r = fieldsim.admin("POST", "scenario", json={"werkbon": section})
    assert r.status_code == 400 and named in r.json()["message"], r.text
    if "device" in section:
        r = fieldsim.admin("POST", "werkbon/device", json=section["device"])
        assert r.status_code == 400 and named in r.json()["message"], r.text
    assert fieldsim.admin("GET", "werkbon/device").json() == before


def test_wb_wo_4_numeric_and_flag_fields_are_checked(wb):
    """WB-WO-4: PickupPlanning 0/1, WorkDuration integer, coordinates and MinimumHours numbers,
    Workperiod Break/Travel integers → 1504; the document's own examples (TypeOfWork
    "Installatie1", CustomerLatitude null) are accepted."""
    for bad in ({"PickupPlanning": "2"}, {"WorkDuration": "1.5"}, {"CustomerLatitude": "north"},
                {"MinimumHours": "two"},
                {"Workperiods": [{"WorkDate": "26-09-2013", "BeginTime": "08:30", "EndTime": "12:15",
                                  "TotalTime": "03:45", "Travel": "far"}]}):
        assert wb.code("POST", "PostWorkorders", json=[order("NUM", **bad)])["code"] == 1504, bad
    ok = order("NUM", TypeOfWork="Installatie1", CustomerLatitude=None, PickupPlanning="1", MinimumHours="2,5")
    assert wb.ok("POST", "PostWorkorders", json=[ok])[0]["workorder_no"] == "NUM"


def test_wb_wo_2_field_order_also_for_stored_fields_the_answer_leaves_out(wb):
    """GetWorkorders answers the document's field order (wire.WO_ORDER, then the lists; materials
    and work periods likewise, Break last and only when given), whether or not the stored order
    holds fields the answer leaves out (CpnCodeInvoice, MaterialWarehouseCode)."""
    from simulators.werkbon.wire import MAT_NULLABLE, MAT_ORDER, WO_LISTS, WO_ORDER, WP_ORDER
    mat = {"MaterialCode": "A1", "MaterialNr": "2", "MaterialPrice": "1,50", "MaterialName": "Klein"}
    wp = {"WorkDate": "26-09-2013", "BeginTime": "08:30", "EndTime": "12:15", "TotalTime": "03:45"}
    wb.ok("POST", "PostWorkorders", json=[order("FO1", WorkStatus="FO", CpnCodeInvoice="C9",
                                                Materials=[{**mat, "MaterialWarehouseCode": "W1"}, mat],
                                                Workperiods=[{**wp, "Break": "15"}, wp]),
                                          order("FO2", WorkStatus="FO")])
    extra, plain = wb.ok("GET", "GetWorkorders", {**NO_FLIP, "workstatus": "FO"})
    assert list(extra) == list(plain) == list(WO_ORDER + WO_LISTS)
    assert [list(m) for m in extra["Materials"]] == [list(MAT_ORDER + MAT_NULLABLE)] * 2
    assert extra["Materials"][0]["MaterialType"] is None and extra["Materials"][0]["MaterialTotalPrice"] == "3,00"
    assert [list(w) for w in extra["Workperiods"]] == [list(WP_ORDER) + ["Break"], list(WP_ORDER)]
    assert extra["Workperiods"][0]["Break"] == "15" and plain["Workperiods"] == [] and plain["ExternProjectNr"] == ""


def test_wb_wo_2_a_missing_or_unknown_status_is_refused_and_flips_nothing(wb):
    """WB-WO-2: `status` is required (the document: "status (string, required, `Alle`)"). Missing, empty
    or unknown -> 1007 and nothing flips; it used to read as Alle, and with update_status's default
    true it turned every Compleet order Afgehandeld."""
    before = statuses(wb)
    assert "Compleet" in before.values()
    for params in ({}, {"status": ""}, {"status": "compleet"}, {"status[]": "Compleet"}):
        got = wb.code("GET", "GetWorkorders", params)
        assert got["code"] == 1007 and "status" in got["messages"][0] and got["response"] is None, params
    assert statuses(wb) == before


def test_wb_wo_6_advanced_filters_on_get_workorders_select_what_is_fetched_and_flipped(wb):
    """WB-WO-6, WB-WO-2: key/value/operator narrow GetWorkorders, and only the orders answered flip; a key
    that is no field of an order is refused (1007) with nothing flipped (the filter used to be ignored,
    so a fetch of one Compleet order flipped them all)."""
    compleet = [no for no, s in statuses(wb).items() if s == "Compleet"]
    assert len(compleet) >= 2
    got = wb.ok("GET", "GetWorkorders", {"status": "Compleet", "key": "WorkorderNo", "value": compleet[0],
                                          "operator": "eq"})
    assert [o["WorkorderNo"] for o in got] == [compleet[0]]
    after = statuses(wb)
    assert after[compleet[0]] == "Afgehandeld" and all(after[no] == "Compleet" for no in compleet[1:])
    bad = wb.code("GET", "GetWorkorders", {"status": "Compleet", "key": "nosuchcol", "value": "1", "operator": "eq"})
    assert bad["code"] == 1007 and statuses(wb) == after
    several = {"status": "Alle", "update_status": "false", "key[]": ["status", "WorkorderNo"],
               "value[]": ["Compleet", compleet[1]], "operator[]": ["eq", "ne"]}
    assert [o["WorkorderNo"] for o in wb.ok("GET", "GetWorkorders", several)] == compleet[2:]


def test_wb_wo_4_the_end_follows_a_rescheduled_or_reposted_start(wb):
    """WB-WO-4: WorkDuration fills WorkEndDate/WorkEndTime from WorkDate/WorkTime; UpdateWorkorder moving
    the start, or a re-post with a new start, moves the end with it (it stayed behind, before the start),
    while an end the post gives itself is kept."""
    wb.ok("POST", "PostWorkorders", json=[order("RE", WorkDate="01-01-2026", WorkTime="10:00", WorkDuration="60")])
    end = lambda: (lambda o: (o["WorkEndDate"], o["WorkEndTime"]))(
        wb.ok("GET", "GetWorkorder", {"workorder_no": "RE", "update_status": "false"}))
    assert end() == ("01-01-2026", "11:00")
    wb.ok("GET", "UpdateWorkorder", {"workorder_no": "RE", "workdate": "05-03-2026", "worktime": "16:45"})
    assert end() == ("05-03-2026", "17:45")
    wb.ok("POST", "PostWorkorders", json=[order("RE", WorkDate="02-01-2026", WorkTime="23:30", WorkDuration="60")])
    assert end() == ("03-01-2026", "00:30")
    wb.ok("POST", "PostWorkorders", json=[order("RE", WorkDate="02-01-2026", WorkTime="08:00", WorkDuration="60",
                                                WorkEndDate="02-01-2026", WorkEndTime="16:00")])
    assert end() == ("02-01-2026", "16:00")
