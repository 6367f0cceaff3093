"""loadtests/bench/profile.py: py-spy's collapsed stacks become shares of the app's samples."""
from __future__ import annotations

from loadtests.bench.profile import report, shares

STACKS = """\
<module> (serve.py:1);Flask.__call__ (flask/app.py:10);view (wire.py:3);loads (store.py:5) 3
<module> (serve.py:1);Flask.__call__ (flask/app.py:10);view (wire.py:4);view (wire.py:9) 1
<module> (serve.py:1);worker (granian/wsgi.py:2) 4
not a stack line
"""


def test_shares_count_a_function_once_per_stack_whatever_its_lines_and_only_under_the_app():
    every, total, inclusive, own = shares(STACKS)
    assert (every, total) == (8, 4)
    assert inclusive["view (wire.py)"] == 4  # two lines, a recursion: still once per sample
    assert inclusive["Flask.__call__ (flask/app.py)"] == 4 and "worker (granian/wsgi.py)" not in inclusive
    assert own == {"loads (store.py)": 3, "view (wire.py)": 1}


def test_report_shows_the_share_of_the_app_and_the_top_functions():
    text = report("capo-project", STACKS, top=2)
    assert "4 samples holding the GIL inside the WSGI app" in text and "of 8" in text and "(50%" in text
    assert "| 100.0% | `Flask.__call__ (flask/app.py)` |" in text
    assert "|  75.0% | `loads (store.py)` |" in text
    assert "No sample" in report("capo-project", "<module> (serve.py:1) 5\n")
