"""Typo detection and correction: a character n-gram LM with confusion-set candidates
(`checker`), an optional ELECTRA detector/corrector (`neural`), their trainers and the
benchmark helpers (`evaluate`)."""
