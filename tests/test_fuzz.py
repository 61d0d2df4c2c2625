"""The fast subset of the fuzz corpus (one mutated input per family × format, 47 inputs)
through `nlp-review check` with the real harness (tests/fuzz/harness.py); the full run
(≥ 2,000 inputs, and the service) is `make fuzz`."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fuzz.corpus import plan
from tests.fuzz.mutate import FAMILIES

ROOT = Path(__file__).resolve().parents[1]


def test_fast_fuzz_subset(tmp_path):
    out = tmp_path / "report"
    p = subprocess.run([sys.executable, "-m", "tests.fuzz", "--fast", "--out", str(out), "--corpus",
                        str(tmp_path / "corpus")], cwd=ROOT, capture_output=True, text=True, timeout=3000)
    stats = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert p.returncode == 0, (p.stderr[-3000:], stats["failed"])
    records = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(plan(full=False)) == stats["inputs"]
    assert {r["family"] for r in records} == set(FAMILIES)
    assert set(stats["exit_codes"]) <= {"0", "1", "2"}
    assert stats["max_rss_mb"] < 1024 and stats["max_wall_s"] < 62
    # the corpus is hostile: most inputs are refused with a Chinese message, some are reviewed
    assert stats["exit_codes"].get("2", 0) >= 10 and stats["exit_codes"].get("0", 0) + stats["exit_codes"].get("1", 0) >= 10


def test_corpus_is_deterministic(tmp_path):
    from tests.fuzz.corpus import build_one

    a = build_one("zip_entry", "docx", 0, 3, tmp_path)
    b = build_one("zip_entry", "docx", 0, 3, tmp_path)
    assert a.data == b.data and a.name == "zip_entry-docx-0-3"
    assert len(plan()) >= 2000
