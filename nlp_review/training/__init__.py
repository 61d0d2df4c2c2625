"""Trainers run by `nlp-review train` (see nlp_review/models/trainers.py)."""
