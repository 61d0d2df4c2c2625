"""The registry of trainers run by `nlp-review train`.

A trainer is "module:function" with signature
    train(corpus: Path, source: Path | None, out: Path, quick: bool) -> dict
- `corpus`: the repo's `corpus/` (annotations, small data) or a user-given folder;
- `source`: the big raw corpus (e.g. ../shared/corpus) or None when unavailable;
- `out`: the folder to write this model's artifact into (`models/<VERSION>/<name>/`);
- `quick`: build a tiny model (tests) instead of the real one.
It returns metrics: {"primary": float (higher is better, compared with CURRENT's on the
same held-back split), "split": "<name of the held-back split>", ...per-class details}.
"""
# Imported when run: `nlp-review --help` and the other commands never load a trainer (nor torch).
TRAINERS: dict[str, str] = {
    "typo_lm": "nlp_review.training.typo_lm:train",
    "typo_rerank": "nlp_review.training.typo_rerank:train",  # after typo_lm: reads its folder
    "typo_neural": "nlp_review.training.typo_neural:train",
    "elements": "nlp_review.training.elements:train",
    "boilerplate": "nlp_review.training.boilerplate:train",
}
