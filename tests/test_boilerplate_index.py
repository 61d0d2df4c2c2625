"""The commonness index computes datasketch's MinHash signatures and MinHashLSH candidates
with numpy (a review never imports datasketch): checked here against datasketch itself on
the sentences of the shipped index and of the seeds."""
from __future__ import annotations

import numpy as np
import pytest

from nlp_review.boilerplate import index as ix
from nlp_review.boilerplate.model import get_model
from nlp_review.boilerplate.text import shingles
from nlp_review.models import store
from nlp_review.pipeline import read_path

from .conftest import SEEDS

datasketch = pytest.importorskip("datasketch")


def _datasketch_signature(sentence: str):
    items = [s.encode("utf-8") for s in shingles(sentence)]
    m = datasketch.MinHash(num_perm=ix.NUM_PERM, seed=ix.SEED, scheme=ix.SCHEME,
                           hashfunc=lambda b: __import__("zlib").crc32(b) & 0xFFFFFFFF)
    m.update_batch(items)
    return datasketch.LeanMinHash(m)


@pytest.fixture(scope="module")
def shipped():
    store.clear_cache()
    return get_model().index


@pytest.fixture(scope="module")
def sentences(shipped):
    out = list(shipped.sent_text)
    for path in SEEDS:
        doc = read_path(path, until="sentences")
        out += [doc.text[s.start:s.end] for s in doc.sentences]
    return [s for s in out if shingles(s)]


def test_bands_and_permutations_are_datasketchs():
    lsh = datasketch.MinHashLSH(threshold=ix.LSH_THRESHOLD, num_perm=ix.NUM_PERM)
    assert (lsh.b, lsh.r) == (ix.BANDS, ix.ROWS)
    a, b = datasketch.MinHash(num_perm=ix.NUM_PERM, seed=ix.SEED, scheme=ix.SCHEME).permutations
    assert np.array_equal(a, ix._A) and np.array_equal(b, ix._B)


def test_signatures_are_datasketchs(sentences):
    assert len(sentences) > 1500
    for s in sentences:
        assert np.array_equal(ix.signature(shingles(s)), _datasketch_signature(s).hashvalues), s
    assert ix.signature(shingles("")) is None


def test_candidates_are_minhashlshs(shipped, sentences):
    """Every query's candidate set equals MinHashLSH.query over the same signatures, and a
    loaded index answers as the one it was saved from (the review's `query` results)."""
    lsh = datasketch.MinHashLSH(threshold=ix.LSH_THRESHOLD, num_perm=ix.NUM_PERM)
    for key, sig in enumerate(shipped.sigs):
        lsh.insert(key, datasketch.LeanMinHash(seed=ix.SEED, hashvalues=sig, scheme=ix.SCHEME),
                   check_duplication=False)
    hits = 0
    for s in sentences:
        theirs = sorted(lsh.query(_datasketch_signature(s)))
        ours = shipped._candidates(ix.signature(shingles(s))).tolist()
        assert ours == theirs, s
        hits += bool(ours)
    assert hits > 1000


def test_save_load_copy_and_add_answer_alike(shipped, sentences, tmp_path):
    shipped.save(tmp_path / "index")
    loaded = ix.CommonIndex.load(tmp_path / "index")
    grown = loaded.copy()
    grown.add_doc({"key": "new", "agency": "测试局"}, [sentences[0], sentences[-1]])
    assert len(grown) == len(loaded) + 2 and len(loaded) == len(shipped)
    for s in sentences[::25]:
        assert loaded.query(s) == shipped.query(s)
    mine = grown.query(sentences[-1])
    assert any(m.doc["key"] == "new" and m.similarity == 1.0 for m in mine)
    assert not any(m.doc["key"] == "new" for m in loaded.query(sentences[-1]))


def test_candidates_while_the_index_grows(sentences):
    """Added rows are found before and after they are sorted into the band tables (a batch
    adds its reports to a copy of the corpus index and queries between additions)."""
    ours = ix.CommonIndex()
    lsh = datasketch.MinHashLSH(threshold=ix.LSH_THRESHOLD, num_perm=ix.NUM_PERM)
    probes = sentences[::97]
    for start in range(0, len(sentences), 150):
        chunk = sentences[start:start + 150]
        first = len(ours)
        ours.add_doc({"key": f"r{start}"}, chunk)
        for key in range(first, len(ours)):
            lsh.insert(key, datasketch.LeanMinHash(seed=ix.SEED, hashvalues=ours.sigs[key], scheme=ix.SCHEME),
                       check_duplication=False)
        for s in probes:
            assert ours._candidates(ix.signature(shingles(s))).tolist() == sorted(lsh.query(_datasketch_signature(s)))
    assert 0 < ours._sorted_n < len(ours)  # the last additions were looked up unsorted
