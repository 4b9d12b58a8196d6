# Two commands set everything up on a fresh machine with Python 3.11:
#   make site   build the static progress report in reports/_site/ from the shipped data
#   make test   run the whole test suite (lint, unit tests, nbval on reports/*.ipynb, browser test)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The environment is requirements.lock: every package pinned with its hashes, written by `make lock`
# (uv pip compile) and installed exactly (`uv pip sync --require-hashes`: nothing resolved on this machine,
# packages not in the lock removed), then the project itself, editable. uv comes from PyPI, at the version
# the lock also pins (a dev dependency), so that syncing keeps it.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
LOCK := requirements.lock
# uv's own defaults (the public package index), whatever uv configuration the machine has; never a
# downloaded Python: the one that made .venv.
UV_ENV := env -u UV_INDEX_URL -u UV_EXTRA_INDEX_URL -u UV_INDEX -u UV_DEFAULT_INDEX -u UV_FIND_LINKS \
	UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=never
SYNC := $(UV_ENV) $(UV) pip sync --quiet --require-hashes --python $(BIN)/python $(LOCK) \
	&& $(UV_ENV) $(UV) pip install --quiet --no-deps --python $(BIN)/python -e .

.PHONY: site test install lock clean

# Always syncs (a second when nothing differs): it is the fix the build names for a library that is not
# the locked version, whatever changed it.
install: | $(UV)
	$(SYNC)
	touch $(STAMP)

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# What site and test need first: synced again whenever pyproject.toml or the lock changed.
$(STAMP): pyproject.toml $(LOCK) | $(UV)
	$(SYNC)
	touch $(STAMP)

# After changing pyproject.toml's dependencies (or to take newer releases: make lock LOCK_ARGS=--upgrade):
# rewrite requirements.lock, then `make install` and commit both.
lock: | $(UV)
	$(UV_ENV) $(UV) pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet -o $(LOCK) $(LOCK_ARGS)

# The site, rendered with Quarto when `quarto` is on PATH, else with the offline renderer (--renderer auto).
site: $(STAMP)
	$(BIN)/plantracker build

# First, in a second: are the installed libraries the locked ones, and were reports/*.ipynb built from the
# current data (if not, build --check says what to run)? tests/test_lock.py checks the lock against
# pyproject.toml. nbval's diffs without colour codes, so that they read in a CI log.
# nbval runs beside the suite (one kernel at a time, while the suite leaves a core idle much of the time);
# its report is printed after the suite's, and either failing fails `make test`.
NBVAL_LOG := test-artefacts/nbval.log
test: $(STAMP)
	$(BIN)/plantracker build --check
	$(BIN)/ruff check analysis tests bench scripts
	$(BIN)/ruff format --check analysis tests bench scripts
	@mkdir -p $(dir $(NBVAL_LOG))
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-p no:cacheprovider --color=no reports zh/reports > $(NBVAL_LOG) 2>&1 & notebooks=$$!; \
	$(BIN)/python -m pytest tests; suite=$$?; \
	wait $$notebooks; nbval=$$?; \
	echo "---- nbval on the committed notebooks ($(NBVAL_LOG))"; cat $(NBVAL_LOG); \
	test $$suite -eq 0 && test $$nbval -eq 0

clean:
	rm -rf reports/_site .plantracker-cache
