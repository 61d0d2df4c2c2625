"""Administrative divisions for the publisher parser: the MIT `cpca` data shipped in
corpus/boilerplate/gazetteer/ (3,511 province/prefecture/county names with 12-digit codes),
with the parent chain of every code and a few aliases the data lacks:

- county-level units renamed since the data was made (武隆县 → 武隆区, 余杭区 → 临平区 split):
  a name that is not in the data is looked up by its stem with another county suffix
  (区/县/市/旗), but only among the children of a parent already named before it, so a
  stem never matches a place in another province;
- the short forms a title writes (“黑龙江” for 黑龙江省, “广西” for 广西壮族自治区).

Towns, townships and streets (镇/乡/苏木/街道) are not in the data; `agency.py` finds them
by name patterns below a county.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..boilerplate.names import code_level  # 1 province, 2 prefecture, 3 county

GAZETTEER_CSV = Path(__file__).resolve().parents[2] / "corpus" / "boilerplate" / "gazetteer" / "adcodes.csv"
MUNICIPALITIES = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: their departments are province level
_COUNTY_SUFFIXES = ("区", "县", "市", "旗")
_PROVINCE_SHORT = re.compile(r"(壮族|回族|维吾尔)?自治区$|省$|市$|特别行政区$")
_ETHNIC = re.compile(
    "(?:回|蒙古|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉祜|水|东乡|纳西|景颇|"
    "柯尔克孜|土|达斡尔|仫佬|羌|撒拉|毛南|仡佬|锡伯|普米|塔吉克|怒|鄂温克|保安|裕固|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|京|"
    "各)族")
_NOT_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def parent_code(code: str) -> str | None:
    level = code_level(code)
    if level == 1:
        return None
    if level == 2:
        return code[:2] + "0" * 10
    return code[:4] + "0" * 8


@dataclass
class Place:
    code: str
    name: str

    @property
    def level(self) -> int:
        return code_level(self.code)


class Gazetteer:
    def __init__(self, rows: list[tuple[str, str]]):
        self.by_code: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        self.alt_names: dict[str, list[str]] = {}
        self.codes: dict[str, list[str]] = {}
        for code, name in rows:
            if name in _NOT_NAMES or not name:
                continue
            self.by_code[code] = name
            self.codes.setdefault(name, []).append(code)
        # Short province names: 黑龙江, 广西, 内蒙古, 新疆 …
        for code, name in list(self.by_code.items()):
            if code_level(code) == 1:
                short = _PROVINCE_SHORT.sub("", name)
                short = {"内蒙古自治": "内蒙古"}.get(short, short)
                if len(short) >= 2 and short not in self.codes:
                    self.codes.setdefault(short, []).append(code)
        # Autonomous counties and prefectures by their usual short forms: 肃南县 and 肃南自治县
        # for 肃南裕固族自治县, 甘南州 for 甘南藏族自治州.
        for code, name in list(self.by_code.items()):
            m = _ETHNIC.search(name)
            if m and m.start() >= 2 and name.endswith(("自治县", "自治州", "自治旗")):
                stem, kind = name[:m.start()], name[-1]
                for alias in (stem + kind, stem + "自治" + kind):
                    if alias not in self.codes:
                        self.codes.setdefault(alias, []).append(code)
                        self.aliases[alias] = code
                        self.alt_names.setdefault(code, []).append(alias)
        self.children: dict[str, list[str]] = {}
        for code in self.by_code:
            p = parent_code(code)
            # county-level cities directly under a province (省直辖) hang from the province
            while p and p not in self.by_code:
                p = parent_code(p)
            if p:
                self.children.setdefault(p, []).append(code)
        self._lengths = sorted({len(n) for n in self.codes if len(n) >= 2}, reverse=True)
        heads: dict[str, set[int]] = {}
        for n in self.codes:
            if len(n) >= 2:
                heads.setdefault(n[:2], set()).add(len(n))
        self._heads = {k: sorted(v, reverse=True) for k, v in heads.items()}  # first two characters → lengths

    def name(self, code: str) -> str:
        return self.by_code.get(code, "")

    def chain(self, code: str) -> list[str]:
        """Codes from the province down to `code` (codes missing from the data skipped)."""
        out = []
        c: str | None = code
        while c:
            if c in self.by_code:
                out.append(c)
            c = parent_code(c)
        return out[::-1]

    def contains(self, outer: str, inner: str) -> bool:
        return inner in self.chain(inner) and outer in self.chain(inner)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Longest names in `text`, left to right, not overlapping (2+ characters)."""
        out, i, heads = [], 0, self._heads
        while i < len(text) - 1:
            lengths = heads.get(text[i:i + 2])
            if lengths:
                for n in lengths:
                    if text[i:i + n] in self.codes:
                        out.append((i, i + n, text[i:i + n]))
                        i += n
                        break
                else:
                    i += 1
            else:
                i += 1
        return out

    def find_child_prefix(self, parent: str, text: str) -> tuple[str, int] | None:
        """A child of `parent` named (or stem-named) at the start of `text`: (code, length)."""
        best = None
        for c in self.children.get(parent, []):
            n = self.by_code[c]
            stem = n[:-1] if len(n) >= 3 and n.endswith(_COUNTY_SUFFIXES) else None
            for cand in (n, *self.alt_names.get(c, ()), stem):
                if cand and text.startswith(cand) and (best is None or len(cand) > best[1]):
                    if cand == stem:
                        # a bare stem (文登 for 文登区) only before an organ, or renamed (武隆县 → 武隆区)
                        nxt = text[len(cand):len(cand) + 1]
                        if nxt in ("区", "县", "市", "旗"):
                            best = (c, len(cand) + 1)
                        elif re.match(r"人民政府|政府|[^\u4e00-\u9fa5]", text[len(cand):]) or not nxt:
                            best = (c, len(cand))
                        continue
                    best = (c, len(cand))
        return best


@lru_cache(maxsize=1)
def load_gazetteer(path: str | None = None) -> Gazetteer:
    p = Path(path) if path else GAZETTEER_CSV
    with p.open(encoding="utf-8") as fh:
        rows = [(r["adcode"].strip(), r["name"].strip()) for r in csv.DictReader(fh)]
    return Gazetteer(rows)
