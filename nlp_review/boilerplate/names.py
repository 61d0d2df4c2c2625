"""Foreign names: another place's (or agency's) name inside the report body.

The gazetteer holds China's province, prefecture and county names with their 12-digit
administrative codes (from the MIT-licensed `cpca` data, corpus/boilerplate/gazetteer),
so the hierarchy is known: 呼兰区 (230111) lies in 哈尔滨市 (2301) in 黑龙江省 (23).
The report's own places come from the agency in its title (“呼兰区教育局” → 呼兰区).
A place named in the body is foreign when it is neither one of the own places, nor one
of their ancestors, nor inside them, for every reading of an ambiguous name (朝阳区 is
in 北京 and in 长春). Provinces are left alone (reports cite national and provincial
bodies freely), so are names inside 《》 and names next to words of cooperation
(对口支援, 帮扶, 考察…). When the own place is not in the gazetteer (a new district,
a town), only a different place of the same level is reported, at lower confidence.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .text import phrase_shape

LEVEL_NAMES = {1: "省级", 2: "地市级", 3: "县级"}
_SUFFIX_LEVEL = [("自治区", 1), ("省", 1), ("自治州", 2), ("地区", 2), ("盟", 2), ("自治县", 3), ("自治旗", 3),
                 ("市", 2), ("县", 3), ("区", 3), ("旗", 3)]
_OWN_TOKEN = re.compile(r"[\u4e00-\u9fa5]{2,8}?(?:自治区|自治州|自治县|自治旗|特别行政区|省|市|地区|盟|县|区|旗)")
_COOPERATION = re.compile(r"对口|帮扶|协作|结对|援|考察|学习借鉴|交流|合作|联合|毗邻|兄弟|外省|外地|异地|跨省|跨市|跨区|赴|来自")
_NOT_NAMES = {"市辖区", "自治区", "自治州", "自治县"}


def code_level(code: str) -> int:
    if code[2:] == "0" * 10:
        return 1
    if code[4:] == "0" * 8:
        return 2
    return 3


def suffix_level(name: str) -> int | None:
    for suf, lvl in _SUFFIX_LEVEL:
        if name.endswith(suf):
            return lvl
    return None


@dataclass
class Gazetteer:
    codes: dict[str, list[str]]  # name → adcodes

    @classmethod
    def from_csv(cls, path: Path) -> "Gazetteer":
        codes: dict[str, list[str]] = {}
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                name = row["name"].strip()
                if len(name) >= 3 and name not in _NOT_NAMES:
                    codes.setdefault(name, []).append(row["adcode"].strip())
        return cls(codes)

    def to_json(self) -> dict:
        return {"codes": self.codes}

    @classmethod
    def from_json(cls, d: dict) -> "Gazetteer":
        return cls({k: list(v) for k, v in d["codes"].items()})

    @property
    def lengths(self) -> list[int]:
        return phrase_shape(self, self.codes)[0]

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """Longest gazetteer names in text[start:end], left to right, not overlapping."""
        end = len(text) if end is None else end
        lengths, k, starts = phrase_shape(self, self.codes)
        out, i = [], start
        while i < end:
            if text[i:i + k] in starts:
                for n in lengths:
                    if i + n <= end and text[i:i + n] in self.codes:
                        out.append((i, i + n, text[i:i + n]))
                        i += n
                        break
                else:
                    i += 1
            else:
                i += 1
        return out

    def own_places(self, agency: str | None) -> list[str]:
        """Places named in the agency (“深圳市福田区住房和建设局” → 深圳市, 福田区)."""
        if not agency:
            return []
        found = [n for _, _, n in self.find(agency)]
        if found:
            return found
        m = _OWN_TOKEN.match(agency)
        return [m.group(0)] if m else []


def _related(a: str, b: str) -> bool:
    """True when one code's area contains the other's (or they are the same)."""
    la, lb = code_level(a), code_level(b)
    pa = {1: a[:2], 2: a[:4], 3: a[:6]}[la]
    pb = {1: b[:2], 2: b[:4], 3: b[:6]}[lb]
    return pa.startswith(pb) or pb.startswith(pa)


@dataclass
class ForeignName:
    start: int
    end: int
    name: str
    own: list[str]
    level: int
    confidence: float
    reason: str


def foreign_names(text: str, spans: list[tuple[int, int]], agency: str | None, gaz: Gazetteer) -> list[ForeignName]:
    """Foreign place names inside the given text spans (narrative paragraphs)."""
    own = gaz.own_places(agency)
    if not own:
        return []
    own_codes = [c for n in own for c in gaz.codes.get(n, [])]
    own_levels = [suffix_level(n) for n in own if suffix_level(n)]
    out: list[ForeignName] = []
    for a, b in spans:
        for s, e, name in gaz.find(text, a, b):
            if name in own:
                continue
            codes = gaz.codes[name]
            level = min(code_level(c) for c in codes)
            if level == 1:
                continue
            if text.rfind("《", a, s) > text.rfind("》", a, s):
                continue  # inside a document title
            if _COOPERATION.search(text[max(a, s - 12):min(b, e + 8)]):
                continue
            if own_codes:
                if any(_related(c, oc) for c in codes for oc in own_codes):
                    continue
                out.append(ForeignName(s, e, name, own, level, 0.85,
                                       f"“{name}”不属于本机关所在的{'、'.join(own)}及其上级行政区"))
            elif own_levels and level == max(own_levels):
                # own place unknown to the gazetteer: only a place of the same level is telling
                out.append(ForeignName(s, e, name, own, level, 0.6,
                                       f"“{name}”与本机关所在的{own[-1]}同级但名称不同"))
    return out
