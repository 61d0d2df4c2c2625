"""Commonness index (issue 6): time to build the MinHash/LSH index and to query it for
1,000 and 10,000 synthetic reports, and how memory grows.

    .venv/bin/python bench/boilerplate_index.py [--sizes 1000 10000] [--queries 100] [--mode sentences|clauses]

A synthetic report is 30 sentences made from the corpus's indexable sentences (the 182
report excerpts), every number replaced by a random one:
- `--mode sentences` (stress case): whole corpus sentences drawn at random, half of them
  given another place name — with ~1,900 source sentences, each sentence of a
  10,000-report batch has ~150 near-copies, far more than real reports have;
- `--mode clauses` (closer to real batches): each sentence joins 2–4 clauses (split at
  ，；) of different corpus sentences, so most sentences are new and a few recur.
Memory is the growth of the process's resident set (RSS) while the index is built.
It asserts nothing; the numbers go to README.md.
"""
from __future__ import annotations

import argparse
import gc
import json
import lzma
import os
import random
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp_review.boilerplate.index import CommonIndex, indexable  # noqa: E402
from nlp_review.boilerplate.text import split_sentences  # noqa: E402

SENTENCES_PER_REPORT = 30
PLACES = ["东城区", "西湖区", "南山区", "北关区", "呼兰区", "临平区", "福田区", "铁西区", "和平区", "鼓楼区"]


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def pool() -> list[str]:
    with lzma.open(ROOT / "corpus" / "boilerplate" / "reports.jsonl.xz", "rt", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh]
    return [t[a:b] for t in texts for a, b in split_sentences(t) if indexable(t[a:b])]


def synthetic(rng: random.Random, sentences: list[str], clauses: list[str] | None = None) -> list[str]:
    out = []
    if clauses is not None:
        for _ in range(SENTENCES_PER_REPORT):
            s = "，".join(rng.sample(clauses, rng.randint(2, 4))) + "。"
            out.append(re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), s))
        return out
    for s in rng.sample(sentences, SENTENCES_PER_REPORT):
        s = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), s)
        if rng.random() < 0.5:
            s = rng.choice(PLACES) + s
        out.append(s)
    return out


def run(n: int, queries: int, sentences: list[str], clauses: list[str] | None) -> dict:
    rng = random.Random(n)
    reports = [synthetic(rng, sentences, clauses) for _ in range(n)]
    probes = [synthetic(rng, sentences, clauses) for _ in range(queries)]
    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    idx = CommonIndex()
    for i, r in enumerate(reports):
        idx.add_doc({"key": f"r{i}", "agency": f"机关{i}"}, r)
    build = time.perf_counter() - t0
    gc.collect()
    after = rss_mb()
    t1 = time.perf_counter()
    hits = 0
    for r in probes:
        for s in r:
            hits += bool(idx.query(s))
    query = time.perf_counter() - t1
    t2 = time.perf_counter()
    idx.copy()
    copy_s = time.perf_counter() - t2
    res = {"mode": "clauses" if clauses is not None else "sentences", "reports": n, "sentences": len(idx), "build_s": round(build, 2),
           "build_ms_per_report": round(build / n * 1000, 2),
           "query_ms_per_report": round(query / queries * 1000, 1),
           "query_ms_per_sentence": round(query / (queries * SENTENCES_PER_REPORT) * 1000, 2),
           "probe_sentences_with_near_copy": round(hits / (queries * SENTENCES_PER_REPORT), 3),
           "rss_growth_mb": round(after - before, 1),
           "rss_kb_per_sentence": round((after - before) * 1024 / max(1, len(idx)), 2),
           "copy_s": round(copy_s, 2)}
    del idx
    gc.collect()
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--mode", choices=("sentences", "clauses"), default="sentences")
    args = ap.parse_args()
    sentences = pool()
    clauses = None
    if args.mode == "clauses":
        clauses = sorted({c.strip("。！？") for s in sentences for c in re.split(r"[，,；;]", s)
                          if len(c.strip("。！？")) >= 6})
    print(f"source sentences: {len(sentences)}; {SENTENCES_PER_REPORT} per synthetic report", file=sys.stderr)
    for n in args.sizes:
        print(json.dumps(run(n, args.queries, sentences, clauses), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
