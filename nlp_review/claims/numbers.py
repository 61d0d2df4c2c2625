"""Numbers as the narrative writes them: Arabic or Chinese numerals (cn2an), with the
qualifiers that make a number approximate (“120余条”, “超过380万”, “近50件”) and the
unit that says what is counted. Everything works on a *compact* view of a stretch of
`Doc.text` (whitespace removed, so PDF line wraps and “3 件” read like “3件”) that keeps
the offset of every character, so each mention has its span in `Doc.text`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十百千"
# Units that count things; “元”/“万元” are money, “%” a percentage.
COUNT_UNITS = ("件次", "人次", "件", "宗", "起", "条", "个", "篇", "份", "次", "部", "项", "例", "场", "家", "名", "则", "期")
UNITS = COUNT_UNITS + ("万元", "元", "%", "％")

MENTION = re.compile(
    r"(?P<pre>超过|超出|超|逾|多于|不少于|不低于|近|将近|接近|约|大约|不足|不到)?"
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
    r"(?P<suf>余|多)?(?P<wan>万|亿)?"
    r"(?P<unit>" + "|".join(sorted(UNITS, key=len, reverse=True)) + r"|(?<=[万亿]))"
    r"(?P<post>以上|左右|上下)?")

BARE = re.compile(r"(?:数量|数|总数|件数)(?:为|是)(\d+)(?=[。，,；;）)]|$)")
LOWER_PRE = {"超过", "超出", "超", "逾", "多于", "不少于", "不低于"}
UPPER_PRE = {"不足", "不到"}
APPROX_PRE = {"近", "将近", "接近", "约", "大约"}


@dataclass
class Compact:
    """`text` is doc.text[start:end] without whitespace; `offsets[i]` is where text[i] is."""

    text: str
    offsets: list[int]
    end: int

    @classmethod
    def of(cls, full: str, start: int, end: int) -> "Compact":
        chars, offs = [], []
        for i in range(start, end):
            ch = full[i]
            if not ch.isspace():
                chars.append(ch)
                offs.append(i)
        return cls("".join(chars), offs, end)

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Doc offsets of compact text[a:b]."""
        if a >= len(self.offsets):
            return self.end, self.end
        return self.offsets[a], self.offsets[b - 1] + 1 if b > a else self.offsets[a]


@dataclass
class Mention:
    value: float
    kind: str  # exact | approx | lower_bound | upper_bound
    unit: str
    a: int  # compact offsets of the whole mention (qualifiers included)
    b: int
    num_a: int  # compact offsets of the number itself
    num_b: int
    raw: str
    chinese: bool = False


def cn_value(s: str) -> Optional[float]:
    try:
        return float(cn2an.cn2an(s.replace("〇", "零"), "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def find_mentions(text: str, token_starts: Optional[set[int]] = None,
                  offsets: Optional[list[int]] = None) -> list[Mention]:
    """Every number with a unit in compact `text`. A Chinese numeral counts only where a
    token starts (so “十二五” or “唯一” are not numbers) and never directly after a digit."""
    out = []
    for m in MENTION.finditer(text):
        num = m.group("num")
        a = m.start()
        if a > 0 and (text[a - 1].isdigit() or text[a - 1] == "."):
            continue
        chinese = not num[0].isdigit()
        ns = m.start("num")
        if chinese:
            if ns > 0 and text[ns - 1] in CN_DIGITS:
                continue
            if token_starts is not None and offsets is not None and offsets[ns] not in token_starts:
                continue
            if m.group("unit") in ("%", "％"):
                continue
            value = cn_value(num)
            if value is None:
                continue
        else:
            value = float(num)
        if m.group("wan"):
            value *= 10000 if m.group("wan") == "万" else 100000000
        pre, suf, post = m.group("pre"), m.group("suf"), m.group("post")
        kind = "exact"
        if pre in LOWER_PRE or post == "以上" or suf:
            kind = "lower_bound" if not suf else "approx"
        elif pre in UPPER_PRE:
            kind = "upper_bound"
        elif pre in APPROX_PRE or post in ("左右", "上下"):
            kind = "approx"
        unit = m.group("unit") or ""
        if m.group("wan") == "万" and unit == "元":
            unit, value = "万元", value / 10000
        out.append(Mention(value, kind, unit, a, m.end(), ns, m.end("num"), m.group(0), chinese))
    # “上年度结转数量为0”: a bare number after 为 at the end of a clause.
    for m in BARE.finditer(text):
        out.append(Mention(float(m.group(1)), "exact", "", m.start(1), m.end(1), m.start(1), m.end(1), m.group(1)))
    return sorted(out, key=lambda x: x.a)
