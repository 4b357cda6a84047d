# Portal Partisipasi — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi.py
PORT ?= 5000

.PHONY: run test install translations migrate seed serve bench clean

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

# Demo data goes in once, on the first run of the embedded default.
seed: migrate
	@if [ ! -f instance/.demo-seeded ]; then \
		$(FLASK) seed-demo && touch instance/.demo-seeded; \
	fi

serve:
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

run: translations seed serve

test: translations
	$(BIN)/python -m pytest

clean:
	rm -rf instance $(VENV)
