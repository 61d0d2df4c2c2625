"""Accuracy of `nlp_review.analytics.agency.parse_publisher` against the corpus manifests.

    .venv/bin/python bench/agency_eval.py [--shared ../shared/corpus] [--errors FIELD]

The manifests' agency/year/level (and `department` in reports/) are compared with what the
parser reads from each excerpt's text and file name. Sets: `reports` (the 182 excerpts, also
in corpus/elements/docs/) and `reports_more` (652 web-page excerpts, read from ../shared when
present). Both are development data — the rules were written while reading their errors
(--errors lists them), and reports_more is for training/tuning only — so the numbers measure
fit, not accuracy on unseen reports.

Fields:
- agency exact: the canonical name equals the manifest's (both with 政府 → 人民政府 and a
  bare town → its 人民政府); only manifest names that are stated, not inferred (no “据…推断”,
  “某…”, brackets);
- agency compatible: exact, or the two differ only by leading place names (呼兰区杨林乡 vs
  哈尔滨市呼兰区杨林乡);
- year, level (reports/ 'municipal' = city, 'provincial' = province, its 'township' covers
  streets too), department (reports/ only);
- region: the deepest gazetteer code read from the text equals the one read from the
  manifest's agency name (where that name has a place the gazetteer knows).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp_review.analytics.agency import _canonical, _split_places, parse_publisher  # noqa: E402
from nlp_review.analytics.gazetteer import load_gazetteer  # noqa: E402

INFERRED = re.compile(r"[\[\]（）()]|据|推断|某|未见")
LEVEL_MAP = {"municipal": "city", "provincial": "province"}


def norm(s: str) -> str:
    s = re.sub(r"\s+", "", s)
    s = s.replace("（", "(").replace("）", ")")
    return _canonical(s)


def compatible(a: str, b: str, gaz) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if not long_.endswith(short):
        return False
    prefix = long_[:-len(short)]
    reg = _split_places(prefix, gaz)
    return bool(reg.codes or reg.township) and not reg.rest


def load(set_name: str, shared: Path | None) -> list[tuple[dict, str]]:
    if set_name == "reports":
        folder = ROOT / "corpus" / "elements" / "docs"
    else:
        if not shared:
            return []
        folder = shared / "reports_more"
        if not folder.is_dir():
            return []
    rows = [json.loads(x) for x in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    return [(r, (folder / r["file"]).read_text(encoding="utf-8")) for r in rows]


def evaluate(items: list[tuple[dict, str]], errors: str | None = None) -> dict:
    gaz = load_gazetteer()
    c: Counter = Counter()
    shown = 0
    t0 = time.perf_counter()
    for r, text in items:
        p = parse_publisher(text, None, r["file"])
        gold_agency = r.get("agency") or ""
        named = bool(gold_agency) and not INFERRED.search(gold_agency)
        got = norm(p.agency) if p.agency else ""
        if named:
            g = norm(gold_agency)
            c["agency_n"] += 1
            ok = got == g
            c["agency_exact"] += ok
            comp = bool(got) and compatible(got, g, gaz)
            c["agency_compatible"] += comp
            c["agency_missing"] += not got
            if errors == "agency" and not comp and shown < 60:
                shown += 1
                print(f"  {r['file']}: got {p.agency!r} ({p.agency_source}) gold {gold_agency!r}")
            greg = _split_places(g, gaz)
            if greg.codes:
                c["region_n"] += 1
                c["region_ok"] += p.region_code == greg.codes[-1]
                c["province_ok"] += bool(p.region_code) and p.region_code[:2] == greg.codes[-1][:2]
                if errors == "region" and p.region_code != greg.codes[-1] and shown < 60:
                    shown += 1
                    print(f"  {r['file']}: got {p.region_code} {p.region_path} ({p.agency!r}) gold {greg.codes[-1]} {gold_agency!r}")
        if r.get("year"):
            c["year_n"] += 1
            c["year_ok"] += p.year == r["year"]
            if errors == "year" and p.year != r["year"] and shown < 60:
                shown += 1
                print(f"  {r['file']}: got {p.year} ({p.year_source}) gold {r['year']}")
        gl = LEVEL_MAP.get(r.get("level"), r.get("level"))
        if gl and gl != "unknown":
            c["level_n"] += 1
            ok = p.level == gl or (r.get("level") == "township" and "department" in r and p.level in ("township", "street"))
            c["level_ok"] += ok
            if errors == "level" and not ok and shown < 60:
                shown += 1
                print(f"  {r['file']}: got {p.level} ({p.agency!r}) gold {gl} {gold_agency!r}")
        if r.get("department"):
            c["department_n"] += 1
            ok = p.department == r["department"]
            c["department_ok"] += ok
            if errors == "department" and not ok and shown < 60:
                shown += 1
                print(f"  {r['file']}: got {p.department} ({p.agency!r}) gold {r['department']} {gold_agency!r}")
    c["ms_per_doc"] = round((time.perf_counter() - t0) * 1000 / max(1, len(items)), 2)
    return dict(c)


def table(results: dict[str, dict]) -> str:
    def pct(d, k, n):
        return f"{d.get(k, 0) / d[n]:.3f} ({d.get(k, 0)}/{d[n]})" if d.get(n) else "—"

    out = ["| set | agency exact | agency compatible | region (deepest code) | province | year | level | department |",
           "|---|---|---|---|---|---|---|---|"]
    for name, d in results.items():
        out.append(f"| {name} | {pct(d, 'agency_exact', 'agency_n')} | {pct(d, 'agency_compatible', 'agency_n')} | "
                   f"{pct(d, 'region_ok', 'region_n')} | {pct(d, 'province_ok', 'region_n')} | {pct(d, 'year_ok', 'year_n')} | "
                   f"{pct(d, 'level_ok', 'level_n')} | {pct(d, 'department_ok', 'department_n')} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--errors", choices=("agency", "year", "level", "department", "region"))
    ap.add_argument("--set", choices=("reports", "reports_more"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    shared = Path(args.shared)
    if not shared.is_dir() and Path("/work/shared/corpus").is_dir():
        shared = Path("/work/shared/corpus")
    results = {}
    for s in ("reports", "reports_more"):
        if args.set and s != args.set:
            continue
        items = load(s, shared)
        if not items:
            continue
        # Both sets are development data (reports_more is for training and tuning only, never
        # evaluation — its README): these numbers say how well the rules fit what they were
        # written against, not how they do on unseen reports.
        if args.errors:
            print(f"[{s}]")
        results[f"{s} ({len(items)})"] = evaluate(items, args.errors)
    print(json.dumps(results, ensure_ascii=False) if args.json else table(results))


if __name__ == "__main__":
    main()
