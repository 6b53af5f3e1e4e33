# One-command workflows. Everything installs into .venv from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint lab sample validate benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## make test: install the project with its test extras and run the whole suite
test: $(STAMP)
	$(BIN)/python -m pytest

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

lint: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/ruff check kompetanse tests benchmarks

clean:
	rm -rf $(VENV) reports/ .pytest_cache
