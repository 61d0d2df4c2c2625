"""The statistical typo checker's candidates (training data): the pruned confusion pairs, the
candidate lists per character built from them (conf.npz, conf_oov.json) and the dictionary
words and proper nouns (words.txt.xz) that trainer "typo_lm" writes next to the LM."""
from __future__ import annotations

import json
import lzma
import os
import re
from pathlib import Path
from typing import Iterator

import numpy as np

from ..typo.lm import CharLM

REPO = Path(__file__).resolve().parents[2]
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


def _jieba_dict() -> Path:
    import jieba

    return Path(os.path.dirname(jieba.__file__)) / "dict.txt"


def build_confusion(path: Path, lm: CharLM, out: Path, extra_terms: tuple[str, ...] = ()) -> None:
    """Candidates per character id (CSR arrays) from the pruned confusion pairs, kept to
    characters of the LM vocabulary seen ≥ MIN_CAND_COUNT times; plus the word lists
    (`extra_terms`: more protected terms, e.g. what reviewers dismissed)."""
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
    proper.extend(extra_terms)
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
