"""The simulated calls conform to the OpenAPI document served at /api/public/v1/openapi.json
(simulators/capitech/openapi.py), checked with schemathesis (CT-API-1, CT-API-2, CT-TT-7): every
generated call answers the envelope with a documented status; a valid accessToken and clientId are
put into most calls so success answers are exercised too."""
from __future__ import annotations

import random

import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from simulators.capitech.openapi import document

from .conftest import CLIENT, api, login

schema = schemathesis.openapi.from_dict(document())
_TOKENS: dict = {}
WRITES = ("setExternalStatusCode",)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_calls_conform_to_openapi_CT_API_1_CT_API_2_CT_TT_7(case, ct_base, is_fieldsim):
    if any(w in case.path for w in WRITES) and not is_fieldsim:
        return
    body = case.body
    if isinstance(body, dict) and "accessToken" in body and random.Random(str(body)).random() < 0.7:
        if ct_base not in _TOKENS:
            _TOKENS[ct_base] = login(ct_base)
        body = {**body, "accessToken": _TOKENS[ct_base]}
        if "clientId" in body:
            body["clientId"] = CLIENT
        case.body = body
    case.call_and_validate(base_url=ct_base, additional_checks=[not_a_server_error])


def test_served_openapi_document_is_valid(ct_base, is_fieldsim):
    from openapi_spec_validator import validate
    validate(document("http://example.invalid"))
    if is_fieldsim:
        served = requests.get(api(ct_base) + "/openapi.json", timeout=30).json()
        assert served["paths"] == document()["paths"]
