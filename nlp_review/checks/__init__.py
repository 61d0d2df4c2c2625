"""Checks: the rules (registry.py), one folder per category (structure/, table_identity/,
contradiction/, typo/, format/, boilerplate/, missing_element/), and the "checks"
component that runs the enabled ones (runner.py)."""
