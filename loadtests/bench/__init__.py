"""Benchmark harness: fieldsim against the peers a user would pick instead (WireMock, Prism, nginx).

`make bench-deps` installs the peers into .bench/ (npm) and the system (apt: nginx, wrk);
`make bench` runs the benchmark and writes docs/benchmarks.md. See docs/benchmarks.md.
"""
