"""Cross-report near-copies as a map-reduce: the answers of
`boilerplate.index.CommonIndex.query` over an index holding the corpus and every report of
the batch, without holding that index (≈ 5 KB per sentence) in one process.

The index's answer for a query sentence q is every indexed sentence i of another report
with (a) a shared LSH band (14 bands × 4 rows of the 64-permutation MinHash), (b) a
signature estimate ≥ 0.5 (32 of 64 values equal) and (c) an exact character-3-shingle
Jaccard ≥ 0.7; the best i per report (ties: the earlier sentence). Steps:

1. `map_chunk` (per chunk of reports): sentences → shingles → crc32 → MinHash signatures
   (datasketch's affine32 permutations, vectorised over the chunk) → one record per band
   (band, its 4 values, the sentence, its shingle count, a 64-byte sketch — the low byte
   of each value — and its shingles counted in 128 hash buckets), spread over P
   partitions by band key;
2. `reduce_bands` (per partition): sort by band key; within each group of equal keys a
   (query, indexed) pair is a candidate when three necessary conditions hold: sizes within
   a factor 0.7 (for c), sketches that agree in ≥ 32 places (for b: equal values have
   equal low bytes) and Σ_b min(bucket counts) large enough for a Jaccard ≥ 0.7 (for c:
   a shared shingle lies in the same bucket on both sides); routed by the indexed side's
   chunk;
3. `attach_index_side` (per chunk): the indexed sentence's document, signature, text;
4. `confirm` (per chunk of queries): (b) on the full signatures, (c), best per report.

Every step is a pure function whose memory is bounded by a chunk or a partition, not by
the year; the driver (`LocalSteps`: a process pool and files in a work folder, or Ray
actors and object references in `batch/ray_run.py`) only wires them. The cost is the
number of pairs that share a band, as for the index itself: it grows with the square of
how often the same clause recurs. Identifiers: a sentence of report `doc` (≥ 1, its rank
in the batch) is `sid = doc << 20 | position`, a corpus sentence is its key in the corpus
index; a corpus document is `-(number + 1)`.
"""
from __future__ import annotations

import os
import pickle
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

import numpy as np

from ..boilerplate.index import ESTIMATE_MARGIN, LSH_THRESHOLD, MIN_SIMILARITY, NUM_PERM, _PERMS
from ..boilerplate.text import jaccard, shingles

SHIFT = 20  # sentences per report < 2^20 (600k characters, ≥ 15 per indexed sentence)
FLAG_QUERY, FLAG_INDEX, FLAG_UNBOUNDED = 1, 2, 4  # unbounded: a bucket count over 255


def _bands() -> tuple[int, int]:
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


BANDS, ROWS = _bands()
_A = _PERMS[0].astype(np.uint32)
_B = _PERMS[1].astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (what datasketch's affine32 applies before permuting)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def shingle_hashes(shingle_sets: Sequence[set[str]]) -> tuple[np.ndarray, np.ndarray]:
    """crc32 of every shingle (flat, set by set) and the sets' sizes."""
    import zlib as _z

    crc = _z.crc32
    lengths = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    flat = np.fromiter((crc(x.encode("utf-8")) for s in shingle_sets for x in s), dtype=np.uint32,
                       count=int(lengths.sum()))
    return flat, lengths


def minhash(flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """MinHash signatures (n × 64 uint32) equal to `boilerplate.index.signature`."""
    n = len(lengths)
    out = np.full((n, NUM_PERM), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    if not len(flat):
        return out
    hv = _fmix32(flat)
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)
    idx = np.flatnonzero(lengths > 0)
    block = 1 << 15  # shingles per block: bounded memory (64 × 4 B each)
    cum = np.cumsum(lengths[idx])
    with np.errstate(over="ignore"):
        i = 0
        while i < len(idx):
            base = cum[i] - lengths[idx[i]]
            j = max(i + 1, int(np.searchsorted(cum, base + block, side="right")))
            sel = idx[i:j]
            a, b = starts[sel[0]], starts[sel[-1]] + lengths[sel[-1]]
            phv = hv[a:b, None] * _A[None, :] + _B[None, :]
            out[sel] = np.minimum.reduceat(phv, starts[sel] - a, axis=0)
            i = j
    return out


def signatures(shingle_sets: Sequence[set[str]]) -> np.ndarray:
    return minhash(*shingle_hashes(shingle_sets))


# ----------------------------------------------------------------------------- steps
@dataclass
class ReportSentences:
    """One report's part of the join: `index` sentences (filtered and de-duplicated as
    CommonIndex.add_doc does, in order) and the sentences it will be queried with."""

    doc: int  # ≥ 1: rank in the batch
    index: list[str]
    query: list[str]


def chunk_of(sid, chunk_reports: int):
    """Chunk 0 holds the corpus; chunk c ≥ 1 the reports doc ∈ [(c-1)·S + 1, c·S]."""
    doc = np.asarray(sid) >> SHIFT
    return np.where(doc == 0, 0, (doc - 1) // chunk_reports + 1)


AGREE = int(np.ceil(NUM_PERM * (MIN_SIMILARITY - ESTIMATE_MARGIN) - 1e-9))  # 32 equal values of 64
BAND_DTYPE = np.dtype([("band", np.uint8), ("k1", np.uint64), ("k2", np.uint64), ("sid", np.int64),
                       ("flags", np.uint8), ("size", np.int32), ("sketch", np.uint8, (NUM_PERM,)),
                       ("buckets", np.uint8, (128,))])
BUCKETS = 128  # shingles per hash bucket: Σ min(count) bounds the intersection from above
T_PERMILLE = int(round(MIN_SIMILARITY * 1000))


def band_keys(sigs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k1, k2): n × BANDS uint64 each; two sentences share band b iff both are equal."""
    s = sigs[:, :BANDS * ROWS].astype(np.uint64).reshape(len(sigs), BANDS, ROWS)
    s = np.concatenate([s, np.zeros((len(sigs), BANDS, 4 - ROWS), dtype=np.uint64)], axis=2)
    return (s[:, :, 0] << np.uint64(32)) | s[:, :, 1], (s[:, :, 2] << np.uint64(32)) | s[:, :, 3]


def map_chunk(reports: Sequence[ReportSentences], parts: int,
              corpus: Optional[tuple[Sequence[int], list[str], np.ndarray]] = None) -> tuple:
    """(the chunk's sentences, band records of partition 0, …, P−1). corpus: (sent_doc,
    texts, signatures) of the corpus index, whose shipped signatures are what it compares."""
    sids, docs, flags, texts = [], [], [], []
    if corpus is not None:
        sent_doc, ctexts, csigs = corpus
        sids = list(range(len(ctexts)))
        docs = [-(int(d) + 1) for d in sent_doc]
        flags = [FLAG_INDEX] * len(ctexts)
        texts = list(ctexts)
    for r in reports:
        base = r.doc << SHIFT
        pos = {}
        for i, t in enumerate(r.index):
            pos[t] = len(sids)
            sids.append(base | i)
            docs.append(r.doc)
            flags.append(FLAG_INDEX)
            texts.append(t)
        k = len(r.index)
        for t in dict.fromkeys(r.query):
            if t in pos:
                flags[pos[t]] |= FLAG_QUERY
                continue
            sids.append(base | k)
            k += 1
            docs.append(r.doc)
            flags.append(FLAG_QUERY)
            texts.append(t)
    n = len(texts)
    flat, lengths = shingle_hashes([shingles(t) for t in texts])
    sigs = np.asarray(corpus[2], dtype=np.uint32) if corpus is not None else minhash(flat, lengths)
    seg = np.repeat(np.arange(n, dtype=np.int64), lengths)
    buckets = np.bincount(seg * BUCKETS + (flat & np.uint32(BUCKETS - 1)).astype(np.int64),
                          minlength=n * BUCKETS).reshape(n, BUCKETS)
    flags = np.asarray(flags, dtype=np.uint8)
    flags[(buckets > 255).any(axis=1)] |= FLAG_UNBOUNDED
    data = {"sid": np.asarray(sids, dtype=np.int64), "doc": np.asarray(docs, dtype=np.int64),
            "flags": flags, "sig": sigs, "text": texts, "size": lengths.astype(np.int32)}
    k1, k2 = band_keys(sigs)
    rec = np.empty(n * BANDS, dtype=BAND_DTYPE)
    rec["band"] = np.tile(np.arange(BANDS, dtype=np.uint8), n)
    rec["k1"], rec["k2"] = k1.reshape(-1), k2.reshape(-1)
    rec["sid"] = np.repeat(data["sid"], BANDS)
    rec["flags"] = np.repeat(data["flags"], BANDS)
    rec["size"] = np.repeat(data["size"], BANDS)
    rec["sketch"] = np.repeat((sigs & np.uint32(0xFF)).astype(np.uint8), BANDS, axis=0)
    rec["buckets"] = np.repeat(np.minimum(buckets, 255).astype(np.uint8), BANDS, axis=0)
    with np.errstate(over="ignore"):
        h = rec["k1"] * np.uint64(0x9E3779B97F4A7C15) ^ rec["k2"] * np.uint64(0xC2B2AE3D27D4EB4F) \
            ^ rec["band"].astype(np.uint64)
    part = ((h ^ (h >> np.uint64(29))) % np.uint64(parts)).astype(np.int64)
    order = np.argsort(part, kind="stable")
    rec, part = rec[order], part[order]
    bounds = np.searchsorted(part, np.arange(parts + 1))
    return (data, *[rec[bounds[p]:bounds[p + 1]] for p in range(parts)])


PAIR_DTYPE = np.dtype([("q", np.int64), ("i", np.int64)])
PAIRS_PER_BLOCK = 1 << 20


def reduce_bands(chunks: int, chunk_reports: int, *parts: np.ndarray) -> tuple:
    """Candidate pairs (query sid, indexed sid) of one partition: the same band key and
    sketches that agree in ≥ AGREE places; split by the indexed side's chunk."""
    nonempty = [p for p in parts if len(p)]
    rec = np.concatenate(nonempty) if nonempty else np.empty(0, dtype=BAND_DTYPE)
    empty = tuple(np.empty(0, PAIR_DTYPE) for _ in range(chunks))
    if len(rec) < 2:
        return empty
    rec = rec[np.lexsort((rec["sid"], rec["k2"], rec["k1"], rec["band"]))]
    new = np.ones(len(rec), dtype=bool)
    new[1:] = (rec["band"][1:] != rec["band"][:-1]) | (rec["k1"][1:] != rec["k1"][:-1]) | (rec["k2"][1:] != rec["k2"][:-1])
    group_start = np.maximum.accumulate(np.where(new, np.arange(len(rec)), 0))
    rank = np.arange(len(rec)) - group_start  # each record pairs with the `rank` records before it
    sketch, sid, flags, size, buckets = rec["sketch"], rec["sid"], rec["flags"], rec["size"], rec["buckets"]
    cum = np.cumsum(rank)
    qs, is_ = [], []
    j0 = 0
    total = int(cum[-1])
    done = 0
    while done < total:  # blocks of ≈ PAIRS_PER_BLOCK pairs: bounded memory
        j1 = int(np.searchsorted(cum, done + PAIRS_PER_BLOCK, side="right"))
        j1 = max(j1, j0 + 1)
        r = rank[j0:j1]
        right = np.repeat(np.arange(j0, j1), r)
        if len(right):
            within = np.arange(len(right)) - np.repeat(np.cumsum(r) - r, r)
            left = right - 1 - within
            small, large = np.minimum(size[left], size[right]), np.maximum(size[left], size[right])
            ok = small * 1000 >= large * T_PERMILLE  # Jaccard ≥ t needs sizes within a factor t
            left, right = left[ok], right[ok]
            agree = (sketch[left] == sketch[right]).sum(axis=1) >= AGREE
            left, right = left[agree], right[agree]
            # an upper bound of the Jaccard from per-bucket shingle counts, exact in integers:
            # most pairs whose estimate passes are rejected without their shingles
            common = np.minimum(buckets[left], buckets[right]).sum(axis=1, dtype=np.int64)
            union = size[left].astype(np.int64) + size[right] - common
            bound = (common * 1000 >= union * T_PERMILLE) | (((flags[left] | flags[right]) & FLAG_UNBOUNDED) > 0)
            left, right = left[bound], right[bound]
            fl, fr = flags[left], flags[right]
            a = ((fl & FLAG_QUERY) > 0) & ((fr & FLAG_INDEX) > 0)
            b = ((fr & FLAG_QUERY) > 0) & ((fl & FLAG_INDEX) > 0)
            qs += [sid[left[a]], sid[right[b]]]
            is_ += [sid[right[a]], sid[left[b]]]
        done = int(cum[j1 - 1])
        j0 = j1
    n_pairs = sum(len(x) for x in qs)
    if not n_pairs:
        return empty
    pairs = np.empty(n_pairs, dtype=PAIR_DTYPE)
    pairs["q"], pairs["i"] = np.concatenate(qs), np.concatenate(is_)
    pairs = np.unique(pairs)
    return _split(pairs, chunk_of(pairs["i"], chunk_reports), chunks)


def _split(pairs: np.ndarray, key: np.ndarray, chunks: int) -> tuple:
    o = np.argsort(key, kind="stable")
    pairs, key = pairs[o], key[o]
    bounds = np.searchsorted(key, np.arange(chunks + 1))
    return tuple(pairs[bounds[c]:bounds[c + 1]] for c in range(chunks))


def attach_index_side(chunks: int, chunk_reports: int, data: dict, *pair_parts: np.ndarray) -> tuple:
    """The indexed sentence's document, signature and text joined to each pair of this
    chunk; split by the query side's chunk."""
    nonempty = [p for p in pair_parts if len(p)]
    pairs = np.unique(np.concatenate(nonempty)) if nonempty else np.empty(0, PAIR_DTYPE)
    row = np.searchsorted(data["sid"], pairs["i"])
    cq = chunk_of(pairs["q"], chunk_reports)
    o = np.argsort(cq, kind="stable")
    pairs, row, cq = pairs[o], row[o], cq[o]
    bounds = np.searchsorted(cq, np.arange(chunks + 1))
    out = []
    for c in range(chunks):
        sl = slice(bounds[c], bounds[c + 1])
        r = row[sl]
        out.append({"q": pairs["q"][sl], "i": pairs["i"][sl], "i_doc": data["doc"][r], "i_sig": data["sig"][r],
                    "i_text": [data["text"][k] for k in r.tolist()]})
    return tuple(out)


def confirm(data: dict, *parts: dict, min_similarity: float = MIN_SIMILARITY) -> tuple[list]:
    """([(query doc, query text, [(other doc, its sentence, similarity), …])],) for every
    query sentence of this chunk with a near-copy in another report (best per report)."""
    parts = [p for p in parts if len(p["q"])]
    if not parts:
        return ([],)
    q = np.concatenate([p["q"] for p in parts])
    i = np.concatenate([p["i"] for p in parts])
    i_doc = np.concatenate([p["i_doc"] for p in parts])
    i_sig = np.concatenate([p["i_sig"] for p in parts])
    i_text = [t for p in parts for t in p["i_text"]]
    qrow = np.searchsorted(data["sid"], q)
    q_sig = data["sig"][qrow]
    keep = data["doc"][qrow] != i_doc  # the own report is never a source (the component excludes it too)
    keep &= (q_sig == i_sig).sum(axis=1) >= AGREE  # the index's estimate filter (a shared band made them candidates)
    out: dict[int, dict[int, tuple[float, int, str]]] = {}
    sh_cache: dict[int, set[str]] = {}
    for k in np.flatnonzero(keep).tolist():
        r = int(qrow[k])
        sh = sh_cache.get(r)
        if sh is None:
            sh = sh_cache[r] = shingles(data["text"][r])
        sim = jaccard(sh, shingles(i_text[k]))
        if sim < min_similarity:
            continue
        best = out.setdefault(r, {})
        d = int(i_doc[k])
        cur = best.get(d)
        if cur is None or sim > cur[0] or (sim == cur[0] and int(i[k]) < cur[1]):
            best[d] = (sim, int(i[k]), i_text[k])
    return ([(int(data["doc"][r]), data["text"][r], [(d, t, round(sim, 3)) for d, (sim, _, t) in sorted(best.items())])
             for r, best in sorted(out.items())],)


# ----------------------------------------------------------------------------- drivers
class LocalSteps:
    """Runs steps in a process pool (`imap`: maps a function over items in parallel,
    results in any order); each step's outputs are pickled to files in `folder` and the
    next step's tasks name those files (`FileRef`), loaded where the task runs."""

    def __init__(self, folder: Path, imap: Callable[[Callable, Iterable], Iterator]):
        self.folder = folder
        self.imap = imap
        folder.mkdir(parents=True, exist_ok=True)

    def run(self, name: str, fn: Callable, tasks: Iterable[tuple], n_out: int) -> list[list]:
        """Task t's outputs as files; `tasks` may be a generator (read as the pool takes them)."""
        jobs = ((t, fn, args, [str(self.folder / f"{name}-{t}-{k}.pkl") for k in range(n_out)])
                for t, args in enumerate(tasks))
        results: dict[int, list] = {}
        for t, paths in self.imap(_run_saved, jobs):
            results[t] = paths
        return [results[t] for t in range(len(results))]

    def fetch(self, handle):
        return load(handle)


class FileRef(str):
    """A path to a pickled step output, loaded when the next step runs."""


def save(obj, path: str) -> str:
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(obj, fh, protocol=5)
    os.replace(tmp, path)
    return path


def load(path: str):
    with open(path, "rb") as fh:
        return pickle.load(fh)


def _run_saved(job) -> tuple[int, list[str]]:
    t, fn, args, out_paths = job
    res = fn(*[load(a) if isinstance(a, FileRef) else a for a in args])
    assert len(res) == len(out_paths), (fn.__name__, len(res), len(out_paths))
    for obj, p in zip(res, out_paths):
        save(obj, p)
    return t, [FileRef(p) for p in out_paths]


def plan(n_reports: int, chunk_reports: int) -> tuple[int, int]:
    """(chunks including the corpus chunk, partitions)."""
    chunks = 1 + max(1, -(-n_reports // chunk_reports))
    return chunks, max(1, chunks - 1)


STAGES = 4


def near_copies(steps, report_chunks: Iterable[list[ReportSentences]], n_reports: int, chunk_reports: int,
                corpus, progress=None) -> Iterator[list]:
    """Wires the steps (`steps.run(name, fn, tasks, n_out)` → per task its output handles;
    `steps.fetch(handle)`); yields each chunk's `confirm` output."""
    chunks, parts = plan(n_reports, chunk_reports)

    def tasks():  # read chunk by chunk: the driver never holds the year's sentences
        yield (), parts, corpus
        n = 1
        for c in report_chunks:
            yield list(c), parts, None
            n += 1
        for _ in range(chunks - n):
            yield [], parts, None

    mapped = steps.run("map", map_chunk, tasks(), parts + 1)
    _tick(progress)
    reduced = steps.run("pairs", reduce_bands,
                        [(chunks, chunk_reports, *[m[1 + p] for m in mapped]) for p in range(parts)], chunks)
    _tick(progress)
    attached = steps.run("attach", attach_index_side,
                         [(chunks, chunk_reports, mapped[c][0], *[r[c] for r in reduced]) for c in range(chunks)],
                         chunks)
    _tick(progress)
    confirmed = steps.run("confirm", confirm, [(mapped[c][0], *[a[c] for a in attached]) for c in range(chunks)], 1)
    _tick(progress)
    for c in range(chunks):
        yield steps.fetch(confirmed[c][0])


def _tick(progress) -> None:
    if progress is not None:
        progress.update(1)


def pack(obj) -> bytes:
    return zlib.compress(pickle.dumps(obj, protocol=5), 3)


def unpack(blob: bytes):
    return pickle.loads(zlib.decompress(blob))
