# Set-up and everyday commands. Needs only Python 3.11, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PO := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test lint check index translations extract-messages clean

## make run: install, build what the site needs, and serve it at http://$(HOST):$(PORT)
run: $(BIN)/portal translations
	$(BIN)/portal check || true
	$(BIN)/portal serve --host $(HOST) --port $(PORT)

## make test: install, then run the linter and the whole test suite
test: $(BIN)/portal translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

$(BIN)/portal: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

translations: $(MO)

%.mo: %.po $(BIN)/portal
	$(BIN)/pybabel compile --use-fuzzy --statistics -i $< -o $@

## make extract-messages: refresh the .po files after changing visitor-facing text
extract-messages: $(BIN)/portal
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -k lazy_pgettext:1c,2 -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching

check: $(BIN)/portal
	$(BIN)/portal check

index: $(BIN)/portal
	$(BIN)/portal index

clean:
	rm -rf $(VENV) search_index $(MO)
