"""Cross-report near-copies as a map-reduce: the answers of
`boilerplate.index.CommonIndex.query` over an index holding the corpus and every report of
the batch, without holding that index (≈ 5 KB per sentence) in one process.

The index's answer for a query sentence q is every indexed sentence i of another report
with (a) a shared LSH band (14 bands × 4 rows of the 64-permutation MinHash), (b) a
signature estimate ≥ 0.5 and (c) an exact character-3-shingle Jaccard ≥ 0.7; the best i
per report (ties: the earlier sentence). Enumerating (a) — everything that shares a band —
grows with the square of the year (every sentence made of common clauses shares bands
with thousands of others), so the join enumerates (c) instead, exactly, with prefix
filtering (Vernica et al., SIGMOD 2010): order all shingles globally, rarest first; two
sets with Jaccard ≥ t share a shingle among the first |x| − ⌈t·|x|⌉ + 1 of each. Then (a)
and (b) are checked on the pair's signatures. Steps:

1. `map_hashes` (per chunk of reports): sentences → shingles → crc32 (datasketch's hash
   here) → MinHash signatures (datasketch's affine32 permutations, vectorised) and the
   chunk's shingle counts in a fixed hashed table;
2. `sum_counts`: the global table (fixed size: memory does not grow with the year);
3. `map_prefixes` (per chunk): each sentence's prefix shingles in the global order,
   spread over partitions by shingle;
4. `reduce_prefixes` (per partition): sentences that share a prefix shingle (and pass
   the length filter) → candidate pairs, routed by the indexed side's chunk;
5. `attach_index_side` (per chunk): the indexed sentence's document, signature, text;
6. `confirm` (per chunk of queries): Jaccard, band, estimate; best per other report.

Each step is a pure function whose memory is bounded by a chunk or a partition; the
driver (`LocalSteps`: a process pool and files in a work folder, or Ray tasks and object
references in `batch/ray_run.py`) only wires them. Identifiers: a sentence of report
`doc` (≥ 1, its rank in the batch) is `sid = doc << 20 | position`, a corpus sentence is
its key in the corpus index; a corpus document is `-(number + 1)`.
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
FLAG_QUERY, FLAG_INDEX = 1, 2
COUNT_BUCKETS = 1 << 22  # the shingle-frequency table (16 MB); collisions only cost speed


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


def prefix_length(n: np.ndarray, t: float = MIN_SIMILARITY) -> np.ndarray:
    """|x| − ⌈t·|x|⌉ + 1 (t as a fraction of 1000, so that no float rounding decides)."""
    tm = int(round(t * 1000))
    return n - (-(-n * tm // 1000)) + 1


def shares_band(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    eq = (a[:, :BANDS * ROWS] == b[:, :BANDS * ROWS]).reshape(len(a), BANDS, ROWS)
    return eq.all(axis=2).any(axis=1)


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


def map_hashes(reports: Sequence[ReportSentences],
               corpus: Optional[tuple[Sequence[int], list[str], np.ndarray]] = None) -> tuple[dict, tuple]:
    """A chunk's sentences with their shingle hashes and signatures; its shingle counts
    (sparse: bucket, count). corpus: (sent_doc, texts, signatures) of the corpus index."""
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
    flat, lengths = shingle_hashes([shingles(t) for t in texts])
    # the corpus's shipped signatures are what the index compares with
    sigs = np.asarray(corpus[2], dtype=np.uint32) if corpus is not None else minhash(flat, lengths)
    data = {"sid": np.asarray(sids, dtype=np.int64), "doc": np.asarray(docs, dtype=np.int64),
            "flags": np.asarray(flags, dtype=np.uint8), "sig": sigs, "text": texts,
            "hashes": flat, "lengths": lengths}
    buckets, counts = np.unique(flat % np.uint32(COUNT_BUCKETS), return_counts=True)
    return data, (buckets.astype(np.int64), counts.astype(np.int64))


def sum_counts(*sparse: tuple) -> tuple[np.ndarray]:
    table = np.zeros(COUNT_BUCKETS, dtype=np.int64)
    for buckets, counts in sparse:
        np.add.at(table, buckets, counts)
    return (table,)


PREFIX_DTYPE = np.dtype([("h", np.uint32), ("sid", np.int64), ("size", np.int32), ("flags", np.uint8)])


def map_prefixes(parts: int, data: dict, table: np.ndarray) -> tuple:
    """Each sentence's prefix shingles (global order: rarest first, then hash), split into
    `parts` partitions by shingle hash."""
    flat, lengths = data["hashes"], data["lengths"]
    n = len(lengths)
    seg = np.repeat(np.arange(n), lengths)
    freq = table[(flat % np.uint32(COUNT_BUCKETS)).astype(np.int64)]
    order = np.lexsort((flat, freq, seg))
    flat_sorted = flat[order]
    starts = (np.cumsum(lengths) - lengths).astype(np.int64)
    # a sentence whose own shingles collide in crc32 keeps all of them (exactness, see module doc)
    distinct = np.ones(len(flat_sorted), dtype=bool)
    distinct[1:] = (flat_sorted[1:] != flat_sorted[:-1]) | (seg[1:] != seg[:-1])
    ndist = np.bincount(seg, weights=distinct, minlength=n).astype(np.int64)
    plen = np.where(ndist < lengths, lengths, np.minimum(prefix_length(lengths), lengths))
    rank = np.arange(len(flat_sorted)) - np.repeat(starts, lengths)
    take = rank < np.repeat(plen, lengths)
    rec = np.empty(int(take.sum()), dtype=PREFIX_DTYPE)
    rec["h"] = flat_sorted[take]
    rows = seg[take]
    rec["sid"] = data["sid"][rows]
    rec["size"] = lengths[rows]
    rec["flags"] = data["flags"][rows]
    part = (rec["h"] % np.uint32(parts)).astype(np.int64)
    o = np.argsort(part, kind="stable")
    rec, part = rec[o], part[o]
    bounds = np.searchsorted(part, np.arange(parts + 1))
    return tuple(rec[bounds[p]:bounds[p + 1]] for p in range(parts))


PAIR_DTYPE = np.dtype([("q", np.int64), ("i", np.int64)])


def _split(pairs: np.ndarray, key: np.ndarray, chunks: int) -> tuple:
    o = np.argsort(key, kind="stable")
    pairs, key = pairs[o], key[o]
    bounds = np.searchsorted(key, np.arange(chunks + 1))
    return tuple(pairs[bounds[c]:bounds[c + 1]] for c in range(chunks))


def reduce_prefixes(chunks: int, chunk_reports: int, *parts: np.ndarray,
                    t: float = MIN_SIMILARITY) -> tuple:
    """Candidate pairs (query sid, indexed sid of another sentence) of one partition:
    a shared prefix shingle and sizes that allow Jaccard ≥ t; split by the indexed chunk."""
    nonempty = [p for p in parts if len(p)]
    rec = np.concatenate(nonempty) if nonempty else np.empty(0, dtype=PREFIX_DTYPE)
    if len(rec) < 2:
        return tuple(np.empty(0, PAIR_DTYPE) for _ in range(chunks))
    rec = rec[np.lexsort((rec["sid"], rec["h"]))]
    new = np.concatenate([[True], rec["h"][1:] != rec["h"][:-1]])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.concatenate([starts, [len(rec)]]))
    qs, is_ = [], []
    for s, n in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
        g = rec[s:s + n]
        qm = (g["flags"] & FLAG_QUERY) > 0
        im = (g["flags"] & FLAG_INDEX) > 0
        if not qm.any() or not im.any():
            continue
        q, qn = g["sid"][qm], g["size"][qm]
        i, in_ = g["sid"][im], g["size"][im]
        qq, ii = np.repeat(q, len(i)), np.tile(i, len(q))
        qqn, iin = np.repeat(qn, len(i)), np.tile(in_, len(q))
        small, large = np.minimum(qqn, iin), np.maximum(qqn, iin)
        keep = (qq != ii) & (small * 1000 >= large * int(round(t * 1000)))
        qs.append(qq[keep])
        is_.append(ii[keep])
    n_pairs = sum(len(x) for x in qs)
    pairs = np.empty(n_pairs, dtype=PAIR_DTYPE)
    if n_pairs:
        pairs["q"] = np.concatenate(qs)
        pairs["i"] = np.concatenate(is_)
        pairs = np.unique(pairs)
    return _split(pairs, chunk_of(pairs["i"], chunk_reports), chunks)


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
    keep &= (q_sig == i_sig).mean(axis=1) >= min_similarity - ESTIMATE_MARGIN
    keep &= shares_band(q_sig, i_sig)
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


STAGES = 6


def near_copies(steps, report_chunks: Iterable[list[ReportSentences]], n_reports: int, chunk_reports: int,
                corpus, progress=None) -> Iterator[list]:
    """Wires the steps (`steps.run(name, fn, tasks, n_out)` → per task its output handles;
    `steps.fetch(handle)`); yields each chunk's `confirm` output."""
    chunks, parts = plan(n_reports, chunk_reports)

    def tasks():  # read chunk by chunk: the driver never holds the year's sentences
        yield (), corpus
        n = 1
        for c in report_chunks:
            yield list(c), None
            n += 1
        for _ in range(chunks - n):
            yield [], None

    hashed = steps.run("hash", map_hashes, tasks(), 2)
    _tick(progress)
    table = steps.run("count", sum_counts, [tuple(h[1] for h in hashed)], 1)[0][0]
    _tick(progress)
    prefixed = steps.run("prefix", map_prefixes, [(parts, h[0], table) for h in hashed], parts)
    _tick(progress)
    reduced = steps.run("pairs", reduce_prefixes,
                        [(chunks, chunk_reports, *[m[p] for m in prefixed]) for p in range(parts)], chunks)
    _tick(progress)
    attached = steps.run("attach", attach_index_side,
                         [(chunks, chunk_reports, hashed[c][0], *[r[c] for r in reduced]) for c in range(chunks)],
                         chunks)
    _tick(progress)
    confirmed = steps.run("confirm", confirm, [(hashed[c][0], *[a[c] for a in attached]) for c in range(chunks)], 1)
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
