"""The lexical side of trainer "typo_lm": what the genre writes, for the candidate
generator of nlp_review/typo/ (candidates.py, domain.py, names.py).

Data and splits (by hash, so every retraining draws the same lines):
- the official corpus (`source/*.txt.xz`): paragraphs with crc32 % 50 == 0 are HELD OUT
  from every count — the reranker's synthetic errors are made on them (`official_split`);
- `source/reports_more/` (652 annual-report excerpts): those whose place (the agency's first
  province/city/county name in the manifest) has crc32 % 4 == 0 are held out — the reranker's
  report-side data, the held-out false-alarm ceiling and the mixture weight's EM; split by
  place so that no sibling report (another bureau of the same county, another year) teaches
  the LM the names of a held-out one. The rest feed the report LM and the phrase inventory;
- `source/reports/` (182 excerpts) and the five seeds are NEVER read here: they are the
  benchmark's clean report sentences and the source of the labelled error set
  (corpus/typo/labelled_errors.tsv); counting them would hide false alarms and errors.

Artifacts written into the typo_lm folder, next to the official LM:
- `reports/lm.npz` + `lm_vocab.json`: the report LM (the official LM's vocabulary);
- `phrases.tsv.xz`: the phrase inventory, `phrase \\t reports_df \\t official_count` —
  CJK n-grams of 4–10 characters found in ≥ 3 report excerpts, and jieba words of ≥ 4
  characters seen ≥ 20 times in the official corpus;
- `names.tsv.xz`: `name \\t kind \\t count` — places (the gazetteer, county and above, with the
  stems of 3+ characters: 黑龙江省 → 黑龙江), organs (…局/委/办/厅/委员会/办公室 strings of 3–8
  characters mined from the counted text with their counts) and idioms (jieba's `i` words);
- `lexicon.tsv.xz`: `word \\t jieba_freq \\t toneless pinyin` for the 2–4 character words of
  jieba's dictionary (frequency ≥ 5) — word-level same-pinyin candidates and word features;
- `mix.json`: the interpolation weight of the official LM (EM on held-out report lines);
- `readings.json`: toned pinyin readings (all) of every CJK character of the vocabulary;
- `cands.npz`: character candidates with their evidence (see `build_candidates`).
"""
from __future__ import annotations

import json
import lzma
import os
import re
import zlib
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
TYPO_CORPUS = REPO / "corpus" / "typo"
REPORT_SAMPLE = TYPO_CORPUS / "report_sample.txt"
GAZETTEER = REPO / "corpus" / "boilerplate" / "gazetteer" / "adcodes.csv"
PRUNED = TYPO_CORPUS / "confusion_pruned.tsv.xz"
SINGLE = TYPO_CORPUS / "confusion_single_source.tsv.xz"

OFFICIAL_HOLDOUT_MOD = 50
REPORTS_HOLDOUT_MOD = 4
PHRASE_N = (4, 10)
PHRASE_MIN_DF = 3
OFFICIAL_TERM_MIN = 20
ORGAN_MIN_COUNT = 8
LEXICON_MIN_FREQ = 5
MAX_CANDS = 64  # character candidates kept per character
MIN_CAND_COUNT = 20  # a correction must be a reasonably common character
HOMOPHONE_MIN_COUNT = 300

_CJK = re.compile("[\u4e00-\u9fff]")
_CJK_RUN = re.compile("[\u4e00-\u9fff]+")
_ORGAN_SUFFIX = re.compile("局|委员会|委|办公室|办|厅|法院|检察院|卫生院|医院|研究院|派出所|司法所|中心")
_REGION = re.compile("^[\u4e00-\u9fff]{2,}?(?:自治区|自治州|省|市|区|县|旗)")  # a report's place, for the split
_FUNCTION_CHARS = set("的了和与及或在对为是把被将从向以于之其而并等也都就我本各该此每由经给请")
_PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "县", "区", "旗", "盟")

# flags of a character pair (cands.npz "flags")
SOUND, SHAPE, NCU, SAME_PINYIN, SAME_TONE = 1, 2, 4, 8, 16


def _hash(s: str) -> int:
    return zlib.crc32(s.encode("utf-8"))


def official_split(text: str) -> tuple[str, list[str]]:
    """(the paragraphs the LM counts, joined; the held-out paragraphs)."""
    keep, held = [], []
    for p in text.split("\n"):
        (held if p and _hash(p) % OFFICIAL_HOLDOUT_MOD == 0 else keep).append(p)
    return "\n".join(keep), held


def clean_report_text(t: str) -> str:
    """Report text as prose lines: pipe-table rows dropped."""
    return "\n".join(line.strip() for line in t.splitlines() if line.strip() and line.count("|") < 2)


def report_texts(source: Path | None, quick: bool) -> tuple[list[str], list[str]]:
    """(counted, held-out) report excerpts of reports_more (cleaned); the small sample in
    corpus/typo when the source is missing or quick."""
    d = Path(source) / "reports_more" if source else None
    if quick or d is None or not d.is_dir():
        docs = REPORT_SAMPLE.read_text(encoding="utf-8").split("\n\n")
        return [clean_report_text(x) for x in docs[:-2]], [clean_report_text(x) for x in docs[-2:]]
    region = {}
    manifest = d / "manifest.jsonl"
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            m = _REGION.search(row.get("agency") or "")
            region[row["file"]] = m.group(0) if m else row["file"]
    train, held = [], []
    for f in sorted(d.glob("*.txt")):
        t = clean_report_text(f.read_text(encoding="utf-8"))
        (held if _hash(region.get(f.name, f.name)) % REPORTS_HOLDOUT_MOD == 0 else train).append(t)
    return train, held


def jieba_dict() -> Path:
    import jieba

    return Path(os.path.dirname(jieba.__file__)) / "dict.txt"


def iter_jieba():
    for line in jieba_dict().read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) >= 2 and _CJK.match(parts[0]):
            yield parts[0], int(parts[1]), (parts[2] if len(parts) > 2 else "")


# ---- phrase inventory ------------------------------------------------------------------

def report_phrases(docs: list[str], min_df: int = PHRASE_MIN_DF) -> Counter:
    df: Counter = Counter()
    lo, hi = PHRASE_N
    for d in docs:
        seen = set()
        for run in _CJK_RUN.findall(d):
            for n in range(lo, min(hi, len(run)) + 1):
                for i in range(len(run) - n + 1):
                    seen.add(run[i:i + n])
        df.update(seen)
    return Counter({k: v for k, v in df.items() if v >= min_df})


def official_terms(source: Path | None) -> dict[str, int]:
    f = Path(source) / "freq" / "word_freq_official_jieba.tsv" if source else None
    out = {}
    if f is None or not f.is_file():
        return out
    for line in f.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        w, _, n = line.partition("\t")
        if len(w) >= PHRASE_N[0] and n.isdigit() and int(n) >= OFFICIAL_TERM_MIN and _CJK_RUN.fullmatch(w):
            out[w] = int(n)
    return out


def write_phrases(out: Path, rep: Counter, off: dict[str, int]) -> int:
    keys = sorted(set(rep) | set(off))
    with lzma.open(out / "phrases.tsv.xz", "wt", encoding="utf-8") as fh:
        for k in keys:
            fh.write(f"{k}\t{rep.get(k, 0)}\t{off.get(k, 0)}\n")
    return len(keys)


# ---- names -------------------------------------------------------------------------------

def place_names() -> dict[str, int]:
    import csv

    out: dict[str, int] = {}
    with GAZETTEER.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"].strip()
            if len(name) < 3 or name in ("市辖区", "自治区", "自治州", "自治县"):
                continue
            out[name] = out.get(name, 0) + 1
            for suf in _PLACE_SUFFIXES:
                if name.endswith(suf) and len(name) - len(suf) >= 3:
                    stem = name[:-len(suf)]
                    out[stem] = out.get(stem, 0) + 1
                    break
    return out


def mine_organs(texts: list[str], min_count: int = ORGAN_MIN_COUNT) -> Counter:
    """3–8 character CJK strings ending in an organ suffix (…局/委/办/厅/委员会/办公室, and
    法院/检察院/医院/派出所/中心…) with their counts. Not counted where a one-character suffix is
    part of a word (办法, 办理, 委托, 布局, 举办: a jieba word of the suffix and the next or
    previous character). A string is kept where its first character belongs to it: it is at
    least half of the occurrences of the string without that character (国家发展改革委, not
    日国家发展改革委). Shorter pieces of a name (税务局 of 国家税务局) are names too."""
    words = {w for w, f, _ in iter_jieba() if len(w) == 2 and f >= 50}
    c: Counter = Counter()
    for t in texts:
        for run in _CJK_RUN.findall(t):
            for m in _ORGAN_SUFFIX.finditer(run):
                e, suf = m.end(), m.group(0)
                if len(suf) == 1 and (run[e - 1:e + 1] in words or run[e - 2:e] in words) and run[e - 2:e] != "党委":
                    continue
                for n in range(2, 9):
                    s = e - n
                    if s < 0:
                        break
                    cand = run[s:e]
                    if _FUNCTION_CHARS & set(cand[:-len(suf)]):
                        break
                    c[cand] += 1
    return Counter({k: v for k, v in c.items() if len(k) >= 3 and v >= min_count and v >= 0.5 * c.get(k[1:], 0)})


def write_names(out: Path, places: dict[str, int], organs: Counter, idioms: dict[str, int]) -> dict:
    with lzma.open(out / "names.tsv.xz", "wt", encoding="utf-8") as fh:
        for kind, d in (("place", places), ("organ", organs), ("idiom", idioms)):
            for k in sorted(d):
                fh.write(f"{k}\t{kind}\t{d[k]}\n")
    return {"places": len(places), "organs": len(organs), "idioms": len(idioms)}


# ---- words and readings --------------------------------------------------------------------

def write_lexicon(out: Path, min_freq: int = LEXICON_MIN_FREQ) -> int:
    from pypinyin import lazy_pinyin

    rows = []
    for w, f, _ in iter_jieba():
        if 2 <= len(w) <= 4 and f >= min_freq and _CJK_RUN.fullmatch(w):
            rows.append(f"{w}\t{f}\t{' '.join(lazy_pinyin(w))}")
    with lzma.open(out / "lexicon.tsv.xz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + "\n")
    return len(rows)


def char_readings(chars: list[str]) -> dict[str, list[str]]:
    from pypinyin import Style, pinyin

    return {c: pinyin(c, style=Style.TONE3, heteronym=True)[0] for c in chars if _CJK.match(c)}


def toneless(r: str) -> str:
    return r.rstrip("012345")


# ---- character candidates ----------------------------------------------------------------

def _pairs(path: Path):
    with lzma.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("#"):
                a, b, n, src = line.rstrip("\n").split("\t")
                yield a, b, int(n), src


def _flags(src: str) -> int:
    f = 0
    if "sound" in src or "pinyin" in src:
        f |= SOUND
    if "shape" in src:
        f |= SHAPE
    if "ncu" in src:
        f |= NCU
    return f


def build_candidates(lm, readings: dict[str, list[str]], out: Path) -> dict:
    """cands.npz: for every character id, up to MAX_CANDS candidate ids with the number
    of confusion sources (`nsrc`) and evidence flags (SOUND/SHAPE/NCU from the sources,
    SAME_PINYIN/SAME_TONE computed). Order: pairs of ≥ 2 sources, then same-pinyin common
    characters, then single-source pairs; each by the candidate's frequency."""
    one = lm.keys < np.uint64(1 << 16)
    uni = dict(zip(lm.keys[one].astype(np.int64).tolist(), lm.counts[one].tolist()))
    cid = lm.char_id
    pairs: dict[int, dict[int, list[int]]] = defaultdict(dict)  # a → b → [nsrc, flags]
    oov: dict[str, dict[int, list[int]]] = defaultdict(dict)
    for path in (PRUNED, SINGLE):
        if not path.is_file():
            continue
        for a, b, n, src in _pairs(path):
            ib = cid.get(b)
            if ib is None or not _CJK.match(a) or not _CJK.match(b) or uni.get(ib, 0) < MIN_CAND_COUNT:
                continue
            ia = cid.get(a)
            tgt = pairs[ia] if ia is not None else oov[a]
            if ib not in tgt:
                tgt[ib] = [n, _flags(src)]
    sound: dict[str, list[int]] = defaultdict(list)
    for ch, rs in readings.items():
        i = cid.get(ch)
        if i is not None and uni.get(i, 0) >= HOMOPHONE_MIN_COUNT:
            for r in {toneless(x) for x in rs}:
                sound[r].append(i)
    for ch, rs in readings.items():
        i = cid.get(ch)
        tone = set(rs)
        lst = pairs[i] if i is not None else oov[ch]
        for r in {toneless(x) for x in rs}:
            for h in sound.get(r, []):
                if h == i:
                    continue
                e = lst.setdefault(h, [0, 0])
                e[1] |= SAME_PINYIN
                if tone & set(readings.get(lm.chars[h - 3], [])):
                    e[1] |= SAME_TONE
        # flags for attested pairs too
        for h, e in lst.items():
            hr = readings.get(lm.chars[h - 3], [])
            if {toneless(x) for x in hr} & {toneless(x) for x in rs}:
                e[1] |= SAME_PINYIN
            if tone & set(hr):
                e[1] |= SAME_TONE

    def ranked(d: dict[int, list[int]]) -> list[tuple[int, int, int]]:
        def key(item):
            h, (n, f) = item
            tier = 0 if n >= 2 else (1 if f & SAME_PINYIN else 2)
            return (tier, -n, -uni.get(h, 0))
        return [(h, n, f) for h, (n, f) in sorted(d.items(), key=key)[:MAX_CANDS]]

    ptr = np.zeros(lm.vocab_size + 1, dtype=np.int32)
    cands, nsrc, flags = [], [], []
    for i in range(lm.vocab_size):
        for h, n, f in ranked(pairs.get(i, {})):
            cands.append(h)
            nsrc.append(n)
            flags.append(f)
        ptr[i + 1] = len(cands)
    oov_out = {a: [list(x) for x in ranked(d)] for a, d in oov.items() if d}
    np.savez_compressed(out / "cands.npz", ptr=ptr, cands=np.array(cands, dtype=np.uint16),
                        nsrc=np.array(nsrc, dtype=np.uint8), flags=np.array(flags, dtype=np.uint8))
    (out / "cands_oov.json").write_text(json.dumps(oov_out, ensure_ascii=False), encoding="utf-8")
    return {"char_candidates": len(cands), "oov_chars": len(oov_out)}


# ---- the whole build -------------------------------------------------------------------------

def build_domain(source: Path | None, out: Path, lm, official_text: str, quick: bool, count_ngrams,
                 year_docs: list[str] = ()) -> dict:
    """Everything above, into `out` (the typo_lm folder that already holds the official LM);
    `count_ngrams`: typo_lm's counter (passed in: typo_lm calls this module); `year_docs`: the
    year's published reports (`nlp-review train --reports`), counted with the training docs."""
    from ..typo.mixlm import MIX_FILE, REPORTS_DIR, fit_weight

    train_docs, held_docs = report_texts(source, quick)
    train_docs = train_docs + list(year_docs)
    rep_lm = count_ngrams("\n".join(train_docs), {1: 1, 2: 1, 3: 1, 4: 2} if not quick else {1: 1, 2: 1, 3: 1, 4: 1},
                          1, chars=lm.chars)
    rep_lm.save(out / REPORTS_DIR)
    held_lines = [x for d in held_docs for x in d.split("\n") if len(x) >= 4]
    weight = fit_weight(lm, rep_lm, held_lines)
    n_phr = write_phrases(out, report_phrases(train_docs, 1 if quick else PHRASE_MIN_DF), official_terms(source))
    organs = mine_organs(official_text.split("\n") + train_docs, 1 if quick else ORGAN_MIN_COUNT)
    idioms = {w: f for w, f, tag in iter_jieba() if tag == "i" and len(w) == 4 and f >= 3}
    names = write_names(out, place_names(), organs, idioms)
    n_lex = write_lexicon(out)
    readings = char_readings(lm.chars)
    (out / "readings.json").write_text(json.dumps(readings, ensure_ascii=False), encoding="utf-8")
    cand = build_candidates(lm, readings, out)
    (out / MIX_FILE).write_text(json.dumps({"weight": round(weight, 4)}), encoding="utf-8")
    return {"mix_weight": round(weight, 4), "report_chars": sum(len(d) for d in train_docs),
            "report_docs": len(train_docs), "year_report_docs": len(year_docs), "report_ngrams": int(len(rep_lm.keys)),
            "phrases": n_phr,
            **names, "lexicon_words": n_lex, **cand}
