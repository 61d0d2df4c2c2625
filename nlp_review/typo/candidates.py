"""Every typo proposal for one sentence, scored by the interpolated LM, with the features
the reranker reads (`FEATURES`).

Proposal sources (an `Edit` replaces text[start:end] by `text`; start == end inserts):
- `char`: a confusable character (sound/shape pairs of the confusion sets, same-pinyin
  common characters; cands.npz) at a position the LM finds unsupported;
- `word`: a dictionary word of 2–4 characters with the same toneless pinyin as a window
  touching such a position (剑都 → 监督, 裸视 → 落实);
- `phrase`: one edit (omission, extra character, substitution) away from a frequent domain
  phrase (domain.PhraseIndex: 主动公政府信息 → 主动公开政府信息);
- `repeat`: a doubled span (申请申请, 按照按照) or a first attempt typed before its fix
  (可通过可以通过): the first copy is deleted;
- `stray`: an unsupported character deleted.

Hard protection (no proposal changes a character inside): known names (names.NameLexicon:
places, organs, idioms), the curated protected terms, the report's own agency and title.
Name-like spans (…省/市/区/镇/村, …局/委/办/院, short quotes, counts with their measure word)
are guarded: the only change allowed inside is a character that makes a known name
(教肓局 → 教育局, 黑龙讧省 → 黑龙江省), so a town the gazetteer does not know (梅塘镇) is left
alone. Titles in 《》 and jieba's proper nouns are features only, so that 《全圃人民代表大会…》
can still be corrected when the evidence is strong.
"""
from __future__ import annotations

import json
import lzma
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checker import _BOOK, _MEASURE, _ORGAN, _PLACE, _QUOTED  # the old checker's name-like patterns
from .domain import PhraseIndex
from .lm import ORDER, PAD, BOUNDARY, UNK, pack
from .mixlm import MixLM
from .names import KINDS, NameLexicon

TERMS = Path(__file__).resolve().parents[2] / "corpus" / "typo" / "protected_terms.txt"
SOUND, SHAPE, NCU, SAME_PINYIN, SAME_TONE = 1, 2, 4, 8, 16
MIN_GAIN = 1.5  # an edit the LM does not clearly prefer (official or mixed) is never proposed
PER_START = 4  # proposals kept per span and replacement length (best gains)
WORD_MIN_FREQ = 100  # same-pinyin word candidates are common words
WORDS_PER_KEY = 12
GUARDED_WORDS = True  # inside name-like spans, a slip that mends a common word is proposed too
SOURCES = ("char", "word", "phrase", "repeat", "stray")
_REPEAT = re.compile(r"([\u4e00-\u9fff]{1,6})\1")

FEATURES = (
    "gain", "gain_off", "gain_rep", "gain_per_char", "old_min_lp", "new_min_lp", "rank_at_pos", "margin_at_pos",
    "sub", "ins", "dele", "n_changed", "len_old", "len_new",
    "src_char", "src_word", "src_phrase", "src_repeat", "src_stray", "n_sources",
    "conf_nsrc", "sound", "shape", "ncu", "same_pinyin", "same_tone", "shape_only",
    "freq_old", "freq_new", "support3", "support2",
    "word_old", "word_new", "wordfreq_old", "wordfreq_new", "cand_word_freq", "window_is_word",
    "in_book", "in_pattern", "in_proper", "name_new", "name_count", "name_len",
    "phrase_old", "phrase_new", "phrase_df", "phrase_off",
    "at_start", "sent_len", "n_susp", "exact_repeat", "genre",
)
F = {name: k for k, name in enumerate(FEATURES)}
(I_GAIN, I_GAIN_OFF, I_GAIN_REP, I_GAIN_PER_CHAR, I_OLD_MIN, I_NEW_MIN, I_RANK, I_MARGIN, I_SUB, I_INS, I_DELE,
 I_NCHG, I_LEN_OLD, I_LEN_NEW) = range(14)
I_SRC = {src: F["src_" + src] for src in SOURCES}
(I_NSOURCES, I_NSRC, I_SOUND, I_SHAPE, I_NCU, I_SAME_PY, I_SAME_TONE, I_SHAPE_ONLY, I_FREQ_OLD, I_FREQ_NEW, I_SUP3,
 I_SUP2, I_WORD_OLD, I_WORD_NEW, I_WF_OLD, I_WF_NEW, I_CAND_WF, I_WIN_WORD, I_BOOK, I_PATTERN, I_PROPER, I_NAME,
 I_NAME_COUNT, I_NAME_LEN, I_PHR_OLD, I_PHR_NEW, I_PHR_DF, I_PHR_OFF, I_AT_START, I_SENT_LEN, I_NSUSP, I_REPEAT,
 I_GENRE) = range(F["n_sources"], len(FEATURES))


OPTIONAL = set("了着过的地得其更均都也并又再就才涉之")  # words a sentence may or may not have


def _optional(s: str, i: int) -> bool:
    """Is s[i] a particle or adverb that may stand or go (回应了社会关切, 渠道更畅通)? Deleting it is a
    matter of style, not a typo fix, unless it is doubled (了了)."""
    return s[i] in OPTIONAL and s[i - 1:i] != s[i] and s[i + 1:i + 2] != s[i]


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


@dataclass
class Edit:
    start: int
    end: int
    text: str
    sources: set[str] = field(default_factory=set)
    kind: str = "substitution"  # substitution | omission | extra (what it repairs)
    phrase: str = ""
    nsrc: int = 0
    flags: int = 0

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.text)

    def apply(self, s: str) -> str:
        return s[:self.start] + self.text + s[self.end:]


class TypoResources:
    """Everything the candidate generator reads, loaded once from a typo_lm folder."""

    def __init__(self, d: Path):
        self.lm = MixLM.load(d)
        with np.load(d / "cands.npz") as z:
            self.ptr, self.cands, self.nsrc, self.flags = z["ptr"], z["cands"], z["nsrc"], z["flags"]
        oov = json.loads((d / "cands_oov.json").read_text(encoding="utf-8")) if (d / "cands_oov.json").is_file() else {}
        self.oov = {a: np.array(v, dtype=np.int64).reshape(-1, 3) for a, v in oov.items()}
        self.words: dict[str, int] = {}
        self.by_pinyin: dict[str, list[str]] = {}
        with lzma.open(d / "lexicon.tsv.xz", "rt", encoding="utf-8") as fh:
            for line in fh:
                w, f, py = line.rstrip("\n").split("\t")
                f = int(f)
                self.words[w] = f
                if f >= WORD_MIN_FREQ:
                    self.by_pinyin.setdefault(py, []).append(w)
        for k, ws in self.by_pinyin.items():
            ws.sort(key=lambda w: -self.words[w])
            del ws[WORDS_PER_KEY:]
        self.readings: dict[str, list[str]] = json.loads((d / "readings.json").read_text(encoding="utf-8"))
        # toneless readings, commonest first (pypinyin's order)
        self.toneless = {c: list(dict.fromkeys(r.rstrip("012345") for r in rs)) for c, rs in self.readings.items()}
        text = lzma.open(d / "words.txt.xz", "rt", encoding="utf-8").read()
        _, _, prop = text.partition("#PROPER\n")
        self.proper = set(prop.split())
        self.proper_heads = {w[:2] for w in self.proper}
        self.terms = [t.strip() for t in TERMS.read_text(encoding="utf-8").splitlines()
                      if t.strip() and not t.startswith("#")]
        self.phrases = PhraseIndex.load(d)
        self.names = NameLexicon.load(d)
        one = self.lm.main.keys < np.uint64(1 << 16)
        self.unigram = np.zeros(self.lm.vocab_size, dtype=np.float64)
        self.unigram[self.lm.main.keys[one].astype(np.int64)] = self.lm.main.counts[one]


class CandidateGenerator:
    def __init__(self, res: TypoResources):
        self.r = res
        self.lm = res.lm

    # ---- helpers -------------------------------------------------------------------------
    def confusable(self, a: str, b: str) -> bool:
        """Is b among a's character candidates (confusion sets, same pinyin)?"""
        r = self.r
        i, j = self.lm.char_id.get(a), self.lm.char_id.get(b)
        if j is None:
            return False
        if i is None:
            arr = r.oov.get(a)
            return arr is not None and bool((arr[:, 0] == j).any())
        return bool((r.cands[r.ptr[i]:r.ptr[i + 1]] == j).any())

    def _mask(self, s: str, names: tuple[str, ...]) -> np.ndarray:
        """Hard protection: known names, protected terms, the report's own names."""
        mask = np.array(self.r.names.known_mask(s), dtype=bool) if s else np.zeros(0, dtype=bool)
        for t in list(self.r.terms) + [n for n in names if n]:
            k = s.find(t)
            while k >= 0:
                mask[k:k + len(t)] = True
                k = s.find(t, k + 1)
        return mask

    @staticmethod
    def _guarded(s: str) -> np.ndarray:
        """Name-like spans (…省/市/区/镇/村, …局/委/办, short quotes, counts with their measure
        word): no proposal inside but a known name's character (names.NameLexicon)."""
        m = np.zeros(len(s), dtype=bool)
        for rx in (_PLACE, _ORGAN, _QUOTED, _MEASURE):
            for x in rx.finditer(s):
                m[x.start():x.end()] = True
        return m

    @staticmethod
    def _book_mask(s: str) -> np.ndarray:
        m = np.zeros(len(s), dtype=bool)
        for x in _BOOK.finditer(s):
            m[x.start():x.end()] = True
        return m

    def _proper_mask(self, s: str) -> np.ndarray:
        m = np.zeros(len(s), dtype=bool)
        proper, heads = self.r.proper, self.r.proper_heads
        n = len(s)
        for st in range(n - 1):
            if s[st:st + 2] not in heads:
                continue
            for length in (2, 3, 4, 5):
                if st + length <= n and s[st:st + length] in proper:
                    m[st:st + length] = True
        return m

    def _mends_word(self, s: str, i: int, c: str, suffix: frozenset[int] = frozenset()) -> bool:
        """Does writing c at i make a common two-character word with a neighbour that the
        text's character does not make (指辉部 → 指挥部, 中国科穴院 → 科学院)? Inside a
        name-like span only such a slip, or a known name's character, is proposed. The
        span's class character (`suffix` positions: 镇, 局, 市 …) does not count as a
        neighbour: an unknown town's character makes words with it too (梅塘镇 → 城镇)."""
        words = self.r.words
        for j, pair, old in ((i - 1, s[i - 1:i] + c, s[i - 1:i + 1]), (i + 1, c + s[i + 1:i + 2], s[i:i + 2])):
            if (len(pair) == 2 and j not in suffix and words.get(pair, 0) >= WORD_MIN_FREQ
                    and old not in words):
                return True
        return False

    @staticmethod
    def _name_suffixes(s: str) -> frozenset[int]:
        """Positions of the class character that ends a place or organ pattern (市, 局 …)."""
        return frozenset(x.end() - 1 for rx in (_PLACE, _ORGAN) for x in rx.finditer(s))

    def _word_info(self, s: str, a: int, b: int) -> tuple[int, int]:
        """(covered, best freq): is s[a:b] inside a dictionary word of 2–4 characters, and
        the frequency of the most frequent such word (b > a; for a gap use a−1, a+1)."""
        words = self.r.words
        best = 0
        n = len(s)
        for length in (2, 3, 4):
            if length < b - a:
                continue
            for st in range(max(0, b - length), min(a, n - length) + 1):
                f = words.get(s[st:st + length], 0)
                if f > best:
                    best = f
        return (best > 0), best

    # ---- the LM side -----------------------------------------------------------------------
    def _score(self, seq: np.ndarray, L: int, cums, edits: list[Edit], rep_ids: list[list[int]]):
        """(gain mixed/official/reports, new min lp, old min lp) of each edit; one LM call for
        all of them (edits grouped by replacement length for the array shapes)."""
        E = len(edits)
        gains = np.zeros((E, 3))
        new_min = np.zeros(E)
        by_k: dict[int, list[int]] = {}
        for j, r in enumerate(rep_ids):
            by_k.setdefault(len(r), []).append(j)
        starts = np.array([e.start for e in edits], dtype=np.int64)
        ends = np.array([e.end for e in edits], dtype=np.int64)
        right = np.minimum(ORDER - 1, L + 1 - ends)
        groups, ctxs, tgts = [], [], []
        for k, idx in by_k.items():
            idx = np.array(idx)
            st, en = starts[idx], ends[idx]
            left = seq[st[:, None] + np.arange(ORDER - 1)[None, :]]
            mid = np.array([rep_ids[j] for j in idx], dtype=seq.dtype).reshape(len(idx), k)
            rgt = seq[en[:, None] + (ORDER - 1) + np.arange(ORDER - 1)[None, :]]
            local = np.concatenate([left, mid, rgt], axis=1)
            T = k + ORDER - 1
            ctxs.append(np.stack([local[:, j:j + ORDER - 1] for j in range(T)], axis=1).reshape(-1, ORDER - 1))
            tgts.append(local[:, ORDER - 1:ORDER - 1 + T].reshape(-1))
            groups.append((idx, T, np.arange(T)[None, :] < (k + right[idx])[:, None]))
        parts = self.lm.logprob_parts(np.concatenate(ctxs), np.concatenate(tgts))
        pos = 0
        for idx, T, valid in groups:
            n = len(idx) * T
            for c, lp in enumerate(parts):
                lp = np.where(valid, lp[pos:pos + n].reshape(len(idx), T), 0.0)
                gains[idx, c] = lp.sum(axis=1)
                if c == 0:
                    new_min[idx] = lp.min(axis=1)
            pos += n
        old_end = ends + right
        for c in range(3):
            gains[:, c] -= cums[c][old_end] - cums[c][starts]
        # min over each edit's old targets [start, old_end) (never empty: right ≥ 1)
        lp0 = np.append(cums[3], 0.0)
        old_min = np.minimum.reduceat(lp0, np.ravel(np.column_stack([starts, old_end])))[::2]
        return gains, new_min, old_min

    # ---- proposals ---------------------------------------------------------------------------
    def analyse(self, s: str, names: tuple[str, ...] = ()) -> tuple[list[Edit], np.ndarray]:
        """All proposals the LM prefers (gain > MIN_GAIN) and their feature rows."""
        L = len(s)
        if L < 2:
            return [], np.zeros((0, len(FEATURES)))
        lm, r = self.lm, self.r
        ids = lm.encode(s).astype(np.int64)
        ctx, tgt = lm.contexts(ids)
        prev, cur, nxt = ctx[:L, ORDER - 2], tgt[:L], tgt[1:L + 1]
        (lp_mix, lp_off, lp_rep), (sup, _) = lm.logprob_parts_and_counts(
            ctx, tgt, np.concatenate([pack([prev, cur, nxt]), pack([prev, cur]), pack([cur, nxt])]))
        cums = [np.concatenate([[0.0], np.cumsum(x)]) for x in (lp_mix, lp_off, lp_rep)]
        cums.append(lp_mix)
        seq = np.concatenate([[PAD] * (ORDER - 2) + [BOUNDARY], ids, [BOUNDARY], [PAD] * ORDER]).astype(np.int64)
        c3, c2a, c2b = sup[:L], sup[L:2 * L], sup[2 * L:]
        cps = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
        cjk = (cps >= 0x4E00) & (cps <= 0x9FFF)
        oov = np.zeros(L, dtype=bool)
        for k in np.nonzero(cur == UNK)[0].tolist():
            oov[k] = s[k] in r.oov
        susp = (((c3 == 0) | (np.minimum(c2a, c2b) < 2)) & (cur >= 3) | oov) & cjk
        hard = self._mask(s, names)
        guarded = self._guarded(s)
        edits: dict[tuple[int, int, str], Edit] = {}

        def add(st: int, en: int, text: str, src: str, kind: str = "substitution", phrase: str = "",
                nsrc: int = 0, flags: int = 0) -> None:
            key = (st, en, text)
            e = edits.get(key)
            if e is None:
                edits[key] = Edit(st, en, text, {src}, kind, phrase, nsrc, flags)
            else:
                e.sources.add(src)
                e.nsrc, e.flags = max(e.nsrc, nsrc), e.flags | flags
                if phrase and not e.phrase:
                    e.phrase, e.kind = phrase, kind

        susp_pos = np.nonzero(susp)[0].tolist()
        # char candidates, kept only where they make a bigram either corpus has seen
        P, C, N, FL = [], [], [], []
        comp: dict[int, dict] = {}
        suffix = None
        for i in susp_pos:
            if hard[i]:
                continue
            if oov[i]:
                arr = r.oov[s[i]]
                cs, ns, fs = arr[:, 0], arr[:, 1], arr[:, 2]
            else:
                a, b = r.ptr[cur[i]], r.ptr[cur[i] + 1]
                cs, ns, fs = r.cands[a:b], r.nsrc[a:b], r.flags[a:b]
            comp[i] = r.names.completions(s, i)
            if guarded[i]:  # inside a name-like span: a known name's character, or one that mends a word
                allowed = [lm.char_id.get(c, 0) for c in comp[i]]
                if GUARDED_WORDS:
                    if suffix is None:
                        suffix = self._name_suffixes(s)
                    allowed += [c for c in cs.tolist() if self._mends_word(s, i, lm.chars[c - 3], suffix)]
                keep = np.isin(cs, allowed)
                cs, ns, fs = cs[keep], ns[keep], fs[keep]
            P.append(np.full(len(cs), i, dtype=np.int64))
            C.append(cs.astype(np.int64))
            N.append(ns)
            FL.append(fs)
            # names one character off: their character, when the pair sounds the same
            for c, _info in comp[i].items():
                cc = lm.char_id.get(c)
                if cc is not None and cc not in cs and set(r.toneless.get(c, ())) & set(r.toneless.get(s[i], ())):
                    P.append(np.array([i]))
                    C.append(np.array([cc]))
                    N.append(np.array([0]))
                    FL.append(np.array([SAME_PINYIN]))
        if P:
            P, C, N, FL = (np.concatenate(x) for x in (P, C, N, FL))
            left, right = seq[P + ORDER - 2], seq[P + ORDER]
            cnt, _ = lm.lookup(np.concatenate([pack([left, C]), pack([C, right])]))
            ok = np.nonzero((cnt[:len(P)] > 0) | (cnt[len(P):] > 0))[0]
            chars = lm.chars
            for i, c, n, f in zip(P[ok].tolist(), C[ok].tolist(), N[ok].tolist(), FL[ok].tolist()):
                add(i, i + 1, chars[c - 3], "char", nsrc=n, flags=f)
        # word candidates: same toneless pinyin
        seen_win = set()
        cjk_l, hard_l = cjk.tolist(), (hard | guarded).tolist()
        tl = [r.toneless.get(ch) for ch in s]
        for i in susp_pos:
            for n in (2, 3, 4):
                for st in range(max(0, i - n + 1), min(i, L - n) + 1):
                    if (st, n) in seen_win:
                        continue
                    seen_win.add((st, n))
                    w = s[st:st + n]
                    if not all(cjk_l[st:st + n]) or any(hard_l[st:st + n]):
                        continue
                    readings = tl[st:st + n]
                    if not all(readings):
                        continue
                    for key in (tuple(x[0] for x in readings),):  # the commonest reading of each
                        for cand in r.by_pinyin.get(" ".join(key), ()):
                            if cand != w:
                                diff = [k for k in range(n) if cand[k] != w[k]]
                                if len(diff) == 1:  # one character: the char candidate's job
                                    add(st + diff[0], st + diff[0] + 1, cand[diff[0]], "word", flags=SAME_PINYIN)
                                else:
                                    add(st + diff[0], st + diff[-1] + 1, cand[diff[0]:diff[-1] + 1], "word",
                                        flags=SAME_PINYIN)
        # domain phrase deviations
        for st, en, rep, ph, kind in r.phrases.deviations(s, susp_pos, cjk, self.confusable):
            if any(hard_l[max(0, st - (st == en)):max(en, st + 1)]) or (kind == "extra" and _optional(s, st)):
                continue
            add(st, en, rep, "phrase", kind=kind, phrase=ph)
        # doubled spans and first attempts
        guarded_l = guarded.tolist()
        for m in _REPEAT.finditer(s):
            u = len(m.group(1))
            if not all(guarded_l[m.start():m.end()]):  # 东大街街道, “蜜墩墩”: a name, not a doubling
                add(m.start() + u, m.end(), "", "repeat", kind="extra")
        for j in range(2, L - 2):
            if not (cjk_l[j] and cjk_l[j - 1]):
                continue
            for mlen in (3, 4, 5, 6):
                if j + mlen > L or j - mlen + 1 < 0:
                    continue
                if s[j - mlen + 1] != s[j] or s[j - 1] != s[j + mlen - 1]:  # A and B share first and last
                    continue
                if not all(cjk_l[j - mlen + 1:j + mlen]):
                    continue
                b_ = s[j:j + mlen]
                a_ = s[j - mlen + 1:j]
                if a_ != b_[:-1] and any(b_[:k] + b_[k + 1:] == a_ for k in range(1, mlen - 1)):
                    add(j - mlen + 1, j, "", "repeat", kind="extra")
        # stray characters
        for i in susp_pos:
            if not hard_l[i] and not _optional(s, i):
                add(i, i + 1, "", "stray", kind="extra")
        if not edits:
            return [], np.zeros((0, len(FEATURES)))
        elist = list(edits.values())
        cid = lm.char_id
        rep_ids = [[cid.get(c, UNK) for c in e.text] for e in elist]
        gains, new_min, old_min = self._score(seq, L, cums, elist, rep_ids)
        best = np.maximum(gains[:, 0], gains[:, 1])
        keep = []
        by_start: dict[tuple[int, int, int], list[int]] = {}
        for k in np.nonzero(best > MIN_GAIN)[0]:
            e = elist[k]
            by_start.setdefault((e.start, e.end, len(e.text)), []).append(int(k))
        for ks in by_start.values():
            keep.extend(sorted(ks, key=lambda k: -best[k])[:PER_START])
        keep.sort()
        elist = [elist[k] for k in keep]
        gains, new_min, old_min = gains[keep], new_min[keep], old_min[keep]
        genre = float(np.mean(lp_rep - lp_off))
        return elist, self._features(s, elist, gains, new_min, old_min, c3, c2a, c2b, len(susp_pos), comp, genre,
                                     guarded)

    # ---- features ------------------------------------------------------------------------------
    def _features(self, s, elist, gains, new_min, old_min, c3, c2a, c2b, n_susp, comp, genre, guarded) -> np.ndarray:
        r, lm = self.r, self.lm
        L = len(s)
        NF = len(FEATURES)
        if not elist:
            return np.zeros((0, NF))
        book, pat = self._book_mask(s).tolist(), guarded.tolist()
        proper = self._proper_mask(s).tolist()
        rows = [[0.0] * NF for _ in elist]
        g_all = gains.tolist()
        # rank and margin among the edits starting at the same place
        by_start: dict[int, list[int]] = {}
        for k, e in enumerate(elist):
            by_start.setdefault(e.start, []).append(k)
        for ks in by_start.values():
            order = sorted(range(len(ks)), key=lambda o: -g_all[ks[o]][0])
            g = [g_all[k][0] for k in ks]
            for rank, o in enumerate(order):
                other = g[order[1]] if rank == 0 and len(ks) > 1 else (g[order[0]] if rank else g[o] - 10.0)
                rows[ks[o]][I_RANK] = rank
                rows[ks[o]][I_MARGIN] = g[o] - other
        uni, cid, words, phrases = r.unigram, lm.char_id, r.words, r.phrases
        old_info: dict[tuple[int, int], tuple] = {}
        log1p = math.log1p
        sent_len = math.log(L)
        new_min_l, old_min_l = new_min.tolist(), old_min.tolist()
        c3, c2 = c3.tolist(), np.minimum(c2a, c2b).tolist()
        for k, e in enumerate(elist):
            row = rows[k]
            st, en, new = e.start, e.end, e.text
            old = s[st:en]
            alt = s[:st] + new + s[en:]
            g0, g1, g2 = g_all[k]
            nchg = max(len(old), len(new))
            row[I_GAIN], row[I_GAIN_OFF], row[I_GAIN_REP] = g0, g1, g2
            row[I_GAIN_PER_CHAR] = g0 / max(1, nchg)
            row[I_OLD_MIN], row[I_NEW_MIN] = old_min_l[k], new_min_l[k]
            row[I_SUB] = float(bool(old) and bool(new))
            row[I_INS] = float(not old)
            row[I_DELE] = float(not new)
            row[I_NCHG] = nchg
            row[I_LEN_OLD], row[I_LEN_NEW] = len(old), len(new)
            for src in e.sources:
                row[I_SRC[src]] = 1.0
            row[I_NSOURCES] = len(e.sources)
            row[I_NSRC] = e.nsrc
            f = e.flags
            row[I_SOUND], row[I_SHAPE], row[I_NCU] = float(bool(f & SOUND)), float(bool(f & SHAPE)), float(bool(f & NCU))
            row[I_SAME_PY], row[I_SAME_TONE] = float(bool(f & SAME_PINYIN)), float(bool(f & SAME_TONE))
            row[I_SHAPE_ONLY] = float(bool(f & SHAPE) and not f & (SAME_PINYIN | SOUND))
            row[I_FREQ_OLD] = log1p(min(uni[cid.get(c, UNK)] for c in old)) if old else -1
            row[I_FREQ_NEW] = log1p(min(uni[cid.get(c, UNK)] for c in new)) if new else -1
            p = min(st, L - 1)
            row[I_SUP3] = log1p(c3[p])
            row[I_SUP2] = log1p(c2[p])
            # dictionary words and phrases around the edit, before and after
            a0, b0 = (st, en) if en > st else (max(0, st - 1), min(L, st + 1))
            info = old_info.get((a0, b0))
            if info is None:
                info = old_info[(a0, b0)] = (*self._word_info(s, a0, b0), phrases.longest_phrase(s, a0, b0))
            wo, fo, po = info
            a1, b1 = (st, st + len(new)) if new else (max(0, st - 1), min(len(alt), st + 1))
            wn, fn = self._word_info(alt, a1, b1)
            row[I_WORD_OLD], row[I_WORD_NEW] = float(wo), float(wn)
            row[I_WF_OLD], row[I_WF_NEW] = log1p(fo), log1p(fn)
            if "word" in e.sources:
                row[I_CAND_WF] = log1p(fn)
            row[I_WIN_WORD] = float(old in words)
            lo, hi = max(0, st - (st == en)), max(en, st + 1)
            row[I_BOOK] = float(any(book[lo:hi]))
            row[I_PATTERN] = float(any(pat[lo:hi]))
            row[I_PROPER] = float(any(proper[lo:hi]))
            if len(new) == 1 and len(old) == 1:
                if st not in comp:
                    comp[st] = r.names.completions(s, st)
                nm = comp[st].get(new)
                if nm:
                    row[I_NAME] = 1 + KINDS.index(nm[0])
                    row[I_NAME_COUNT] = log1p(nm[1])
                    row[I_NAME_LEN] = nm[2]
            row[I_PHR_OLD] = po
            row[I_PHR_NEW] = phrases.longest_phrase(alt, a1, b1)
            if e.phrase:
                df, off = phrases.weight(e.phrase)
                row[I_PHR_DF], row[I_PHR_OFF] = log1p(df), log1p(off)
            row[I_AT_START] = float(st == 0)
            row[I_SENT_LEN] = sent_len
            row[I_NSUSP] = n_susp
            row[I_GENRE] = genre
            row[I_REPEAT] = float(not new and len(old) >= 1 and
                                  (s[max(0, st - len(old)):st] == old or s[en:en + len(old)] == old))
        return np.array(rows, dtype=np.float64)
