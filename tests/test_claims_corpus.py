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


def test_no_false_alarms_on_real_excerpts():
    """The claims, arithmetic, date and number rules on the 144 real texts of corpus/claims raise
    exactly the real defects: fused or garbled dates in four excerpts and the seeds' breakdown
    and fee problems."""
    from nlp_review.checks.registry import load_rules
    from nlp_review.pipeline import read_path

    modules = ("contradiction.", "format.dates", "format.numbers")
    rules = [r for r in load_rules().values() if r.module.removeprefix("nlp_review.checks.").startswith(modules)]
    assert {r.id.split(".")[0] for r in rules} == {"CLAIM", "ARITH", "DATE", "NUMBER", "FORMAT"}
    found = set()
    for p in sorted((ROOT / "corpus/claims/texts").glob("*.txt")):
        doc = read_path(p, until="claims")
        for rule in rules:
            found.update((p.name, f.rule, f.quote) for f in rule(doc))
    assert found == {
        ("0003.txt", "FORMAT.DATE_MALFORMED", "20231月"), ("0003.txt", "FORMAT.DATE_MALFORMED", "202312月"),
        ("0012.txt", "FORMAT.DATE_MALFORMED", "20241月"), ("0012.txt", "FORMAT.DATE_MALFORMED", "202412月"),
        ("0055.txt", "FORMAT.DATE_MALFORMED", "2020你那12月31日"),
        ("0087.txt", "FORMAT.DATE_MALFORMED", "20231月"), ("0087.txt", "FORMAT.DATE_MALFORMED", "202312月"),
        ("seed_003.txt", "ARITH.BREAKDOWN_SUM", "58条"), ("seed_003.txt", "NUMBER.FEE_IMPLAUSIBLE", "1.0074845E7"),
        ("seed_004.txt", "NUMBER.FEE_IMPLAUSIBLE", "11615")}
