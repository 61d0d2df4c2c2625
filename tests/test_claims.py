"""Claim extraction (issue 3): numbers, zero claims, approximations, mapping by subject."""
import pytest

from tests.minimal_report import DEFAULT_S1, minimal_report
from nlp_review.claims.numbers import find_mentions
from nlp_review.pipeline import review_text


def claims_of(s1: str, **kw):
    doc = review_text(minimal_report(s1=s1, **kw))
    return doc, [(c.key, c.value, c.kind, doc.text[c.start:c.end]) for c in doc.claims]


@pytest.mark.parametrize("text,value,kind,unit", [
    ("全年收到申请十二件", 12, "exact", "件"),
    ("因此引起行政复议两起", 2, "exact", "起"),
    ("累计刊发300余条", 300, "approx", "条"),
    ("新媒体端阅读总量超过380万，", 3800000, "lower_bound", ""),
    ("受理申请近50件", 50, "approx", "件"),
    ("占比98.5%", 98.5, "exact", "%"),
    ("收费1.5万元", 1.5, "exact", "万元"),
])
def test_numbers(text, value, kind, unit):
    ms = find_mentions(text)
    assert [(m.value, m.kind, m.unit) for m in ms] == [(value, kind, unit)]


def test_no_number_in_years_or_words():
    assert find_mentions("2023年，十四五规划") == []


def test_application_claims_map_by_subject():
    doc, cs = claims_of("本年度共收到政府信息公开申请2件，其中予以公开1件，本机关不掌握相关政府信息1件。")
    assert ("new.total", 2, "exact", "2件") in cs
    assert ("granted.total", 1, "exact", "1件") in cs
    assert ("unable.not_held.total", 1, "exact", "1件") in cs
    assert all(c.sentence[0] <= c.start < c.end <= c.sentence[1] for c in doc.claims)


def test_chinese_numeral_claim():
    _, cs = claims_of("全年收到政府信息公开申请两件，均已按时答复。")
    assert ("new.total", 2, "exact", "两件") in cs


def test_zero_claims():
    _, cs = claims_of("全年未收到政府信息公开申请。本年度无因政府信息公开引起的行政复议、行政诉讼案件。")
    keys = {(k, v, kind) for k, v, kind, _ in cs}
    assert {("new.total", 0, "zero"), ("review.total", 0, "zero"), ("litigation.total", 0, "zero")} <= keys


def test_all_zero_phrase():
    _, cs = claims_of("因政府信息公开引起的行政复议、行政诉讼均为0。")
    keys = {k for k, v, kind, _ in cs if kind == "zero"}
    assert {"review.total", "litigation.total"} <= keys


def test_outcomes_leaves_and_groups():
    _, cs = claims_of("共受理政府信息公开申请9件，予以公开与部分公开4件；因本机关不掌握或需要加工汇总等原因无法提供5件。"
                      "不予公开（属于三类内部事务信息）1件。")
    keys = {k: v for k, v, _, _ in cs}
    assert keys["granted+partial.total"] == 4
    assert keys["unable.*.total"] == 5  # “…或…等原因”: the whole group, not one reason
    assert keys["denied.internal_affairs.total"] == 1


def test_review_outcomes():
    _, cs = claims_of("因政府信息公开被申请行政复议3件，其中结果维持1件、结果纠正2件。")
    keys = {(k, v) for k, v, _, _ in cs}
    assert {("review.total", 3), ("review.upheld", 1), ("review.corrected", 2)} <= keys


def test_not_claims():
    """Published-information counts, channels and other agencies' cases are no table quantities."""
    _, cs = claims_of("全年发布信息313条，其中政策文件14条、行政许可93条。"
                      "收到政府信息公开申请4件（其中网上申请3件，信函申请1件）。"
                      "全年受理行政复议申请56件，已办结38件。")
    assert [c for c in cs if c[3] in ("93条", "3件", "38件", "56件")] == []
    assert ("new.total", 4, "exact", "4件") in cs


def test_shouli_may_include_carried_over():
    """受理 may mean 新收 + 上年结转: no contradiction when that reading agrees."""
    t3 = {"new.natural_person": 2, "new.total": 2, "carried_over.natural_person": 1, "carried_over.total": 1,
          "granted.natural_person": 2, "granted.total": 2, "total.natural_person": 3, "total.total": 3}
    s1 = DEFAULT_S1.replace("全年收到政府信息公开申请2件", "全年受理政府信息公开申请3件")
    doc = review_text(minimal_report(s1=s1, table3=t3))
    c = [c for c in doc.claims if doc.text[c.start:c.end] == "3件"][0]
    assert c.key == "new.total" and "new+carried_over.total" in c.alternatives
    assert not [f for f in doc.findings if f.rule == "CLAIM.TABLE_MISMATCH"]


def test_qualified_claim_is_ambiguous():
    _, cs = claims_of("保留以市政府名义印发的行政规范性文件5件。")
    doc = review_text(minimal_report(s1="保留以市政府名义印发的行政规范性文件5件。"))
    claim = [c for c in doc.claims if c.key == "normative_documents.in_force"][0]
    assert claim.confidence < 0.7
    assert not [f for f in doc.findings if f.category == "contradiction"]


def test_approximate_claims_never_exact():
    doc, cs = claims_of("全年收到政府信息公开申请约2件。")
    assert ("new.total", 2, "approx", "约2件") in cs
    assert not [f for f in doc.findings if f.category == "contradiction"]


def test_all_upheld_against_pending_cases():
    s1 = DEFAULT_S1 + "\n本年度因政府信息公开被申请行政复议2件，行政复议、行政诉讼均获维持。"
    pending = review_text(minimal_report(s1=s1, table4={"review.upheld": 1, "review.pending": 1, "review.total": 2}))
    hits = [f for f in pending.findings if f.rule == "CLAIM.TABLE_MISMATCH"]
    assert [f.quote for f in hits] == ["行政复议、行政诉讼均获维持"]
    assert hits[0].evidence["cell"]["key"] == "review.not_upheld" and hits[0].evidence["table_value"] == 1
    upheld = review_text(minimal_report(s1=s1, table4={"review.upheld": 2, "review.total": 2}))
    assert not [f for f in upheld.findings if f.category == "contradiction"]


def test_other_years_figures_are_not_this_years_claims():
    doc, cs = claims_of("2023年收到政府信息公开申请8件，2024年收到政府信息公开申请2件。去年同期收到申请5件。")
    assert [(k, v) for k, v, _, _ in cs if k == "new.total"] == [("new.total", 2)]
    assert not [f for f in doc.findings if f.category == "contradiction"]


def test_rubric_phrasings():
    """Phrasings from rubric §4 map to their cells."""
    _, cs = claims_of("因不服答复引起行政复议3件，1件结果维持，2件结果纠正。全年未收到行政许可申请。"
                      "主动公开市政府规章13件（含新制定5件，修改4件，废止4件）。"
                      "本年度行政规范性文件发布0条，废止数量0条，现行有效数量0条。")
    keys = {(k, v, kind) for k, v, kind, _ in cs}
    assert {("review.total", 3, "exact"), ("review.upheld", 1, "exact"), ("review.corrected", 2, "exact"),
            ("licensing.decisions", 0, "zero"), ("regulations.issued", 5, "exact"),
            ("regulations.repealed", 4, "exact"), ("normative_documents.in_force", 0, "exact")} <= keys
    assert not [c for c in cs if c[1] in (13, 4) and c[0].endswith("in_force")]  # 13 published, 4 修改: no cell


def test_claims_command(capsys, seed_paths):
    import json

    from nlp_review.cli import main

    assert main(["claims", str([p for p in seed_paths if p.name.startswith("004")][0])]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    granted = [r for r in rows if r["key"] == "granted.total"][0]
    assert granted["value"] == 11 and granted["table_value"] == 11 and granted["quote"] == "11件"
