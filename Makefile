# fieldsim — two commands do everything on a fresh clone: `make serve` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8080
ARGS ?=
PROFILE ?= capo-within-limits
WORKERS ?= 0
TEST_WORKERS ?= 2

.PHONY: serve test fuzz soak load bench bench-deps profile system-deps venv clean

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is required (spyne 2.14 does not import on 3.12+): install python3.11"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

# redis-server for the redis backend tests (Debian package); skipped with a message where apt is not usable.
system-deps:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null 2>&1 || echo "note: could not install redis-server; redis tests will be skipped"; \
	  else echo "note: redis-server not installed and apt-get not usable; redis tests will be skipped"; fi; }

serve: $(STAMP)
	$(BIN)/fieldsim serve --port $(PORT) $(ARGS)

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -q $(ARGS)

fuzz: $(STAMP)
	FIELDSIM_FUZZ_EXAMPLES=1000 $(BIN)/python -m pytest -q -m fuzz tests contracts $(ARGS)

soak: $(STAMP) system-deps
	$(BIN)/python -m loadtests.soak $(ARGS)

load: $(STAMP)
	$(BIN)/python -m loadtests.run $(PROFILE) --workers $(WORKERS) $(ARGS)

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	@touch $(BENCH_STAMP)

bench-deps: $(BENCH_STAMP)
	$(BIN)/python -m loadtests.bench.deps

# Where a bench case's time goes in a running fieldsim (py-spy under wrk load): CASE=capo-project
CASE ?= capo-project
profile: $(BENCH_STAMP)
	$(BIN)/python -m loadtests.bench.profile $(CASE) $(ARGS)

bench: $(STAMP) system-deps
	$(BIN)/python -m loadtests.bench $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .hypothesis
