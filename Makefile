# The two commands of the README: `make run` (chat over the seeds) and `make test`.
# Both set up .venv/ and fetch the models they need on a fresh machine; repeats are no-ops.
# The tests also need Debian's chromium (the browser test drives it) and a CJK font.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test setup models test-models browser lint
.DEFAULT_GOAL := run

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -U pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test,llm]'
	touch $(STAMP)

setup: $(STAMP)

models: setup
	$(BIN)/wenda models fetch

# The chat answers with the local 1.5B LLM by default (`wenda chat --answerer extractive`
# for instant quotes).
run: models
	$(BIN)/wenda models fetch qwen2.5-coder-1.5b
	$(BIN)/wenda ingest seeds
	$(BIN)/wenda chat

# The LLM tests run the small generator; the 1.5B default is for `pytest -m slow`.
test-models: models
	$(BIN)/wenda models fetch qwen2.5-coder-0.5b

browser:
	test -x /usr/bin/chromium && fc-list :lang=zh | grep -q . || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium fonts-wqy-microhei; }

test: test-models browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
