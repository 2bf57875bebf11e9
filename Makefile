# Localization pipeline for Korean markdown.  `make build` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup extract build check pseudo test lint format clean bench bench-tools

setup: $(STAMP)

# Re-install only when the package metadata changes; the stamp makes `make setup` idempotent.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

extract: setup
	$(BIN)/l10n extract

build: setup
	$(BIN)/l10n build

check: setup
	$(BIN)/l10n check

# Pseudo-translate every entry into the pseudo-locale qps and build output/qps/.
pseudo: setup
	$(BIN)/l10n pseudo -l qps
	$(BIN)/l10n build -l qps

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check pipeline tests
	$(BIN)/ruff format --check pipeline tests

format: setup
	$(BIN)/ruff format pipeline tests
	$(BIN)/ruff check --fix pipeline tests

clean:
	rm -rf output .l10n-cache

# The benchmark (not part of `make test`): our pipeline at N = 100, 1,000 and 10,000
# documents, and po4a, mdpo and Translate Toolkit on the same corpus. It takes 25-40
# minutes on 2 cores; BENCH_ARGS narrows it, e.g. BENCH_ARGS="--sizes 100 --compare 129 --repeat 1".
# Results: bench/last-run.md (copied by hand into docs/performance.md).
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

bench: setup bench-tools
	$(BIN)/python bench/run.py --bench-python $(BENCH_VENV)/bin/python $(BENCH_ARGS)

bench-tools: $(BENCH_STAMP)
	command -v po4a >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq po4a; }

# The competitors live in their own venv: mdpo and Translate Toolkit both install an
# `md2po` command, and none of them belongs in the project's dependencies.
$(BENCH_STAMP): Makefile
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet mdpo==2.1.4 "translate-toolkit[markdown]==3.20.4" polib
	touch $(BENCH_STAMP)
