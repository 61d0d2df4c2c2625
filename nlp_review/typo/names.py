"""Names checked, not just protected.

`names.tsv.xz` (built by nlp_review/training/typo_domain.py) lists places (county and above,
from the shipped gazetteer, with 3+ character stems), organs (…局/委/办/厅 strings mined
from the counted text, with counts) and idioms (jieba). Two uses:

- a span that IS a known name is protected: no character inside it is changed
  (`known_mask`);
- a span one character away from a known name (教肓局 → 教育局, 卫生建康委 → 卫生健康委,
  黑龙讧省 → 黑龙江省) makes that character a candidate: `completions` finds, through an
  index of the names with one character wildcarded, every name that a window of the text
  matches except at the suspicious position, and the character the name has there.
"""
from __future__ import annotations

import lzma
from collections import defaultdict
from pathlib import Path

KINDS = ("place", "organ", "idiom")
MIN_LEN, MAX_LEN = 3, 8


class NameLexicon:
    def __init__(self, names: dict[str, tuple[str, int]]):
        self.names = names  # name → (kind, count)
        self.lengths = sorted({len(n) for n in names}, reverse=True)
        wild: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for name in names:
            if MIN_LEN <= len(name) <= MAX_LEN:
                for k in range(len(name)):
                    wild[name[:k] + "?" + name[k + 1:]].append((name, k))
        self.wild = dict(wild)
        # (character before, character after) the wildcard of every wild key ("" at an edge):
        # a window whose neighbours of position i make no such pair cannot match
        self.around = {(k[k.index("?") - 1:k.index("?")], k[k.index("?") + 1:k.index("?") + 2]) for k in self.wild}
        self.heads = {n[:MIN_LEN] for n in names if len(n) >= MIN_LEN}

    @classmethod
    def load(cls, d: Path) -> "NameLexicon":
        names: dict[str, tuple[str, int]] = {}
        f = d / "names.tsv.xz"
        if f.is_file():
            with lzma.open(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    name, kind, n = line.rstrip("\n").split("\t")
                    old = names.get(name)
                    if old is None or KINDS.index(kind) < KINDS.index(old[0]):
                        names[name] = (kind, int(n))
        return cls(names)

    def known_mask(self, s: str) -> list[bool]:
        """Positions inside a known name (longest match at each start, 3+ characters)."""
        mask = [False] * len(s)
        n = len(s)
        for st in range(n - MIN_LEN + 1):
            if s[st:st + MIN_LEN] not in self.heads:
                continue
            for length in self.lengths:
                if length < MIN_LEN or st + length > n:
                    continue
                if s[st:st + length] in self.names:
                    for k in range(st, st + length):
                        mask[k] = True
                    break
        return mask

    def completions(self, s: str, i: int) -> dict[str, tuple[str, int, int]]:
        """Characters c such that writing c at position i makes a known name of which the
        window around i is one character off: c → (kind, count, length) of the best name."""
        out: dict[str, tuple[str, int, int]] = {}
        n = len(s)
        before, after = s[i - 1:i], s[i + 1:i + 2]
        pairs = {(x, y) for x in ("", before) for y in ("", after)} & self.around
        if not pairs:
            return out
        for length in range(MIN_LEN, MAX_LEN + 1):
            for st in range(max(0, i - length + 1), min(i, n - length) + 1):
                k = i - st
                if (before if k else "", after if k < length - 1 else "") not in pairs:
                    continue
                key = s[st:i] + "?" + s[i + 1:st + length]
                for name, kk in self.wild.get(key, ()):
                    if kk != k:
                        continue
                    c = name[k]
                    if c == s[i]:
                        continue
                    kind, cnt = self.names[name]
                    best = out.get(c)
                    if best is None or (length, cnt) > (best[2], best[1]):
                        out[c] = (kind, cnt, length)
        return out
