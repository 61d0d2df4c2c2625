"""Numbering markers: the one place they are parsed.

Headings and numbered paragraphs open with a marker at the start of their line: “一、”
(`cn`), “（一）” (`pcn`), “（1）” (`par`), “1.” / “1、” (`ar`), “①” (`circ`). Enumerations
run inside a paragraph: “一是…二是…” (`enum`), and a few sentences open with “第一，” (`di`)
or “其一，” (`qi`). Everything that needs to know whether a line opens a heading or an item
— the readers deciding where a wrapped line ends, the structure layer, the element
segmenter, the numbering rules, the boilerplate models — asks this module.

Levels (GB/T 9704-2012 practice) run 一、 → （一） → 1. → （1）; `nest` walks the markers
of a section in order and gives each its depth from the styles it has seen.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN = "一二三四五六七八九十"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Heading markers at a line start.
LINE_MARKER = re.compile(
    r"[ \t\u3000]*(?:"
    r"(?P<pcn>(?P<pcn_o>[（(])[ \t]*(?P<pcn_n>[" + _CN + r"]{1,3})[ \t]*(?P<pcn_c>[)）]))"
    r"|(?P<cn>(?P<cn_n>[" + _CN + r"]{1,3})[ \t]*(?P<cn_s>[、.．]))"
    r"|(?P<par>(?P<par_o>[（(])[ \t]*(?P<par_n>\d{1,2})[ \t]*(?P<par_c>[)）]))"
    r"|(?P<ar>(?P<ar_n>\d{1,2})[ \t]*(?P<ar_s>[.．、])(?:(?![0-9])|(?=(?:19|20)\d\d年)))"
    r"|(?P<circ>[" + _CIRCLED + r"])"
    r")")
# A section heading's numeral may also be followed by a comma (“四，政府信息公开行政复议…”).
SECTION_MARKER = re.compile(r"[ \t\u3000]*(?P<n>[" + _CN + r"])[ \t]*[、.．，,][ \t]*")

# “一是”, preceded by the start of text, punctuation or space (not “统一是”, “第一是”).
ENUM = re.compile(r"(?:(?<=^)|(?<=[，。；：:;,、\s（(“]))(?P<n>[" + _CN + r"]{1,2})是(?![的否])", re.M)
# Sentence-opening ordinals that are not headings: “第一，”, “其一，”.
_SENTENCE_ORDINAL = re.compile(r"[ \t\u3000]*(?:(?P<di>第(?P<di_n>[" + _CN + r"])(?=[，,、：:]|是))"
                               r"|(?P<qi>其(?P<qi_n>[一二三四五])(?=[，,、：:])))")
_ENUM_AT = re.compile(r"[ \t\u3000]*(?P<n>[" + _CN + r"]{1,2})是(?![的否])")


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
    kind: str  # pcn “（一）” | cn “一、” | par “（1）” | ar “1.” | circ “①” | enum “一是” | di “第一，” | qi “其一，”
    style: str  # the exact form, e.g. “(一)”, “（一）”, “1.”, “1、”, “一是”
    ordinal: int

    @property
    def heading(self) -> bool:
        """A heading marker (numbers a heading or a numbered paragraph), not an inline ordinal."""
        return self.kind in HEADING_KINDS


HEADING_KINDS = ("pcn", "cn", "par", "ar", "circ")


def line_marker(text: str, pos: int, end: int | None = None) -> Marker | None:
    """The heading marker at the start of the line beginning at `pos`, if any."""
    m = LINE_MARKER.match(text, pos, len(text) if end is None else end)
    if not m:
        return None
    kind = next(k for k in HEADING_KINDS if m.group(k))
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
    return Marker(m.start(kind), m.end(kind), kind, style, n)


def leading_marker(text: str, pos: int = 0, end: int | None = None) -> Marker | None:
    """Any marker at `pos` (after spaces): a heading marker, “一是”, “第一，” or “其一，”."""
    end = len(text) if end is None else end
    mk = line_marker(text, pos, end)
    if mk is not None:
        return mk
    m = _ENUM_AT.match(text, pos, end)
    if m:
        return Marker(m.start("n"), m.end(), "enum", "一是", cn_value(m.group("n")))
    m = _SENTENCE_ORDINAL.match(text, pos, end)
    if m:
        kind = "di" if m.group("di") else "qi"
        return Marker(m.start(kind), m.end(kind), kind, "第一" if kind == "di" else "其一", CN_DIGITS[m.group(kind + "_n")])
    return None


def starts_item(line: str) -> bool:
    """Does `line` open a heading, a numbered paragraph or an enumeration item? (The readers
    never join such a line to the one before it after a colon.)"""
    return leading_marker(line) is not None


def starts_section_level(line: str) -> bool:
    """Does `line` open with “一、” or “（一）” (the two upper heading levels)?"""
    mk = line_marker(line, 0)
    return mk is not None and mk.kind in ("cn", "pcn")


def enum_items(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(start, end, ordinal) of the “X是” items of text[start:end] — each up to the next item
    or the end, trailing spaces trimmed — plus the lead-in before the first item (ordinal 0).
    Empty when the text holds no item."""
    hits = list(ENUM.finditer(text, start, end))
    if not hits:
        return []
    bounds = [(start, 0)] if hits[0].start() > start else []
    bounds += [(m.start(), cn_value(m.group("n"))) for m in hits]
    out = []
    for (a, n), (b, _) in zip(bounds, bounds[1:] + [(end, 0)]):
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b, n))
    return out


# A heading's words: short, no sentence punctuation inside (a closing colon or stop allowed).
_HEADING_WORDS = re.compile(r"^[^，,；;：:]{0,24}[。：:]?$")
_SPACE_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def strip_marker(s: str) -> str:
    """`s` without its leading marker of any kind (and the space or “、” after it)."""
    mk = leading_marker(s)
    if mk is None:
        return s
    rest = s[mk.end:]
    if mk.kind in ("pcn", "par") and rest[:1] in ("、", ".", "．"):
        rest = rest[1:]
    if mk.kind in ("di", "qi") and rest[:1] in ("，", ","):
        rest = rest[1:]
    return rest.lstrip()


def heading_words(s: str) -> str | None:
    """The words after the marker when `s` is a numbered heading line or heading-only
    sentence (“（一）主动公开情况。”), else None. An enumeration item (“二是强化监督。”) is
    content, and so is a numbered sentence with clauses."""
    s = s.strip()
    mk = leading_marker(s)
    if mk is None or mk.kind == "enum":
        return None
    rest = strip_marker(s)
    return rest if _HEADING_WORDS.match(rest) else None


def heading_like(s: str) -> bool:
    """`heading_words` of at most 16 characters (spaces and punctuation aside)."""
    words = heading_words(s)
    return words is not None and len(_SPACE_PUNCT.sub("", words)) <= 16


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
