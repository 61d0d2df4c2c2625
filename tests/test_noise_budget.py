"""The noise budget on the five seeds as real Word files (issue 14): few 提示 findings,
boilerplate once per section with its sentences listed (each at its offsets), and every
message a reviewer reads in Chinese: no ASCII letters except rule codes and numbers."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.conftest import SEEDS
from tests.service_support import seed_docx

RULE_CODE = re.compile(r"[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+")
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def latin_left(s: str) -> str:
    """The ASCII letters of `s` once rule codes and numbers (1.0074845E7 too) are taken out."""
    return "".join(re.findall(r"[A-Za-z]", NUMBER.sub("", RULE_CODE.sub("", s))))


@pytest.fixture(scope="module")
def seed_results(tmp_path_factory):
    from nlp_review.pipeline import Options, review_bytes
    from nlp_review.report import to_contract

    tmp = tmp_path_factory.mktemp("seeds")
    return {p.name[:3]: to_contract(review_bytes(seed_docx(p, tmp), p.stem + ".docx", Options())) for p in SEEDS}


def test_at_most_a_quarter_of_findings_are_info(seed_results):
    sev = Counter(f["severity"] for r in seed_results.values() for f in r["findings"])
    total = sum(sev.values())
    assert total >= 20, sev  # the seeds' real problems are still reported
    assert sev["info"] / total <= 0.25, sev


def test_boilerplate_once_per_section_with_its_sentences(seed_results):
    for seed, r in seed_results.items():
        text = r["text"]
        generic = [f for f in r["findings"] if f["rule"] == "BOILERPLATE.GENERIC_SENTENCE"]
        assert len(generic) == len({f["section"] for f in generic}) <= 2, seed
        for f in generic:
            sentences = f["evidence"]["sentences"]
            assert len(sentences) >= 2 and (sentences[0]["start"], sentences[0]["end"]) == (f["start"], f["end"])
            for s in sentences:
                assert text[s["start"]:s["end"]] == s["quote"]
                assert r["report"]["sections"][f["section"] - 1]["start"] <= s["start"]
            assert f"有{len(sentences)}句" in f["message"]


def test_specific_problems_of_section_five_are_not_generic(seed_results):
    """Problems named concretely (教育政策解读的形式, 人员调整, 信息搜集) are not boilerplate."""
    quotes = {s["quote"] for r in seed_results.values() for f in r["findings"]
              if f["rule"] == "BOILERPLATE.GENERIC_SENTENCE" for s in f["evidence"]["sentences"]}
    for specific in ("一是对教育政策等解读呈现形式不够灵活多样", "3.单位内部信息搜集困难", "2.公布的内容缺乏时效性"):
        assert not [q for q in quotes if specific in q]
    assert [q for q in quotes if "三是加强信息公开制度化规范化建设" in q]  # stock wording still is


def test_messages_are_chinese(seed_results):
    for seed, r in seed_results.items():
        for f in r["findings"]:
            readable = [f["message"], *f.get("suggestions", []), *map(str, (f.get("evidence") or {}).get("reasons", []))]
            for s in (f.get("evidence") or {}).get("sentences", []):
                readable.extend(s["reasons"])
            for s in readable:
                assert not latin_left(s), (seed, f["rule"], s)
            assert re.search(r"[\u4e00-\u9fff]", f["message"])
            assert "位于第五部分" not in str(f.get("evidence")) and "无陈述了" not in str(f.get("evidence"))


def test_latin_left_sees_english():
    assert latin_left("规则 TYPO.CONFUSION，“1.0074845E7”，共12处") == ""
    assert latin_left("表格：table2") == "table"
