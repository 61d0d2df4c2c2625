"""The cost of a review against the tokenisation floor, load time against the bare spaCy +
jieba start-up, and resident memory (issue 15) — measured on the five seeds, one core.

    .venv/bin/python bench/bench_review.py [--rounds 15] [--loads 3] [--no-identity] [--out bench/results/review_perf]

- **Floor**: spaCy `blank("zh")` with the jieba segmenter and the sentencizer over the
  document's whole text (`nlp(doc.text)`) — what any Chinese NLP program pays.
- **Stages**: ingestion (`load_bytes`) and every component of the `review` preset, timed
  one by one. Floor and review alternate on each seed in every round, so both see the same
  neighbours on a shared machine; the ratio of the two (CPU time of this thread, medians per
  seed, summed over the seeds) is the figure that counts, wall times are printed too. The
  typo rules are timed as `checks` runs them: their share of `checks`, in ms per sentence (their cost is the typo engine's budget, ≤ 5 ms per sentence).
- **Load**: fresh interpreters, alternating: the bare start-up (spaCy + jieba + sentencizer
  through `structure.sentences.get_nlp`, the same torch-less import the review uses, then the
  first `nlp(text)`, which loads jieba's dictionary) and the review start-up (import, build
  the preset, first review of a seed). Start-up = time to the first result minus one
  steady-state call. Medians over `--loads` pairs. A third process reviews with the typo
  rules disabled: what the rest of the review adds (the typo models are the typo engine's).
- **Memory**: VmRSS and peak RSS of a fresh review process after reviewing all five seeds.
- **Identity**: the contract output of the seeds and the 182 excerpts against the golden
  outputs (`tests/golden.py`): a faster review must change no finding.

A report; it asserts nothing. The machine's load average is printed with the results.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
TYPO, NO_TYPO = "typo rules", "review without typo"
SEEDS = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))


def _one_core() -> None:
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass


def _rss_mib() -> tuple[float, float]:
    """(current VmRSS, peak VmHWM) in MiB."""
    now = peak = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return now, peak


# ---- child processes: start-up ---------------------------------------------------------------

def child(kind: str) -> None:
    t0 = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    _one_core()
    data = [(p.name, p.read_bytes()) for p in SEEDS]
    if kind == "bare":
        from nlp_review.structure.sentences import get_nlp

        text = data[0][1].decode("utf-8")
        nlp = get_nlp()
        nlp(text)
        first = time.perf_counter() - t0
        steady = []
        for _ in range(3):
            s = time.perf_counter()
            nlp(text)
            steady.append(time.perf_counter() - s)
        for name, b in data[1:]:
            nlp(b.decode("utf-8"))
    else:
        from nlp_review.checks.registry import load_rules
        from nlp_review.ingest import load_bytes
        from nlp_review.options import Options
        from nlp_review.pipeline import Pipeline

        pipe = Pipeline.preset("review")
        # without the typo rules: what the rest of the review adds to the start-up (their models
        # are the typo engine's budget)
        off = [r.id for r in load_rules().values() if r.category == "typo"] if kind == "review_no_typo" else []
        pipe.run(load_bytes(data[0][1], data[0][0]), Options(disabled_rules=frozenset(off)))
        first = time.perf_counter() - t0
        steady = []
        for _ in range(3):
            s = time.perf_counter()
            pipe.run(load_bytes(data[0][1], data[0][0]), Options(disabled_rules=frozenset(off)))
            steady.append(time.perf_counter() - s)
        for name, b in data[1:]:
            pipe.run(load_bytes(b, name), Options(disabled_rules=frozenset(off)))
    rss, peak = _rss_mib()
    print(json.dumps({"first_s": first, "steady_s": statistics.median(steady),
                      "startup_s": first - statistics.median(steady), "rss_mib": rss, "peak_rss_mib": peak,
                      "modules": sorted(m for m in ("sklearn", "scipy", "torch", "datasketch", "joblib")
                                        if m in sys.modules)}))


def measure_loads(n: int) -> dict:
    runs: dict[str, list[dict]] = {"bare": [], "review": [], "review_no_typo": []}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(n):
        for kind in runs:
            out = subprocess.run([sys.executable, __file__, "--child", kind], capture_output=True, text=True,
                                 env=env, check=True)
            runs[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {k: {f: statistics.median(r[f] for r in v) for f in ("first_s", "steady_s", "startup_s", "rss_mib",
                                                                 "peak_rss_mib")} for k, v in runs.items()}
    med["review"]["modules"] = runs["review"][-1]["modules"]
    med["ratio"] = med["review"]["startup_s"] / med["bare"]["startup_s"]
    med["ratio_no_typo"] = med["review_no_typo"]["startup_s"] / med["bare"]["startup_s"]
    return med


# ---- per-stage cost --------------------------------------------------------------------------

def measure_stages(rounds: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from nlp_review.ingest import load_bytes
    from nlp_review.options import Options
    from nlp_review.pipeline import Pipeline
    from nlp_review.checks import runner
    from nlp_review.structure.sentences import get_nlp

    # the typo rules' share of "checks" (the typo engine's budget): run_checks as it is, its
    # typo rules timed as they run
    typo_clock: dict[str, float] = {}

    class TypoTimed:
        def __init__(self, rule):
            self.rule = rule

        def __getattr__(self, attr):
            return getattr(self.rule, attr)

        def __call__(self, doc):
            w, c = time.perf_counter(), time.thread_time()
            out = self.rule(doc)
            typo_clock["cpu"] = typo_clock.get("cpu", 0.0) + time.thread_time() - c
            typo_clock["wall"] = typo_clock.get("wall", 0.0) + time.perf_counter() - w
            return out

    select = runner.selected
    runner.selected = lambda *a, **k: (TypoTimed(r) if r.category == "typo" else r for r in select(*a, **k))

    pipe = Pipeline.preset("review")
    nlp = get_nlp()
    data = [(p.name, p.read_bytes()) for p in SEEDS]
    texts = {}
    for name, b in data:  # warm-up: models load once
        texts[name] = pipe.run(load_bytes(b, name)).text
        nlp(texts[name])
    typo_clock.clear()
    stages = ["ingest"] + pipe.names
    cpu = {name: {s: [] for s in ["floor"] + stages + [TYPO]} for name, _ in data}
    wall = {name: {s: [] for s in ["floor"] + stages + [TYPO]} for name, _ in data}
    sentences: dict[str, int] = {}

    def timed(name: str, stage: str, fn):
        w, c = time.perf_counter(), time.thread_time()
        out = fn()
        cpu[name][stage].append(time.thread_time() - c)
        wall[name][stage].append(time.perf_counter() - w)
        return out

    for r in range(rounds):
        for name, b in (data if r % 2 == 0 else data[::-1]):
            floor_first = r % 2 == 0

            def floor():
                timed(name, "floor", lambda: nlp(texts[name]))

            if floor_first:
                floor()
            doc = timed(name, "ingest", lambda: load_bytes(b, name))
            options = Options()
            for c, config in pipe.steps:
                timed(name, c.name, lambda: c.fn(doc, options, **config))
                doc.layers.update(c.assigns)
            cpu[name][TYPO].append(typo_clock.pop("cpu", 0.0))
            wall[name][TYPO].append(typo_clock.pop("wall", 0.0))
            sentences[name] = len(doc.sentences)
            if not floor_first:
                floor()

    def summary(table):
        per_seed = {name: {s: statistics.median(v) * 1000 for s, v in st.items()} for name, st in table.items()}
        for st in per_seed.values():
            st["review"] = sum(st[s] for s in stages)
            st[NO_TYPO] = st["review"] - st[TYPO]
        tot = {s: sum(st[s] for st in per_seed.values()) for s in ["floor"] + stages + ["review", TYPO, NO_TYPO]}
        return per_seed, {s: tot[s] / tot["floor"] for s in tot}, tot

    cps, cratio, ctot = summary(cpu)
    wps, wratio, wtot = summary(wall)
    return {"stages": stages, "cpu_ms": cps, "cpu_ratio": cratio, "cpu_total_ms": ctot,
            "wall_ms": wps, "wall_ratio": wratio, "wall_total_ms": wtot,
            "chars": {name: len(t) for name, t in texts.items()}, "sentences": sentences}


def identity() -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.golden import INPUTS, _key, canonical, current_output, load_golden

    golden = load_golden()
    differ = [_key(p) for p in INPUTS if golden.get(_key(p)) != canonical(current_output(p))]
    return {"inputs": len(INPUTS), "identical": len(INPUTS) - len(differ), "differ": differ}


def report(res: dict) -> str:
    st = res["stages"]
    lines = [f"load average at start {res['loadavg_start']}, at end {res['loadavg_end']}; "
             f"{res['rounds']} rounds, one core", "",
             "| stage | CPU ms (5 seeds) | × floor (CPU) | × floor (wall) |", "| --- | --- | --- | --- |"]
    names = {"review": "**full review**", "floor": "floor: spaCy + jieba + sentencizer",
             TYPO: "of which the typo rules (inside checks)", NO_TYPO: "full review without the typo rules"}
    for s in ["floor"] + st["stages"] + ["review", TYPO, NO_TYPO]:
        lines.append(f"| {names.get(s, s)} | {st['cpu_total_ms'][s]:.1f} | {st['cpu_ratio'][s]:.2f} | "
                     f"{st['wall_ratio'][s]:.2f} |")
    n = sum(st["sentences"].values())
    lines += ["", f"typo rules: {st['cpu_total_ms'][TYPO] / n:.2f} ms CPU per sentence ({n} sentences in the seeds)"]
    ld = res.get("load")
    if ld:
        lines += ["", "| start-up | s (median) | first result s | RSS MiB | peak RSS MiB |", "| --- | --- | --- | --- | --- |",
                  f"| bare spaCy + jieba | {ld['bare']['startup_s']:.2f} | {ld['bare']['first_s']:.2f} | "
                  f"{ld['bare']['rss_mib']:.0f} | {ld['bare']['peak_rss_mib']:.0f} |",
                  f"| review | {ld['review']['startup_s']:.2f} | {ld['review']['first_s']:.2f} | "
                  f"{ld['review']['rss_mib']:.0f} | {ld['review']['peak_rss_mib']:.0f} |",
                  f"| **ratio** | **{ld['ratio']:.2f}** | | | |",
                  f"| review without the typo rules | {ld['review_no_typo']['startup_s']:.2f} | "
                  f"{ld['review_no_typo']['first_s']:.2f} | {ld['review_no_typo']['rss_mib']:.0f} | "
                  f"{ld['review_no_typo']['peak_rss_mib']:.0f} |",
                  f"| ratio without the typo rules | {ld['ratio_no_typo']:.2f} | | | |", "",
                  f"modules loaded by the review process (of sklearn, scipy, torch, datasketch, joblib): "
                  f"{', '.join(ld['review']['modules']) or 'none'}"]
    idt = res.get("identity")
    if idt:
        lines += ["", f"identical contract outputs (seeds + excerpts vs golden): {idt['identical']}/{idt['inputs']}"
                  + (f"; differ: {', '.join(idt['differ'])}" if idt["differ"] else "")]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--loads", type=int, default=3)
    ap.add_argument("--no-identity", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "review_perf"))
    ap.add_argument("--child", choices=("bare", "review", "review_no_typo"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    _one_core()
    res = {"rounds": args.rounds, "loadavg_start": " ".join(f"{x:.1f}" for x in os.getloadavg())}
    if args.loads:
        res["load"] = measure_loads(args.loads)
    res["stages"] = measure_stages(args.rounds)
    if not args.no_identity:
        res["identity"] = identity()
    res["loadavg_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    text = report(res)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
