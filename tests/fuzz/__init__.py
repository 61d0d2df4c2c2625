"""Fuzz corpus (mutated real reports in every format) and its harness; see harness.py."""
