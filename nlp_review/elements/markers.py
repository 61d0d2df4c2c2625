"""Numbering markers of headings (“（一）”, “(2)”, “1.”, “一、”, “①”) and of enumerations
(“一是…二是…”). Shared by the segmenter and the NUMBERING rules."""
from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN = "一二三四五六七八九十"

LINE_MARKER = re.compile(
    r"[ \t\u3000]*(?:"
    r"(?P<pcn>(?P<pcn_o>[（(])[ \t]*(?P<pcn_n>[" + _CN + r"]{1,3})[ \t]*(?P<pcn_c>[)）]))"
    r"|(?P<cn>(?P<cn_n>[" + _CN + r"]{1,3})[ \t]*(?P<cn_s>[、.．]))"
    r"|(?P<par>(?P<par_o>[（(])[ \t]*(?P<par_n>\d{1,2})[ \t]*(?P<par_c>[)）]))"
    r"|(?P<ar>(?P<ar_n>\d{1,2})[ \t]*(?P<ar_s>[.．、])(?:(?![0-9])|(?=(?:19|20)\d\d年)))"
    r"|(?P<circ>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"
    r")")

# “一是”, preceded by the start of text, punctuation or space (not “统一是”, “第一是”).
ENUM = re.compile(r"(?:(?<=^)|(?<=[，。；：:;,、\s（(“]))(?P<n>[" + _CN + r"]{1,2})是(?![的否])", re.M)


def cn_value(s: str) -> int:
    """Chinese numeral 1–99 (“十二”, “二十一”)."""
    if s in CN_DIGITS:
        return CN_DIGITS[s]
    if s.startswith("十"):
        return 10 + (CN_DIGITS.get(s[1:], 0) if len(s) > 1 else 0)
    if "十" in s:
        a, _, b = s.partition("十")
        return CN_DIGITS.get(a, 0) * 10 + (CN_DIGITS.get(b, 0) if b else 0)
    return 0


@dataclass(frozen=True)
class Marker:
    start: int  # offset of the marker's first character
    end: int  # offset after the marker
    kind: str  # pcn “（一）” | cn “一、” | par “（1）” | ar “1.” | circ “①”
    style: str  # the exact form, e.g. “(一)”, “（一）”, “1.”, “1、”
    ordinal: int


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def line_marker(text: str, pos: int, end: int | None = None) -> Marker | None:
    """The numbering marker at the start of the line beginning at `pos`, if any."""
    m = LINE_MARKER.match(text, pos, len(text) if end is None else end)
    if not m:
        return None
    kind = m.lastgroup if m.lastgroup in ("pcn", "cn", "par", "ar", "circ") else None
    for k in ("pcn", "cn", "par", "ar", "circ"):
        if m.group(k):
            kind = k
            break
    if kind == "pcn":
        style, n = m.group("pcn_o") + "一" + m.group("pcn_c"), cn_value(m.group("pcn_n"))
    elif kind == "cn":
        style, n = "一" + m.group("cn_s").replace("．", "."), cn_value(m.group("cn_n"))
    elif kind == "par":
        style, n = m.group("par_o") + "1" + m.group("par_c"), int(m.group("par_n"))
    elif kind == "ar":
        style, n = "1" + m.group("ar_s").replace("．", "."), int(m.group("ar_n"))
    else:
        style, n = "①", _CIRCLED.index(m.group("circ")) + 1
    if n <= 0:
        return None
    start = m.start(kind)
    return Marker(start, m.end(kind), kind, style, n)


@dataclass
class Level:
    style: str
    last: int


def nest(markers: list[Marker]):
    """Walk heading markers in order, keeping a stack of open levels (one per style).

    Yields (marker, depth, mixed_with) where `mixed_with` is the style of the level the
    marker continues although its own style differs (“(一)” … “（2）”), else None.
    """
    stack: list[Level] = []
    for mk in markers:
        idx = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].style == mk.style), None)
        if idx is not None and mk.ordinal != 1:
            del stack[idx + 1:]
            stack[idx].last = mk.ordinal
            yield mk, idx, None
            continue
        if mk.ordinal == 1:
            if idx is not None:
                del stack[idx:]
            stack.append(Level(mk.style, 1))
            yield mk, len(stack) - 1, None
            continue
        # A marker whose style no open level has: a continuation in another style?
        cont = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].last == mk.ordinal - 1), None)
        if cont is not None:
            mixed = stack[cont].style
            del stack[cont + 1:]
            stack[cont].last = mk.ordinal
            yield mk, cont, mixed
        else:  # a list whose start we did not see: open it
            stack.append(Level(mk.style, mk.ordinal))
            yield mk, len(stack) - 1, None
