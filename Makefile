# Brücke: `make run` starts the app, `make test` runs the whole suite headless.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench catalog clean postgres-server

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ] && [ "$$QT_QPA_PLATFORM" != "offscreen" ]; then \
		echo "No display found: Brücke's window needs a desktop session."; \
		echo "Use the command line instead, e.g.  $(PY) -m crm --help"; \
		exit 1; \
	fi
	$(PY) main.py

# The suite also runs against a real PostgreSQL server that it starts itself; install
# Debian's server package where it is missing (CI runs as root in a fresh machine).
postgres-server:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's postgresql package for the tests …"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends postgresql >/dev/null; \
	else \
		echo "PostgreSQL's server (initdb) is missing: apt-get install postgresql"; exit 1; \
	fi

test: $(STAMP) postgres-server
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

catalog: $(STAMP)
	$(PY) -m crm.i18n_tools update

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info
