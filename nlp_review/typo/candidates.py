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
Everything the old checker protected by pattern (《》 titles, …省/市/区, …局/委/办, short
quotes, measure words, jieba proper nouns) is a feature instead, so that 《全圃人民代表大会…》
and 教肓局 can still be corrected when the evidence is strong.
"""
from __future__ import annotations

import json
import lzma
import math
import re
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import numpy as np

from .domain import PhraseIndex
from .lm import ORDER, PAD, BOUNDARY, UNK, pack
from .mixlm import MixLM
from .names import KINDS, NameLexicon

TERMS = Path(__file__).resolve().parents[2] / "corpus" / "typo" / "protected_terms.txt"
SOUND, SHAPE, NCU, SAME_PINYIN, SAME_TONE = 1, 2, 4, 8, 16
MIN_GAIN = 1.5  # an edit the LM does not clearly prefer (official or mixed) is never proposed
PER_START = 4  # proposals kept per span and replacement length (best gains)
WORD_MIN_FREQ = 20
WORDS_PER_KEY = 12
MAX_KEY_COMBOS = 8
SOURCES = ("char", "word", "phrase", "repeat", "stray")
_CJK_RE = re.compile("[\u4e00-\u9fff]")
_BOOK = re.compile("《[^《》]{1,60}》")
_PLACE = re.compile("[\u4e00-\u9fff]{2}(?:省|市|区|县|镇|乡|村|街道|旗|盟|州|社区|大厦|公园)")
_ORGAN = re.compile("[\u4e00-\u9fff]{2}(?:局|委|办|厅|院|所|站|队)(?![\u4e00-\u9fff]{0,1}[长])")
_QUOTED = re.compile("“[^“”]{1,10}”")
_MEASURE = re.compile("[0-9０-９零〇一二三四五六七八九十百千万]+(?:[篇件条期宗项次个家所名份册批起场部类栏季余])")
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
        self.toneless = {c: sorted({r.rstrip("012345") for r in rs}) for c, rs in self.readings.items()}
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
    def _pattern_masks(s: str) -> tuple[np.ndarray, np.ndarray]:
        book = np.zeros(len(s), dtype=bool)
        pat = np.zeros(len(s), dtype=bool)
        for m in _BOOK.finditer(s):
            book[m.start():m.end()] = True
        for rx in (_PLACE, _ORGAN, _QUOTED, _MEASURE):
            for m in rx.finditer(s):
                pat[m.start():m.end()] = True
        return book, pat

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
    def _score(self, seq: np.ndarray, L: int, cums, edits: list[Edit], rep_ids: list[np.ndarray]):
        """(gain mixed/official/reports, new min lp, old min lp) of each edit; one LM call per
        replacement length."""
        E = len(edits)
        gains = np.zeros((E, 3))
        new_min = np.zeros(E)
        by_k: dict[int, list[int]] = {}
        for j, r in enumerate(rep_ids):
            by_k.setdefault(len(r), []).append(j)
        starts = np.array([e.start for e in edits], dtype=np.int64)
        ends = np.array([e.end for e in edits], dtype=np.int64)
        right = np.minimum(ORDER - 1, L + 1 - ends)
        for k, idx in by_k.items():
            idx = np.array(idx)
            st, en = starts[idx], ends[idx]
            left = seq[st[:, None] + np.arange(ORDER - 1)[None, :]]
            mid = np.stack([rep_ids[j] for j in idx]) if k else np.zeros((len(idx), 0), dtype=seq.dtype)
            rgt = seq[en[:, None] + (ORDER - 1) + np.arange(ORDER - 1)[None, :]]
            local = np.concatenate([left, mid, rgt], axis=1)
            T = k + ORDER - 1
            ctx = np.stack([local[:, j:j + ORDER - 1] for j in range(T)], axis=1)  # (n, T, 3)
            tgt = local[:, ORDER - 1:ORDER - 1 + T]
            valid = np.arange(T)[None, :] < (k + right[idx])[:, None]
            parts = self.lm.logprob_parts(ctx.reshape(-1, ORDER - 1), tgt.reshape(-1))
            for c, lp in enumerate(parts):
                lp = lp.reshape(len(idx), T)
                gains[idx, c] = np.where(valid, lp, 0.0).sum(axis=1)
                if c == 0:
                    new_min[idx] = np.where(valid, lp, 0.0).min(axis=1)
        old_end = ends + right
        for c in range(3):
            gains[:, c] -= cums[c][old_end] - cums[c][starts]
        old_min = np.array([cums[3][a:b].min() if b > a else 0.0 for a, b in zip(starts, old_end)])
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
        lp_mix, lp_off, lp_rep = lm.logprob_parts(ctx, tgt)
        cums = [np.concatenate([[0.0], np.cumsum(x)]) for x in (lp_mix, lp_off, lp_rep)]
        cums.append(lp_mix)
        seq = np.concatenate([[PAD] * (ORDER - 2) + [BOUNDARY], ids, [BOUNDARY], [PAD] * ORDER]).astype(np.int64)
        prev, cur, nxt = ctx[:L, ORDER - 2], tgt[:L], tgt[1:L + 1]
        sup, _ = lm.lookup(np.concatenate([pack([prev, cur, nxt]), pack([prev, cur]), pack([cur, nxt])]))
        c3, c2a, c2b = sup[:L], sup[L:2 * L], sup[2 * L:]
        cjk = np.array([is_cjk(ch) for ch in s], dtype=bool)
        oov = np.array([c == UNK and ch in r.oov for c, ch in zip(cur, s)], dtype=bool)
        susp = (((c3 == 0) | (np.minimum(c2a, c2b) < 2)) & (cur >= 3) | oov) & cjk
        hard = self._mask(s, names)
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

        susp_pos = [int(i) for i in np.nonzero(susp)[0]]
        # char candidates, kept only where they make a bigram either corpus has seen
        P, C, N, FL = [], [], [], []
        comp: dict[int, dict] = {}
        for i in susp_pos:
            if hard[i]:
                continue
            if oov[i]:
                arr = r.oov[s[i]]
                cs, ns, fs = arr[:, 0], arr[:, 1], arr[:, 2]
            else:
                a, b = r.ptr[cur[i]], r.ptr[cur[i] + 1]
                cs, ns, fs = r.cands[a:b], r.nsrc[a:b], r.flags[a:b]
            P.append(np.full(len(cs), i, dtype=np.int64))
            C.append(cs.astype(np.int64))
            N.append(ns)
            FL.append(fs)
            # names one character off: their character, when the pair sounds the same
            comp[i] = r.names.completions(s, i)
            for c, _info in comp[i].items():
                cc = lm.char_id.get(c)
                if cc is not None and set(r.toneless.get(c, ())) & set(r.toneless.get(s[i], ())):
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
        cjk_l, hard_l = cjk.tolist(), hard.tolist()
        for i in susp_pos:
            for n in (2, 3, 4):
                for st in range(max(0, i - n + 1), min(i, L - n) + 1):
                    if (st, n) in seen_win:
                        continue
                    seen_win.add((st, n))
                    w = s[st:st + n]
                    if not all(cjk_l[st:st + n]) or any(hard_l[st:st + n]):
                        continue
                    readings = [r.toneless.get(ch) for ch in w]
                    if not all(readings):
                        continue
                    combos = 1
                    for x in readings:
                        combos *= len(x)
                    keys = product(*readings) if combos <= MAX_KEY_COMBOS else [tuple(x[0] for x in readings)]
                    for key in keys:
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
            if kind == "substitution" and any(hard_l[st:en]):
                continue
            add(st, en, rep, "phrase", kind=kind, phrase=ph)
        # doubled spans and first attempts
        for m in _REPEAT.finditer(s):
            u = len(m.group(1))
            add(m.start() + u, m.end(), "", "repeat", kind="extra")
        for j in range(2, L - 2):
            if not (cjk_l[j] and cjk_l[j - 1]):
                continue
            for mlen in (3, 4, 5, 6):
                if j + mlen > L or j - mlen + 1 < 0:
                    continue
                b_ = s[j:j + mlen]
                a_ = s[j - mlen + 1:j]
                if a_ != b_[:-1] and any(b_[:k] + b_[k + 1:] == a_ for k in range(1, mlen - 1)):
                    add(j - mlen + 1, j, "", "repeat", kind="extra")
        # stray characters
        for i in susp_pos:
            if not hard[i]:
                add(i, i + 1, "", "stray", kind="extra")
        if not edits:
            return [], np.zeros((0, len(FEATURES)))
        elist = list(edits.values())
        cid = lm.char_id
        rep_ids = [np.array([cid.get(c, UNK) for c in e.text], dtype=np.int64) for e in elist]
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
        return elist, self._features(s, elist, gains, new_min, old_min, c3, c2a, c2b, len(susp_pos), comp, genre)

    # ---- features ------------------------------------------------------------------------------
    def _features(self, s, elist, gains, new_min, old_min, c3, c2a, c2b, n_susp, comp, genre) -> np.ndarray:
        r, lm = self.r, self.lm
        L = len(s)
        X = np.zeros((len(elist), len(FEATURES)))
        if not elist:
            return X
        book, pat = (m.tolist() for m in self._pattern_masks(s))
        proper = self._proper_mask(s).tolist()
        # rank and margin among the edits starting at the same place
        by_start: dict[int, list[int]] = {}
        for k, e in enumerate(elist):
            by_start.setdefault(e.start, []).append(k)
        for ks in by_start.values():
            g = gains[ks, 0]
            order = np.argsort(-g)
            for rank, o in enumerate(order):
                k = ks[o]
                X[k, F["rank_at_pos"]] = rank
                other = g[order[1]] if rank == 0 and len(ks) > 1 else (g[order[0]] if rank else g[o] - 10.0)
                X[k, F["margin_at_pos"]] = g[o] - other
        uni = r.unigram
        old_info: dict[tuple[int, int], tuple] = {}
        for k, e in enumerate(elist):
            row = X[k]
            old, new = s[e.start:e.end], e.text
            alt = e.apply(s)
            row[F["gain"]], row[F["gain_off"]], row[F["gain_rep"]] = gains[k]
            nchg = max(len(old), len(new))
            row[F["gain_per_char"]] = gains[k, 0] / max(1, nchg)
            row[F["old_min_lp"]], row[F["new_min_lp"]] = old_min[k], new_min[k]
            row[F["sub"]] = bool(old) and bool(new)
            row[F["ins"]] = not old
            row[F["dele"]] = not new
            row[F["n_changed"]] = nchg
            row[F["len_old"]], row[F["len_new"]] = len(old), len(new)
            for src in e.sources:
                row[F["src_" + src]] = 1
            row[F["n_sources"]] = len(e.sources)
            row[F["conf_nsrc"]] = e.nsrc
            f = e.flags
            row[F["sound"]], row[F["shape"]], row[F["ncu"]] = bool(f & SOUND), bool(f & SHAPE), bool(f & NCU)
            row[F["same_pinyin"]], row[F["same_tone"]] = bool(f & SAME_PINYIN), bool(f & SAME_TONE)
            row[F["shape_only"]] = bool(f & SHAPE) and not f & (SAME_PINYIN | SOUND)
            ids_old = lm.encode(old) if old else None
            ids_new = lm.encode(new) if new else None
            row[F["freq_old"]] = math.log1p(uni[ids_old].min()) if old else -1
            row[F["freq_new"]] = math.log1p(uni[ids_new].min()) if new else -1
            p = min(e.start, L - 1)
            row[F["support3"]] = math.log1p(c3[p])
            row[F["support2"]] = math.log1p(min(c2a[p], c2b[p]))
            # dictionary words around the edit, before and after
            a0, b0 = (e.start, e.end) if e.end > e.start else (max(0, e.start - 1), min(L, e.start + 1))
            if (a0, b0) not in old_info:
                old_info[(a0, b0)] = (*self._word_info(s, a0, b0), r.phrases.longest_phrase(s, a0, b0))
            wo, fo, po = old_info[(a0, b0)]
            a1, b1 = (e.start, e.start + len(new)) if new else (max(0, e.start - 1), min(len(alt), e.start + 1))
            wn, fn = self._word_info(alt, a1, b1)
            row[F["word_old"]], row[F["word_new"]] = wo, wn
            row[F["wordfreq_old"]], row[F["wordfreq_new"]] = math.log1p(fo), math.log1p(fn)
            if "word" in e.sources:
                row[F["cand_word_freq"]] = math.log1p(fn)
            row[F["window_is_word"]] = old in r.words
            span = slice(max(0, e.start - (e.start == e.end)), max(e.end, e.start + 1))
            row[F["in_book"]] = any(book[span])
            row[F["in_pattern"]] = any(pat[span])
            row[F["in_proper"]] = any(proper[span])
            if len(new) == 1 and len(old) == 1:
                if e.start not in comp:
                    comp[e.start] = r.names.completions(s, e.start)
                nm = comp[e.start].get(new)
                if nm:
                    row[F["name_new"]] = 1 + KINDS.index(nm[0])
                    row[F["name_count"]] = math.log1p(nm[1])
                    row[F["name_len"]] = nm[2]
            row[F["phrase_old"]] = po
            row[F["phrase_new"]] = r.phrases.longest_phrase(alt, a1, b1)
            if e.phrase:
                df, off = r.phrases.weight(e.phrase)
                row[F["phrase_df"]], row[F["phrase_off"]] = math.log1p(df), math.log1p(off)
            row[F["at_start"]] = e.start == 0
            row[F["sent_len"]] = math.log(L)
            row[F["n_susp"]] = n_susp
            row[F["genre"]] = genre
            row[F["exact_repeat"]] = (not new and len(old) >= 1 and
                                      (s[e.start - len(old):e.start] == old or s[e.end:e.end + len(old)] == old))
        return X
