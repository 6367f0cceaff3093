"""The Locust profiles run as subprocesses (never import locust in pytest) against the embedded
server: within-limits sees zero 429s (CAPO-RL-1..3); burst and inflight see 429s (CAPO-RL-2,
CAPO-RL-3); many-clients keeps 100 tokens independent (CAPO-RL-4)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_profile(fieldsim, profile: str, users: int, seconds: int) -> tuple[int, int, int]:
    locust = Path(sys.executable).with_name("locust")
    env = {**os.environ, "FIELDSIM_PROFILE": profile}
    out = subprocess.run([str(locust), "-f", str(ROOT / "loadtests" / "capo.py"), "--headless", "-u", str(users),
                          "-r", str(users), "-t", f"{seconds}s", "--host", fieldsim.base_url, "--only-summary"],
                         capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    m = re.search(r"capo profile \S+: (\d+) requests, (\d+) answered 429", out.stdout + out.stderr)
    assert m, out.stdout[-2000:] + out.stderr[-2000:]
    return out.returncode, int(m.group(1)), int(m.group(2))


def test_within_limits_profile_sees_no_429_CAPO_RL_1_CAPO_RL_3(fieldsim):
    """CAPO-RL-1/3: three paced integrations (12/s each, one token each): zero 429s."""
    code, total, limited = run_profile(fieldsim, "within-limits", 3, 4)
    assert code == 0 and total > 50 and limited == 0


@pytest.mark.slow
@pytest.mark.parametrize("profile, users", [("burst", 1), ("inflight", 6)])
def test_burst_and_inflight_profiles_see_429_CAPO_RL_2_CAPO_RL_3(fieldsim, profile, users):
    """CAPO-RL-2/3: the abusive profiles are limited."""
    code, total, limited = run_profile(fieldsim, profile, users, 5)
    assert code == 0 and limited > 0


@pytest.mark.slow
def test_many_clients_profile_CAPO_RL_4(fieldsim):
    """CAPO-RL-4: 100 client tokens (loaded by scenario) each under its own limit."""
    code, total, limited = run_profile(fieldsim, "many-clients", 100, 8)
    assert code == 0 and total > 500
