# Two commands for a newcomer: `make demo` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv demo test bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## The main job: a full-market snapshot (against the embedded sandbox when no credentials are set).
demo: $(STAMP)
	$(BIN)/python -m offres_crawler.demo

## The test suite (what CI runs).
test: $(STAMP)
	$(BIN)/python -m pytest -q

## Benchmarks (not part of the tests; each prints its figures). Several minutes in all.
bench: $(STAMP)
	for b in sandbox_bench rate_bench search_efficiency planner_strategies feeds_bench deltas_bench; do \
	    $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
