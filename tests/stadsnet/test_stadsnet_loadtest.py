"""The locust profile runs (as a subprocess: locust is never imported here) against the embedded
server, with the generator on, and reports that new orders were seen and handled (SNP-WF-1, SNP-WF-4)."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_locust_profile_sees_and_handles_generated_orders_SNP_WF_4(fieldsim, tmp_path):
    """SNP-WF-1, SNP-WF-4: 10 pollers for 8 s; ORDER seen/handled events appear, no failures."""
    cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "stadsnet.py"), "--headless", "-u", "10",
           "-r", "10", "-t", "8s", "--host", fieldsim.base_url, "--csv", str(tmp_path / "run"), "--only-summary"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(open(tmp_path / "run_stats.csv"))}
    assert int(rows[("ORDER", "seen")]["Request Count"]) > 0
    assert int(rows[("ORDER", "handled")]["Request Count"]) > 0
    assert all(int(r["Failure Count"]) == 0 for r in rows.values())
