"""Year over year: which paragraphs and sentences of sections one and five were copied
from last year's report of the same agency, and whether section five's problems are
the same as last year's.

Texts are compared in their comparison form (no spaces, punctuation or years, so a
paragraph that only changed “2023年” to “2024年” still counts as copied) with difflib's
ratio. A paragraph is copied when it is at least PARAGRAPH_SIM similar to one of last
year's paragraphs of the same section; in the other paragraphs, each sentence at least
SENTENCE_SIM similar to one of last year's sentences is copied.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ..doc import Doc, Span
from .text import is_heading, jaccard, norm, shingles

PARAGRAPH_SIM = 0.9
SENTENCE_SIM = 0.9
PROBLEM_SIM = 0.85
PROBLEMS_UNCHANGED_SHARE = 0.6
MIN_CHARS = 15
# difflib's ratio is quadratic in the worst case (and with autojunk off, repetitive text is
# that case): units longer than this are compared sentence by sentence only. Real paragraphs
# are ≤ 800 characters; sentences are cut at 1,000 (structure/sentences.py).
MAX_COMPARE_CHARS = 5_000
SECTIONS = (1, 5)


@dataclass
class Copy:
    kind: str  # "paragraph" | "sentence"
    section: int
    start: int
    end: int
    similarity: float
    previous: str
    previous_start: int
    previous_end: int


@dataclass
class ProblemsUnchanged:
    start: int
    end: int
    similarity: float
    matched: int
    problems: int
    previous: list[str] = field(default_factory=list)


def similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


class _Candidates:
    """Last year's units (paragraphs or sentences) with a cheap shingle prefilter."""

    def __init__(self, doc: Doc, spans: list[Span]):
        self.doc = doc
        self.units = []
        for s in spans:
            t = doc.text[s.start:s.end]
            n = norm(t)
            if MIN_CHARS <= len(n) <= MAX_COMPARE_CHARS and not is_heading(t):
                self.units.append((s, n, shingles(t)))

    def best(self, text: str) -> tuple[float, Span | None]:
        n = norm(text)
        if len(n) > MAX_COMPARE_CHARS:
            return 0.0, None
        sh = shingles(text)
        best, where = 0.0, None
        for span, un, ush in self.units:
            # ratio ≥ 0.85 needs similar lengths and many shared shingles: skip the rest cheaply
            if abs(len(un) - len(n)) > 0.3 * max(len(n), len(un), 1) or jaccard(sh, ush) < 0.3:
                continue
            r = similarity(n, un)
            if r > best:
                best, where = r, span
        return best, where


def _section_spans(doc: Doc, number: int, units: list[Span]) -> list[Span]:
    sec = doc.section(number)
    if sec is None or sec.body_start is None:
        return []
    return [u for u in units if u.start >= sec.body_start and u.end <= sec.end]


def _previous_units(prev: Doc, number: int, units: list[Span]) -> list[Span]:
    spans = _section_spans(prev, number, units)
    return spans if spans else list(units)  # last year's headings were lost: use everything


def is_problem(text: str) -> bool:
    from .features import _PROBLEM

    return bool(_PROBLEM.search(text)) or "问题" in text


def compare(doc: Doc, prev: Doc) -> tuple[list[Copy], ProblemsUnchanged | None]:
    copies: list[Copy] = []
    unchanged = None
    for number in SECTIONS:
        paras = _section_spans(doc, number, doc.paragraphs)
        if not paras:
            continue
        prev_paras = _Candidates(prev, _previous_units(prev, number, prev.paragraphs))
        prev_sents = _Candidates(prev, _previous_units(prev, number, prev.sentences))
        if not prev_paras.units and not prev_sents.units:
            continue
        sentence_copies: list[tuple[Span, float, Span]] = []
        for p in paras:
            ptext = doc.text[p.start:p.end]
            sents = doc.sentences_in(p.start, p.end)
            if len(norm(ptext)) >= MIN_CHARS and not is_heading(ptext) and len(sents) >= 2:
                sim, where = prev_paras.best(ptext)
                if sim >= PARAGRAPH_SIM and where is not None:
                    copies.append(Copy("paragraph", number, p.start, p.end, round(sim, 3),
                                       prev.text[where.start:where.end], where.start, where.end))
                    continue
            for s in sents:
                stext = doc.text[s.start:s.end]
                if len(norm(stext)) < MIN_CHARS or is_heading(stext):
                    continue
                sim, where = prev_sents.best(stext)
                if where is not None and sim >= min(SENTENCE_SIM, PROBLEM_SIM):
                    sentence_copies.append((s, sim, where))
        if number == 5:
            unchanged = _problems_unchanged(doc, prev, paras, copies, sentence_copies)
        covered = {(c.start, c.end) for c in copies}
        in_unchanged = set()
        if unchanged is not None and number == 5:
            in_unchanged = {(s.start, s.end) for s, sim, _ in sentence_copies
                            if sim >= PROBLEM_SIM and is_problem(doc.text[s.start:s.end])}
        for s, sim, where in sentence_copies:
            if sim < SENTENCE_SIM or (s.start, s.end) in in_unchanged or (s.start, s.end) in covered:
                continue
            copies.append(Copy("sentence", number, s.start, s.end, round(sim, 3),
                               prev.text[where.start:where.end], where.start, where.end))
    copies.sort(key=lambda c: c.start)
    return copies, unchanged


def _problems_unchanged(doc: Doc, prev: Doc, paras: list[Span], copies: list[Copy],
                        sentence_copies) -> ProblemsUnchanged | None:
    """Section five's problem sentences, and how many of them were last year's."""
    copied_paras = [c for c in copies if c.section == 5 and c.kind == "paragraph"]
    problems, matched, sims, previous = [], [], [], []
    by_span = {(s.start, s.end): (sim, where) for s, sim, where in sentence_copies}
    for p in paras:
        for s in doc.sentences_in(p.start, p.end):
            t = doc.text[s.start:s.end]
            if len(norm(t)) < MIN_CHARS or is_heading(t) or not is_problem(t):
                continue
            problems.append(s)
            para_copy = next((c for c in copied_paras if c.start <= s.start and s.end <= c.end), None)
            if para_copy is not None:
                matched.append(s)
                sims.append(para_copy.similarity)
                previous.append(para_copy.previous)
            elif (s.start, s.end) in by_span and by_span[(s.start, s.end)][0] >= PROBLEM_SIM:
                sim, where = by_span[(s.start, s.end)]
                matched.append(s)
                sims.append(sim)
                previous.append(prev.text[where.start:where.end])
    if not problems or not matched or len(matched) / len(problems) < PROBLEMS_UNCHANGED_SHARE:
        return None
    prev_unique = list(dict.fromkeys(previous))
    return ProblemsUnchanged(matched[0].start, matched[-1].end, round(sum(sims) / len(sims), 3),
                             len(matched), len(problems), prev_unique)
