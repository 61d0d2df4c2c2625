"""Checks: one rule family per module (Ruff style). Each module registers its rules in
the catalogue and exposes `CHECKS`, a list of functions Doc → findings."""
from __future__ import annotations

from importlib import import_module

# Rule family modules, in the order their checks run. Add a module here to add a family.
RULE_MODULES = [
    "nlp_review.checks.structure",
    "nlp_review.checks.table_identity",
    "nlp_review.checks.typo_rules",
    "nlp_review.checks.typo_forms",
    "nlp_review.checks.punctuation",
    "nlp_review.checks.typo_model",
    "nlp_review.checks.contradictions",
    "nlp_review.checks.narrative_arithmetic",
    "nlp_review.checks.dates",
    "nlp_review.checks.number_formats",
    "nlp_review.checks.boilerplate",
    "nlp_review.checks.elements",
    "nlp_review.checks.numbering",
]
ALL_RULE_MODULES = [import_module(m) for m in RULE_MODULES]


def all_checks():
    for mod in ALL_RULE_MODULES:
        yield from getattr(mod, "CHECKS", [])
