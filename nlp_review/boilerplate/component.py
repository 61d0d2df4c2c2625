"""Pipeline component “boilerplate”: judges every sentence of sections one and five
(specificity, commonness across agencies, copies from last year), finds foreign place
names, and stores the results in `doc.boilerplate` (a `BoilerplateAnalysis`) for the rule
family `checks/boilerplate`; the "scores" component reports the per-section boilerplate
share as `doc.scores["boilerplate_share"]`.

Inputs besides the Doc, through `Options`:
- `options.previous`: last year's report (a Doc with sections and sentences);
- `options.extra["boilerplate_index"]`: a commonness index to use instead of the
  corpus index (a batch's copy with the batch's own reports added), and
  `options.extra["boilerplate_self"]`: this report's key in it (never its own source).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..component import component
from ..doc import Doc
from ..errors import ModelError
from .text import is_heading, norm

SECTIONS = (1, 5)
# The model's settings (boilerplate/model.py INFERENCE, the folder's config.json) say how long a
# sentence must be to be judged and in how many other reports a sentence is the community's
# template wording (the statistical-period line, the format's own sentences), not a copy
# from one agency: such a sentence is judged by the specificity model only.


@dataclass
class SentenceResult:
    section: int
    start: int
    end: int
    p_specific: float
    generic: bool
    statutory_share: float
    reasons: list[str]
    stock_phrases: list[str]
    features: dict[str, float]
    shared: list[Any] = field(default_factory=list)  # index.Match, best first
    template_reports: int = 0  # > 0: found in that many reports, treated as template wording


@dataclass
class BoilerplateAnalysis:
    """The layer `doc.boilerplate`."""

    sentences: list[SentenceResult] = field(default_factory=list)  # judged sentences of sections 1 and 5
    copies: list[Any] = field(default_factory=list)  # yoy.Copy: paragraphs/sentences copied from last year
    problems_unchanged: Optional[Any] = None  # yoy.ProblemsUnchanged
    foreign: list[Any] = field(default_factory=list)  # names.ForeignName
    section_share: dict[str, float] = field(default_factory=dict)  # "1"/"5" → share of boilerplate sentences
    section_counts: dict[str, dict] = field(default_factory=dict)
    previous: Optional[dict] = None  # title, year, agency of last year's report when compared
    error: Optional[str] = None  # why the model-based judgements are missing


def same_agency(a: Optional[str], b: Optional[str]) -> bool:
    if not a or not b:
        return False
    a, b = norm(a), norm(b)
    return a == b or a.endswith(b) or b.endswith(a)


def _exclude(doc: Doc, self_key: Optional[str]):
    from .text import fingerprint

    own = fingerprint(doc.text)

    def exclude(meta: dict) -> bool:
        if self_key is not None and meta.get("key") == self_key:
            return True
        if meta.get("fingerprint") == own:  # this very report is in the corpus
            return True
        return same_agency(doc.agency, meta.get("agency"))
    return exclude


def section_sentences(doc: Doc, number: int):
    sec = doc.section(number)
    if sec is None or sec.body_start is None:
        return []
    return doc.sentences_in(sec.body_start, sec.end)


@component("boilerplate", requires=("text", "sections", "title_span", "agency", "paragraphs", "sentences"),
           assigns=("boilerplate",))
def analyse(doc: Doc, options=None) -> None:
    """Generic, shared and copied sentences of sections one and five; foreign place names."""
    from .model import get_model
    from .names import foreign_names
    from .yoy import compare

    extra = getattr(options, "extra", {}) or {}
    out = BoilerplateAnalysis()
    doc.boilerplate = out
    try:
        model = get_model()
    except ModelError as e:  # reviews go on without this family; the reason is kept
        out.error = str(e)
        model = None
    index = extra.get("boilerplate_index") or (model.index if model else None)
    exclude = _exclude(doc, extra.get("boilerplate_self"))
    exempt = model.config["statutory_exempt"] if model else 0.6
    if model is not None:
        for number in SECTIONS:
            for s in section_sentences(doc, number):
                text = doc.text[s.start:s.end]
                if len(norm(text)) < model.config["min_judged_chars"] or is_heading(text):
                    continue
                j = model.judge(text, number)
                reviewed = model.reviewed_as(text)  # reviewers' decisions outrank the model's
                generic = j.p_specific < model.generic_threshold and j.statutory_share < exempt
                if number == 5 and not j.stock_driven:
                    # Problems and plans seldom carry numbers: in section five a sentence is
                    # generic for its stock wording, not for lacking a number or a date.
                    generic = False
                generic = reviewed.get("generic", generic)
                r = SentenceResult(number, s.start, s.end, j.p_specific, generic, j.statutory_share,
                                   j.reasons, j.stock_phrases, j.features)
                if index is not None and j.statutory_share < exempt and reviewed.get("shared", True):
                    from .index import indexable

                    if indexable(text):
                        r.shared = index.query(text, exclude=exclude)
                        if len(r.shared) >= model.config["template_min_reports"]:
                            r.template_reports, r.shared = len(r.shared), []
                out.sentences.append(r)
    previous = getattr(options, "previous", None)
    if previous is not None and previous is not doc:
        copies, unchanged = compare(doc, previous)
        out.copies = copies
        out.problems_unchanged = unchanged
        out.previous = {"title": previous.title, "year": previous.year, "agency": previous.agency}
    if model is not None:
        spans = [(p.start, p.end) for p in doc.paragraphs
                 if not (doc.title_span and p.start < doc.title_span.end)]
        out.foreign = foreign_names(doc.text, spans, doc.agency, model.gazetteer)
    _shares(out)


def _shares(out: BoilerplateAnalysis) -> None:
    copied = [(c.start, c.end) for c in out.copies]
    if out.problems_unchanged is not None:
        copied.append((out.problems_unchanged.start, out.problems_unchanged.end))
    shares, counts = {}, {}
    for number in SECTIONS:
        rs = [r for r in out.sentences if r.section == number]
        if not rs:
            continue
        bp = [r for r in rs if r.generic or r.shared or any(a <= r.start and r.end <= b for a, b in copied)]
        shares[str(number)] = round(len(bp) / len(rs), 3)
        counts[str(number)] = {"sentences": len(rs), "boilerplate": len(bp),
                               "generic": sum(r.generic for r in rs), "shared": sum(bool(r.shared) for r in rs),
                               "copied_from_previous": sum(any(a <= r.start and r.end <= b for a, b in copied)
                                                           for r in rs)}
    out.section_share = shares
    out.section_counts = counts
