# One-command workflows. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser axe test reports lint lab sample validate benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## make browser: Debian's Chromium for the browser tests (headless), if it is not there yet, and
## its headless shell, which prints the PDFs faster (optional: without it Chromium prints them)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium-headless-shell >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium-headless-shell >/dev/null 2>&1 || \
	  echo "chromium-headless-shell is not installed: Chromium prints the PDFs (a fifth slower)"; }

## make axe: axe-core from npm, pinned in package.json and package-lock.json, into node_modules/
## (tests/test_accessibility.py runs it in Chromium over every page type)
axe: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

## make test: install the project with its test extras (Chromium and axe-core too) and run the whole suite
test: $(STAMP) browser axe
	$(BIN)/python -m pytest

## make reports: build every report of the latest period from data/sample/ into reports/, the
## public edition only (docs/staff-policy.md; the internal edition is built by hand with
## `kompetanse report --utgave intern` into reports-intern/ and never published)
## (only what changed since the last build is rebuilt; FORCE=1 rebuilds everything)
reports: $(STAMP)
	$(BIN)/kompetanse report --alle --out reports --utgave offentlig $(if $(FORCE),--force,)

## make lab: open the notebooks in JupyterLab
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## make sample: rewrite data/sample/ with the default seed
sample: $(STAMP)
	$(BIN)/kompetanse sample --out data/sample

validate: $(STAMP)
	$(BIN)/kompetanse validate

benchmark: $(STAMP)
	$(BIN)/python benchmarks/load_validate.py
	$(BIN)/python benchmarks/analyses.py
	$(BIN)/python benchmarks/report_batch.py

lint: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/ruff check kompetanse tests benchmarks

clean:
	rm -rf $(VENV) reports/ dist/ .pytest_cache node_modules/
