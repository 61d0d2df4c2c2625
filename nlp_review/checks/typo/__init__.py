"""Category "typo": wrong characters and words (rubric §5, F1–F4) — hand-written 公文 rules,
word-pair data files, repeated words and the statistical checker."""
