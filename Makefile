# The two commands of the README: `make run` (chat over the seeds) and `make test`.
# Both set up .venv/ and fetch the models they need on a fresh machine; repeats are no-ops.
# The tests also need Debian's chromium (the browser test drives it) and a CJK font.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# llama.cpp built for the build machine's CPU (GGML_NATIVE) uses AMX tiles on recent Xeons
# and crashes on its first prompt there; an AVX2 build runs on every x86-64 machine we use.
# --no-cache-dir: pip's wheel cache may hold a native build of the same version.
LLAMA  := llama-cpp-python[server]==0.3.36
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: run test setup models test-models browser lint
.DEFAULT_GOAL := run

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -U pip
	$(BIN)/pip show -q llama-cpp-python 2>/dev/null || CMAKE_ARGS="$(LLAMA_CMAKE)" \
	  $(BIN)/pip install -q --disable-pip-version-check --no-cache-dir '$(LLAMA)'
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
