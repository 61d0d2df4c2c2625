"""How many table rows and cells the product reads on real report text, now and before.

Runs the review pipeline over every excerpt of `../shared/corpus/reports/` and
`reports_more/` whose manifest says it holds table text (`parts_present` has "tables",
or `has_table`), and counts per table: template rows found, rows read completely, cells
read, row-unreadable findings (`FORMAT.TABLE_ROW_UNREADABLE`, formerly `TABLE.ROW_UNREADABLE`). There is no hand-made truth for these excerpts, so
correctness is measured by the tables' own arithmetic: of the table-three rows read
completely, how many satisfy 总计 = the six applicant columns (a misaligned row rarely
does, unless it is all zeros — counted apart), and of table four's blocks read, how many
satisfy their block sum.

    .venv/bin/python bench/tables_corpus.py                 # this tree
    .venv/bin/python bench/tables_corpus.py --before 24eb9fe  # and the tree at that commit

`--before REV` checks REV out into a temporary directory (git archive) and runs the same
measurement there in a subprocess, then prints both side by side.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpus")

T3_COLUMNS = ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")
T3_ROWS = 25
T2_CELLS = 10


def excerpts() -> list[Path]:
    out = []
    for sub, test in (("reports", lambda d: "tables" in d.get("parts_present", [])),
                      ("reports_more", lambda d: d.get("has_table"))):
        for line in (CORPUS / sub / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            if test(d):
                out.append(CORPUS / sub / d["file"])
    return out


def layout(text: str) -> str:
    i = min((k for k in (text.find("第二十条"), text.find("本年新收")) if k >= 0), default=-1)
    if i < 0:
        return "no table text"
    region = text[i:i + 800].split("\n")
    if sum("|" in ln for ln in region) > len(region) / 3:
        return "pipes"
    if sum(not ln.strip() for ln in region) > len(region) / 4:
        return "one cell per line"
    return "other"


def measure() -> dict:
    from nlp_review.pipeline import review_path

    totals: Counter = Counter()
    by_layout: dict[str, Counter] = {}
    for path in excerpts():
        text = path.read_text(encoding="utf-8")
        lay = layout(text)
        c = by_layout.setdefault(lay, Counter())
        c["excerpts"] += 1
        try:
            doc = review_path(path)
        except Exception as e:  # noqa: BLE001 — a refused excerpt counts as nothing read
            c["refused"] += 1
            totals["refused"] += 1
            print(f"{path.name}: {type(e).__name__}", file=sys.stderr)
            continue
        t2, t3, t4 = (doc.tables.get(n) for n in ("table2", "table3", "table4"))
        row_unreadable = sum(1 for f in doc.findings if f.rule in ("TABLE.ROW_UNREADABLE", "FORMAT.TABLE_ROW_UNREADABLE"))
        stats = Counter(row_unreadable=row_unreadable)
        if t2 is not None:
            stats["t2_cells"] += len(t2.cells)
        if t3 is not None:
            cells = t3.values()
            stats["t3_cells"] += len(cells)
            rows = {k.rsplit(".", 1)[0] for k in cells}
            for row in rows:
                vals = [cells.get(f"{row}.{col}") for col in T3_COLUMNS]
                if all(v is not None for v in vals):
                    stats["t3_rows_complete"] += 1
                    if all(v == 0 for v in vals):
                        stats["t3_rows_all_zero"] += 1
                    elif sum(vals[:6]) == vals[6]:
                        stats["t3_rows_nonzero_balanced"] += 1
                    else:
                        stats["t3_rows_nonzero_unbalanced"] += 1
        if t4 is not None:
            cells = t4.values()
            stats["t4_cells"] += len(cells)
            for block in ("review", "litigation_direct", "litigation_after_review"):
                vals = [cells.get(f"{block}.{c}") for c in ("upheld", "corrected", "other", "pending", "total")]
                if all(v is not None for v in vals):
                    stats["t4_blocks"] += 1
                    stats["t4_blocks_balanced"] += sum(vals[:4]) == vals[4]
        c.update(stats)
        totals.update(stats)
        totals["excerpts"] += 1
    return {"totals": dict(totals), "by_layout": {k: dict(v) for k, v in by_layout.items()}}


def measure_at(rev: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": tmp}
        script = Path(__file__).resolve()
        out = subprocess.run([sys.executable, str(script), "--json"], env=env, cwd=tmp, check=True,
                             capture_output=True, text=True)
        return json.loads(out.stdout)


KEYS = ["excerpts", "refused", "row_unreadable", "t2_cells", "t3_cells", "t3_rows_complete", "t3_rows_all_zero",
        "t3_rows_nonzero_balanced", "t3_rows_nonzero_unbalanced", "t4_cells", "t4_blocks", "t4_blocks_balanced"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", help="git revision to compare with")
    ap.add_argument("--json", action="store_true", help="print the measurement as JSON (used for --before)")
    args = ap.parse_args(argv)
    now = measure()
    if args.json:
        print(json.dumps(now))
        return 0
    before = measure_at(args.before) if args.before else None
    cols = ["now"] + ([f"before ({args.before})"] if before else [])
    print(f"{len(excerpts())} excerpts with table text ({CORPUS})\n")
    for title, get in [("all", lambda r: r["totals"])] + [
            (f"layout: {lay}", (lambda lay: lambda r: r["by_layout"].get(lay, {}))(lay)) for lay in sorted(now["by_layout"])]:
        print(f"| {title} | " + " | ".join(cols) + " |")
        print("| --- |" + " --- |" * len(cols))
        for k in KEYS:
            vals = [get(now).get(k, 0)] + ([get(before).get(k, 0)] if before else [])
            print(f"| {k} | " + " | ".join(str(v) for v in vals) + " |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
