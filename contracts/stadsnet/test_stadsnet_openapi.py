"""The JSON variant (output_format=json) conforms to the OpenAPI description in
simulators/stadsnet/openapi.py (also served at /plain/serviceguide_log/openapi.json), checked with
schemathesis (SNP-FMT-1, SNP-ERR-1). A valid login hash is put into generated calls so success
answers are exercised too; order-changing methods are only generated against fieldsim."""
from __future__ import annotations

import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection

from simulators.stadsnet.openapi import spec

from .conftest import TL, login

schema = schemathesis.openapi.from_dict(spec())
# Errors are HTTP 200 by design (SNP-ERR-1), so "negative data must be rejected with 4xx" does not
# apply: generate schema-conforming calls only (their values may still be wrong for the method).
schema.config.generation.update(modes=[GenerationMode.POSITIVE])
WRITES = {"set_status", "add_message"}


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_json_variant_conforms_to_openapi_SNP_FMT_1_SNP_ERR_1(case, base_url, is_fieldsim, sim):
    """SNP-FMT-1 / SNP-ERR-1: every generated call answers 200 JSON matching the schema."""
    query = dict(case.query or {})
    if query.get("method") in WRITES and not is_fieldsim:
        return
    if query.get("method") != "api_login":  # a real session, so success answers are checked too
        query["hash"] = login(base_url + "/plain/serviceguide_log", TL)
    case.query = query
    case.call_and_validate(base_url=base_url, excluded_checks=[negative_data_rejection],
                           additional_checks=[not_a_server_error])


def test_served_openapi_document_is_valid_SNP_FMT_1(base_url, is_fieldsim):
    """SNP-FMT-1: the simulator serves the same OpenAPI document; it validates as OpenAPI 3.0."""
    from openapi_spec_validator import validate
    validate(spec("http://example.invalid"))
    if is_fieldsim:
        served = requests.get(base_url + "/plain/serviceguide_log/openapi.json", timeout=30).json()
        assert served["paths"] == spec()["paths"]


def test_success_answers_of_every_method_conform_SNP_FMT_1_SNP_M_1_SNP_M_4_SNP_M_7(base_url, is_fieldsim, sim):
    """SNP-FMT-1: a successful call of each read method (and, on fieldsim, the writes) matches the schema."""
    op = schema["/plain/serviceguide_log"]["GET"]
    api = base_url + "/plain/serviceguide_log"
    h = login(api, TL)
    rows = requests.get(api, params={"method": "orders", "hash": h, "date": "2000-01-01", "output_format": "json"},
                        timeout=30).json()["response"]["order"]
    assert rows, "the TL needs at least one order for this contract"
    oid, cid = str(rows[0]["id"]), str(rows[0]["customer"])
    calls = [{"method": "api_login", "api_user": TL[0], "api_key": TL[1]},
             {"method": "orders", "date": "2000-01-01"}, {"method": "order_info", "id": oid},
             {"method": "customers", "date": "2000-01-01"}, {"method": "customer_info", "id": cid},
             {"method": "order_log", "id": oid}]
    if is_fieldsim:
        calls += [{"method": "set_status", "id": oid, "status": rows[0]["status"]},
                  {"method": "add_message", "id": oid, "message": "Kontrakttest", "type": "log"}]
    for query in calls:
        if query["method"] != "api_login":
            query["hash"] = h
        response = op.Case(query={**query, "output_format": "json"}).call_and_validate(
            base_url=base_url, excluded_checks=[negative_data_rejection])
        assert response.json()["status"] == "success", (query, response.text)
