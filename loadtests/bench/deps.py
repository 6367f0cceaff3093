"""`make bench-deps`: install the benchmark peers and load generator from the project's own set-up.

- npm (project-local, into .bench/): `wiremock` (ships the WireMock standalone jar; needs Java 17)
  and `@stoplight/prism-cli`.
- apt (only as root): nginx (static JSON: the near-physical limit) and wrk (the load generator).

Anything that cannot be installed is skipped with one clear line; `make bench` then skips that peer.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / ".bench"
NPM_PACKAGES = ("wiremock@3", "@stoplight/prism-cli@5")
APT_PACKAGES = ("nginx", "wrk")
TIMEOUT = 600  # seconds per install step: bounded


def _run(cmd: list[str], cwd: Path | None = None) -> tuple[bool, str]:
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return p.returncode == 0, (p.stdout + p.stderr)[-2000:]


def wiremock_jar() -> Path | None:
    """The standalone jar the npm package ships (build/ in 3.x)."""
    jars = sorted((BENCH_DIR / "node_modules" / "wiremock").glob("*/wiremock-standalone*.jar"))
    return jars[-1] if jars else None


def prism_bin() -> Path | None:
    p = BENCH_DIR / "node_modules" / ".bin" / "prism"
    return p if p.exists() else None


def nginx_bin() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def wrk_bin() -> str | None:
    return shutil.which("wrk")


def install_npm() -> None:
    if not shutil.which("npm"):
        print("skip: npm not found: WireMock and Prism peers unavailable (install Node.js 18+)")
        return
    BENCH_DIR.mkdir(exist_ok=True)
    pkg = BENCH_DIR / "package.json"
    if not pkg.exists():
        pkg.write_text('{"name": "fieldsim-bench-peers", "private": true}\n')
    for name in NPM_PACKAGES:
        ok, out = _run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", name], cwd=BENCH_DIR)
        print(f"{'ok' if ok else 'skip'}: npm install {name}" + ("" if ok else f": {out.strip()[-300:]}"))
    if not shutil.which("java"):
        print("skip: java not found: the WireMock peer needs Java 17 (apt-get install openjdk-17-jre-headless)")


def install_apt() -> None:
    missing = [p for p in APT_PACKAGES if not (nginx_bin() if p == "nginx" else wrk_bin())]
    if not missing:
        print("ok: nginx and wrk already installed")
        return
    if not shutil.which("apt-get") or os.geteuid() != 0:
        print(f"skip: {' '.join(missing)} not installed and apt-get not usable (not root): "
              "those peers/the wrk generator are skipped")
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=TIMEOUT, env=env)
    p = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                       capture_output=True, text=True, timeout=TIMEOUT, env=env)
    for name in missing:
        ok = bool(nginx_bin() if name == "nginx" else wrk_bin())
        print(f"{'ok' if ok else 'skip'}: apt-get install {name}" + ("" if ok else f": {p.stderr.strip()[-300:]}"))


def status() -> dict:
    """What is available now (used by `make bench` to decide what it can run)."""
    return {"wiremock": wiremock_jar() if shutil.which("java") else None, "prism": prism_bin(),
            "nginx": nginx_bin(), "wrk": wrk_bin()}


def main() -> int:
    install_apt()
    install_npm()
    for name, path in status().items():
        print(f"  {name:9} {path or 'not available'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
