"""Shared helpers for the language rule families (typo_rules, punctuation, typo_model):
the prose regions of a document and regex scanning over them.

Prose = the paragraphs the sentence segmenter kept (table lines are skipped there).
"""
from __future__ import annotations

import re
from typing import Iterator

from ..doc import Doc

CJK = "\u4e00-\u9fff"
IS_CJK = re.compile(f"[{CJK}]")


def prose_spans(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of each narrative paragraph outside tables."""
    return [(p.start, p.end) for p in doc.paragraphs if not doc.in_table(p.start)]


def scan(doc: Doc, pattern: re.Pattern, group: int | str = 0) -> Iterator[tuple[re.Match, int, int]]:
    """Every match of `pattern` in prose: (match, start, end) with doc offsets of `group`."""
    for p_start, p_end in prose_spans(doc):
        for m in pattern.finditer(doc.text, p_start, p_end):
            yield m, m.start(group), m.end(group)


def is_cjk(ch: str) -> bool:
    return bool(ch) and "\u4e00" <= ch <= "\u9fff"
