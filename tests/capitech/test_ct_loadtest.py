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


@pytest.mark.parametrize("profile,stat", [("capitech-nightly-export", "getTimeTransactions [export 31d]"),
                                          ("capitech-frequent-poll", "getTimeTransactions [poll]")])
@pytest.mark.parametrize("workers", [0, 1])
def test_make_load_one_kind_profiles_run_only_their_user_class_and_exit_0(fieldsim, tmp_path, profile, stat, workers):
    """`make load PROFILE=capitech-nightly-export` (README): the profile's own user class only, so no
    user of the other class crashes on "No tasks defined" (exit 2 before), alone and distributed."""
    fieldsim.set_clock("2026-11-23T12:00:00+01:00", frozen=False)
    env = {**os.environ, "CAPITECH_EXPORT_FROM": "2026-10-01", "CAPITECH_EXPORT_TO": "2026-10-31"}
    out = subprocess.run([sys.executable, "-m", "loadtests.run", profile, "--host", fieldsim.base_url,
                          "--users", "2", "--run-time", "4s", "--workers", str(workers), "--reports", str(tmp_path)],
                         capture_output=True, text=True, timeout=150, env=env, cwd=ROOT)
    assert out.returncode == 0, (out.stdout[-1500:], out.stderr[-2500:])
    assert "No tasks defined" not in out.stderr
    stats = next(tmp_path.glob(f"{profile}-*/locust_stats.csv")).read_text()
    assert stat in stats
    other = {"getTimeTransactions [export 31d]", "getTimeTransactions [poll]"} - {stat}
    assert other.pop() not in stats
