"""wrk (the load generator): one Lua script per case, fixed connections and duration, results
read back as JSON from the script's done() hook."""
from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from loadtests.bench import deps

LUA_BASE = r"""
wrk.method = {method}
wrk.path = {path}
wrk.headers = {headers}
{body}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
{hooks}
function done(summary, latency, requests)
  local ok, other = 0, 0
  for _, t in ipairs(threads) do ok = ok + (t:get("ok") or 0); other = other + (t:get("other") or 0) end
  local e = summary.errors
  io.write(string.format('BENCHJSON {{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"ok":%d,"other":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, ok, other, e.connect, e.read, e.write, e.status, e.timeout))
end
"""

# Counting statuses costs wrk a Lua call per response: only where the count is the result.
COUNT_HOOKS = """
ok, other = 0, 0
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end
"""

# A paced connection waits a random pause, uniform in [0, 2 x the mean]: with a fixed pause the
# connections fall into step after the first stall (each waits the same time after the same burst)
# and the server sees bursts of every connection at once rather than the offered rate.
DELAY_HOOK = """
function init(args) math.randomseed(os.time() + tonumber(tostring({{}}):match("0x(%x+)") or "0", 16)) end
function delay() return math.random(0, 2 * {ms}) end
"""

TOKENS_HOOK = """
local tokens = {{{tokens}}}
local i = 0
function request()
  i = i % #tokens + 1
  local h = {{}}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Authorization"] = "Bearer " .. tokens[i]
  return wrk.format(nil, nil, h, nil)
end
"""


def lua_str(s: str) -> str:
    return "[==[" + s + "]==]"


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # socket errors + non-2xx/3xx answers
    ok: int = 0
    other: int = 0
    socket_errors: int = 0


def script(case, workdir: Path, *, count=False, delay_ms=None, tokens=None) -> str:
    headers = "{" + ", ".join(f"[ {lua_str(k)} ] = {lua_str(v)}" for k, v in case.wrk_headers().items()) + "}"
    body = ""
    if case.body:
        body_file = workdir / "body.bin"
        body_file.write_bytes(case.body)
        body = f'local f = io.open({lua_str(str(body_file))}, "rb"); wrk.body = f:read("*a"); f:close()'
    hooks = (COUNT_HOOKS if count else "") + (DELAY_HOOK.format(ms=delay_ms) if delay_ms else "")
    if tokens:
        hooks += TOKENS_HOOK.format(tokens=", ".join(lua_str(t) for t in tokens))
    return LUA_BASE.format(method=lua_str(case.method), path=lua_str(case.path), headers=headers, body=body,
                           hooks=hooks)


def run(base: str, case, *, seconds: float, connections: int, threads: int = 1, count=False,
        delay_ms=None, tokens=None, timeout_s: int = 10) -> WrkResult:
    """One bounded wrk run against base (loopback) for `seconds` (whole ones: wrk reads "5.0s" as a usage error)."""
    wrk = deps.wrk_bin()
    if not wrk:
        raise RuntimeError("wrk not installed (run `make bench-deps`)")
    with tempfile.TemporaryDirectory(prefix="fieldsim-wrk-") as tmp:
        lua = Path(tmp) / "case.lua"
        lua.write_text(script(case, Path(tmp), count=count, delay_ms=delay_ms, tokens=tokens))
        cmd = [wrk, "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", f"{timeout_s}s",
               "-s", str(lua), base]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout_s + 30)
    line = next((ln for ln in p.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {p.stdout[-400:]} {p.stderr[-400:]}")
    d = json.loads(line[len("BENCHJSON "):])
    secs = d["duration_us"] / 1e6
    errors = d["connect"] + d["read"] + d["write"] + d["status"] + d["timeout"]
    return WrkResult(requests=d["requests"], seconds=secs, rps=d["requests"] / secs if secs else 0.0,
                     p50_ms=d["p50_us"] / 1000, p90_ms=d["p90_us"] / 1000, p99_ms=d["p99_us"] / 1000,
                     max_ms=d["max_us"] / 1000, errors=errors, ok=d["ok"], other=d["other"],
                     socket_errors=errors - d["status"])


def pace(base: str, case, *, connections: int, target_rps: float, probes: int = 5, before_probe=None,
         tokens=None) -> int:
    """The mean pause (ms) per connection that offers about `target_rps` over `connections`. wrk
    waits for each answer before pausing, so the pause is the cycle minus the answer's latency at
    that load: probed (2 s each) until the rate is within 2% of the target or `probes` probes are
    spent; never below half a cycle (a distorted probe must not make the next one flood)."""
    cycle_ms = 1000 * connections / target_rps
    delay = max(1, int(cycle_ms))
    for _ in range(probes):
        if before_probe is not None:
            before_probe()
        probe = run(base, case, seconds=2, connections=connections, delay_ms=delay, tokens=tokens)
        if abs(probe.rps - target_rps) <= 0.02 * target_rps:
            break
        latency_ms = max(0.0, 1000 * connections / max(probe.rps, 1) - delay)
        delay = max(1, round(cycle_ms - latency_ms), int(cycle_ms / 2))
    return delay
