# Parla — the two commands a person needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TS     := $(wildcard resources/i18n/*.ts)
QM     := $(TS:.ts=.qm)

.PHONY: run test lint translations system-deps benchmarks clean

run: $(VENV)/.installed translations
	$(BIN)/python -m app

test: system-deps $(VENV)/.installed-test translations
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen scripts/with-services timeout -k 20 540 $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/lint-imports

translations: $(QM)

resources/i18n/%.qm: resources/i18n/%.ts $(VENV)/.installed
	$(BIN)/pyside6-lrelease -silent $< -qm $@

system-deps:
	@scripts/system-deps

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

benchmarks: $(VENV)/.installed translations
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/startup.py

clean:
	rm -rf $(VENV) build dist *.egg-info resources/i18n/*.qm
