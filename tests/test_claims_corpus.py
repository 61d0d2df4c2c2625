"""The hand-labelled claim set (corpus/claims) through bench/claims_eval.py: issue 3
requires at least 150 labelled claims and a claim-to-cell mapping precision of 0.95."""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_labelled_set_shape():
    rows = [json.loads(x) for x in (ROOT / "corpus/claims/claims.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 150
    for r in rows:
        text = (ROOT / "corpus/claims/texts" / r["file"]).read_text(encoding="utf-8")
        assert text[r["start"]:r["end"]] == r["text"] and r["kind"] in ("exact", "zero", "approx", "lower_bound")


def test_extraction_and_mapping_quality():
    sys.path.insert(0, str(ROOT / "bench"))
    import claims_eval

    gold = claims_eval.load_gold()
    docs = {}
    for p in sorted((ROOT / "corpus/claims/texts").glob("*.txt")):
        doc = claims_eval.claims_of(p)
        docs[p.name] = doc
        for x in gold.get(p.name, []):
            x["doc_start"], x["doc_end"] = claims_eval.locate(doc.text, x["context"])
    res = claims_eval.evaluate(0.7, docs, gold)
    assert res["mapping_precision"] >= 0.95
    assert res["extraction_precision"] >= 0.9 and res["extraction_recall"] >= 0.9
