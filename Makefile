# Two commands set everything up on a fresh machine with Python 3.11:
#   make site   build the static progress report in reports/_site/ from the shipped data
#   make test   run the whole test suite (lint, unit tests, nbval on reports/*.ipynb, browser test)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: site test install clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/plantracker build

# First, in a second: were reports/*.ipynb built from the current data? (if not, it says what to run)
# nbval's diffs without colour codes, so that they read in a CI log.
test: $(STAMP)
	$(BIN)/plantracker build --check
	$(BIN)/ruff check analysis tests bench
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider --color=no reports zh/reports

clean:
	rm -rf reports/_site .plantracker-cache
