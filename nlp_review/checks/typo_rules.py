"""TYPO.*: hand-written 公文 typo rules (rubric §5, checks F1–F4). Precision first: each
pattern is anchored so that it fires only where the wrong form is (almost) never right.
Confidences are the share of true errors among the hits seen on the official corpus
(106 MB), the seeds and the 182 report excerpts."""
from __future__ import annotations

import re

from ..doc import Doc, Finding
from .catalogue import Example, Rule, finding, register
from .prose import CJK, prose_spans

WEI = register(Rule(
    "TYPO.WEI_NEGATION", "typo", "error",
    "“{quote}”疑为“{suggestion}”之误：此处应为否定（未），写作“为”使句意正好相反。",
    "为 written for 未 before a negated verb (为收取, 为发现, 为予公开) — reverses the meaning.",
    [Example("本年度，本机关为收取信息公开处理费。", True, section=6, quote="为收取", suggestion="未收取"),
     Example("经自查，本机关为发现违规公开情况。", True, quote="为发现", suggestion="未发现"),
     Example("对不符合条件的申请为予公开。", True, quote="为予公开", suggestion="未予公开"),
     Example("本年度未收取信息处理费。", False, section=6),
     Example("物业服务人可代为收取相关费用。", False),
     Example("为发现问题线索，开展专项检查。", False),
     Example("对违法行为予以制止。", False)],
))
JIEZHI = register(Rule(
    "TYPO.JIEZHI_JIEZHI", "typo", "warning",
    "“{quote}”应为“{suggestion}”：“截至”后接时间（截至目前、截至2023年底），“截止”用在时间之后（12月31日截止）。",
    "截止 directly before a time phrase or 目前 (should be 截至).",
    [Example("截止目前，未有依申请公开情况。", True, quote="截止目前", suggestion="截至目前"),
     Example("截止2023年12月31日，共收到申请5件。", True, suggestion="截至2023年"),
     Example("截至目前，未有依申请公开情况。", False),
     Example("申请受理于2023年12月31日截止。", False),
     Example("截止日期为12月31日，截止到目前已办结。", False)],
))

WORD = register(Rule(
    "TYPO.WORD_FORM", "typo", "warning",
    "“{quote}”应写作“{suggestion}”（公文规范用词）。",
    "A non-standard form of a 公文 term: 布署/步署→部署, 转结→结转, 信息公开处理费→信息处理费.",
    [Example("认真布署政务公开重点工作。", True, quote="布署", suggestion="部署"),
     Example("上年度转结申请2件。", True, quote="转结", suggestion="结转"),
     Example("本年度未收取信息公开处理费。", True, section=6, quote="信息公开处理费", suggestion="信息处理费"),
     Example("认真部署政务公开重点工作，上年结转申请2件，做好其他工作。", False),
     Example("做好中转结算和运转结束后的登记。", False)],
))
VARIANT = register(Rule(
    "TYPO.VARIANT_FORM", "typo", "info",
    "“{quote}”应写作“{suggestion}”（公文规范用词）。",
    "A variant form (异形词) that 公文 writes in the recommended form: 其它→其他.",
    [Example("做好其它各项工作。", True, quote="其它", suggestion="其他"),
     Example("做好其他各项工作。", False)],
))
# Fixed wrong → right word pairs (rubric F3). (pattern, suggestion, confidence, rule)
FIXED_PAIRS = [
    (re.compile(r"[布步]署"), "部署", 0.95, WORD),
    (re.compile(r"(?<![中运周流旋扭好逆])转结(?![算束果构合婚论])"), "结转", 0.9, WORD),
    (re.compile(r"信息公开处理费"), "信息处理费", 0.95, WORD),
    (re.compile(r"其它"), "其他", 0.8, VARIANT),
]

# Legitimate reduplications / repeated units that are not slips.
_REPEAT_OK = {"一个", "一步", "一件", "一项", "一条", "一次", "一批", "一年", "一天", "一点", "一层",
              "研究", "讨论", "商量", "看看", "谢谢", "哈哈", "试试", "想想", "等等"}
REPEAT = register(Rule(
    "TYPO.REPEATED_WORD", "typo", "warning",
    "“{quote}”中“{unit}”重复出现，疑为误输入。",
    "The same word or phrase typed twice in a row (遵循遵循), excluding legitimate reduplication.",
    [Example("严格遵循遵循公开原则。", True, quote="遵循遵循", suggestion="遵循"),
     Example("按照规定规定的程序办理。", True, quote="规定规定", suggestion="规定"),
     Example("严格遵循公开原则，一步一步推进，常常开展培训，层层压实责任。", False),
     Example("做好集装箱装箱和监测预测预警工作。", False)],
))

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


def text_corrections(text: str, start: int = 0, end: int | None = None):
    """Rule corrections in text[start:end]: (start, end, replacement, rule_id, confidence)
    — shared by the checks below and by `nlp-review correct`."""
    end = len(text) if end is None else end
    out, seen = [], set()
    for pat, conf in _WEI_PATTERNS:
        for m in pat.finditer(text, start, end):
            if m.start(1) not in seen:
                seen.add(m.start(1))
                out.append((m.start(1), m.end(1), "未" + m.group(1)[1:], WEI.id, conf))
    for m in _JIEZHI.finditer(text, start, end):
        out.append((m.start(), m.end(), "截至" + m.group(0)[2:], JIEZHI.id, 0.9))
    for pat, sugg, conf, rule in FIXED_PAIRS:
        for m in pat.finditer(text, start, end):
            out.append((m.start(), m.end(), sugg, rule.id, conf))
    return out


def check_rules(doc: Doc) -> list[Finding]:
    out = []
    for p_start, p_end in prose_spans(doc):
        for s, e, sugg, rule_id, conf in text_corrections(doc.text, p_start, p_end):
            out.append(finding(doc, rule_id, s, e, suggestions=[sugg], confidence=conf, suggestion=sugg))
    return out


_HAN_ONLY = re.compile(f"^[{CJK}]+$")


def check_repeats(doc: Doc) -> list[Finding]:
    """Adjacent identical token runs (1–2 jieba tokens, 2–4 characters each)."""
    out = []
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
                        out.append(finding(doc, REPEAT.id, s, e, suggestions=[unit], confidence=0.85,
                                           unit=unit))
                        i += 2 * k
                        hit = True
                        break
            if not hit:
                i += 1
    return out


CHECKS = [check_rules, check_repeats]
