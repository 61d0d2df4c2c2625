"""TYPO.VARIANT_FORM, TYPO.MEASURE_WORD, TYPO.DOUBLED_PHRASE: word-form slips whose
patterns are data (nlp_review/data/typo/), each entry with an example that the tests run.

- variant forms (异形词) of 《第一批异形词整理表》 (GF 1001—2001): `variant_forms.tsv`;
- applications counted with the wrong measure word (申请…35条: table three counts 件):
  `measure_words.tsv`;
- a word or phrase typed twice where jieba's tokens do not show it (…公开公开…, 政府政府 inside a
  longer token run) and a first attempt left before its fix (可通过可以通过): legitimate
  reduplications (研究研究, 看看) are listed in `reduplications.txt`.

Matches are checked against jieba's tokens of their context: a match with a word of 2+
characters running across its edge is not a unit of its own (设计|画面 is not 计画, 个人|材料 is
not 人材, 集装箱|装箱 is not a doubling, nor is 监测|预测|预警).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..doc import Doc, Finding
from .catalogue import Example, Rule, finding, register
from .prose import prose_spans

DATA = Path(__file__).resolve().parents[1] / "data" / "typo"
_NUM = "0-9０-９零〇一二三四五六七八九十百千万两"
_PUNCT = "，。；：、！？,;:!?\n（）()“”《》"
_COUNTED = "信息|文件|政策|数据|内容|条目|意见|建议|留言|事项目录"  # rightly counted in 条


def _rows(name: str) -> list[list[str]]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.append(line.split("\t"))
    return out


@lru_cache(maxsize=1)
def variant_forms() -> list[tuple[str, str, str]]:
    """(variant, recommended, example) of variant_forms.tsv."""
    return [(r[0], r[1], r[2]) for r in _rows("variant_forms.tsv")]


@lru_cache(maxsize=1)
def measure_words() -> list[tuple[str, str, str, str, str]]:
    """(noun, wrong, right, flagged example, clean example) of measure_words.tsv."""
    return [tuple(r[:5]) for r in _rows("measure_words.tsv")]


@lru_cache(maxsize=1)
def reduplications() -> frozenset[str]:
    return frozenset(r[0] for r in _rows("reduplications.txt"))


def crossed(text: str, start: int, end: int, pad: int = 8) -> bool:
    """Does a jieba word of 2+ characters run across an edge of text[start:end] (设|计画|面:
    设计 and 画面; 集|装箱装箱: 集装箱)? Then the match is not a unit of its own. A word that
    holds the whole match (留连忘返) or lies inside it does not count."""
    import jieba

    lo, hi = max(0, start - pad), min(len(text), end + pad)
    for _, a, b in jieba.tokenize(text[lo:hi]):
        a, b = a + lo, b + lo
        overlaps = a < end and start < b
        if b - a >= 2 and overlaps and not (a <= start and end <= b) and not (start <= a and b <= end):
            return True
    return False


# ---- variant forms ----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _variant_re() -> tuple[re.Pattern, dict[str, str]]:
    forms = variant_forms()
    std = {v: r for v, r, _ in forms}
    return re.compile("|".join(sorted(map(re.escape, std), key=len, reverse=True))), std


def variant_corrections(text: str, start: int = 0, end: int | None = None):
    """(start, end, recommended form) of every variant form in text[start:end]."""
    rx, std = _variant_re()
    end = len(text) if end is None else end
    out = []
    for m in rx.finditer(text, start, end):
        if not crossed(text, m.start(), m.end()):
            out.append((m.start(), m.end(), std[m.group(0)]))
    return out


_FORMS = variant_forms()
VARIANT = register(Rule(
    "TYPO.VARIANT_FORM", "typo", "warning",
    "“{quote}”是异形词的非推荐词形，应写作“{suggestion}”（《第一批异形词整理表》GF 1001—2001）。",
    "A variant form listed in 《第一批异形词整理表》 (计画 → 计划, 答覆 → 答复); the list with an example per "
    "entry is nlp_review/data/typo/variant_forms.tsv.",
    [Example(ex, True, quote=v, suggestion=r) for v, r, ex in _FORMS[:3]]
    + [Example(ex.replace(v, r), False) for v, r, ex in _FORMS[:3]]
    + [Example("按设计画面制作宣传栏，组织集装箱装箱作业。", False)],
))


# ---- measure words ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _measure_res() -> list[tuple[re.Pattern, str]]:
    out = []
    for noun, wrong, right, *_ in measure_words():
        # 申请 … 35条 (the noun not starting another word: 申请人, 申请表, 依申请公开 …)
        num = f"(?<![第{_NUM}])[{_NUM}]+\\s*({wrong})(?![例款文目])"  # not 第十四条, 条例
        # 申请 … 35条, the words between not naming something else that is counted (依申请公开信息12条)
        gap = f"(?:(?!{_COUNTED})[^{_PUNCT}]){{0,12}}?"
        before = re.compile(f"{noun}(?!人|表|书|材料|渠道|方式|条件){gap}{num}")
        after = re.compile(f"{num}(?:政府信息公开|信息公开|公开)?{noun}(?!人|表|书|材料)")
        out += [(before, right), (after, right)]
    return out


def measure_corrections(text: str, start: int = 0, end: int | None = None):
    """(start, end, right measure word) of counts of applications with a wrong one."""
    end = len(text) if end is None else end
    seen, out = set(), []
    for rx, right in _measure_res():
        for m in rx.finditer(text, start, end):
            if m.start(1) not in seen:
                seen.add(m.start(1))
                out.append((m.start(1), m.end(1), right))
    return sorted(out)


_MW = measure_words()
MEASURE = register(Rule(
    "TYPO.MEASURE_WORD", "typo", "warning",
    "政府信息公开申请应以“{suggestion}”计（统计表三的单位为“件”），此处写作“{quote}”。",
    "Applications counted with a wrong measure word (申请…35条 → 35件); patterns and examples in "
    "nlp_review/data/typo/measure_words.tsv.",
    [Example(row[3], True, quote=row[1], suggestion=row[2]) for row in _MW[:2]]
    + [Example(row[4], False) for row in _MW[:2]],
))


# ---- doubled words and phrases ---------------------------------------------------------------------

_DOUBLE = re.compile(r"([\u4e00-\u9fff]{2,6})\1")
_SELF_REFERENCE = ("规定", "办法", "细则", "决定", "条例", "意见", "通知")
_NEGATIONS = "不没非无未"  # 有所为有所不为, 可为可不为: parallel, not a slip


def doubled_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of doubled spans (XX → X) and first attempts left before
    their fix (可通过可以通过 → 可以通过: A then B where A is B less one inner character)."""
    end = len(text) if end is None else end
    out = []
    redup = reduplications()
    for m in _DOUBLE.finditer(text, start, end):
        unit = m.group(1)
        if unit in redup or unit[0] in "一二三四五六七八九十两几每各第" or crossed(text, m.start(), m.end()):
            continue
        if m.start() > 0 and text[m.start() - 1] in "本该此" and unit in _SELF_REFERENCE:
            continue  # 本规定规定的条件: "this regulation stipulates"
        out.append((m.start(), m.end(), unit))
    taken = {k for a, b, _ in out for k in range(a, b)}
    for j in range(start + 2, end - 2):
        if j in taken:
            continue
        for n in (3, 4, 5, 6):
            if j + n > end or j - n + 1 < start:
                break
            b = text[j:j + n]
            a = text[j - n + 1:j]
            if not re.fullmatch(r"[\u4e00-\u9fff]+", a + b) or a == b[:-1] or a == b[1:]:
                continue
            k = next((k for k in range(1, n - 1) if b[:k] + b[k + 1:] == a), None)
            if k is not None and b[k] not in _NEGATIONS and not crossed(text, j - n + 1, j + n):
                out.append((j - n + 1, j + n, b))
                taken.update(range(j - n + 1, j + n))
                break
    return sorted(out)


DOUBLED = register(Rule(
    "TYPO.DOUBLED_PHRASE", "typo", "warning",
    "“{quote}”中有重复或改写残留的文字，疑为误输入，建议改为“{suggestion}”。",
    "A phrase typed twice inside a run of text (主动公开公开) or a first attempt left before its fix "
    "(可通过可以通过); legitimate reduplications are listed in nlp_review/data/typo/reduplications.txt.",
    [Example("群众可通过可以通过政府网站查询办理进度。", True, quote="可通过可以通过", suggestion="可以通过"),
     Example("本机关主动公开政府政府信息128条。", True, suggestion="政府"),
     Example("群众可以通过政府网站查询办理进度。", False),
     Example("认真研究研究，做好集装箱装箱和监测预测预警工作。", False)],
))


def check_forms(doc: Doc) -> list[Finding]:
    from .typo_rules import check_repeats

    out = []
    token_repeats = [(f.start, f.end) for f in check_repeats(doc)]
    for p_start, p_end in prose_spans(doc):
        for s, e, sugg in variant_corrections(doc.text, p_start, p_end):
            out.append(finding(doc, VARIANT.id, s, e, suggestions=[sugg], confidence=0.85, suggestion=sugg))
        for s, e, sugg in measure_corrections(doc.text, p_start, p_end):
            out.append(finding(doc, MEASURE.id, s, e, suggestions=[sugg], confidence=0.85, suggestion=sugg))
        for s, e, sugg in doubled_spans(doc.text, p_start, p_end):
            if any(a < e and s < b for a, b in token_repeats):
                continue  # TYPO.REPEATED_WORD already says it
            out.append(finding(doc, DOUBLED.id, s, e, suggestions=[sugg], confidence=0.8, suggestion=sugg))
    return out


def text_corrections(text: str, start: int = 0, end: int | None = None):
    """The corrections of this module in text[start:end], as typo_rules.text_corrections:
    (start, end, replacement, rule_id, confidence, severity) — for `nlp-review correct`."""
    out = [(s, e, r, VARIANT.id, 0.85, None) for s, e, r in variant_corrections(text, start, end)]
    out += [(s, e, r, MEASURE.id, 0.85, None) for s, e, r in measure_corrections(text, start, end)]
    out += [(s, e, r, DOUBLED.id, 0.8, None) for s, e, r in doubled_spans(text, start, end)]
    return sorted(out)


CHECKS = [check_forms]
