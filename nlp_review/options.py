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
    # Rule ids (current or redirected old ones) that must not run at all.
    disabled_rules: frozenset[str] = frozenset()
    previous: Optional["Doc"] = None  # last year's report (the `previous_year` preset), for year-over-year rules
    # Per-run inputs of single components, e.g. the batch's commonness index
    # ("boilerplate_index", "boilerplate_self"; see boilerplate/component.py).
    extra: dict[str, Any] = field(default_factory=dict)
