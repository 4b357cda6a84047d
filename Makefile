# Portal Partisipasi — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi.py
PORT ?= 5000

.PHONY: run test install translations migrate seed serve bench clean i18n-update

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d portal/translations -f >/dev/null

migrate: install
	$(FLASK) db upgrade
	$(FLASK) text rerender

# Demo data goes in once, on the first run of the embedded default; the
# search index is rebuilt whenever it is missing, outdated or out of step.
seed: migrate
	@if [ ! -f instance/.demo-seeded ]; then \
		$(FLASK) seed-demo && touch instance/.demo-seeded && rm -rf instance/search; \
	fi
	@if [ ! -f instance/search/CURRENT ] || ! $(FLASK) search check >/dev/null; then $(FLASK) search rebuild; fi

serve:
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

run: translations seed serve

# axe-core, pinned in package-lock.json, which the end-to-end tests inject into
# every page they visit to check accessibility (test-only; nothing is served).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# The checks a security reviewer runs first, then the tests: the import contracts (.importlinter),
# ruff (lint) and bandit (security lint), configured in pyproject.toml; then the pinned dependencies
# against a vulnerability database where one can be reached (it says SKIPPED where it cannot).
test: translations $(AXE)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .
	$(BIN)/bandit -c pyproject.toml -q -r portal wsgi.py
	$(BIN)/python tests/tools/audit_dependencies.py requirements.txt requirements-dev.txt
	$(BIN)/python -m pytest

clean:
	rm -rf instance $(VENV) node_modules

# Refresh the catalogues after changing user-facing strings, then translate
# the new entries in portal/translations/id/LC_MESSAGES/messages.po.
i18n-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o portal/translations/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching --omit-header
