"""Which reports of a set are one agency's consecutive years: the pairing behind the
year-over-year rules in `batch` (TABLE3.CARRY_OVER, TABLE2.IN_FORCE_STOCK, the copies from
last year) and the year-over-year pairs that `nlp-review train --reports` records.

An agency is `Publisher.key` (agency.py: region code + town + organ, so 福田区民政局 and
深圳市福田区民政局 are one agency); a report's year is the publisher's year, else the
structure layer's. A report is paired with the same agency's report of the year before
when there is exactly one such report — copies of one text (same fingerprint) count once;
two different texts for one agency and year are ambiguous and pair with nothing, since
comparing the wrong one would report differences that are not there.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Optional

from .agency import parse_publisher


@dataclass(frozen=True)
class YearReport:
    """One report as the pairing sees it: who published it, for which year."""

    id: Hashable  # the caller's handle (a path, a row number …)
    key: Optional[str]  # Publisher.key
    year: Optional[int]
    fingerprint: str = ""  # equal for copies of one text (boilerplate.text.fingerprint)
    agency: Optional[str] = None  # for messages and records


def year_report(id: Hashable, text: str, title: Optional[str] = None, filename: Optional[str] = None,
                year: Optional[int] = None) -> YearReport:
    """A report's agency key and year from its text (`parse_publisher`); `year` (the
    structure layer's) when the publisher's year is unknown."""
    from ..boilerplate.text import fingerprint

    pub = parse_publisher(text, title, filename)
    return YearReport(id, pub.key, pub.year or year, fingerprint(text), pub.agency)


@dataclass
class Pairing:
    previous: dict[Hashable, Hashable] = field(default_factory=dict)  # report → last year's report
    ambiguous: list[tuple[str, int]] = field(default_factory=list)  # (agency key, year) with several texts

    def previous_of(self, id: Hashable) -> Optional[Hashable]:
        return self.previous.get(id)


def pair_consecutive_years(reports: Iterable[YearReport]) -> Pairing:
    """Each report with a known agency and year → the same agency's report of the year
    before, when exactly one distinct text is that report."""
    by: dict[tuple[str, int], dict[str, YearReport]] = defaultdict(dict)
    items = [r for r in reports if r.key and r.year]
    for r in sorted(items, key=lambda r: str(r.id)):
        by[(r.key, r.year)].setdefault(r.fingerprint or str(r.id), r)  # copies of one text count once
    out = Pairing()
    for (key, year), texts in sorted(by.items()):
        if len(texts) > 1:
            out.ambiguous.append((key, year))
    for r in items:
        texts = by.get((r.key, r.year - 1))
        if texts and len(texts) == 1:
            out.previous[r.id] = next(iter(texts.values())).id
    return out
