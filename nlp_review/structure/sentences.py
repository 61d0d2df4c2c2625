"""Paragraphs and sentences of the narrative, through spaCy's blank Chinese pipeline
with the jieba segmenter plus a sentencizer on Chinese sentence-final punctuation.

Table regions are skipped: their lines are cells, not prose. Each paragraph's spaCy
`Doc` is kept in `doc.tokens` as (paragraph start, spaCy Doc) so later components read
tokens instead of segmenting again.
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


def _in_any(offset: int, spans: list[Span]) -> bool:
    return any(s.start <= offset < s.end for s in spans)


@component("sentences", requires=("text", "table_spans"), uses=("tables",),
           assigns=("paragraphs", "sentences", "tokens"))
def segment(doc: Doc, options=None) -> None:
    """Narrative paragraphs (table regions skipped), sentences and jieba tokens (spaCy)."""
    text = doc.text
    skip = [Span(t.start, t.end) for t in doc.tables.values()] + list(doc.table_spans)
    paragraphs: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped or "\t" in line or _in_any(start + (len(line) - len(line.lstrip())), skip):
            continue
        lead = len(line) - len(line.lstrip())
        trail = len(line) - len(line.rstrip())
        paragraphs.append(Span(start + lead, end - trail, "paragraph"))
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
    doc.paragraphs = paragraphs
    doc.sentences = sentences
    doc.tokens = Tokens(parsed)
