"""The registry of trainers run by `nlp-review train`.

A trainer is "module:function" with signature
    train(corpus: Path, source: Path | None, out: Path, quick: bool[, year: TrainingYear | None]) -> dict
- `corpus`: the repo's `corpus/` (annotations, small data) or a user-given folder;
- `source`: the big raw corpus (e.g. ../shared/corpus) or None when unavailable;
- `out`: the folder to write this model's artifact into (`models/<VERSION>/<name>/`);
- `quick`: build a tiny model (tests) instead of the real one;
- `year` (only passed to trainers that take it): what the year gave — reviewers' decisions
  as labelled sets and the year's published reports (training/year.py).
It returns metrics: {"primary": float (higher is better), "split": "<name of the held-back
split>", ...}; the gold metrics that decide promotion are listed in training/versions.py.
A trainer module may also define `evaluate_feedback(model_dir: Path, year) -> dict`: how a
model (the new one and CURRENT's) agrees with the year's decisions on its findings.
"""
# Imported when run: `nlp-review --help` and the other commands never load a trainer (nor torch).
TRAINERS: dict[str, str] = {
    "typo_lm": "nlp_review.training.typo_lm:train",
    "typo_rerank": "nlp_review.training.typo_rerank:train",  # after typo_lm: reads its folder
    "typo_neural": "nlp_review.training.typo_neural:train",
    "elements": "nlp_review.training.elements:train",
    "boilerplate": "nlp_review.training.boilerplate:train",
}
# One line each for `nlp-review train --help`.
DESCRIPTIONS: dict[str, str] = {
    "typo_lm": "错别字候选与语言模型：官方文本与年报字符四元语言模型、混淆集、短语与名称表；本年度报告计入年报语言模型，审查人员不采纳的错别字加入保护词",
    "typo_rerank": "错别字重排序模型（在 typo_lm 之后训练）：合成错误与审查人员对错别字提示的采纳/不采纳",
    "typo_neural": "神经网络错别字检测（ELECTRA，需 [train] 扩展；默认不启用）",
    "elements": "必备要素分类器（第一、五、六部分）；审查人员对要素缺失提示的决定作为弱标注",
    "boilerplate": "套话具体性模型、套话短语词表、跨报告近似句索引、地名表；审查人员的决定与本年度报告",
}
