"""Cross-report near-copies at a national scale (issue 15): the map-reduce of
`nlp_review/batch/nearcopy.py` on N synthetic reports, time and peak memory per step, and
(for N ≤ --verify-upto) its answers against the in-memory `CommonIndex`.

    nice -n 10 .venv/bin/python bench/nearcopy_mapreduce.py --sizes 10000 50000 150000 [--workers 2]

Synthetic reports are those of bench/boilerplate_index.py (`--mode clauses`: each sentence
joins 2–4 clauses of different corpus sentences, numbers randomised), generated chunk by
chunk from a seed per chunk, so the driver never holds the year either. The steps run in
a process pool (`--workers`) with their outputs in a temporary folder, as `nlp-review
batch` runs them. Memory: resident set of the driver and of every pool process, sampled
every 0.2 s; per step the peak of their sum and of the largest one. Prints one JSON
object per size; asserts nothing (the numbers go to README.md), except that the map-reduce
and the in-memory index agree where both ran.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psutil  # noqa: E402

from boilerplate_index import pool as sentence_pool, synthetic  # noqa: E402
from nlp_review.batch import nearcopy as nc  # noqa: E402
from nlp_review.boilerplate.text import norm  # noqa: E402


class Memory:
    """Peak RSS (MB) of this process and its children, by step."""

    def __init__(self):
        self.me = psutil.Process()
        self.step = "start"
        self.peaks: dict[str, dict] = {}
        self._stop = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self._stop:
            procs = [self.me] + self.me.children(recursive=True)
            rss = []
            for p in procs:
                try:
                    rss.append(p.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
            pk = self.peaks.setdefault(self.step, {"total_mb": 0.0, "largest_mb": 0.0})
            pk["total_mb"] = round(max(pk["total_mb"], sum(rss)), 1)
            pk["largest_mb"] = round(max(pk["largest_mb"], max(rss)), 1)
            time.sleep(0.2)

    def stop(self):
        self._stop = True


class TimedSteps(nc.LocalSteps):
    def __init__(self, folder, imap, memory: Memory):
        super().__init__(folder, imap)
        self.memory = memory
        self.times: dict[str, float] = {}

    def run(self, name, fn, tasks, n_out):
        self.memory.step = name
        t0 = time.perf_counter()
        out = super().run(name, fn, tasks, n_out)
        self.times[name] = round(time.perf_counter() - t0, 1)
        return out


def report_chunks(n: int, chunk: int, sentences, clauses):
    """Reports 1..n in chunks, each chunk from its own seed (the same reports every time)."""
    for c in range(0, n, chunk):
        rng = random.Random(n * 1_000_003 + c)
        part = []
        for d in range(c + 1, min(n, c + chunk) + 1):
            sents = synthetic(rng, sentences, clauses)
            seen, index = set(), []
            for s in sents:  # what CommonIndex.add_doc keeps
                k = norm(s)
                if k not in seen:
                    seen.add(k)
                    index.append(s)
            part.append(nc.ReportSentences(d, index, sents))
        yield part


def run_mapreduce(n, chunk, workers, sentences, clauses, keep_results: bool):
    memory = Memory()
    folder = Path(tempfile.mkdtemp(prefix="nearcopy-bench-", dir=os.environ.get("BENCH_TMP")))
    results = {}
    matched = pairs = 0
    with mp.get_context("fork").Pool(workers) as pool:
        steps = TimedSteps(folder, lambda fn, items: pool.imap_unordered(fn, items), memory)
        t0 = time.perf_counter()
        for found in nc.near_copies(steps, report_chunks(n, chunk, sentences, clauses), n, chunk, None):
            for qdoc, qtext, ms in found:
                matched += 1
                pairs += len(ms)
                if keep_results:
                    results[(qdoc, qtext)] = sorted(ms)
        total = time.perf_counter() - t0
    disk = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
    shutil.rmtree(folder, ignore_errors=True)
    memory.stop()
    time.sleep(0.3)
    return {"reports": n, "sentences": n * 30, "workers": workers, "chunk_reports": chunk,
            "seconds": round(total, 1), "step_seconds": steps.times, "peak_memory_mb": memory.peaks,
            "spill_mb_left_at_end": round(disk, 1), "query_sentences_with_near_copy": matched,
            "near_copy_pairs": pairs}, results


def in_memory(n, chunk, sentences, clauses):
    from nlp_review.boilerplate.index import CommonIndex

    t0 = time.perf_counter()
    idx = CommonIndex()
    reports = [r for part in report_chunks(n, chunk, sentences, clauses) for r in part]
    for r in reports:
        idx.add_doc({"key": r.doc}, r.index)
    build = time.perf_counter() - t0
    out = {}
    for r in reports:
        for q in dict.fromkeys(r.query):
            ms = idx.query(q, exclude=lambda m, d=r.doc: m["key"] == d)
            if ms:
                out[(r.doc, q)] = sorted((m.doc["key"], m.sentence, m.similarity) for m in ms)
    return out, {"build_s": round(build, 1), "query_s": round(time.perf_counter() - t0 - build, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000, 150000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=2000)
    ap.add_argument("--verify-upto", type=int, default=10000)
    args = ap.parse_args()
    sentences = sentence_pool()
    clauses = sorted({c.strip("。！？") for s in sentences for c in re.split(r"[，,；;]", s) if len(c.strip("。！？")) >= 6})
    print(f"load average {os.getloadavg()}; {len(clauses)} clauses; {os.cpu_count()} CPUs", file=sys.stderr)
    for n in args.sizes:
        verify = n <= args.verify_upto
        res, got = run_mapreduce(n, args.chunk, args.workers, sentences, clauses, verify)
        res["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
        print(json.dumps(res, ensure_ascii=False), flush=True)
        if verify:
            want, t = in_memory(n, args.chunk, sentences, clauses)
            ok = got == want
            print(json.dumps({"reports": n, "in_memory_index": t, "query_sentences_with_near_copy": len(want),
                              "equal_to_in_memory_index": ok}, ensure_ascii=False), flush=True)
            assert ok, "map-reduce and in-memory index disagree"


if __name__ == "__main__":
    main()
