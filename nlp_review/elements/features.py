"""Feature extraction for units (picklable: module-level functions only).

A unit record is a dict: section, kind, heading, own_heading, text (whitespace removed),
tokens (space-joined spaCy/jieba tokens). Features: TF-IDF over the tokens, TF-IDF over
character 1–3-grams of the text, TF-IDF over character 1–2-grams of the heading (a
feature, not the answer: headings lie), optionally TF-IDF over character 1–2-grams of
the enclosing part's text (context), and one-hot section/kind.
"""
from __future__ import annotations


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


def _split(s):
    return s.split()


def build_features(words: bool = True, chars: bool = True, heading: bool = True, context: bool = False):
    # scikit-learn only here: reviewing reads these selectors through elements/linear.py without it
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    parts = []
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
