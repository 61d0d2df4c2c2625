"""Claim extraction against the hand-labelled set in corpus/claims (issue 3).

For every text in corpus/claims/texts the real pipeline runs; its `doc.claims` are
matched with the labelled claims of that file by overlapping spans (a labelled claim
is matched once; same-key matches first). Reported:
- extraction precision: extracted claims that overlap a labelled claim / extracted claims
- extraction recall: labelled claims matched by an extracted claim / labelled claims
- mapping precision: matched claims whose quantity key equals the label / matched claims
- value and kind accuracy on matched claims
each for all emitted claims and for the confident ones (confidence >= 0.7, the only ones
the contradiction rules use). Unmatched claims are listed with --verbose.

Run: .venv/bin/python bench/claims_eval.py [--verbose] [--json]
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "corpus" / "claims"))

from build import locate  # noqa: E402

from nlp_review.checks.contradiction.claims import REPORT_MIN  # noqa: E402
from nlp_review.pipeline import read_path  # noqa: E402


def claims_of(path):
    """The text through the review pipeline up to and including the claims component."""
    return read_path(path, until="claims")

DATA = ROOT / "corpus" / "claims"


def load_gold():
    gold = defaultdict(list)
    for line in (DATA / "claims.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        gold[r["file"]].append(r)
    return gold


def _overlap(a0, a1, b0, b1) -> bool:
    return a0 < b1 and b0 < a1


def match(extracted, gold):
    """Pairs (extracted, gold): same key first, then any overlap; each used once."""
    pairs, used_e, used_g = [], set(), set()
    for same_key in (True, False):
        for gi, g in enumerate(gold):
            if gi in used_g:
                continue
            for ei, e in enumerate(extracted):
                if ei in used_e or not _overlap(e.start, e.end, g["doc_start"], g["doc_end"]):
                    continue
                if same_key and e.key != g["key"]:
                    continue
                pairs.append((e, g))
                used_e.add(ei)
                used_g.add(gi)
                break
    return pairs, used_e, used_g


def evaluate(min_conf: float, docs, gold, verbose=False):
    n_ext = n_gold = n_pair = n_key = n_val = n_kind = n_ext_overlap = 0
    misses, spurious, wrong = [], [], []
    for file, doc in docs.items():
        ext = [c for c in doc.claims if c.confidence >= min_conf]
        g = gold.get(file, [])
        pairs, used_e, used_g = match(ext, g)
        n_ext += len(ext)
        n_gold += len(g)
        n_pair += len(pairs)
        # an extracted claim is a true extraction when it overlaps any labelled claim
        n_ext_overlap += sum(1 for e in ext if any(_overlap(e.start, e.end, x["doc_start"], x["doc_end"]) for x in g))
        for e, x in pairs:
            ok = e.key == x["key"]
            n_key += ok
            n_val += e.value == x["value"]
            n_kind += (e.kind == "zero") == (x["kind"] == "zero") and (e.kind != "exact") == (x["kind"] not in ("exact",)) \
                if x["kind"] in ("exact", "zero") else e.kind == x["kind"]
            if not ok:
                wrong.append((file, doc.text[e.start:e.end], e.key, x["key"]))
        for gi, x in enumerate(g):
            if gi not in used_g:
                misses.append((file, x["text"], x["key"], x["sentence"][:80]))
        for ei, e in enumerate(ext):
            if not any(_overlap(e.start, e.end, x["doc_start"], x["doc_end"]) for x in g):
                s = doc.text[e.sentence[0]:e.sentence[1]]
                spurious.append((file, doc.text[e.start:e.end], e.key, round(e.confidence, 2), s[:80]))
    res = {"min_confidence": min_conf, "labelled": n_gold, "extracted": n_ext, "matched": n_pair,
           "extraction_precision": round(n_ext_overlap / n_ext, 4) if n_ext else None,
           "extraction_recall": round(n_pair / n_gold, 4) if n_gold else None,
           "mapping_precision": round(n_key / n_pair, 4) if n_pair else None,
           "value_accuracy": round(n_val / n_pair, 4) if n_pair else None,
           "kind_accuracy": round(n_kind / n_pair, 4) if n_pair else None}
    if verbose:
        print(f"\n== min_confidence {min_conf}: wrong keys")
        for w in wrong:
            print("  WRONG", *w)
        for m in misses:
            print("  MISS", *m)
        for s in spurious:
            print("  SPURIOUS", *s)
    return res


def main() -> None:
    verbose = "--verbose" in sys.argv
    gold = load_gold()
    docs = {}
    for p in sorted((DATA / "texts").glob("*.txt")):
        doc = claims_of(p)
        docs[p.name] = doc
        for x in gold.get(p.name, []):
            x["doc_start"], x["doc_end"] = locate(doc.text, x["context"])
    results = [evaluate(0.0, docs, gold, verbose), evaluate(REPORT_MIN, docs, gold, verbose)]
    if "--json" in sys.argv:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return
    print(f"texts: {len(docs)}, labelled claims: {results[0]['labelled']}")
    print("| claims | extracted | matched | extraction P | extraction R | mapping P | value acc | kind acc |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        name = "all emitted" if r["min_confidence"] == 0 else f"confidence ≥ {r['min_confidence']}"
        print(f"| {name} | {r['extracted']} | {r['matched']} | {r['extraction_precision']} | {r['extraction_recall']} "
              f"| {r['mapping_precision']} | {r['value_accuracy']} | {r['kind_accuracy']} |")


if __name__ == "__main__":
    main()
