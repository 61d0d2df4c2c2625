"""TYPO.WORD_FORM, TYPO.PREFERRED_FORM: word pairs kept as data (word_forms.tsv,
preferred_forms.tsv next to this file), each entry with an example the tests run."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from ...doc import Doc
from ..prose import prose_spans
from ..registry import Example, clean, flag, rule

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class WordPair:
    wrong: re.Pattern
    right: str
    confidence: float
    example: str  # must be flagged, with the match as quote and `right` as suggestion
    clean_example: Optional[str] = None  # must not be flagged


def load_pairs(name: str) -> tuple[WordPair, ...]:
    pairs = []
    for n, line in enumerate((HERE / name).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) not in (4, 5):
            raise ValueError(f"{name}:{n}: expected 4 or 5 tab-separated columns, got {len(cols)}")
        pairs.append(WordPair(re.compile(cols[0]), cols[1], float(cols[2]), cols[3],
                              cols[4] if len(cols) == 5 and cols[4] else None))
    return tuple(pairs)


def examples_of(pairs: tuple[WordPair, ...]) -> list[Example]:
    out = []
    for p in pairs:
        m = p.wrong.search(p.example)
        if m is None:
            raise ValueError(f"the example of {p.wrong.pattern!r} does not contain it: {p.example}")
        out.append(flag(p.example, quote=m.group(0), suggestion=p.right))
        if p.clean_example:
            out.append(clean(p.clean_example))
    return out


def corrections(pairs: tuple[WordPair, ...], text: str, start: int = 0,
                end: Optional[int] = None) -> Iterator[tuple[int, int, str, float]]:
    """(start, end, right form, confidence) of every wrong form in text[start:end]."""
    end = len(text) if end is None else end
    for p in pairs:
        for m in p.wrong.finditer(text, start, end):
            yield m.start(), m.end(), p.right, p.confidence


def _findings(doc: Doc, rule, pairs: tuple[WordPair, ...]):
    for p_start, p_end in prose_spans(doc):
        for s, e, sugg, conf in corrections(pairs, doc.text, p_start, p_end):
            yield rule.finding(doc, s, e, suggestions=[sugg], confidence=conf, suggestion=sugg)


WORD_FORMS = load_pairs("word_forms.tsv")
PREFERRED_FORMS = load_pairs("preferred_forms.tsv")


@rule("TYPO.WORD_FORM", category="typo", severity="warning", needs=("paragraphs",),
      message="“{quote}”应写作“{suggestion}”（公文规范用词）。",
      examples=examples_of(WORD_FORMS))
def word_form(doc: Doc, rule):
    """公文用词写成了不规范的形式（布署→部署、转结→结转、信息公开处理费→信息处理费；词表见 word_forms.tsv）。"""
    yield from _findings(doc, rule, WORD_FORMS)


@rule("TYPO.PREFERRED_FORM", category="typo", severity="info", needs=("paragraphs",),
      message="“{quote}”应写作“{suggestion}”（公文规范用词）。",
      examples=examples_of(PREFERRED_FORMS))
def preferred_form(doc: Doc, rule):
    """用了公文不推荐的写法（其它→其他；词表见 preferred_forms.tsv）；不是错字，仅为提示。"""
    yield from _findings(doc, rule, PREFERRED_FORMS)
