"""Issue 3 on the five seed reports: the untouched seeds raise no spurious contradiction
(北关区's real 58-vs-60 breakdown is found), and planted changes — a narrative number, a
table cell, a breakdown, a year — are found exactly, at the planted span, with evidence."""
import pytest

from nlp_review.pipeline import review_text

MY_FAMILIES = ("CLAIM.", "ARITH.", "DATE.")


def contradictions(doc):
    return [f for f in doc.findings if f.category == "contradiction" and f.rule.startswith(MY_FAMILIES)]


def replace_once(text: str, old: str, new: str) -> tuple[str, int]:
    assert text.count(old) == 1, old
    i = text.index(old)
    return text[:i] + new + text[i + len(old):], i


@pytest.fixture(scope="module")
def seeds(reviewed_seeds):
    return reviewed_seeds


def test_untouched_seeds_no_spurious_contradiction(seeds):
    for name, doc in seeds.items():
        found = [(f.rule, f.quote) for f in contradictions(doc)]
        if name == "003":
            assert found == [("ARITH.BREAKDOWN_SUM", "58条")], found
        else:
            assert found == [], (name, found)


def test_beiguan_58_vs_60_found_with_evidence(seeds):
    f = [f for f in contradictions(seeds["003"]) if f.rule == "ARITH.BREAKDOWN_SUM"][0]
    assert f.evidence["whole"]["value"] == 58 and f.evidence["parts_sum"] == 60
    assert len(f.evidence["parts"]) == 8 and f.evidence["exhaustive"] is True


def test_linping_narrative_matches_table3(seeds):
    doc = seeds["004"]
    keys = {(c.key, c.value) for c in doc.claims}
    assert {("new.total", 12), ("granted.total", 11), ("unable.not_held.total", 1)} <= keys
    assert contradictions(doc) == []


def test_jiaozuo_retained_documents_is_ambiguous(seeds):
    doc = seeds["001"]
    c = [c for c in doc.claims if c.key == "normative_documents.in_force"]
    assert c and c[0].value == 3 and c[0].confidence < 0.7  # 保留以市政府名义… is a subset of 现行有效 6
    assert contradictions(doc) == []


def _planted(seed_doc, old, new, offset_in_old=0):
    text, i = replace_once(seed_doc.text, old, new)
    doc = review_text(text, "planted.txt")
    return doc, i + offset_in_old


def test_planted_narrative_number(seeds):
    doc, pos = _planted(seeds["004"], "予以公开的11件", "予以公开的10件", len("予以公开的"))
    found = contradictions(doc)
    assert [(f.rule, f.start, f.quote) for f in found] == [("CLAIM.TABLE_MISMATCH", pos, "10件")]
    ev = found[0].evidence
    assert ev["cell"]["key"] == "granted.total" and ev["claim_value"] == 10 and ev["table_value"] == 11
    assert found[0].severity == "error" and found[0].confidence >= 0.85


def test_planted_table_cell(seeds):
    doc0 = seeds["004"]
    cell = doc0.tables["table3"].cells["granted.total"]
    assert doc0.text[cell.start:cell.end] == "11"
    text = doc0.text[:cell.start] + "10" + doc0.text[cell.end:]
    doc = review_text(text, "planted.txt")
    found = contradictions(doc)
    assert [(f.rule, f.quote) for f in found] == [("CLAIM.TABLE_MISMATCH", "11件")]
    f = found[0]
    assert doc.text[f.start - 5:f.end] == "予以公开的11件"
    assert f.evidence["cell"]["key"] == "granted.total" and f.evidence["table_value"] == 10
    assert f.evidence["claim_value"] == 11


def test_planted_zero_claim_against_table(seeds):
    """Seed 003 says no applications; plant 2 new applications into table three."""
    doc0 = seeds["003"]
    t3 = doc0.tables["table3"]
    text = doc0.text
    for key in sorted(("new.natural_person", "new.total"), key=lambda k: -t3.cells[k].start):
        c = t3.cells[key]
        text = text[:c.start] + "2" + text[c.end:]
    doc = review_text(text, "planted.txt")
    found = [(f.rule, f.quote) for f in contradictions(doc)]
    assert ("CLAIM.TABLE_MISMATCH", "未收到群众提交的政府信息公开申请") in found
    assert ("ARITH.BREAKDOWN_SUM", "58条") in found and len(found) == 2


def test_planted_breakdown(seeds):
    doc0 = seeds["003"]
    fixed, _ = replace_once(doc0.text, "其他事项类 14条", "其他事项类 12条")
    assert contradictions(review_text(fixed, "fixed.txt")) == []  # parts now add up to 58
    text, i = replace_once(fixed, "主动公开政府信息 58条", "主动公开政府信息 50条")
    doc = review_text(text, "planted.txt")
    found = contradictions(doc)
    pos = i + len("主动公开政府信息 ")
    assert [(f.rule, f.start, f.quote) for f in found] == [("ARITH.BREAKDOWN_SUM", pos, "50条")]
    assert found[0].evidence["parts_sum"] == 58 and found[0].evidence["whole"]["value"] == 50


def test_planted_year(seeds):
    doc, pos = _planted(seeds["000"], "（一）主动公开。2023年，我局", "（一）主动公开。2022年，我局", len("（一）主动公开。"))
    found = contradictions(doc)
    assert [(f.rule, f.start, f.quote) for f in found] == [("DATE.YEAR_MISMATCH", pos, "2022年")]
    assert found[0].evidence["report_year"] == 2023 and found[0].evidence["year_in_text"] == 2022


def test_planted_review_claim(seeds):
    doc, pos = _planted(seeds["004"], "无政府信息的行政复议、行政诉讼案件。",
                        "因政府信息公开被申请行政复议1件，结果维持。", len("因政府信息公开被申请行政复议"))
    found = contradictions(doc)
    assert [(f.rule, f.start, f.quote) for f in found] == [("CLAIM.TABLE_MISMATCH", pos, "1件")]
    assert found[0].evidence["cell"]["key"] == "review.total" and found[0].evidence["table_value"] == 0


def test_seed_fee_plausibility(seeds):
    for name, quote in (("003", "1.0074845E7"), ("004", "11615")):
        hits = [f for f in seeds[name].findings if f.rule == "NUMBER.FEE_IMPLAUSIBLE"]
        assert [f.quote for f in hits] == [quote]
        assert hits[0].evidence["level"] == "county" and hits[0].evidence["why"]
    assert not [f for f in seeds["000"].findings if f.rule == "NUMBER.FEE_IMPLAUSIBLE"]  # 771.18 万元


def test_sci_notation_not_duplicated(seeds):
    rules = [f.rule for f in seeds["003"].findings if f.quote == "1.0074845E7"]
    assert rules.count("FORMAT.SCI_NOTATION") == 1 and not any(r.startswith("NUMBER.SCI") for r in rules)


def test_formats_leave_durations_and_growth_alone():
    from tests.minimal_report import report_with
    doc = review_text(report_with("平均办理时间3.5个工作日，依申请公开数量同比增长150%，粉丝新增4.5万人。", 1))
    assert not [f for f in doc.findings if f.rule.startswith("NUMBER.")]
