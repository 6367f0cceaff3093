"""The shared request pipeline: oversized bodies, unknown paths and errors answered in each API's own
format, never a stack trace."""
from __future__ import annotations

import pytest
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


def test_in_memory_answers_reach_the_wsgi_server_as_one_list_and_streams_stay_streams():
    """The WSGI handover (simulators/app.py FieldsimFlask): an answer already in memory is returned
    as the list of its bytes (granian sends a list in one call), with its Content-Length and its
    journal entry intact; HEAD stays empty; a streamed answer (granian's drop_connection) stays an
    iterator."""
    from werkzeug.test import EnvironBuilder

    from simulators.app import create_app
    from simulators.core.config import Config

    app = create_app(Config(apis=("capo",)))
    auth = {"Authorization": "Bearer capo-netbeheerder-demo"}

    def call(method="GET", **kw):
        started = []
        out = app(EnvironBuilder(path="/api/capo/project", method=method, headers=auth, **kw).get_environ(),
                  lambda status, headers, exc=None: started.append((status, dict(headers))))
        return started[0], out

    (status, headers), out = call()
    assert status.startswith("200") and type(out) is list and all(type(c) is bytes for c in out)
    body = b"".join(out)
    assert int(headers["Content-Length"]) == len(body) and body.startswith(b"[")
    from simulators.core.journal import text_of
    assert app.fieldsim.journal.list(api="capo")[-1]["responseBody"] == text_of(body)
    (status, headers), out = call("HEAD")
    assert status.startswith("200") and b"".join(out) == b""
    app.fieldsim.faults.add({"api": "capo", "kind": "drop_connection", "times": 1})
    (status, _), out = call()
    assert status.startswith("499") and type(out) is not list
    with pytest.raises(Exception):
        b"".join(out)


def test_flask_asks_whether_a_hook_is_a_coroutine_once_per_function_not_per_request(monkeypatch):
    """simulators/app.py FieldsimFlask.ensure_sync: the answer is kept per function (it was ~5% of
    the Python calls of every request); the second identical request asks nothing."""
    import flask.app

    from simulators.app import create_app
    from simulators.core.config import Config

    app = create_app(Config(apis=("capo",))).test_client()
    asked = []
    real = flask.app.iscoroutinefunction
    monkeypatch.setattr(flask.app, "iscoroutinefunction", lambda f: asked.append(f) or real(f))
    auth = {"Authorization": "Bearer capo-netbeheerder-demo"}
    assert app.get("/api/capo/project", headers=auth).status_code == 200
    first = len(asked)
    assert app.get("/api/capo/project", headers=auth).status_code == 200
    assert first > 0 and len(asked) == first


def test_routes_are_matched_once_per_path_and_method_and_refusals_are_never_remembered(monkeypatch):
    """simulators/app.py _RememberedRoutes: a second request to the same (path, method) is answered
    without werkzeug's matcher, with the same view and arguments; a 404 or a 405 goes through the
    matcher every time (so a route added later is found), and the memory stays bounded."""
    from werkzeug.routing import MapAdapter

    from simulators import app as app_module
    from simulators.app import create_app
    from simulators.core.config import Config

    app = create_app(Config(apis=("capo",)))
    client = app.test_client()
    matched = []
    real = MapAdapter.match
    monkeypatch.setattr(MapAdapter, "match", lambda self, *a, **k: matched.append(self.path_info) or real(self, *a, **k))
    auth = {"Authorization": "Bearer capo-netbeheerder-demo"}
    first = client.get("/api/capo/project", headers=auth)
    assert first.status_code == 200 and matched == ["/api/capo/project"]
    again = client.get("/api/capo/project", headers=auth)
    assert again.status_code == 200 and again.data == first.data and len(matched) == 1
    pids = [p["projectId"] for p in first.get_json()[:2]]
    for pid in pids * 2:  # a path argument is converted and handed over the same when remembered
        assert client.get(f"/api/capo/project/{pid}", headers=auth).get_json()["projectId"] == pid
    assert len(matched) == 3
    matched.clear()
    for _ in range(2):
        missing = client.get("/api/capo/no-such-thing", headers=auth)
        assert missing.status_code == 404
        wrong = client.delete("/api/capo/project", headers=auth)
        assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert matched.count("/api/capo/no-such-thing") == 2 and matched.count("/api/capo/project") == 2
    monkeypatch.setattr(app_module, "ROUTES_REMEMBERED", 3)
    for n in range(10):
        client.get(f"/api/capo/project/{n}", headers=auth)
    assert len(app._routes) <= 3


def test_a_body_cut_short_of_its_content_length_is_a_400_and_changes_nothing():
    """simulators/core/body.py read_body reads the declared length straight from the server:
    fewer bytes than Content-Length (the client went away mid-body) is a 400 in the provider's
    format that says so, and the truncated body is never applied."""
    import io
    import json

    from werkzeug.test import EnvironBuilder

    from simulators.app import create_app
    from simulators.core.config import Config

    app = create_app(Config(apis=("capo",)))
    auth = {"Authorization": "Bearer capo-netbeheerder-demo", "x-email": "planner@example.nl"}
    client = app.test_client()
    pid = client.get("/api/capo/project", headers=auth).get_json()[0]["projectId"]
    before = client.get(f"/api/capo/project/{pid}", headers=auth).get_json()
    body = json.dumps({"omschrijving": "half a change"}).encode()
    environ = EnvironBuilder(path=f"/api/capo/project/{pid}", method="PATCH", headers=auth,
                             content_type="application/json").get_environ()
    environ.update({"wsgi.input": io.BytesIO(body[:10]), "CONTENT_LENGTH": str(len(body))})
    started = []
    out = b"".join(app(environ, lambda status, headers, exc=None: started.append(status)))
    assert started[0].startswith("400")
    assert json.loads(out) == {"message": f"Request body ended after 10 of the {len(body)} bytes its "
                                          "Content-Length announced"}
    assert client.get(f"/api/capo/project/{pid}", headers=auth).get_json() == before
    whole = client.patch(f"/api/capo/project/{pid}", headers=auth, data=body, content_type="application/json")
    assert whole.status_code == 200 and whole.get_json()["omschrijving"] == "half a change"


def test_a_chunked_body_is_read_whole_in_pieces_and_refused_past_the_limit():
    """read_body on a body without Content-Length (Transfer-Encoding: chunked) reads it in pieces
    up to one byte past max_body_bytes: a body under the limit arrives whole (every piece, in
    order), one over it is a 413 that changes nothing."""
    import io
    import json

    from werkzeug.test import EnvironBuilder

    from simulators.app import create_app
    from simulators.core import body as reader
    from simulators.core.config import Config

    class Trickle(io.RawIOBase):  # a server's input that hands out a few bytes per read
        def __init__(self, data):
            self.data, self.reads = data, []

        def read(self, n=-1):
            self.reads.append(n)
            piece, self.data = self.data[:7], self.data[7:]
            return piece

    app = create_app(Config(apis=("capo",), max_body_bytes=4096))
    auth = {"Authorization": "Bearer capo-netbeheerder-demo", "x-email": "planner@example.nl"}
    client = app.test_client()
    pid = client.get("/api/capo/project", headers=auth).get_json()[0]["projectId"]

    def patch(body: bytes):
        environ = EnvironBuilder(path=f"/api/capo/project/{pid}", method="PATCH", headers=auth,
                                 content_type="application/json").get_environ()
        stream = Trickle(body)
        environ.update({"wsgi.input": stream, "HTTP_TRANSFER_ENCODING": "chunked"})
        environ.pop("CONTENT_LENGTH", None)
        started = []
        out = b"".join(app(environ, lambda status, headers, exc=None: started.append(status)))
        return started[0], json.loads(out), stream

    status, out, stream = patch(json.dumps({"omschrijving": "in stukjes aangeleverd"}).encode())
    assert status.startswith("200") and out["omschrijving"] == "in stukjes aangeleverd"
    assert max(stream.reads) <= reader.READ_PIECE
    before = client.get(f"/api/capo/project/{pid}", headers=auth).get_json()
    status, out, stream = patch(json.dumps({"omschrijving": "x" * 5000}).encode())
    assert status.startswith("413") and "4096 bytes" in out["message"]
    assert sum(1 for _ in stream.reads) <= 4097 // 7 + 1  # stopped one byte past the limit
    assert client.get(f"/api/capo/project/{pid}", headers=auth).get_json() == before


def test_the_journal_keeps_each_request_raw_and_words_it_the_same_when_read():
    """INTERFACE.md /__admin/requests: the memory journal keeps what the pipeline saw and words it only
    when read (wording it per request was ~10% of a CAPO GET): the document is the one a shared backend
    stores at once, bodies past the limit cut with "…", and every reader gets equal copies."""
    import threading

    from werkzeug.test import EnvironBuilder

    from simulators.app import create_app
    from simulators.core.config import Config
    from simulators.core.journal import BODY_LIMIT, Entry, as_doc
    from simulators.core.store import MemoryBackend
    app = create_app(Config(apis=("capo",), api_options={"capo": {"rate_limit": False}}))
    big = b'{"omschrijving": "' + b"x" * (BODY_LIMIT + 50) + b'"}'
    environ = EnvironBuilder(path="/api/capo/project/3000201", method="PATCH", data=big,
                             headers={"Authorization": "Bearer capo-netbeheerder-demo",
                                      "Content-Type": "application/json"}).get_environ()
    status = []
    b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    kept = list(app.fieldsim.backend._journal)[-1]
    assert type(kept) is Entry and isinstance(app.fieldsim.backend, MemoryBackend)
    docs = []
    readers = [threading.Thread(target=lambda: docs.append(app.fieldsim.journal.list(api="capo")[-1])) for _ in range(4)]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    doc = docs[0]
    assert all(d == doc for d in docs) and doc == as_doc(kept)
    assert doc["method"] == "PATCH" and doc["status"] == int(status[0][:3])
    assert doc["requestBody"].endswith("…") and len(doc["requestBody"]) == BODY_LIMIT + 1
    assert doc["requestHeaders"]["Authorization"] == "Bearer capo-netbeheerder-demo"
    assert doc["responseHeaders"]["Content-Type"] == "application/json"
    assert doc["time"][:10] == app.fieldsim.clock.now().isoformat()[:10]
