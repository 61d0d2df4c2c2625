"""Explainable features of one sentence's specificity, and the phrase lexicons they use.

Every feature is a count or a share a reviewer can check by reading the sentence:
quantities (“发布信息120条”), dates, documents in 《》 other than the regulation itself,
named platforms and accounts, “zero” facts (“未收到申请”), concrete action verbs, the
stock-phrase share (phrases learned from many reports that carry nothing specific)
and the share of the regulation's own wording. The model (train.py) is a logistic
regression over them, so each verdict can be explained by its largest contributions.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..structure.markers import strip_marker
from .text import nfkc, norm, phrase_shape

_UNITS = (r"条|件|篇|次|场|期|个|项|份|批|部|名|人次|人|户|家|宗|册|万|亿|元|天|日|小时|分钟|所|类|栏|处|"
          r"张|幅|则|本|套|台|支|起|趟|轮|组|余|多|%|％|倍|月")
_QTY = re.compile(rf"\d+(?:[.,]\d+)?\s*(?:{_UNITS})")
_CN_QTY = re.compile(rf"(?<![一二三四五六七八九十])[两一二三四五六七八九十百千]{{1,4}}(?:{_UNITS})(?![是])")
_PCT = re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之")
_DATE = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*年\s*\d{1,2}\s*月|\d{1,2}\s*月(?:份|底|初|中旬|下旬|上旬)"
                   r"|[一二三四五六七八九十]{1,3}月(?:份|底|初)")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
DIGIT = re.compile(r"\d")
_BOOK = re.compile(r"《([^》]{2,60})》")
_BOOK_ANY = re.compile(r"《[^》]*》")
_QUOTE = re.compile(r"[“\"「]([^”\"」]{2,24})[”\"」]")
_PLATFORM = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9“”\"]{2,16}?(?:公众号|微博|视频号|抖音号|头条号|客户端|APP|App|门户网站|网站|政务网|"
    r"政务服务网|专栏|栏目|专区|平台|热线|信箱|频道|公开栏|服务大厅|服务中心)")
_COLUMN = re.compile(r"([\u4e00-\u9fa5]{2,10})(?:栏目|专栏|专区|专题|频道|子栏目)")
_PLACE_PLATFORM = re.compile(r"[\u4e00-\u9fa5]{2,8}(?:省|市|区|县|旗|镇|乡|街道)(?:人民政府)?(?:政府)?(?:门户)?(?:网站|政务网|信息网|在线)")
_ZERO = re.compile(r"(?:未|没有|无|均未|尚未|零)(?:收到|接到|受理|发生|出现|产生|办理|收取|有)?[^，,。；;]{0,16}"
                   r"(?:申请|复议|诉讼|案件|投诉|追究|舆情|收费|处理费)|[0０零]\s*(?:件|宗|条|起|次|元)")
_CONCRETE = re.compile(
    r"发布|公开了|推送|刊发|刊登|制定|修订|印发|编制|出台|开设|设立|设置|上线|建成|举办|召开|参加|组织开展|开展|办理|"
    r"答复|回复|更新|新增|迁移|增设|配备|出具|征集|受理|报送|录用|转发|播放|迁入|删除|整合|制作")
_GENERIC = re.compile(
    r"进一步|不断|持续|积极|切实|扎实|全面|深入|努力|认真|着力|大力|稳步|有效|充分|高度重视|加强|提升|提高|完善|推进|"
    r"深化|强化|健全|规范|落实|坚持|确保|保障|贯彻|围绕|聚焦|优化|拓宽|丰富|创新|有序|有力|良好|显著|明显")
_PROBLEM = re.compile(r"有待|不够|不足|欠缺|薄弱|不强|不高|滞后|单一|较少|不多|不及时|不到位|需要进一步|仍需|还需")
_LIST = re.compile(r"[、，,；;]")
# Documents that only name the legal basis or a superior's guidance, not this agency's work.
_DIRECTIVE = re.compile(r"^(?:新)?条例$|^规定$|^实施办法$|中华人民共和国|(?:政务公开|信息公开|政务服务).{0,12}"
                        r"(?:要点|意见|通知|条例|规定|安排|格式|指南\(参考\))$|关于.{0,30}(?:意见|通知)$")
_ITEM_SPLIT = re.compile(r"[、，,；;：:。等和及与]")

FEATURES: list[tuple[str, str]] = [
    ("qty", "含具体数量（如“发布信息120条”）"),
    ("pct", "含百分比"),
    ("date", "含具体日期或月份"),
    ("year", "含年份"),
    ("own_doc", "引用了本机关或具体的文件、制度名称（《》）"),
    ("stat_doc", "只引用《条例》等法定文件"),
    ("named", "含具名平台、账号、栏目或活动（“”）"),
    ("zero", "陈述了具体的“零”事实（如未收到申请）"),
    ("concrete", "含具体行动动词"),
    ("generic", "套话性动词和副词（加强、进一步、不断……）"),
    ("stock", "套话短语覆盖率（从多份年报学得）"),
    ("statutory", "条例原文措辞覆盖率"),
    ("length", "句子长度（对数）"),
    ("problem", "问题性措辞（有待、不够……）"),
    ("list", "列举项数"),
    ("digits", "含其他数字"),
    ("section5", "位于第五部分"),
]
FEATURE_NAMES = [f for f, _ in FEATURES]
FEATURE_LABELS = dict(FEATURES)


def ngrams(s: str, lo: int, hi: int):
    for n in range(lo, hi + 1):
        for i in range(len(s) - n + 1):
            yield s[i:i + n]


@dataclass
class Lexicon:
    """Stock phrases learned from many reports, and the statutory wording's n-grams."""

    stock: dict[str, int] = field(default_factory=dict)  # phrase → number of reports using it
    statutory: set[str] = field(default_factory=set)  # STAT_N-grams of the regulation and format
    docs: int = 0
    statutory_text: str = ""  # its comparison form, line by line (for pieces shorter than STAT_N)
    STAT_N = 8

    @property
    def stock_lengths(self) -> list[int]:
        return phrase_shape(self, self.stock)[0]

    def _cover(self, s: str, phrases, lengths, k: int = 0, starts=None) -> list[tuple[int, int]]:
        """Spans of `phrases` in s, length by length (`starts`: the phrases' first k
        characters — only positions where one starts are tried)."""
        positions = range(len(s)) if starts is None else [i for i in range(len(s)) if s[i:i + k] in starts]
        spans = []
        for n in lengths:
            for i in positions:
                if i + n <= len(s) and s[i:i + n] in phrases:
                    spans.append((i, i + n))
        return spans

    @staticmethod
    def _share(n: int, spans) -> float:
        if n == 0:
            return 0.0
        covered = [False] * n
        for a, b in spans:
            for i in range(a, b):
                covered[i] = True
        return sum(covered) / n

    def stock_share(self, s: str) -> tuple[float, list[str]]:
        n = norm(s)
        spans = self._cover(n, self.stock, *phrase_shape(self, self.stock))
        found, seen = [], set()
        for a, b in sorted(spans, key=lambda x: (x[0], -(x[1] - x[0]))):
            p = n[a:b]
            if p not in seen and not any(p in q for q in seen):
                seen.add(p)
                found.append(p)
        return self._share(len(n), spans), found

    def statutory_share(self, s: str) -> float:
        """Share of the sentence in the regulation's or the format's own wording. Titles
        in 《》 are left out: citing the regulation does not make a sentence statutory."""
        total = covered = 0
        for piece in _BOOK_ANY.split(s):
            n = norm(piece)
            total += len(n)
            if len(n) < self.STAT_N:
                covered += len(n) if n and n in self.statutory_text else 0
            else:
                covered += self._share(len(n), self._cover(n, self.statutory, [self.STAT_N])) * len(n)
        return covered / total if total else 0.0

    def to_json(self) -> dict:
        return {"stock": self.stock, "statutory": sorted(self.statutory), "docs": self.docs}

    @classmethod
    def from_json(cls, d: dict) -> "Lexicon":
        return cls(stock=dict(d["stock"]), statutory=set(d["statutory"]), docs=d.get("docs", 0))


def statutory_form(text: str) -> str:
    return "\n".join(norm(line) for line in text.split("\n"))


def statutory_ngrams(text: str, n: int = Lexicon.STAT_N) -> set[str]:
    out = set()
    for line in text.split("\n"):
        out.update(ngrams(norm(line), n, n))
    return out


def extract(sentence: str, section: int, lex: Lexicon) -> dict[str, float]:
    """Feature values of one sentence (see FEATURES)."""
    s = nfkc(strip_marker(sentence))
    no_year = _YEAR.sub("", s)
    books = _BOOK.findall(s)
    stat_docs = [b for b in books if lex.statutory_share(b) >= 0.5 or _DIRECTIVE.search(b)]
    quotes = [q for q in _QUOTE.findall(s)]
    slogan = [q for q in quotes if lex.stock_share(q)[0] >= 0.5 or lex.statutory_share(q) >= 0.5
              or len(_LIST.findall(q)) >= 1]
    columns = [c for c in _COLUMN.findall(s) if not _GENERIC.search(c) and lex.stock_share(c)[0] < 0.5
               and lex.statutory_share(c) < 0.5 and not re.search(r"[”\"」]$|政府信息公开|政务公开|信息公开", c)]
    named = len(quotes) - len(slogan) + len(_PLACE_PLATFORM.findall(s)) + len(columns) + sum(
        1 for m in _PLATFORM.finditer(s) if re.search(r"[“\"]", m.group(0)))
    qty = len(_QTY.findall(no_year)) + len(_CN_QTY.findall(no_year))
    stock, _ = lex.stock_share(s)
    n = norm(s)
    return {
        "qty": min(qty, 6),
        "pct": float(bool(_PCT.search(s))),
        "date": float(bool(_DATE.search(s))),
        "year": float(bool(_YEAR.search(s))),
        "own_doc": min(len(books) - len(stat_docs), 4),
        "stat_doc": float(bool(stat_docs)),
        "named": min(named, 4),
        "zero": float(bool(_ZERO.search(s))),
        "concrete": min(len(_CONCRETE.findall(s)), 5),
        "generic": min(len(_GENERIC.findall(s)), 10) / max(1.0, len(n) / 20),
        "stock": stock,
        "statutory": lex.statutory_share(s),
        "length": math.log1p(len(n)),
        "problem": float(bool(_PROBLEM.search(s))),
        "list": min(specific_items(s, lex), 8),
        "digits": float(bool(DIGIT.search(no_year))),
        "section5": float(section == 5),
    }


def specific_items(s: str, lex: Lexicon) -> int:
    """Items of an enumeration (“托育政策、育儿补助发放、中医药传承”) that are neither
    stock phrases nor stock verbs: named topics, fields, columns."""
    if "、" not in s:
        return 0
    n = 0
    for item in _ITEM_SPLIT.split(s):
        item = norm(item)
        if 4 <= len(item) <= 14 and not _GENERIC.search(item) and lex.stock_share(item)[0] < 0.5 \
                and lex.statutory_share(item) < 0.5:
            n += 1
    return n


def vector(feats: dict[str, float]) -> list[float]:
    return [float(feats[f]) for f in FEATURE_NAMES]
