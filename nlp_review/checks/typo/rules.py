"""TYPO.WEI_NEGATION, TYPO.JIEZHI_JIEZHI, TYPO.REPEATED_WORD: hand-written 公文 typo rules
(rubric §5, checks F1–F4). Precision first: each pattern is anchored so that it fires only
where the wrong form is (almost) never right. Confidences are the share of true errors
among the hits seen on the official corpus (106 MB), the seeds and the 182 report excerpts.

`text_corrections` (every rule correction of a text, word pairs included) is shared with
`nlp-review correct` and the statistical checker's rule."""
from __future__ import annotations

import re
from typing import Iterator, Optional

from ...doc import Doc
from ..prose import CJK, prose_spans
from ..registry import clean, flag, rule
from .word_forms import PREFERRED_FORMS, WORD_FORMS, corrections, preferred_form, word_form

_NEG_VERBS = "收取|收到|发现|发生|出现|产生|接到"
_SUBJECTS = ("本机关|本单位|本部门|本局|本委|本办|本院|本中心|我局|我单位|我委|我办|我院|我中心|我部门|"
             "本年度|年度内|本年|全年|今年|当年|均|尚|从|暂|仍|都|也|并|亦")
_WEI_PATTERNS = [
    (re.compile(f"(?:{_SUBJECTS})(为(?:{_NEG_VERBS}))"), 0.9),
    (re.compile(f"(?<![代作认成称以])(为(?:{_NEG_VERBS}))(?=任何|信息处理费|信息公开处理费|费用|政府信息公开申请|行政复议|行政诉讼)"), 0.95),
    (re.compile(r"(?<![行作成认以])(为予(?!以)(?:公开|受理|答复|办理|采纳|处理|立案|批准|许可|登记|提供))"), 0.9),
]
_TIME = (r"(?:目前|当前|现在|今年|今天|本年|本月|本季度|年底|年末|上年|去年|报告期|发稿|"
         r"\d{1,4}\s*年|\d{1,2}\s*月|[零〇一二三四五六七八九]{4}年|[一二三四五六七八九十]{1,3}月)")
_JIEZHI = re.compile(f"截止(?!到|于|日|时|期){_TIME}")


def wei_corrections(text: str, start: int = 0, end: Optional[int] = None) -> Iterator[tuple[int, int, str, float]]:
    end = len(text) if end is None else end
    seen = set()
    for pat, conf in _WEI_PATTERNS:
        for m in pat.finditer(text, start, end):
            if m.start(1) not in seen:
                seen.add(m.start(1))
                yield m.start(1), m.end(1), "未" + m.group(1)[1:], conf


def jiezhi_corrections(text: str, start: int = 0, end: Optional[int] = None) -> Iterator[tuple[int, int, str, float]]:
    end = len(text) if end is None else end
    for m in _JIEZHI.finditer(text, start, end):
        yield m.start(), m.end(), "截至" + m.group(0)[2:], 0.9


def _findings(doc: Doc, rule, corrections_of):
    for p_start, p_end in prose_spans(doc):
        for s, e, sugg, conf in corrections_of(doc.text, p_start, p_end):
            yield rule.finding(doc, s, e, suggestions=[sugg], confidence=conf, suggestion=sugg)


@rule("TYPO.WEI_NEGATION", category="typo", severity="error", needs=("paragraphs",),
      message="“{quote}”疑为“{suggestion}”之误：此处应为否定（未），写作“为”使句意正好相反。",
      examples=[flag("本年度，本机关为收取信息公开处理费。", section=6, quote="为收取", suggestion="未收取"),
                flag("经自查，本机关为发现违规公开情况。", quote="为发现", suggestion="未发现"),
                flag("对不符合条件的申请为予公开。", quote="为予公开", suggestion="未予公开"),
                clean("本年度未收取信息处理费。", section=6), clean("物业服务人可代为收取相关费用。"),
                clean("为发现问题线索，开展专项检查。"), clean("对违法行为予以制止。")])
def wei_negation(doc: Doc, rule):
    """否定动词前的“未”误写为“为”（为收取、为发现、为予公开），句意正好相反。"""
    yield from _findings(doc, rule, wei_corrections)


@rule("TYPO.JIEZHI_JIEZHI", category="typo", severity="warning", needs=("paragraphs",),
      message="“{quote}”应为“{suggestion}”：“截至”后接时间（截至目前、截至2023年底），“截止”用在时间之后（12月31日截止）。",
      examples=[flag("截止目前，未有依申请公开情况。", quote="截止目前", suggestion="截至目前"),
                flag("截止2023年12月31日，共收到申请5件。", suggestion="截至2023年"),
                clean("截至目前，未有依申请公开情况。"), clean("申请受理于2023年12月31日截止。"),
                clean("截止日期为12月31日，截止到目前已办结。")])
def jiezhi(doc: Doc, rule):
    """时间或“目前”之前误用“截止”（应为“截至”）。"""
    yield from _findings(doc, rule, jiezhi_corrections)


def text_corrections(text: str, start: int = 0, end: Optional[int] = None) -> list[tuple[int, int, str, str, float]]:
    """Every rule correction in text[start:end]: (start, end, replacement, rule id, confidence)."""
    out = [(s, e, r, wei_negation.id, c) for s, e, r, c in wei_corrections(text, start, end)]
    out += [(s, e, r, jiezhi.id, c) for s, e, r, c in jiezhi_corrections(text, start, end)]
    out += [(s, e, r, word_form.id, c) for s, e, r, c in corrections(WORD_FORMS, text, start, end)]
    out += [(s, e, r, preferred_form.id, c) for s, e, r, c in corrections(PREFERRED_FORMS, text, start, end)]
    return out


# Legitimate reduplications / repeated units that are not slips.
_REPEAT_OK = {"一个", "一步", "一件", "一项", "一条", "一次", "一批", "一年", "一天", "一点", "一层",
              "研究", "讨论", "商量", "看看", "谢谢", "哈哈", "试试", "想想", "等等"}
_HAN_ONLY = re.compile(f"^[{CJK}]+$")


@rule("TYPO.REPEATED_WORD", category="typo", severity="warning", needs=("tokens",),
      message="“{quote}”中“{unit}”重复出现，疑为误输入。",
      examples=[flag("严格遵循遵循公开原则。", quote="遵循遵循", suggestion="遵循"),
                flag("按照规定规定的程序办理。", quote="规定规定", suggestion="规定"),
                clean("严格遵循公开原则，一步一步推进，常常开展培训，层层压实责任。"),
                clean("做好集装箱装箱和监测预测预警工作。")])
def repeated_word(doc: Doc, rule):
    """同一个词或短语连续输入了两次（遵循遵循），正常的叠用除外。"""
    # Adjacent identical token runs (1–2 jieba tokens, 2–4 characters each).
    for para_start, sdoc in doc.tokens:
        toks = [t.text for t in sdoc]
        offs = [t.idx for t in sdoc]
        i = 0
        while i < len(toks):
            hit = False
            for k in (1, 2):
                unit = "".join(toks[i:i + k])
                if (i + 2 * k <= len(toks) and toks[i:i + k] == toks[i + k:i + 2 * k]
                        and 2 <= len(unit) <= 4 and _HAN_ONLY.match(unit) and unit not in _REPEAT_OK
                        and unit[0] not in "一二三四五六七八九十两几每各"):
                    s = para_start + offs[i]
                    e = s + 2 * len(unit)
                    if doc.text[s:e] == unit * 2 and not doc.in_table(s):
                        yield rule.finding(doc, s, e, suggestions=[unit], confidence=0.85, unit=unit)
                        i += 2 * k
                        hit = True
                        break
            if not hit:
                i += 1
