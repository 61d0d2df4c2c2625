# Two commands: `make run` and `make test`. Both bootstrap .venv from pinned requirements.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test setup bench clean check-sample browser bench-service

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt -r requirements-dev.txt
	$(PIP) install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# The review service (web page, API, LanguageTool-compatible /v2) on http://127.0.0.1:8000
# (NLP_REVIEW_HOST / NLP_REVIEW_PORT; data in var/service or DATABASE_URL).
run: $(STAMP)
	$(VENV)/bin/nlp-review serve

# The CLI on the bundled sample report.
check-sample: $(STAMP)
	$(VENV)/bin/nlp-review check samples/sample_report.txt --format text || test $$? -eq 1

# Debian chromium for the browser test (Playwright drives it; nothing is downloaded by Playwright).
browser:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
	  { [ "$$(id -u)" = 0 ] && (apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)); } || \
	  echo "chromium not installed (needs root/apt): the browser test will be skipped" >&2

test: $(STAMP) browser
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/bench_check.py

bench-service: $(STAMP)
	$(PY) bench/service_latency.py

clean:
	rm -rf $(VENV) build *.egg-info
