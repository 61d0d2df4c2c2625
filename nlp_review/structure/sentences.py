"""Sentences of the structure layer's paragraphs (structure/paragraphs.py), through
spaCy's blank Chinese pipeline with the jieba segmenter plus a sentencizer on Chinese
sentence-final punctuation.

Each paragraph's spaCy `Doc` is kept in `doc.tokens` as (paragraph start, spaCy Doc) so
later components read tokens instead of segmenting again.
"""
from __future__ import annotations

import logging
import sys
import threading

from ..component import component
from ..doc import Doc, Span, Tokens

_NLP = None
_LOCK = threading.Lock()
SENTENCE_END = ["。", "！", "？", "!", "?", "…"]


def _import_spacy():
    """spaCy without torch. thinc (spaCy's ML library) imports torch when it is installed
    (the `[train]` extra), for GPU layers this blank tokenizer + sentencizer never uses: that
    costs every reviewing process about 230 MB and seconds of loading. torch is hidden while
    spaCy loads (thinc then records it as absent) unless the process has already loaded it;
    a later `import torch` (a trainer) works as usual."""
    if "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # ImportError for thinc's probe
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


def get_nlp():
    """The process-wide spaCy pipeline (built once; jieba's dictionary loads lazily)."""
    global _NLP
    with _LOCK:
        if _NLP is None:
            import jieba

            spacy = _import_spacy()
            jieba.setLogLevel(logging.WARNING)
            nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
            nlp.add_pipe("sentencizer", config={"punct_chars": SENTENCE_END})
            nlp.max_length = 1_000_000  # ingestion caps text at 600k characters
            _NLP = nlp
        return _NLP


@component("sentences", requires=("text", "paragraphs"), assigns=("sentences", "tokens"))
def segment(doc: Doc, options=None) -> None:
    """Sentences and jieba tokens (spaCy) of the paragraphs."""
    text = doc.text
    paragraphs = doc.paragraphs
    nlp = get_nlp()
    sentences: list[Span] = []
    parsed = []
    for para, sdoc in zip(paragraphs, nlp.pipe(text[p.start:p.end] for p in paragraphs)):
        parsed.append((para.start, sdoc))
        for sent in sdoc.sents:
            s = para.start + sent.start_char
            e = para.start + sent.end_char
            # trim spaces the segmenter leaves at sentence edges
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                sentences.append(Span(s, e, "sentence"))
    doc.sentences = sentences
    doc.tokens = Tokens(parsed)
