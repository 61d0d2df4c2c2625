"""Weak labels for training units: from headings first (“（四）平台建设情况”), then from
cue words for units without a telling heading. Weak labels are checked by hand and
corrected in corpus/elements/hand_labels.jsonl; they are never used at inference."""
from __future__ import annotations

import re

from . import OTHER

_S1_HEAD = [
    ("s1.on_request", re.compile(r"依申请|申请公开|公开申请")),
    ("s1.proactive", re.compile(r"主动公开")),
    ("s1.platform", re.compile(r"平台|网站|载体|渠道")),
    ("s1.oversight", re.compile(r"监督|保障|考核|评议|责任追究|培训")),
    ("s1.management", re.compile(r"信息管理|管理")),
]
_S5_HEAD = [
    ("s5.last_year", re.compile(r"上一?年度?.{0,8}(问题|整改)|整改情况|整改落实")),
    ("s5.measures", re.compile(r"改进|措施|举措|打算|计划|下一步|努力方向|对策|解决办法")),
    ("s5.problems", re.compile(r"问题|不足|困难")),
]
_FEE = re.compile(r"信息处理费|处理费|收费|收取.{0,6}费")
_LAST_YEAR = re.compile(r"(上一?年度?|去年|20\d\d年度?(报告)?)[^。；]{0,30}(问题|不足|意见)[^。]{0,40}(整改|已|完成|落实)")
_PROBLEM = re.compile(r"存在|问题|不足|有待|不够|欠缺|薄弱|缺乏|还需|尚需|不强|不高|不多|较少|单一|不及时|滞后")
_MEASURE = re.compile(r"将|下一步|进一步|加强|加大|改进|持续|着力|强化|完善|提升|提高|推进|做好|措施")


def label_from_heading(section: int, heading: str) -> str | None:
    if not heading:
        return None
    if section == 1:
        hits = [k for k, rx in _S1_HEAD if rx.search(heading)]
        return hits[0] if len(hits) >= 1 else None
    if section == 5:
        hits = [k for k, rx in _S5_HEAD if rx.search(heading)]
        if len(hits) == 1 or (hits and hits[0] == "s5.last_year"):
            return hits[0]
        return None
    if section == 6:
        return "s6.fees" if _FEE.search(heading) else OTHER
    return None


def label_from_text(section: int, text: str) -> str | None:
    if section == 6:
        return "s6.fees" if _FEE.search(text) else OTHER
    if section == 5:
        if _LAST_YEAR.search(text):
            return "s5.last_year"
        p, m = bool(_PROBLEM.search(text)), bool(_MEASURE.search(text))
        if p and not m:
            return "s5.problems"
        if m and not p:
            return "s5.measures"
        return None
    return None


def weak_label(section: int, heading: str, text: str, own_heading: bool) -> tuple[str | None, str]:
    """(label, how) where how is "heading", "text" or "none"."""
    lab = label_from_heading(section, heading)
    if lab is not None:
        return lab, "heading"
    lab = label_from_text(section, text)
    if lab is not None:
        return lab, "text"
    return None, "none"
