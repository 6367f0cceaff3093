"""The Locust profile runs cleanly (as a subprocess: never import locust in pytest)."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_locust_profile_runs_without_failures(fieldsim, tmp_path):
    """CP-M-5, CP-R-1, CP-R-3 under load: every mixed request succeeds (no <error>, <Errors> or fault)."""
    prefix = tmp_path / "cp"
    subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "cloudplan.py"), "--headless",
                    "-u", "5", "-r", "5", "-t", "5s", "--host", fieldsim.base_url, "--csv", str(prefix),
                    "--only-summary"], check=False, timeout=120, capture_output=True, cwd=tmp_path)
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    assert int(total["Request Count"]) > 50
    assert int(total["Failure Count"]) == 0
    assert {r["Name"] for r in rows} >= {"getProjects x10", "getPlanning dates", "pushResources"}
