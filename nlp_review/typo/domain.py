"""Domain-term deviation: text one edit away from a frequent phrase of the genre.

Annual reports are formulaic: 主动公开政府信息, 依申请公开, 办理时限内, 政府信息公开工作年度报告
recur in hundreds of reports. The phrase inventory (`phrases.tsv.xz`, built by
nlp_review/training/typo_domain.py: CJK n-grams of 4–10 characters found in ≥ 3 report
excerpts, and terms seen ≥ 20 times in the official corpus) is indexed by single-character
deletions (SymSpell), so that a window W of the text is matched against every phrase P one
edit away in a few dictionary lookups:

- W is P minus one character            → omission (主动公政府信息 → 主动公开政府信息);
- W minus one character is P            → a stray or doubled character (办理理时限);
- W and P minus the same position agree → a substitution (办理时现内 → 办理时限内).

Only windows that touch a position the LM finds unsupported are looked at, and only when W
itself is not a known phrase. Each match is an `Edit` proposal; whether it is a typo is the
reranker's call (LM gain, the phrase's frequency, the window's rarity).
"""
from __future__ import annotations

import lzma
from collections import defaultdict
from pathlib import Path

MIN_WINDOW, MAX_WINDOW = 3, 7
MAX_PHRASE = 10  # longest phrase length stored (features)
NEAR = 2  # the edit lies within this many characters of the unsupported position


class PhraseIndex:
    def __init__(self, phrases: dict[str, tuple[int, int]]):
        self.phrases = phrases  # phrase → (reports_df, official_count)
        self.deletions: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for p in phrases:
            if len(p) > MAX_WINDOW + 1:
                continue
            for k in range(len(p)):
                self.deletions[p[:k] + p[k + 1:]].append((p, k))
        self.deletions = dict(self.deletions)
        self.heads = {p[:4] for p in phrases}

    @classmethod
    def load(cls, d: Path) -> "PhraseIndex":
        phrases = {}
        f = d / "phrases.tsv.xz"
        if f.is_file():
            with lzma.open(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    p, a, b = line.rstrip("\n").split("\t")
                    phrases[p] = (int(a), int(b))
        return cls(phrases)

    def weight(self, p: str) -> tuple[int, int]:
        return self.phrases.get(p, (0, 0))

    def longest_phrase(self, s: str, a: int, b: int) -> int:
        """Length of the longest inventory phrase of s covering s[a:b] (0: none)."""
        n = len(s)
        best = 0
        heads, phrases = self.heads, self.phrases
        for st in range(max(0, b - MAX_PHRASE), min(a, n - 4) + 1):
            if s[st:st + 4] not in heads:
                continue
            for length in range(min(MAX_PHRASE, n - st), max(b - st, 4, best + 1) - 1, -1):
                if s[st:st + length] in phrases:
                    best = length
                    break
        return best

    def deviations(self, s: str, positions, cjk, confusable=None) -> list[tuple[int, int, str, str, str]]:
        """(start, end, replacement, phrase, kind) for windows of s touching `positions`
        that are one edit away from an inventory phrase, the edit inside the window (at least
        one character of the phrase on each side: an edit at its edge proves nothing, the rest
        of the phrase is there anyway) and within NEAR characters of the position; kind is
        omission / extra / substitution. `cjk`: a boolean per character; `confusable(a, b)`:
        whether a substitution a → b is a plausible slip (a phrase alone does not make one).
        Windows are short (3–7 characters): a long phrase's pieces are phrases too."""
        out = {}
        n = len(s)
        seen = set()
        phrases, dels = self.phrases, self.deletions
        # end of the CJK run each position belongs to
        run_end, e = [0] * n, n
        for i in range(n - 1, -1, -1):
            if not cjk[i]:
                e = i
            run_end[i] = e
        for p in positions:
            for m in range(MIN_WINDOW, MAX_WINDOW + 1):
                for st in range(max(0, p - m + 1), min(p, n - m) + 1):
                    if (st, m) in seen or run_end[st] < st + m:
                        continue
                    seen.add((st, m))
                    w = s[st:st + m]
                    if w in phrases:
                        continue
                    for ph, k in dels.get(w, ()):  # w is a phrase with one character left out
                        if 0 < k < m and abs(st + k - p) <= NEAR + 1:
                            out.setdefault((st + k, st + k, ph[k]), (ph, "omission"))
                    for j in range(max(1, p - st - NEAR), min(m - 1, p - st + NEAR + 1)):
                        wj = w[:j] + w[j + 1:]
                        if m >= 5 and wj in phrases:  # one character too many
                            out.setdefault((st + j, st + j + 1, ""), (wj, "extra"))
                        if m >= 4:
                            for ph, k in dels.get(wj, ()):
                                if k == j and ph[k] != w[j] and (confusable is None or confusable(w[j], ph[k])):
                                    out.setdefault((st + j, st + j + 1, ph[k]), (ph, "substitution"))
        return [(a, b, r, ph, kind) for (a, b, r), (ph, kind) in out.items()]
