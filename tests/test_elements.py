"""Required elements of sections 1, 5, 6 and heading numbering, on the real seeds,
through the real pipeline and the shipped model (models/CURRENT)."""
import re

import pytest

from nlp_review.elements import ALL_KEYS, KEYS
from nlp_review.elements.segment import segment
from nlp_review.pipeline import review_text

from .conftest import SEEDS


def _missing(doc) -> set[str]:
    return {f.evidence["element"] for f in doc.findings if f.category == "missing_element"}


def test_elements_contract_shape(reviewed_seeds):
    for doc in reviewed_seeds.values():
        assert set(doc.elements) == set(ALL_KEYS)
        for key, el in doc.elements.items():
            assert set(el) == {"present", "start", "end"}
            if el["present"]:
                assert 0 <= el["start"] < el["end"] <= len(doc.text)
                assert doc.section_of(el["start"]) == int(key[1])  # the span lies in its own section
            else:
                assert el["start"] is None and el["end"] is None


def test_seed_section_one_covers_all_five_aspects(reviewed_seeds):
    for seed, doc in reviewed_seeds.items():
        assert [k for k in KEYS[1] if not doc.elements[k]["present"]] == [], seed


def test_seed_section_five_states_problems_and_measures(reviewed_seeds):
    for seed, doc in reviewed_seeds.items():
        assert doc.elements["s5.problems"]["present"], seed
        assert doc.elements["s5.measures"]["present"], seed
        p, m = doc.elements["s5.problems"], doc.elements["s5.measures"]
        assert "问题" in doc.text[p["start"]:p["end"]] or "不足" in doc.text[p["start"]:p["end"]], seed


def test_seed_section_six_fee_statement_missing_only_in_jiaozuo(reviewed_seeds):
    missing = {seed for seed, doc in reviewed_seeds.items() if not doc.elements["s6.fees"]["present"]}
    assert missing == {"001"}
    assert "焦作市" in reviewed_seeds["001"].title
    for seed, doc in reviewed_seeds.items():
        if seed != "001":
            fee = doc.elements["s6.fees"]
            assert "费" in doc.text[fee["start"]:fee["end"]]
    flagged = [f for f in reviewed_seeds["001"].findings if f.rule == "ELEMENT.MISSING.S6_FEES"]
    assert len(flagged) == 1 and flagged[0].severity == "warning" and flagged[0].section == 6
    assert "信息处理费" in flagged[0].message


def test_seed_element_spans_read_right(reviewed_seeds):
    d = reviewed_seeds["000"]  # 呼兰区: numbered parts （一）…（五）
    for key, head in zip(KEYS[1], ("主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障")):
        el = d.elements[key]
        assert d.text[el["start"]:el["end"]].startswith("（") and head in d.text[el["start"]:el["end"]][:16]
    d = reviewed_seeds["002"]  # 乌拉特中旗 §5: problems and measures in one paragraph
    p, m = d.elements["s5.problems"], d.elements["s5.measures"]
    assert p["end"] <= m["start"]
    assert d.text[m["start"]:m["end"]].startswith("为此，我们将积极整改")


def test_missing_findings_on_seeds(reviewed_seeds):
    """Rubric §6.1: D6 (last year's rectification) missing in every seed, D7 in 001 only."""
    for seed, doc in reviewed_seeds.items():
        expected = {"s5.last_year"} | ({"s6.fees"} if seed == "001" else set())
        assert _missing(doc) == expected, seed
        for f in doc.findings:
            if f.category == "missing_element":
                assert f.severity == "warning" and re.search(r"[\u4e00-\u9fff]", f.message)


def _seed_text(name: str) -> str:
    from nlp_review.pipeline import review_path

    return review_path(next(p for p in SEEDS if p.name.startswith(name))).text


CUTS = [
    ("000", "（三）政府信息管理。", "\n", "s1.management"),
    ("001", "（四）政府信息公开平台建设。", "\n", "s1.platform"),
    ("001", "主要改进措施：", "\n", "s5.measures"),
    ("002", "（2） 依申请公开情况", "（3）", "s1.on_request"),
    ("003", "（五）监督保障：", "\n\n", "s1.oversight"),
    ("003", "一、存在的问题：", "二、改进情况：", "s5.problems"),
    ("004", "（一）主动公开情况", "（二）", "s1.proactive"),
    ("004", "本年度未收取信息处理费。", "", "s6.fees"),
]


@pytest.mark.parametrize("seed,begin,until,key", CUTS, ids=[f"{c[0]}-{c[3]}" for c in CUTS])
def test_deleting_one_part_reports_exactly_that_element(seed, begin, until, key):
    text = _seed_text(seed)
    base = _missing(review_text(text))
    a = text.index(begin)
    b = a + len(begin) if not until else text.index(until, a + len(begin))
    doc = review_text(text[:a] + text[b:])
    assert not doc.elements[key]["present"]
    assert _missing(doc) == base | {key}


@pytest.mark.parametrize("seed", [p.name[:3] for p in SEEDS])
def test_deleting_each_found_element_reports_only_it(seed, reviewed_seeds):
    """Cut the span the classifier found for each element: only that element goes missing."""
    base_doc = reviewed_seeds[seed]
    base = _missing(base_doc)
    text = base_doc.text
    for key in ALL_KEYS:
        el = base_doc.elements[key]
        if not el["present"]:
            continue
        doc = review_text(text[:el["start"]] + text[el["end"]:])
        assert _missing(doc) == base | {key}, (seed, key)


def test_generic_section_one_gives_info_not_presence():
    from tests.minimal_report import minimal_report

    s1 = ("2024年，本局坚持依法依规做好主动公开、依申请公开、政府信息管理、平台建设、监督保障等工作，"
          "政府信息公开工作整体情况良好。")
    doc = review_text(minimal_report(s1=s1))
    assert not any(doc.elements[k]["present"] for k in KEYS[1])
    generic = {f.evidence["element"] for f in doc.findings if f.rule == "ELEMENT.GENERIC"}
    assert generic == set(KEYS[1])
    assert all(f.severity == "info" for f in doc.findings if f.rule == "ELEMENT.GENERIC")


def test_section_five_without_headings_is_read_from_its_text():
    """No “（一）存在的主要问题：” labels at all: problems, measures and last year's
    rectification are still found from what the sentences say."""
    from tests.minimal_report import DEFAULT_S5, minimal_report

    bare = re.sub(r"（[一二三]）[^：]{2,14}：", "", DEFAULT_S5)
    assert "（" not in bare
    doc = review_text(minimal_report(s5=bare))
    for key in KEYS[5]:
        assert doc.elements[key]["present"], key
    assert not any(f.category == "missing_element" for f in doc.findings)


def test_numbering_findings_on_seeds(reviewed_seeds):
    def rules(seed, prefix):
        return sorted((f.rule, f.quote, f.section) for f in reviewed_seeds[seed].findings if f.rule.startswith(prefix))

    assert rules("000", "NUMBERING") == [("NUMBERING.ENUM_SEQUENCE", "二是", 5)]
    assert rules("002", "NUMBERING") == [("NUMBERING.MIXED_STYLE", "（2）", 1)]
    assert rules("003", "NUMBERING") == [("NUMBERING.TOP_LEVEL_REUSED", "一、", 5),
                                         ("NUMBERING.TOP_LEVEL_REUSED", "二、", 5)]
    assert rules("001", "NUMBERING") == [] and rules("004", "NUMBERING") == []
    f = next(f for f in reviewed_seeds["002"].findings if f.rule == "NUMBERING.MIXED_STYLE")
    assert f.severity == "warning" and f.category == "format" and f.suggestions == ["(二)"]


def test_segmentation_nests_blocks_and_reuses_pipeline_layers(reviewed_seeds):
    doc = reviewed_seeds["003"]  # 北关区: “（四）…建设：” with “1.” “2.” items under it
    units = segment(doc)
    blocks = [u for u in units[1] if u.kind == "block"]
    heads = [u.heading for u in blocks if u.depth == 0]
    assert heads == ["主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"]
    nested = [u for u in blocks if u.depth == 1]
    assert len(nested) == 2 and all(u.heading == "政府信息公开平台建设" for u in nested)
    # sentences are the pipeline's own spaCy sentences, tokens come from its spaCy docs
    sent_spans = {(s.start, s.end) for s in doc.sentences}
    assert all((u.start, u.end) in sent_spans for n in units for u in units[n] if u.kind == "sentence")
    assert all(u.tokens for n in units for u in units[n])


def test_enumeration_items(reviewed_seeds):
    doc = reviewed_seeds["001"]
    items = [doc.text[u.start:u.end] for u in segment(doc)[5] if u.kind == "item"]
    assert "一是对教育政策等解读呈现形式不够灵活多样。" in items
    assert "二是政务公开业务培训有待加强。" in items


RECTIFIED = ["针对上年度年报中指出的政策解读形式单一问题，我局已制作图解8期，已整改到位。",
             "去年提出的栏目更新不及时问题，通过建立更新台账得到解决。",
             "2022年度报告所列的两项问题均已完成整改。",
             "对照以往存在的不足，本年度已逐项落实整改措施。",
             "前期发现的信息发布审核不严问题尚未完全整改，将继续推进。"]


@pytest.mark.parametrize("sentence", RECTIFIED)
def test_last_year_rectification_however_worded(sentence):
    """A section five that says what became of earlier problems has s5.last_year (no
    ELEMENT.MISSING.S5_LAST_YEAR), whatever its words; seed 004's last-year problem that is
    still only “有待改进” is a problem, not a rectification report (rubric §6.1: D6 partial)."""
    from nlp_review.pipeline import review_text

    text = next(p for p in SEEDS if p.name.startswith("000")).read_text(encoding="utf-8")
    head = "五、存在的主要问题及改进情况\n"
    i = text.index(head) + len(head)
    doc = review_text(text[:i] + sentence + "\n" + text[i:])
    el = doc.elements["s5.last_year"]
    assert el["present"] and sentence in doc.text[el["start"]:el["end"]]
    assert "ELEMENT.MISSING.S5_LAST_YEAR" not in {f.rule for f in doc.findings}
    from nlp_review.elements.component import rectification_sentence

    # this year's problems (the report's own year) are no rectification of last year's
    own = review_text(text[:i] + "2023年度存在的问题已全部整改。\n" + text[i:])
    assert rectification_sentence(own) is None
