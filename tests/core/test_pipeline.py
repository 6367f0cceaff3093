"""The shared request pipeline: oversized bodies, unknown paths and errors answered in each API's own
format, never a stack trace."""
from __future__ import annotations

import requests

from simulators import API_NAMES
from simulators.testing import fieldsim_server

PATHS = {
    "capo": ("POST", "/api/capo/project"),
    "stadsnet": ("POST", "/plain/serviceguide_log?method=add_message"),
    "cloudplan": ("POST", "/v1/projects"),
    "capitech": ("POST", "/api/public/v1/Access/login"),
    "werkbon": ("POST", "/openapi/8/employees/?token=werkbon-demo-token&software_token=werkbon-demo-software"),
}


def test_oversized_bodies_are_refused_cleanly_on_every_api_and_journalled():
    with fieldsim_server(max_body_bytes=1024) as sim:
        for name in API_NAMES:
            method, path = PATHS[name]
            before = requests.get(f"{sim.base_url}/__admin/state/{name}", timeout=10).json()
            r = requests.request(method, sim.base_url + path, data=b"x" * 5000, timeout=10)
            assert r.status_code in (200, 413, 500), (name, r.status_code)  # werkbon: 200 + code; cloudplan: fault
            assert "Traceback" not in r.text
            after = requests.get(f"{sim.base_url}/__admin/state/{name}", timeout=10).json()
            assert after == before, name
        journal = requests.get(f"{sim.base_url}/__admin/requests", timeout=10).json()
        assert len(journal) == len(API_NAMES)


def test_unknown_path_outside_any_api_is_json_404(fieldsim):
    r = requests.get(fieldsim.base_url + "/nowhere", timeout=5)
    assert r.status_code == 404 and "message" in r.json()


def test_index_lists_the_apis(fieldsim):
    body = requests.get(fieldsim.base_url + "/", timeout=5).json()
    assert set(body["apis"]) == set(API_NAMES)
