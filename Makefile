# Set-up and everyday commands. Needs only Python 3.11, git and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PO := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
# The browser tests use Debian's Chromium (never a browser downloaded by Playwright) and CJK fonts;
# the static-export test serves the export with a real nginx.
CHROMIUM ?= /usr/bin/chromium
NGINX ?= /usr/sbin/nginx
BROWSER_APT := chromium fonts-noto-cjk nginx
# The SQL tests run again on PostgreSQL, and the multi-node tests share Redis: tests/services.py
# starts both as throwaway servers from these packages.
SERVICE_APT := postgresql redis-server
BROWSER_TOOLS := tools/browser
NPM_STAMP := $(BROWSER_TOOLS)/node_modules/.stamp-npm-ci

.PHONY: run test test-fast lint check index translations extract-messages clean browser-deps service-deps lighthouse

## make run: install, build what the site needs (the back office's database, with the demo's
## made-up applications, included), and serve it at http://$(HOST):$(PORT)
run: $(BIN)/portal translations
	$(BIN)/portal check || true
	$(BIN)/portal db upgrade || true
	$(BIN)/portal applications load-samples samples/applications.yml || true
	$(BIN)/portal serve --host $(HOST) --port $(PORT)

## make test: install (browser-deps and service-deps too), then the linter, the format check,
## every test, and the SQL tests again on a throwaway PostgreSQL
test: $(BIN)/portal translations browser-deps service-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest -q -m sql --postgresql

## make test-fast: the everyday loop (about four minutes): lint, and every test but the
## real-browser and slow ones (servers, subprocesses, long property searches)
test-fast: $(BIN)/portal translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -m "not browser and not slow"

## make browser-deps: Debian's Chromium, CJK fonts and nginx (apt-get, as root) and the npm tools of
## tools/browser (axe-core, the Nu HTML checker, Lighthouse); does nothing when all are there
browser-deps: $(NPM_STAMP)
	@if [ -x $(CHROMIUM) ] && [ -x $(NGINX) ] && fc-list :lang=zh family 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" != 0 ]; then \
	  echo "browser-deps: Chromium or a CJK font is missing and this is not root, so no apt-get;" \
	       "without Chromium the browser tests skip. As root: apt-get install $(BROWSER_APT)"; \
	elif ! command -v apt-get >/dev/null; then \
	  echo "browser-deps: no apt-get; install Chromium at $(CHROMIUM) and a CJK font by hand"; \
	else \
	  echo "browser-deps: apt-get install $(BROWSER_APT)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_APT); \
	fi

## make service-deps: Debian's PostgreSQL and Redis server programs (apt-get, as root); the tests
## start their own throwaway servers from them, so the packages' own services are not needed
service-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
	  echo "service-deps: PostgreSQL or Redis is missing and apt-get cannot run here;" \
	       "as root: apt-get install $(SERVICE_APT)"; exit 1; \
	else \
	  echo "service-deps: apt-get install $(SERVICE_APT)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SERVICE_APT); \
	fi

# --ignore-scripts: vnu-jar's install script would download a Java; the system's is used.
# The *_SKIP_DOWNLOAD variables keep Lighthouse's puppeteer-core from fetching a browser.
$(NPM_STAMP): $(BROWSER_TOOLS)/package.json $(BROWSER_TOOLS)/package-lock.json
	@if command -v npm >/dev/null; then \
	  cd $(BROWSER_TOOLS) && PUPPETEER_SKIP_DOWNLOAD=1 CHROMEDRIVER_SKIP_DOWNLOAD=true \
	    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
	  && touch node_modules/.stamp-npm-ci; \
	else \
	  echo "browser-deps: npm is missing, so axe-core and the HTML checker are too;" \
	       "those browser tests will skip"; \
	fi

## make lighthouse: Lighthouse scores and page weights of the demo site (benchmarks/)
lighthouse: $(BIN)/portal translations browser-deps
	$(BIN)/python benchmarks/lighthouse_bench.py

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
