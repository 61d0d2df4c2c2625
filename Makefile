# Two commands: `make run` and `make test`. Both bootstrap .venv from pinned requirements.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test setup bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt -r requirements-dev.txt
	$(PIP) install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/nlp-review check samples/sample_report.txt --format text || test $$? -eq 1

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/bench_check.py

clean:
	rm -rf $(VENV) build *.egg-info
