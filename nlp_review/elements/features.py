"""Feature extraction for units (picklable: module-level functions only).

A unit record is a dict: section, kind, heading, own_heading, text (whitespace removed),
tokens (space-joined spaCy/jieba tokens). Features: TF-IDF over the tokens, TF-IDF over
character 1–3-grams of the text, TF-IDF over character 1–2-grams of the heading (a
feature, not the answer: headings lie), optionally TF-IDF over character 1–2-grams of
the enclosing part's text (context), one-hot section/kind, and optionally (section five) the counts
of the problem/measure cue words of the label rules (corpus/elements/review/RULES.md).
Existing functions are never changed: fitted models pickle references to them.
"""
from __future__ import annotations

import re

from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer


def _tokens(rows):
    return [r["tokens"] for r in rows]


def _text(rows):
    return [r["text"] for r in rows]


def _heading(rows):
    return [r.get("heading") or "" for r in rows]


def _context(rows):
    return [r.get("context") or "" for r in rows]


def _meta(rows):
    return [{"section": str(r["section"]), "kind": r["kind"], "own_heading": bool(r.get("own_heading")),
             "has_heading": bool(r.get("heading"))} for r in rows]


# section-five cue words of the label rules (corpus/elements/review/RULES.md): a stated
# shortcoming vs what the agency will do
CUES5 = {
    "problem": re.compile(r"有待|不够|不足|欠缺|薄弱|缺乏|不强|不高|不及时|滞后|单一|问题|还需|尚需|需要进一步|不到位|不畅"),
    "measure": re.compile(r"将|下一步|计划|着力|持续|强化|完善|加大|进一步加强|推动|确保"),
}


def _cues5(rows):
    """Problem/measure cue counts (capped at 3) for section-five units; none for the others."""
    return [{k: min(len(rx.findall(r["text"])), 3) / 3 for k, rx in CUES5.items()} if r["section"] == 5 else {}
            for r in rows]


def _split(s):
    return s.split()


def build_features(words: bool = True, chars: bool = True, heading: bool = True, context: bool = False,
                   cues: bool = False) -> FeatureUnion:
    parts = []
    if cues:
        parts.append(("cues", Pipeline([("sel", FunctionTransformer(_cues5)), ("dv", DictVectorizer())])))
    if context:
        parts.append(("context", Pipeline([("sel", FunctionTransformer(_context)),
                                           ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(1, 2),
                                                                     sublinear_tf=True, min_df=2,
                                                                     max_features=20000))])))
    if words:
        parts.append(("words", Pipeline([("sel", FunctionTransformer(_tokens)),
                                         ("tfidf", TfidfVectorizer(analyzer=_split, sublinear_tf=True, min_df=1))])))
    if chars:
        parts.append(("chars", Pipeline([("sel", FunctionTransformer(_text)),
                                         ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
                                                                   sublinear_tf=True, min_df=2, max_features=60000))])))
    if heading:
        parts.append(("heading", Pipeline([("sel", FunctionTransformer(_heading)),
                                           ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(1, 2),
                                                                     sublinear_tf=True, min_df=1))])))
    parts.append(("meta", Pipeline([("sel", FunctionTransformer(_meta)), ("dv", DictVectorizer())])))
    return FeatureUnion(parts)
