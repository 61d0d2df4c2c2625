"""Typo detection and correction, load + predict: a character n-gram LM with confusion-set
candidates (`checker`, `lm`), an optional ELECTRA detector/corrector (`neural`, needs the
`[train]` extra), and `engine`, the one entry point. Their trainers, the confusion pairs and
the benchmark/tuning helpers are in nlp_review/training/ (typo_lm, typo_neural, typo_evaluate)."""
