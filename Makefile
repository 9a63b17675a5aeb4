# Parla — the two commands a person needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TS     := $(wildcard resources/i18n/*.ts)
QM     := $(TS:.ts=.qm)

.PHONY: run test lint translations system-deps benchmarks clean bundle install-desktop uninstall-desktop

# `make bundle`: a one-folder app in dist/ (dist/parla/parla on Linux) made by PyInstaller from
# packaging/parla.spec; build/pyinstaller keeps PyInstaller's cache, so a rebuild is quicker.
BUNDLE_DIST ?= dist
BUNDLE_WORK ?= build/pyinstaller

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

$(VENV)/.installed-bundle: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e '.[bundle]'
	touch $@ $(VENV)/.installed

bundle: $(VENV)/.installed-bundle translations
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath $(BUNDLE_DIST) --workpath $(BUNDLE_WORK) packaging/parla.spec
	@echo "bundle: $(BUNDLE_DIST)/ (start dist/parla/parla on Linux)"

# The launcher, icons and AppStream file under $${XDG_DATA_HOME:-~/.local/share}; the launcher
# starts EXEC if given, else the bundle if built, else .venv/bin/parla.
install-desktop: $(VENV)/.installed translations
	$(BIN)/python packaging/install_desktop.py $(if $(EXEC),--exec "$(EXEC)")

uninstall-desktop:
	$(PYTHON) packaging/install_desktop.py --uninstall

benchmarks: $(VENV)/.installed translations
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/startup.py

clean:
	rm -rf $(VENV) build dist *.egg-info resources/i18n/*.qm

# `make screenshots`: docs/screenshots/{chat,images,voice}-{en,zh}.png for the README, made under
# a private Xvfb against the loopback server (scripts/screenshots.py); needs Xvfb.
.PHONY: screenshots
screenshots: $(VENV)/.installed-test translations
	$(BIN)/python scripts/screenshots.py
