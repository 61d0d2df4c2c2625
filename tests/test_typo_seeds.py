"""Typo and punctuation findings on the five seed reports: the required hits, and EVERY
`typo` finding listed with the reason it is a real error (no silent false alarms)."""
from nlp_review.checks.registry import load_rules as load_all_rules
from nlp_review.pipeline import Options, review_text

# (seed, quote, suggestion) → why it is a real error. Anything else of category typo fails.
EXPECTED_TYPOS = {
    ("002", "截止目前", "截至目前"): "“截止”后接时间词应为“截至”（《现代汉语词典》第7版；rubric F2）",
    ("003", "为收取", "未收取"): "“本机关为收取信息公开处理费”——为/未之误，句意相反（rubric F1）",
    ("003", "信息公开处理费", "信息处理费"): "费用法定名称为“信息处理费”（国办函〔2020〕109号；rubric F3）",
    ("003", "利的", "利地"): "“顺利的完成”：状语“顺利”修饰动词“完成”应用“地”（的/地误用，rubric §5）",
}


def _typos(doc):
    return [f for f in doc.findings if f.category == "typo"]


def test_required_seed_hits(reviewed_seeds):
    d3 = reviewed_seeds["003"]
    assert any(f.quote == "为收取" and "未收取" in f.suggestions and f.severity == "error" for f in _typos(d3))
    d2 = reviewed_seeds["002"]
    assert any(f.quote == "截止目前" and "截至目前" in f.suggestions for f in _typos(d2))
    d4 = reviewed_seeds["004"]
    hits = [f for f in d4.findings if f.rule == "FORMAT.PUNCT_DUN_DENG"]
    assert hits and hits[0].category == "format"
    assert d4.text[hits[0].start - 4:hits[0].end] == "校园安全、等"


def test_no_unexplained_typo_findings(reviewed_seeds):
    found = {(seed, f.quote, f.suggestions[0] if f.suggestions else None)
             for seed, doc in reviewed_seeds.items() for f in _typos(doc)}
    unexplained = found - set(EXPECTED_TYPOS)
    assert not unexplained, f"typo findings on seeds without a stated reason: {sorted(unexplained)}"
    missing = set(EXPECTED_TYPOS) - found
    assert not missing, f"expected seed typos not found: {sorted(missing)}"


def test_typo_findings_carry_suggestion_and_confidence(reviewed_seeds):
    for doc in reviewed_seeds.values():
        for f in doc.findings:
            if f.rule.startswith("TYPO.") or f.rule.startswith("FORMAT.PUNCT_"):
                assert 0.0 < f.confidence <= 1.0
                assert doc.text[f.start:f.end] == f.quote
                if f.rule != "FORMAT.PUNCT_UNBALANCED":
                    assert f.suggestions and f.suggestions[0] != f.quote


def test_min_confidence_filters_typos():
    text = ("示例局2024年政府信息公开工作年度报告\n一、总体情况\n做好其它各项工作。本年度，本机关为收取信息处理费。\n")
    low = {f.rule for f in review_text(text).findings}
    high = {f.rule for f in review_text(text, options=Options(min_confidence=0.85)).findings}
    assert "TYPO.PREFERRED_FORM" in low and "TYPO.PREFERRED_FORM" not in high  # 其它 is 0.8
    assert "TYPO.WEI_NEGATION" in high


def test_language_rules_are_catalogued():
    rules = load_all_rules()
    for rid in ("TYPO.WEI_NEGATION", "TYPO.JIEZHI_JIEZHI", "TYPO.WORD_FORM", "TYPO.PREFERRED_FORM", "TYPO.REPEATED_WORD",
                "FORMAT.PUNCT_DUN_DENG", "FORMAT.PUNCT_DOUBLED", "FORMAT.PUNCT_HALFWIDTH"):
        assert rid in rules
        assert rules[rid].category == ("typo" if rid.startswith("TYPO") else "format")
