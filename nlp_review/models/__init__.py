"""Trained models: where they live and how they load (`store`); `nlp-review train`
(nlp_review/training/) rebuilds them.

Layout: `models/<VERSION>/<model-name>/…` plus `models/<VERSION>/metrics.json` and
`MODEL_CARD.md`; `models/CURRENT` is a one-line text file naming the version in use.
`NLP_REVIEW_MODELS` points at another models root (a user's local path). Nothing is
ever downloaded.
"""
