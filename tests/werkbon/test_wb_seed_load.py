"""Seed determinism and the Locust profile (run as a subprocess, never imported here)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _state(fieldsim):
    data = fieldsim.admin("GET", "state/werkbon").json()["collections"]
    data = {k: v for k, v in data.items() if not k.endswith(":device")}  # plans are relative to reset time
    for coll in data.values():
        for doc in coll.values():
            doc.pop("_mutated", None)
    return data


def test_wb_seed_is_deterministic(fieldsim):
    """Same seed and scale, same demo data (WB-AUTH-4: both accounts seeded)."""
    first = _state(fieldsim)
    fieldsim.reset("werkbon")
    assert _state(fieldsim) == first
    assert any(k.startswith("1205:") for k in first) and any(k.startswith("2310:") for k in first)


@pytest.mark.slow
def test_wb_locust_profile_runs_without_failures(fieldsim, tmp_path):
    csv = tmp_path / "wb"
    cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests/werkbon.py"), "--headless", "-u", "6",
           "-r", "6", "-t", "5s", "--host", fieldsim.base_url, "--csv", str(csv), "--only-summary"]
    subprocess.run(cmd, cwd=tmp_path, timeout=60, check=False, env={**os.environ, "WERKBON_COMPLETE_AFTER": "PT2S"})
    stats = (tmp_path / "wb_stats.csv").read_text().splitlines()
    total = stats[-1].split(",")
    assert int(total[2]) > 0 and int(total[3]) == 0, stats
