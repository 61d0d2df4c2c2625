"""Trainer "typo_lm": the character 4-gram LM, the pruned confusion sets and the decision
threshold of the statistical checker.

Data: the official-text corpus (`source/*.txt.xz`, ≈35 M characters); without `source`
(or with quick=True) the small sample `corpus/typo/lm_sample.txt`. Confusion pairs come
from `corpus/typo/confusion_pruned.tsv.xz` (`PRUNED`, built once from the shared merged set, kept
to pairs with n_sources ≥ 2). The ODW dev split (`bench/typo/data/odw_dev.tsv`) is used
ONLY to pick the threshold and report metrics — never for counting.
"""
from __future__ import annotations

import json
import lzma
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Iterator

import numpy as np

from ..typo.lm import BOUNDARY, ORDER, CharLM, build_table, normalise_char, pack

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "typo" / "lm_sample.txt"
PRUNED = REPO / "corpus" / "typo" / "confusion_pruned.tsv.xz"
TERMS = REPO / "corpus" / "typo" / "protected_terms.txt"
MAX_CANDIDATES = 40
HOMOPHONE_MIN_COUNT = 200
USE_HOMOPHONES = False
MIN_CAND_COUNT = 20  # a correction must be a reasonably common character
WORD_MIN_FREQ = 30
PROPER_TAGS = ("ns", "nr", "nt", "nz", "nrt", "nrfg")
_CJK = re.compile("[\u4e00-\u9fff]")


def iter_pairs(path: Path = PRUNED) -> Iterator[tuple[str, str, int]]:
    """(character, confusable character, number of sources) of every pair."""
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            a, b, n, _ = line.rstrip("\n").split("\t")
            yield a, b, int(n)

MIN_COUNT = {1: 1, 2: 1, 3: 2, 4: 3}  # pruning of kept n-grams (full model)
MIN_CHAR = 3  # vocabulary: characters seen at least this often


def read_corpus(source: Path | None, quick: bool) -> str:
    if quick or source is None or not list(Path(source).glob("*.txt.xz")):
        return SAMPLE.read_text(encoding="utf-8")
    parts = []
    for f in sorted(Path(source).glob("*.txt.xz")):
        with lzma.open(f, "rt", encoding="utf-8") as fh:
            parts.append(fh.read())
    return "\n".join(parts)


def count_ngrams(text: str, min_count: dict[int, int], min_char: int):
    """→ (CharLM) from raw text, one paragraph per line."""
    freq = Counter(normalise_char(c) for c in text if c != "\n" and not c.isspace())
    chars = sorted(c for c, n in freq.items() if n >= min_char)
    if len(chars) > 65000:
        chars = sorted(chars, key=lambda c: -freq[c])[:65000]
    table = build_table(chars)
    text = "".join(" " if (c.isspace() and c != "\n") else c for c in text).replace(" ", "")
    ids = table[np.frombuffer(("\n" + text + "\n").encode("utf-32-le"), dtype=np.uint32)]
    all_keys, all_counts, all_nplus = [], [], []
    uniques = {}
    for n in range(1, ORDER + 1):
        cols = [ids[k:len(ids) - n + 1 + k] for k in range(n)]
        keys = pack(cols)
        # n-grams that run across a paragraph boundary carry no information
        if n > 2:
            inner = np.zeros(len(keys), dtype=bool)
            for k in range(1, n - 1):
                inner |= cols[k] == BOUNDARY
            keys = keys[~inner]
        u, c = np.unique(keys, return_counts=True)
        uniques[n] = (u, c)
        del keys, cols
    for n in range(1, ORDER + 1):
        u, c = uniques[n]
        nplus = np.zeros(len(u), dtype=np.uint32)
        if n < ORDER:
            nxt, _ = uniques[n + 1]
            pref, npc = np.unique(nxt >> np.uint64(16), return_counts=True)
            pos = np.searchsorted(u, pref)
            ok = (pos < len(u))
            ok[ok] = u[pos[ok]] == pref[ok]
            nplus[pos[ok]] = npc[ok]
        keep = c >= min_count[n]
        all_keys.append(u[keep])
        all_counts.append(np.minimum(c[keep], np.iinfo(np.uint32).max).astype(np.uint32))
        all_nplus.append(nplus[keep])
    keys = np.concatenate(all_keys)
    order = np.argsort(keys, kind="stable")
    total = int(uniques[1][1].sum())
    return CharLM(keys[order], np.concatenate(all_counts)[order], np.concatenate(all_nplus)[order], chars, total)


def _jieba_dict() -> Path:
    import jieba

    return Path(os.path.dirname(jieba.__file__)) / "dict.txt"


def build_confusion(path: Path, lm: CharLM, out: Path) -> None:
    """Candidates per character id (CSR arrays) from the pruned confusion pairs, kept to
    characters of the LM vocabulary seen ≥ MIN_CAND_COUNT times; plus the word lists."""
    uni = {}
    one = lm.keys < np.uint64(1 << 16)
    for k, c in zip(lm.keys[one], lm.counts[one]):
        uni[int(k)] = int(c)
    pairs: dict[int, list[tuple[int, int, int]]] = {}
    for a, b, n in iter_pairs(path):
        ia, ib = lm.char_id.get(a), lm.char_id.get(b)
        if ib is None or not _CJK.match(a) or not _CJK.match(b) or uni.get(ib, 0) < MIN_CAND_COUNT:
            continue
        # characters the official corpus never uses (菓, 辻) are keyed by the character
        pairs.setdefault(ia if ia is not None else a, []).append((-n, -uni.get(ib, 0), ib))
    # homophones (same toned pinyin, pypinyin) among common characters, ranked after the
    # attested pairs: they only fill lists the confusion sets leave short. Off: measured on
    # ODW dev they add 0.01 F1 but raise false alarms (0.23→0.46 % ODW, 0.19→0.29 % reports).
    for a, hs in (homophones(lm, uni) if USE_HOMOPHONES else {}).items():
        have = {x[2] for x in pairs.get(a, [])}
        pairs.setdefault(a, []).extend((-1, -uni.get(h, 0), h) for h in hs if h not in have and h != a)
    ptr = np.zeros(lm.vocab_size + 1, dtype=np.int32)
    cands: list[int] = []
    for i in range(lm.vocab_size):
        lst = sorted(pairs.get(i, []))[:MAX_CANDIDATES]
        cands.extend(x[2] for x in lst)
        ptr[i + 1] = len(cands)
    np.savez_compressed(out / "conf.npz", ptr=ptr, cands=np.array(cands, dtype=np.uint16))
    oov = {a: [x[2] for x in sorted(v)[:MAX_CANDIDATES]] for a, v in pairs.items() if isinstance(a, str)}
    (out / "conf_oov.json").write_text(json.dumps(oov, ensure_ascii=False), encoding="utf-8")
    words, proper = [], []
    for line in _jieba_dict().read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) < 2 or not (2 <= len(parts[0]) <= 8) or not _CJK.match(parts[0]):
            continue
        w, f, tag = parts[0], int(parts[1]), (parts[2] if len(parts) > 2 else "")
        if tag in PROPER_TAGS and f >= 3:
            proper.append(w)
        elif len(w) <= 4 and f >= WORD_MIN_FREQ:
            words.append(w)
    terms = [t.strip() for t in TERMS.read_text(encoding="utf-8").splitlines() if t.strip() and not t.startswith("#")]
    proper.extend(terms)
    with lzma.open(out / "words.txt.xz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(words) + "\n#PROPER\n" + "\n".join(proper) + "\n")


def homophones(lm: CharLM, uni: dict[int, int], min_count: int = HOMOPHONE_MIN_COUNT) -> dict[int, list[int]]:
    """char id → ids of common characters with the same toned pinyin (any reading)."""
    from pypinyin import Style, pinyin

    by_sound: dict[str, list[int]] = {}
    readings: dict[int, list[str]] = {}
    for ch, i in lm.char_id.items():
        if not _CJK.match(ch):
            continue
        rs = pinyin(ch, style=Style.TONE3, heteronym=True)[0]
        readings[i] = rs
        if uni.get(i, 0) >= min_count:
            for r in rs:
                by_sound.setdefault(r, []).append(i)
    return {i: sorted({h for r in rs for h in by_sound.get(r, [])}, key=lambda h: -uni.get(h, 0))
            for i, rs in readings.items()}



def training_config(quick: bool, min_count: dict, min_char: int, chars: int) -> dict:
    return {"data": "sample corpus/typo/lm_sample.txt" if chars and quick else "official corpus source/*.txt.xz",
            "chars": chars, "order": ORDER, "min_count": {str(k): v for k, v in min_count.items()},
            "min_char": min_char, "confusion": "corpus/typo/confusion_pruned.tsv.xz (pairs with n_sources ≥ 2)",
            "max_candidates": MAX_CANDIDATES, "min_candidate_count": MIN_CAND_COUNT, "word_min_freq": WORD_MIN_FREQ,
            "homophones": USE_HOMOPHONES, "threshold_tuned_on": "bench/typo/data/odw_dev.tsv (false-positive rate ≤ 0.5 %)",
            "quick": bool(quick)}


def train(corpus: Path, source: Path | None, out: Path, quick: bool) -> dict:
    from ..models.store import write_config
    from ..typo.checker import INFERENCE, StatChecker
    from .typo_evaluate import evaluate, load_split, tune_threshold

    t0 = time.time()
    text = read_corpus(source, quick)
    min_count = {1: 1, 2: 1, 3: 1, 4: 1} if quick else MIN_COUNT
    lm = count_ngrams(text, min_count, 1 if quick else MIN_CHAR)
    lm.save(out)
    build_confusion(PRUNED, lm, out)
    write_config(out, "typo_lm", "nlp_review.training.typo_lm:train",
                 training_config(quick, min_count, 1 if quick else MIN_CHAR, len(text)), dict(INFERENCE))
    checker = StatChecker.load(out)
    dev = load_split("dev")
    if quick:
        dev = dev[:40]
    threshold, calib = tune_threshold(checker, dev)
    checker.set_threshold(threshold, calib)
    checker.save_params(out)
    m = evaluate(checker.correct, dev)
    size = sum(f.stat().st_size for f in out.iterdir())
    return {"primary": round(m["detection"]["f1"], 4), "split": "odw_dev" + ("_quick" if quick else ""),
            "threshold": threshold, "detection_f1": m["detection"]["f1"],
            "detection_precision": m["detection"]["precision"], "detection_recall": m["detection"]["recall"],
            "correction_f1": m["correction"]["f1"], "fpr": m["fpr"], "ngrams": int(len(lm.keys)),
            "chars_trained": len(text), "artifact_bytes": size, "train_seconds": round(time.time() - t0, 1)}
