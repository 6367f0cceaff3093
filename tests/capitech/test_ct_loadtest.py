"""The Locust profile runs (as a subprocess: locust's gevent must not enter the pytest process)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_locustfile_runs_both_user_kinds_without_failures(fieldsim, tmp_path):
    fieldsim.set_clock("2026-11-23T12:00:00+01:00", frozen=False)
    env = {**os.environ, "CAPITECH_EXPORT_FROM": "2026-07-01", "CAPITECH_EXPORT_TO": "2026-10-31"}
    out = subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "capitech.py"), "--headless",
                          "-u", "4", "-r", "4", "-t", "8s", "--host", fieldsim.base_url, "--only-summary",
                          "--csv", str(tmp_path / "ct")], capture_output=True, text=True, timeout=90, env=env, cwd=ROOT)
    stats = (tmp_path / "ct_stats.csv").read_text()
    assert "getTimeTransactions [export 31d]" in stats and "getTimeTransactions [poll]" in stats, out.stderr[-2000:]
    total = [line for line in stats.splitlines() if line.startswith(",Aggregated") or "Aggregated" in line][0]
    assert total.split(",")[3] == "0", total  # failure count
