"""The rule catalogue (LanguageTool style): every rule has a stable dotted id, a
category, a severity, a Chinese message template, a one-line description and examples
of text it must flag and text it must leave alone. `tests/test_rule_examples.py` runs
every example of every rule through the real pipeline.

A rule module declares its rules with `register(Rule(...))` at import time and reports
with `finding(doc, RULE_ID, start, end, **message_fields)`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..doc import Doc, Finding

CATEGORIES = ("structure", "missing_element", "table_identity", "contradiction", "typo", "format", "boilerplate")
SEVERITIES = ("error", "warning", "info")
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$")


@dataclass(frozen=True)
class Example:
    """`text` is a fragment placed into `section` of a minimal valid report, or, with
    `whole=True`, a complete report text. `flagged` says whether the rule must fire;
    `quote`, when given, must be the quote of one of its findings."""

    text: str
    flagged: bool
    section: int = 1
    whole: bool = False
    quote: Optional[str] = None
    suggestion: Optional[str] = None
    # For rules that need a second document (year-over-year): its text.
    previous: Optional[str] = None


@dataclass
class Rule:
    id: str
    category: str
    severity: str
    message: str  # str.format template, Chinese
    description: str  # one line, the docs line (Ruff style)
    examples: list[Example] = field(default_factory=list)
    # Some rules need a trained model or a second file; their examples still run.
    needs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _RULE_ID.match(self.id):
            raise ValueError(f"bad rule id {self.id!r}")
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.id}: bad category {self.category!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: bad severity {self.severity!r}")
        if not any(e.flagged for e in self.examples) or not any(not e.flagged for e in self.examples):
            raise ValueError(f"{self.id}: needs at least one flagged and one clean example")


RULES: dict[str, Rule] = {}
# Ids that were renamed, and their current id: `--disable`, `/v2/check` disabledRules and
# `nlp-review rules ID` accept the old ones.
REDIRECTS: dict[str, str] = {
    "TABLE.MISSING": "STRUCTURE.TABLE_MISSING",  # category structure: the STRUCTURE family
    "TABLE.ROW_UNREADABLE": "FORMAT.TABLE_ROW_UNREADABLE",  # category format
    "DATE.MALFORMED": "FORMAT.DATE_MALFORMED",  # category format (DATE.* are contradictions)
    "DATE.SIGNATURE_LATE": "FORMAT.SIGNATURE_LATE",  # category format
}


def resolve(ids) -> set[str]:
    """Current ids for user-given ones (old ids follow REDIRECTS; unknown ids stay as given)."""
    return {REDIRECTS.get(i, i) for i in ids}


def register(rule: Rule) -> Rule:
    if rule.id in RULES:
        raise ValueError(f"duplicate rule id {rule.id}")
    RULES[rule.id] = rule
    return rule


def finding(doc: Doc, rule_id: str, start: int, end: int, *, suggestions: list[str] | None = None,
            evidence: dict | None = None, confidence: float = 1.0, **fields) -> Finding:
    """A finding of a catalogue rule, with the message filled from `fields`."""
    rule = RULES[rule_id]
    if not (0 <= start <= end <= len(doc.text)):
        raise ValueError(f"{rule_id}: span {start}:{end} outside text")
    quote = doc.text[start:end]
    message = rule.message.format(quote=quote, **fields)
    return Finding(rule=rule.id, category=rule.category, severity=rule.severity,
                   start=start, end=end, quote=quote, message=message,
                   section=doc.section_of(start), suggestions=list(suggestions or []),
                   evidence=dict(evidence or {}), confidence=confidence)


def load_all_rules() -> dict[str, Rule]:
    """Import every rule module so that the catalogue is complete."""
    from . import ALL_RULE_MODULES  # noqa: F401  (import side effect registers rules)

    return RULES


Check = Callable[[Doc], list[Finding]]
