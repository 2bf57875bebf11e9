# Localization pipeline for Korean markdown.  `make build` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup extract build check pseudo test lint format clean

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
	rm -rf output
