"""TYPO.VARIANT_FORM, TYPO.MEASURE_WORD, TYPO.DOUBLED_PHRASE: word-form slips whose
patterns are data (the files next to this module), each entry with an example that the tests
run (tests/test_typo_forms.py).

- variant forms (异形词) of 《第一批异形词整理表》 (GF 1001—2001): `variant_forms.tsv`;
- applications counted with the wrong measure word (申请…35条: table three counts 件):
  `measure_words.tsv`;
- a word or phrase typed twice where jieba's tokens do not show it (…公开公开…, 政府政府 inside a
  longer token run) and a first attempt left before its fix (可通过可以通过): legitimate
  reduplications (研究研究, 看看) are listed in `reduplications.tsv`.

Matches are checked against jieba's tokens of their context: a match with a word of 2+
characters running across its edge is not a unit of its own (设计|画面 is not 计画, 个人|材料 is
not 人材, 集装箱|装箱 is not a doubling, nor is 监测|预测|预警).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ...doc import Doc
from ..prose import prose_spans
from ..registry import clean, flag, rule
from .rules import repeated_word

DATA = Path(__file__).resolve().parent
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
    return frozenset(r[0] for r in _rows("reduplications.tsv"))


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
_VARIANT_EXAMPLES = ([flag(ex, quote=v, suggestion=r) for v, r, ex in _FORMS[:3]]
                     + [clean(ex.replace(v, r)) for v, r, ex in _FORMS[:3]]
                     + [clean("按设计画面制作宣传栏，组织集装箱装箱作业。")])


@rule("TYPO.VARIANT_FORM", category="typo", severity="warning", needs=("paragraphs",),
      message="“{quote}”是异形词的非推荐词形，应写作“{suggestion}”（《第一批异形词整理表》GF 1001—2001）。",
      examples=_VARIANT_EXAMPLES)
def variant_form(doc: Doc, rule):
    """用了《第一批异形词整理表》中的非推荐词形（计画→计划、答覆→答复；词表及每条的例句见 variant_forms.tsv）。"""
    for p_start, p_end in prose_spans(doc):
        for s, e, sugg in variant_corrections(doc.text, p_start, p_end):
            yield rule.finding(doc, s, e, suggestions=[sugg], confidence=0.85, suggestion=sugg)


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


@rule("TYPO.MEASURE_WORD", category="typo", severity="warning", needs=("paragraphs",),
      message="政府信息公开申请应以“{suggestion}”计（统计表三的单位为“件”），此处写作“{quote}”。",
      examples=[flag(row[3], quote=row[1], suggestion=row[2]) for row in _MW[:2]] + [clean(row[4]) for row in _MW[:2]])
def measure_word(doc: Doc, rule):
    """政府信息公开申请用错了量词（申请…35条→35件；模式与例句见 measure_words.tsv）。"""
    for p_start, p_end in prose_spans(doc):
        for s, e, sugg in measure_corrections(doc.text, p_start, p_end):
            yield rule.finding(doc, s, e, suggestions=[sugg], confidence=0.85, suggestion=sugg)


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


@rule("TYPO.DOUBLED_PHRASE", category="typo", severity="warning", needs=("paragraphs", "tokens"),
      message="“{quote}”中有重复或改写残留的文字，疑为误输入，建议改为“{suggestion}”。",
      examples=[flag("群众可通过可以通过政府网站查询办理进度。", quote="可通过可以通过", suggestion="可以通过"),
                flag("本机关通过政务新媒体政务新媒体发布信息128条。", suggestion="政务新媒体"),
                clean("群众可以通过政府网站查询办理进度。"),
                clean("认真研究研究，做好集装箱装箱和监测预测预警工作。")])
def doubled_phrase(doc: Doc, rule):
    """同一短语在分词看不出的位置重复输入（主动公开政府政府情况），或改写前的半句留在了改写后的文字前
    （可通过可以通过）；正常叠用见 reduplications.tsv。"""
    token_repeats = [(f.start, f.end) for f in repeated_word(doc)]
    for p_start, p_end in prose_spans(doc):
        for s, e, sugg in doubled_spans(doc.text, p_start, p_end):
            if not any(a < e and s < b for a, b in token_repeats):  # TYPO.REPEATED_WORD already says it
                yield rule.finding(doc, s, e, suggestions=[sugg], confidence=0.8, suggestion=sugg)


def text_corrections(text: str, start: int = 0, end: int | None = None):
    """The corrections of this module in text[start:end], as rules.text_corrections:
    (start, end, replacement, rule id, confidence) — for `nlp-review correct`."""
    out = [(s, e, r, variant_form.id, 0.85) for s, e, r in variant_corrections(text, start, end)]
    out += [(s, e, r, measure_word.id, 0.85) for s, e, r in measure_corrections(text, start, end)]
    out += [(s, e, r, doubled_phrase.id, 0.8) for s, e, r in doubled_spans(text, start, end)]
    return sorted(out)
