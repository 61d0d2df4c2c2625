"""Per-review options, read by components and by the rule runner (never by the caller's
pipeline code alone): what to report and what to compare with."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .doc import Doc


@dataclass
class Options:
    min_confidence: float = 0.0
    # "warning": errors and warnings only; "error": errors only; None: everything (提示 too).
    min_severity: Optional[str] = None
    # A reviewer's corrections of misread table cells, {"table3.new.total": 5}: applied
    # after the tables are read, before the checks (the service's re-run).
    cell_corrections: dict[str, float] = field(default_factory=dict)
    # Rule ids (current or redirected old ones) that must not run at all.
    disabled_rules: frozenset[str] = frozenset()
    previous: Optional["Doc"] = None  # last year's report (the `previous_year` preset), for year-over-year rules
    # Per-run inputs of single components, e.g. the batch's commonness index
    # ("boilerplate_index", "boilerplate_self"; see boilerplate/component.py).
    extra: dict[str, Any] = field(default_factory=dict)


SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def severity_kept(severity: str, min_severity: Optional[str]) -> bool:
    """Whether a finding of `severity` is reported when only `min_severity` and above are."""
    if not min_severity:
        return True
    return SEVERITY_RANK.get(severity, 2) <= SEVERITY_RANK[min_severity]
