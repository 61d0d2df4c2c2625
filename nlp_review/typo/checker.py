"""The statistical typo checker: confusion-set candidates scored by the character LM.

For each character that the LM finds poorly supported in its context (its trigram or a
bigram unseen in the official corpus), every confusable character (sound or shape,
confusion pairs attested by ≥ 2 sources) is tried; the score of a candidate is the gain in
log-probability of the window it influences (itself and the next three characters), plus
a bonus when it makes a dictionary word that the original does not (jieba's dictionary),
minus one when it breaks one. A candidate is proposed when the score reaches the threshold
tuned on the ODW dev split. Proper nouns (jieba ns/nr/nt/nz words, text in 《》, the
report's agency name) are never touched.

Artifact files in models/<version>/typo_lm/: lm.npz + lm_vocab.json (the LM), conf.npz
(candidates per character id), words.txt.xz (dictionary words and proper nouns),
params.json (threshold, word weight, calibration).
"""
from __future__ import annotations

import json
import lzma
import re
from pathlib import Path

import numpy as np

from .confusion import calibrated
from .lm import ORDER, UNK, CharLM

# Inference settings; the folder's config.json "inference" overrides them (params.json holds
# the tuned threshold, word weight and calibration).
INFERENCE = {"start_penalty": 3.0}  # subtracted from a candidate's score at a sentence start
# Longest text scored in one go: the candidate arrays grow with length × candidates (a
# 550,000-character line asked for ~276 M entries). Longer text is scored in windows that
# overlap by WINDOW_MARGIN characters, each position keeping the context it has in the
# whole text (the LM looks 3 characters back and the gain 3 ahead; 《…》 spans ≤ 62).
MAX_LM_CHARS = 1024
WINDOW_MARGIN = 64
_CJK = re.compile("[\u4e00-\u9fff]")
_BOOK = re.compile("《[^《》]{1,60}》")
# Names the LM cannot know: place names before their suffix (梅塘镇, 武隆区), organs
# abbreviated before 局/委/办 (人社局, 卫健委), short quoted terms (“三审三校”), and
# measure words after numbers (22篇, 5宗).
_PLACE = re.compile("[\u4e00-\u9fff]{2}(?:省|市|区|县|镇|乡|村|街道|旗|盟|州|社区|大厦|公园)")
_ORGAN = re.compile("[\u4e00-\u9fff]{2}(?:局|委|办|厅|院|所|站|队)(?![\u4e00-\u9fff]{0,1}[长])")
_QUOTED = re.compile("“[^“”]{1,10}”")
_MEASURE = re.compile("[0-9０-９零〇一二三四五六七八九十百千万]+(?:[篇件条期宗项次个家所名份册批起场部类栏季余])")
PROTECT_PATTERNS = [_BOOK, _PLACE, _ORGAN, _QUOTED, _MEASURE]


class StatChecker:
    def __init__(self, lm: CharLM, ptr: np.ndarray, cands: np.ndarray, words: set[str], proper: set[str],
                 params: dict):
        self.lm = lm
        self.ptr = ptr
        self.cands = cands
        self.words = words
        self.proper = proper
        self.threshold = float(params.get("threshold", 6.0))
        self.word_weight = float(params.get("word_weight", 1.5))
        self.calibration = [tuple(x) for x in params.get("calibration", [])]
        self.protect_patterns = PROTECT_PATTERNS
        self.oov: dict[str, np.ndarray] = {}
        self.settings = dict(INFERENCE)

    @classmethod
    def load(cls, d: Path) -> "StatChecker":
        lm = CharLM.load(d)
        with np.load(d / "conf.npz") as z:
            ptr, cands = z["ptr"], z["cands"]
        text = lzma.open(d / "words.txt.xz", "rt", encoding="utf-8").read()
        common, _, prop = text.partition("#PROPER\n")
        params = {}
        if (d / "params.json").is_file():
            params = json.loads((d / "params.json").read_text(encoding="utf-8"))
        ck = cls(lm, ptr, cands, set(common.split()), set(prop.split()), params)
        from ..models.store import inference_settings

        ck.settings = inference_settings(d, INFERENCE)
        if (d / "conf_oov.json").is_file():
            oov = json.loads((d / "conf_oov.json").read_text(encoding="utf-8"))
            ck.oov = {a: np.array(v, dtype=np.uint16) for a, v in oov.items()}
        return ck

    def set_threshold(self, threshold: float, calibration: list) -> None:
        self.threshold = threshold
        self.calibration = [tuple(x) for x in calibration]

    def save_params(self, d: Path) -> None:
        (d / "params.json").write_text(json.dumps({"threshold": self.threshold, "word_weight": self.word_weight,
                                                   "calibration": self.calibration}, ensure_ascii=False),
                                       encoding="utf-8")

    # ---- features ----------------------------------------------------------------
    def protected(self, s: str, extra: tuple[str, ...] = ()) -> np.ndarray:
        mask = np.zeros(len(s), dtype=bool)
        for pat in self.protect_patterns:
            for m in pat.finditer(s):
                mask[m.start():m.end()] = True
        for name in extra:
            if name:
                for m in re.finditer(re.escape(name), s):
                    mask[m.start():m.end()] = True
        return mask

    def in_proper(self, s: str, i: int) -> bool:
        """Is position i inside a known proper noun or protected term (2–8 characters)?"""
        L = len(s)
        for n in range(2, 9):
            for st in range(max(0, i - n + 1), min(i, L - n) + 1):
                if s[st:st + n] in self.proper:
                    return True
        return False

    def _in_word(self, s: str, i: int) -> bool:
        """Is position i inside a dictionary word of 2–4 characters?"""
        for n in (2, 3, 4):
            for st in range(max(0, i - n + 1), min(i, len(s) - n) + 1):
                if s[st:st + n] in self.words:
                    return True
        return False

    # ---- proposals ---------------------------------------------------------------
    def proposals(self, s: str, extra_protected: tuple[str, ...] = ()) -> list[tuple[int, str, float]]:
        """(position, candidate character, score) for every candidate that improves its
        window; scores are comparable with `threshold`."""
        if len(s) <= MAX_LM_CHARS:
            return self._proposals(s, extra_protected)
        out, step = [], MAX_LM_CHARS - 2 * WINDOW_MARGIN
        for a in range(0, len(s), step):
            lo = max(0, a - WINDOW_MARGIN)
            window = s[lo:min(len(s), a + step + WINDOW_MARGIN)]
            out.extend((lo + i, ch, sc) for i, ch, sc in self._proposals(window, extra_protected)
                       if a <= lo + i < a + step)
        return out

    def _proposals(self, s: str, extra_protected: tuple[str, ...] = ()) -> list[tuple[int, str, float]]:
        L = len(s)
        if L < 2:
            return []
        lm = self.lm
        ids = lm.encode(s)
        ctx, tgt = lm.contexts(ids)
        lp0 = lm.logprob(ctx, tgt)
        # support of each character: trigram (prev, cur, next) and both bigrams
        prev = ctx[:L, ORDER - 2]
        nxt = tgt[1:L + 1]
        cur = tgt[:L]
        from .lm import pack

        sup, _ = lm.lookup(np.concatenate([pack([prev, cur, nxt]), pack([prev, cur]), pack([cur, nxt])]))
        c3, c2a, c2b = sup[:L], sup[L:2 * L], sup[2 * L:]
        suspicious = (c3 == 0) | (np.minimum(c2a, c2b) < 2)
        oov = np.array([c == UNK and s[k] in self.oov for k, c in enumerate(cur)], dtype=bool)
        suspicious = (suspicious & (cur >= 3)) | oov
        if not suspicious.any():
            return []
        mask = self.protected(s, extra_protected)
        pos_list, cand_list = [], []
        for i in np.nonzero(suspicious & ~mask)[0]:
            if not _CJK.match(s[i]) or self.in_proper(s, i):
                continue
            if oov[i]:
                cs = self.oov[s[i]]
            else:
                a, b = self.ptr[cur[i]], self.ptr[cur[i] + 1]
                if a == b:
                    continue
                cs = self.cands[a:b]
            pos_list.append(np.full(len(cs), i))
            cand_list.append(cs)
        if not pos_list:
            return []
        P = np.concatenate(pos_list)
        C = np.concatenate(cand_list).astype(np.uint16)
        V = len(P)
        T = np.arange(ORDER)
        J = P[:, None] + T[None, :]  # (V, 4)
        valid = J <= L
        Jc = np.minimum(J, L)
        cctx = ctx[Jc].copy()  # (V, 4, 3)
        ctgt = tgt[Jc].copy()
        ctgt[:, 0] = C
        for t in range(1, ORDER):
            cctx[:, t, ORDER - 1 - t] = C
        lp = lm.logprob(cctx.reshape(-1, ORDER - 1), ctgt.reshape(-1)).reshape(V, ORDER)
        gain = np.where(valid, lp - lp0[Jc], 0.0).sum(axis=1)
        good = np.nonzero(gain > 0)[0]
        out = []
        best: dict[int, tuple[int, str, float]] = {}
        here: dict[int, bool] = {}  # is position i in a dictionary word as written?
        for k in good:
            i = int(P[k])
            ch = lm.chars[int(C[k]) - 3]
            sc = float(gain[k])
            if i == 0:  # only the boundary as left context: weak evidence
                sc -= self.settings["start_penalty"]
            if self.word_weight:  # _in_word reads 3 characters each side: a local copy, not the sentence
                a = max(0, i - 3)
                if i not in here:
                    here[i] = self._in_word(s[a:i + 4], i - a)
                if self.word_weight > 0 and i in best and sc + self.word_weight * (1 - here[i]) <= best[i][2]:
                    continue  # cannot beat the position's best even with the word bonus
                local = s[a:i + 4]
                alt = local[:i - a] + ch + local[i - a + 1:]
                sc += self.word_weight * (self._in_word(alt, i - a) - here[i])
            if i not in best or sc > best[i][2]:
                best[i] = (i, ch, sc)
        out = sorted(best.values())
        return out

    def gain(self, s: str, i: int, ch: str) -> float:
        """LM log-probability gain of writing `ch` at position i (whole sentence)."""
        lm = self.lm
        ctx, tgt = lm.contexts(lm.encode(s))
        alt = s[:i] + ch + s[i + 1:]
        ctx2, tgt2 = lm.contexts(lm.encode(alt))
        return float(lm.logprob(ctx2, tgt2).sum() - lm.logprob(ctx, tgt).sum())

    def apply(self, s: str, props: list[tuple[int, str, float]]) -> str:
        """Apply proposals, best first, never two within 1 character of each other."""
        chars = list(s)
        taken: set[int] = set()
        for i, ch, _ in sorted(props, key=lambda p: -p[2]):
            if i in taken or i - 1 in taken or i + 1 in taken:
                continue
            chars[i] = ch
            taken.add(i)
        return "".join(chars)

    def detect(self, s: str, extra_protected: tuple[str, ...] = ()) -> list[tuple[int, str, float]]:
        props = [p for p in self.proposals(s, extra_protected) if p[2] >= self.threshold]
        kept, taken = [], set()
        for p in sorted(props, key=lambda p: -p[2]):
            if not ({p[0] - 1, p[0], p[0] + 1} & taken):
                kept.append(p)
                taken.add(p[0])
        return sorted(kept)

    def correct(self, s: str) -> str:
        return self.apply(s, self.detect(s))

    def confidence(self, score: float) -> float:
        """Share of correct proposals among dev proposals scoring at least `score`."""
        return calibrated(score, self.calibration)
