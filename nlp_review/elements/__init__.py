"""Required elements of sections one, five and six (rubric D1, D5–D7, D9).

The format (国办公开办函〔2021〕30号) asks section one to cover five aspects, section five
to state problems, measures and last year's rectification, and section six to state the
信息处理费 position. `segment` cuts those sections into units (headed blocks, paragraphs,
enumeration items, sentences), a scikit-learn model (`model`; trained by nlp_review/training/elements.py) labels
each unit, and `component.detect_elements` fills `doc.elements`.
"""
from __future__ import annotations

# Contract keys (tests/data/contract/README.md, "Elements"); never rename.
KEYS: dict[int, tuple[str, ...]] = {
    1: ("s1.proactive", "s1.on_request", "s1.management", "s1.platform", "s1.oversight"),
    5: ("s5.problems", "s5.measures", "s5.last_year"),
    6: ("s6.fees",),
}
ALL_KEYS: tuple[str, ...] = tuple(k for ks in KEYS.values() for k in ks)
OTHER = "other"
LABELS: tuple[str, ...] = ALL_KEYS + (OTHER,)
SECTION_OF: dict[str, int] = {k: n for n, ks in KEYS.items() for k in ks}

# Chinese names, as the format words them.
NAMES: dict[str, str] = {
    "s1.proactive": "主动公开",
    "s1.on_request": "依申请公开",
    "s1.management": "政府信息管理",
    "s1.platform": "政府信息公开平台建设",
    "s1.oversight": "监督保障",
    "s5.problems": "存在的主要问题",
    "s5.measures": "改进措施（改进情况）",
    "s5.last_year": "上年度问题的整改情况",
    "s6.fees": "信息处理费收取情况",
}
MODEL_NAME = "elements"
