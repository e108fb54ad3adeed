# The two commands of the README: `make run` (chat over the seeds) and `make test`.
# Both set up .venv/ and fetch the default models on a fresh machine; repeats are no-ops.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test setup models lint
.DEFAULT_GOAL := run

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -U pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

models: setup
	$(BIN)/wenda models fetch

run: models
	$(BIN)/wenda ingest seeds
	$(BIN)/wenda search

test: models
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
