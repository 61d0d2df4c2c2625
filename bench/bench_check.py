"""Per-report time and peak memory of `check` on the seeds (issue 2 target: < 100 ms per
report on one core once loaded, excluding ML models).

    .venv/bin/python bench/bench_check.py [--repeat 20] [--rules-only]

`--rules-only` runs only the foundation pipeline (ingestion, structure, tables, sentences,
the structure and table rules) — the figure the target is about; without it the full
`review` preset runs.
Run it by hand or in CI as a report; it asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp_review.ingest import load_bytes  # noqa: E402
from nlp_review.pipeline import Pipeline  # noqa: E402

FOUNDATION = ("sections", "report_guard", "tables", "sentences",
              ("checks", {"categories": ("structure", "table_identity")}), "scores")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--rules-only", action="store_true")
    args = ap.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    except (AttributeError, OSError):
        pass
    pipe = Pipeline(FOUNDATION, "foundation") if args.rules_only else Pipeline.preset("review")
    seeds = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))
    data = [(p.name, p.read_bytes()) for p in seeds]
    t0 = time.perf_counter()
    for name, b in data:  # warm-up: spaCy, jieba dictionary, models load once
        pipe.run(load_bytes(b, name))
    print(f"warm-up (loading) {1000 * (time.perf_counter() - t0):.0f} ms")
    print(f"{'report':<28}{'chars':>7}{'median ms':>11}{'p95 ms':>9}{'peak KiB':>10}")
    all_ms = []
    for name, b in data:
        times = []
        for _ in range(args.repeat):
            s = time.perf_counter()
            doc = pipe.run(load_bytes(b, name))
            times.append(1000 * (time.perf_counter() - s))
        tracemalloc.start()
        pipe.run(load_bytes(b, name))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        times.sort()
        all_ms.extend(times)
        print(f"{name:<28}{len(doc.text):>7}{statistics.median(times):>11.1f}"
              f"{times[int(0.95 * (len(times) - 1))]:>9.1f}{peak / 1024:>10.0f}")
    print(f"all reports: median {statistics.median(all_ms):.1f} ms; "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
