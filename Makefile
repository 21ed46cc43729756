# Two commands: `make run` serves docqa, `make test` runs the whole suite.
# Both bootstrap .venv from nothing, and do nothing again while pyproject.toml is unchanged.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# A CPU build of torch; an unpinned torch would pull a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: run test install system lint clean

run: install system
	$(BIN)/docqa ingest
	$(BIN)/docqa serve

test: install system
	@scripts/install_system_packages.sh --browser
	$(BIN)/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system:
	@scripts/install_system_packages.sh

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) index/CURRENT index/v-* index/tmp-* index/.lock
