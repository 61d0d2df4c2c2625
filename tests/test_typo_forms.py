"""TYPO.VARIANT_FORM, TYPO.MEASURE_WORD, TYPO.DOUBLED_PHRASE: every entry of their data files
(nlp_review/checks/typo/) with its example, and `nlp-review correct` expressing deletions."""
import io
import sys

import pytest

from nlp_review.checks.typo import forms as T

VARIANTS = T.variant_forms()


@pytest.mark.parametrize("variant,standard,example", VARIANTS, ids=[v for v, _, _ in VARIANTS])
def test_every_variant_entry_flags_its_example(variant, standard, example):
    hits = T.variant_corrections(example)
    assert any(example[a:b] == variant and rep == standard for a, b, rep in hits), hits
    assert T.variant_corrections(example.replace(variant, standard)) == []


def test_variant_list_is_well_formed():
    assert len(VARIANTS) >= 100
    seen = set()
    for v, s, ex in VARIANTS:
        assert v != s and v in ex and v not in seen
        seen.add(v)


@pytest.mark.parametrize("text", ["按设计画面制作", "保持水平空间", "部分外资企业", "个人材料齐全", "规定单位时间",
                                  "地图象征", "一份量表", "推委员会", "炎热中暑"])
def test_variant_inside_other_words_is_left_alone(text):
    assert T.variant_corrections(text) == []


@pytest.mark.parametrize("row", T.measure_words())
def test_measure_word_examples(row):
    noun, wrong, right, flagged, clean = row
    hits = T.measure_corrections(flagged)
    assert hits and all(flagged[a:b] == wrong and rep == right for a, b, rep in hits)
    assert T.measure_corrections(clean) == []


@pytest.mark.parametrize("text", ["依据本条例第十四条申请复议。", "全年主动公开政务信息1500条，依申请公开信息12条。",
                                  "申请人提出的3条意见均已采纳。", "自收到申请之日起15个工作日内答复。"])
def test_measure_word_leaves_other_counts_alone(text):
    assert T.measure_corrections(text) == []


@pytest.mark.parametrize("text,expected", [
    ("群众可通过可以通过政府网站查询。", [(2, 9, "可以通过")]),
    ("本机关主动公开政府政府信息。", [(7, 11, "政府")]),
    ("机制。定期对公开公开信息进行检查", [(6, 10, "公开")]),
])
def test_doubled_phrases(text, expected):
    assert T.doubled_spans(text) == expected


@pytest.mark.parametrize("text", ["认真研究研究，做好集装箱装箱和监测预测预警工作。", "坚持有所为有所不为的原则。",
                                  "不按照本规定规定的条件办理。", "一步一步推进，层层压实责任。"])
def test_doubled_phrase_leaves_reduplication_alone(text):
    assert T.doubled_spans(text) == []


def test_correct_command_expresses_deletions_and_substitutions(monkeypatch, capsys):
    from nlp_review.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO("群众可通过可以通过政府网站查询。\n本年度共收到政府信息公开申请35条。\n"
                                                  "制定年度政务公开工作计画。\n"))
    assert main(["correct"]) == 0
    lines = capsys.readouterr().out.split("\n")
    assert lines[0] == "群众可以通过政府网站查询。"
    assert lines[1] == "本年度共收到政府信息公开申请35件。"
    assert lines[2] == "制定年度政务公开工作计划。"
