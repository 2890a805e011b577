# smm-tui: every target creates or refreshes the local .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## Open the app on a live demo workspace.
run: $(STAMP)
	$(BIN)/smm-tui demo

## Every check: lint, types, import contracts, then the test suite.
# Compiled modules are cached under .venv (never beside the sources), even where the
# environment turns caching off: each test worker and child process would otherwise
# compile every module again (~20 s of a run). Four workers on two cores: much of the
# suite waits (on child processes, sockets and fsync), and a third and fourth worker fill
# those waits (measured: 283 s with 2 workers, 203 s with 4, on the 2-core machine).
test: lint
	env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache \
		$(BIN)/pytest -n 4 -q

## ruff (lint + format), mypy --strict (smm_tui, tests, bench) and the layer contracts.
lint: $(STAMP)
	$(BIN)/ruff check smm_tui tests bench
	$(BIN)/ruff format --check smm_tui tests bench
	$(BIN)/mypy
	$(BIN)/mypy bench/bench_app.py
	$(BIN)/lint-imports

## Measure against the performance targets (prints a table, writes bench-results.json).
bench: $(STAMP)
	$(BIN)/python bench/run.py

## Long property-based fuzzing of hostile network text (10,000 examples a property; ~6 min).
fuzz: $(STAMP)
	SMM_FUZZ_PROFILE=fuzz $(BIN)/pytest tests/fuzz -q

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache bench-results.json
