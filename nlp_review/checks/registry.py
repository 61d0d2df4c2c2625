"""The rule registry (Ruff style: one rule = one function = one stable id; LanguageTool
style: every rule carries examples that the tests run).

A rule is a function decorated with `@rule(...)`, which states its id, category,
severity, Chinese message template, the layers it `needs` and its examples; the function's
docstring is the rule's Chinese description (its docs line). The decorator returns the
`Rule`; the function receives `(doc, rule)` and yields findings made by
`rule.finding(doc, start, end, **message_fields)`, so a function can only ever report its
own id, with its own severity.

Rules live in `nlp_review/checks/<category>/` (one folder per category) and are found
by `load_rules()`. The id's prefix names the category (`PREFIX_CATEGORY`); renamed ids
keep working through `REDIRECTS`.
"""
from __future__ import annotations

import pkgutil
import re
from dataclasses import dataclass, field
from importlib import import_module
from typing import Callable, Iterable, Iterator, Optional, Union

from ..doc import Doc, Finding

CATEGORIES = ("structure", "missing_element", "table_identity", "contradiction", "typo", "format", "boilerplate")
SEVERITIES = ("error", "warning", "info")
# Every id prefix belongs to one category; the category is also the rule's folder.
PREFIX_CATEGORY = {
    "STRUCTURE": "structure",
    "ELEMENT": "missing_element",
    "TABLE": "table_identity", "TABLE2": "table_identity", "TABLE3": "table_identity", "TABLE4": "table_identity",
    "CLAIM": "contradiction", "ARITH": "contradiction", "DATE": "contradiction",
    "TYPO": "typo",
    "FORMAT": "format", "NUMBER": "format", "NUMBERING": "format",
    "BOILERPLATE": "boilerplate",
}
# Ids that were renamed, and their current id: `--disable`, `/v2/check` disabledRules and
# `nlp-review rules ID` accept the old ones.
REDIRECTS: dict[str, str] = {
    "TABLE.MISSING": "STRUCTURE.TABLE_MISSING",  # category structure: the STRUCTURE family
    "TABLE.ROW_UNREADABLE": "FORMAT.TABLE_ROW_UNREADABLE",  # category format
    "DATE.MALFORMED": "FORMAT.DATE_MALFORMED",  # category format (DATE.* are contradictions)
    "DATE.SIGNATURE_LATE": "FORMAT.SIGNATURE_LATE",  # category format
    # one finding per section now lists the section's generic sentences and states the share
    "BOILERPLATE.SECTION_GENERIC": "BOILERPLATE.GENERIC_SENTENCE",
}
# What a rule may need besides Doc layers (pipeline.py / component.py name those).
PREVIOUS = "previous"  # last year's report in `Options.previous`
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$")


@dataclass(frozen=True)
class Report:
    """A change to the minimal valid report that examples are embedded in (the report
    itself is built by the test harness, tests/minimal_report.py). Section bodies are
    changed in this order: replaced (`bodies`), lines dropped (`drop`: lines starting with
    one of the prefixes), then text replaced (`edits`: (old, new) pairs, str.replace)."""

    title: Optional[str] = None
    preamble: str = ""
    bodies: dict[int, str] = field(default_factory=dict)
    drop: dict[int, tuple[str, ...]] = field(default_factory=dict)
    edits: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    headings: dict[int, str] = field(default_factory=dict)
    omit: tuple[int, ...] = ()
    signature: Optional[str] = None
    table2: dict[str, Union[int, float, str]] = field(default_factory=dict)
    table3: dict[str, Union[int, float, str]] = field(default_factory=dict)
    table4: dict[str, Union[int, float, str]] = field(default_factory=dict)

    def describe(self) -> str:
        """The change in words (for `nlp-review rules ID`)."""
        parts = []
        if self.title is not None:
            parts.append(f"标题改为“{self.title}”")
        if self.preamble:
            parts.append(f"前言为“{self.preamble}”")
        for n, text in sorted(self.bodies.items()):
            parts.append(f"第{n}部分正文改为“{text}”")
        for n, prefixes in sorted(self.drop.items()):
            parts.append(f"删去第{n}部分以“{'”“'.join(prefixes)}”开头的行")
        for n, pairs in sorted(self.edits.items()):
            parts.extend(f"第{n}部分中“{a}”改为“{b}”" for a, b in pairs)
        for n, h in sorted(self.headings.items()):
            parts.append(f"第{n}部分标题改为“{h}”" if h else f"删去第{n}部分标题")
        if self.omit:
            parts.append("删去第" + "、".join(map(str, self.omit)) + "部分")
        if self.signature is not None:
            parts.append(f"落款改为“{self.signature}”")
        for name, cells in (("表二", self.table2), ("表三", self.table3), ("表四", self.table4)):
            if cells:
                parts.append(f"{name}：" + "，".join(f"{k}={v}" for k, v in cells.items()))
        return "最小示例报告" + ("，" + "；".join(parts) if parts else "（未改动）")


MINIMAL = Report()  # the minimal report itself, unchanged


@dataclass(frozen=True)
class Example:
    """One text the rule must flag (`flagged`) or leave alone. The text is a fragment put
    into `section` of the minimal report (0: the preamble), or a whole report text
    (`whole=True`), or a change to the minimal report (`report`). `quote` must be one
    finding's quote and `suggestion` one of its suggestions. `previous`: last year's
    report, for year-over-year rules."""

    flagged: bool
    text: str = ""
    section: int = 1
    whole: bool = False
    report: Optional[Report] = None
    quote: Optional[str] = None
    suggestion: Optional[str] = None
    previous: Union[Report, str, None] = None

    def describe(self) -> str:
        if self.report is not None:
            return self.report.describe()
        if self.whole:
            return self.text
        where = "前言" if self.section == 0 else f"第{self.section}部分"
        return f"{self.text}（放在{where}）"


def flag(what: Union[str, Report], **kw) -> Example:
    """An example the rule must flag: a fragment (str) or a change to the minimal report."""
    return Example(True, report=what, **kw) if isinstance(what, Report) else Example(True, text=what, **kw)


def clean(what: Union[str, Report], **kw) -> Example:
    """An example the rule must leave alone."""
    return Example(False, report=what, **kw) if isinstance(what, Report) else Example(False, text=what, **kw)


RuleFunction = Callable[[Doc, "Rule"], Iterable[Finding]]


@dataclass
class Rule:
    id: str
    category: str
    severity: str
    message: str  # str.format template, Chinese; `quote` is always available
    description: str  # one line, Chinese: the docs line and the README table entry
    fn: RuleFunction
    examples: tuple[Example, ...] = ()
    # Doc layers the rule reads (component.py), or PREVIOUS: the rule does not run without them.
    needs: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        return self.fn.__module__

    @property
    def family(self) -> str:
        """The folder the rule lives in: nlp_review/checks/<family>/."""
        parts = self.module.split(".")
        return parts[2] if len(parts) > 3 and parts[:2] == ["nlp_review", "checks"] else ""

    def __post_init__(self) -> None:
        if not _RULE_ID.match(self.id):
            raise ValueError(f"bad rule id {self.id!r}")
        if self.category not in CATEGORIES:
            raise ValueError(f"{self.id}: bad category {self.category!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: bad severity {self.severity!r}")
        if not self.description:
            raise ValueError(f"{self.id}: no description (the rule function's docstring)")
        if not any(e.flagged for e in self.examples) or not any(not e.flagged for e in self.examples):
            raise ValueError(f"{self.id}: needs at least one flagged and one clean example")

    def finding(self, doc: Doc, start: int, end: int, *, suggestions: Optional[list[str]] = None,
                evidence: Optional[dict] = None, confidence: float = 1.0, **fields) -> Finding:
        """A finding of this rule on text[start:end], the message filled from `fields`."""
        if not (0 <= start <= end <= len(doc.text)):
            raise ValueError(f"{self.id}: span {start}:{end} outside text")
        quote = doc.text[start:end]
        return Finding(rule=self.id, category=self.category, severity=self.severity, start=start, end=end,
                       quote=quote, message=self.message.format(quote=quote, **fields),
                       section=doc.section_of(start), suggestions=list(suggestions or []),
                       evidence=dict(evidence or {}), confidence=confidence)

    def ready(self, doc: Doc, options) -> bool:
        """Whether what the rule needs is there (layers the pipeline filled, last year's report)."""
        return all((getattr(options, "previous", None) is not None) if n == PREVIOUS else doc.has(n)
                   for n in self.needs)

    def __call__(self, doc: Doc) -> list[Finding]:
        out = list(self.fn(doc, self))
        for f in out:
            if f.rule != self.id:
                raise ValueError(f"{self.id} reported a finding of {f.rule}")
        return out


RULES: dict[str, Rule] = {}


def _docstring_line(fn: Callable) -> str:
    """The first paragraph of a docstring as one line (Chinese lines join without a space)."""
    first = (fn.__doc__ or "").strip().split("\n\n")[0]
    out = ""
    for line in (ln.strip() for ln in first.splitlines()):
        out += (" " if out and out[-1].isascii() and out[-1].isalnum() and line[:1].isascii() else "") + line
    return out


def rule(id: str, *, category: str, severity: str, message: str, examples: Iterable[Example],
         needs: tuple[str, ...] = (), description: Optional[str] = None) -> Callable[[RuleFunction], Rule]:
    """Register the decorated function as the rule `id`; `description` defaults to its docstring."""

    def register(fn: RuleFunction) -> Rule:
        desc = description if description is not None else _docstring_line(fn)
        r = Rule(id, category, severity, message, desc, fn, tuple(examples), tuple(needs))
        old = RULES.get(id)
        if old is not None and (old.module, old.fn.__qualname__) != (r.module, fn.__qualname__):
            raise ValueError(f"duplicate rule id {id} ({old.module}, {r.module})")
        RULES[id] = r
        return r

    return register


_LOADED = False


def load_rules() -> dict[str, Rule]:
    """Import every module of every family folder under nlp_review/checks/ (once)."""
    global _LOADED
    if _LOADED:
        return RULES
    import nlp_review.checks as checks

    for family in pkgutil.iter_modules(checks.__path__):
        if not family.ispkg:
            continue
        pkg = import_module(f"{checks.__name__}.{family.name}")
        for mod in pkgutil.iter_modules(pkg.__path__):
            import_module(f"{pkg.__name__}.{mod.name}")
    _LOADED = True
    return RULES


def resolve(ids: Iterable[str]) -> set[str]:
    """Current ids for user-given ones (old ids follow REDIRECTS; unknown ids stay as given)."""
    return {REDIRECTS.get(i, i) for i in ids}


def selected(options=None, categories: Optional[Iterable[str]] = None) -> Iterator[Rule]:
    """The enabled rules (not disabled in `options`, of `categories` when given), in
    registry order."""
    disabled = resolve(getattr(options, "disabled_rules", ()) or ())
    cats = set(categories) if categories is not None else None
    for r in load_rules().values():
        if r.id not in disabled and (cats is None or r.category in cats):
            yield r
