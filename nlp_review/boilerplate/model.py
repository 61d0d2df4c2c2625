"""The trained boilerplate artifact (models/<VERSION>/boilerplate/) and its use.

Files, all plain data (no pickles):
- specificity.json: the logistic regression over features.FEATURES (scaler mean and
  scale, coefficients, intercept) and the thresholds chosen at training time;
- lexicon.json: the stock phrases learned from the corpus; statutory.txt: the
  regulation's and the format's own wording (its n-grams are never held against a
  sentence);
- index/: the commonness index (MinHash signatures, sentences, report list);
- gazetteer.json: place names with administrative codes;
- reviewed.json (optional): sentences reviewers decided on (`nlp-review train --feedback`):
  a sentence dismissed as generic is specific, one dismissed as shared is not reported as
  shared, accepted ones stay reported — whatever the model would say of them now.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..models.store import load_cached
from .features import FEATURE_LABELS, FEATURE_NAMES, Lexicon, extract, statutory_form, statutory_ngrams, vector
from .index import CommonIndex
from .names import Gazetteer
from ..structure.markers import strip_marker
from .text import norm

NAME = "boilerplate"
REVIEWED = "reviewed.json"


def reviewed_key(sentence: str) -> str:
    """A sentence as reviewers' decisions are looked up: comparison form, no enumerator."""
    return norm(strip_marker(sentence))


@dataclass
class SpecificityModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def contributions(self, x: list[float]) -> np.ndarray:
        return self.coef * ((np.asarray(x) - self.mean) / self.scale)

    def p_specific(self, x: list[float]) -> float:
        z = float(self.contributions(x).sum() + self.intercept)
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> dict:
        return {"features": FEATURE_NAMES, "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept}

    @classmethod
    def from_json(cls, d: dict) -> "SpecificityModel":
        if d["features"] != FEATURE_NAMES:
            raise ValueError("特征列表与代码不一致，请重新训练 boilerplate 模型")
        return cls(np.array(d["mean"]), np.array(d["scale"]), np.array(d["coef"]), float(d["intercept"]))


@dataclass
class Judgement:
    p_specific: float
    features: dict[str, float]
    reasons: list[str]  # Chinese, largest contributions towards “generic” first
    stock_phrases: list[str]
    statutory_share: float
    stock_driven: bool = False  # stock wording (not a missing number) is among the pulls towards generic


# Inference settings; specificity.json's "config" (chosen at training time) and the folder's
# config.json "inference" override them.
INFERENCE = {
    "generic_threshold": 0.5,  # P(specific) below this: generic
    "section_share_threshold": 0.8,  # a larger generic share is stated in GENERIC_SENTENCE's message
    "statutory_exempt": 0.6,  # a sentence at least this much statutory wording is never judged
    "min_judged_chars": 12,  # shorter sentences (comparison form) are not judged
    "template_min_reports": 10,  # found in this many other reports: template wording, not a copy
}


class BoilerplateModel:
    def __init__(self, spec: SpecificityModel, lexicon: Lexicon, index: CommonIndex, gazetteer: Gazetteer,
                 config: dict, reviewed: dict | None = None):
        self.spec = spec
        self.lexicon = lexicon
        self.index = index
        self.gazetteer = gazetteer
        self.config = {**INFERENCE, **config}
        self.reviewed: dict[str, dict] = reviewed or {}  # reviewed_key → {"generic": bool, "shared": bool}

    def reviewed_as(self, sentence: str) -> dict:
        """What reviewers decided about this sentence ({} when nothing)."""
        return self.reviewed.get(reviewed_key(sentence), {}) if self.reviewed else {}

    @property
    def generic_threshold(self) -> float:
        return float(self.config["generic_threshold"])

    @property
    def section_share_threshold(self) -> float:
        return float(self.config["section_share_threshold"])

    def judge(self, sentence: str, section: int) -> Judgement:
        feats = extract(sentence, section, self.lexicon)
        x = vector(feats)
        p = self.spec.p_specific(x)
        contrib = self.spec.contributions(x)
        order = np.argsort(contrib)  # most negative (towards generic) first
        reasons, stock_driven = [], False
        for i in order[:3]:
            name = FEATURE_NAMES[i]
            if contrib[i] < -0.15:
                stock_driven |= name in STOCK_FEATURES
                reason = _reason(name, feats[name], towards_generic=True)
                if reason:
                    reasons.append(reason)
        _, phrases = self.lexicon.stock_share(sentence)
        return Judgement(p, feats, reasons, phrases[:6], feats["statutory"], stock_driven)


# Features whose pull towards "generic" is the wording itself (not a missing detail).
STOCK_FEATURES = ("generic", "stock")
# A reason in a reviewer's words: what the sentence lacks (feature absent) or has (present).
REASON_ABSENT = {
    "qty": "没有具体数量", "pct": "没有百分比", "date": "没有具体日期", "year": "没有写明年份",
    "own_doc": "没有引用具体的文件或制度", "named": "没有写出具体的平台、栏目或活动名称",
    "zero": "没有写明“未收到申请”一类的具体情况", "concrete": "没有具体的行动", "digits": "没有任何数字",
}
REASON_PRESENT = {
    "stat_doc": "只引用了《条例》等法定文件", "problem": "问题只用“有待、不够”一类的笼统措辞表述",
    "list": "罗列多项而没有展开", "generic": "“加强、进一步、不断”一类的套话动词和副词密集",
}


def _reason(name: str, value: float, towards_generic: bool) -> str | None:
    """Why a sentence reads as generic, in Chinese; None for a feature that is no reason
    (which section a sentence is in says nothing about the sentence)."""
    if name == "section5":
        return None
    if name == "stock":
        return f"多份年报共用的套话短语占全句的{value:.0%}"
    if name == "statutory":
        return f"照搬《条例》原文的措辞占全句的{value:.0%}"
    if name == "length":
        return "句子较短"
    if value:
        return REASON_PRESENT.get(name, FEATURE_LABELS[name])
    return REASON_ABSENT.get(name, "缺少" + FEATURE_LABELS[name].replace("含", "", 1))


def save(out: Path, spec: SpecificityModel, lexicon: Lexicon, statutory_text: str, index: CommonIndex,
         gazetteer: Gazetteer, config: dict, reviewed: dict | None = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "specificity.json").write_text(json.dumps({**spec.to_json(), **{"config": config}}, ensure_ascii=False,
                                                     indent=1), encoding="utf-8")
    (out / "lexicon.json").write_text(json.dumps({"stock": lexicon.stock, "docs": lexicon.docs}, ensure_ascii=False,
                                                 indent=0), encoding="utf-8")
    (out / "statutory.txt").write_text(statutory_text, encoding="utf-8")
    (out / "gazetteer.json").write_text(json.dumps(gazetteer.to_json(), ensure_ascii=False), encoding="utf-8")
    index.save(out / "index")
    if reviewed:
        (out / REVIEWED).write_text(json.dumps({"sentences": reviewed}, ensure_ascii=False, indent=0),
                                    encoding="utf-8")


def load(folder: Path) -> BoilerplateModel:
    d = json.loads((folder / "specificity.json").read_text(encoding="utf-8"))
    spec = SpecificityModel.from_json(d)
    lex_d = json.loads((folder / "lexicon.json").read_text(encoding="utf-8"))
    stat_text = (folder / "statutory.txt").read_text(encoding="utf-8")
    lexicon = Lexicon(stock=lex_d["stock"], statutory=statutory_ngrams(stat_text), docs=lex_d.get("docs", 0),
                      statutory_text=statutory_form(stat_text))
    gazetteer = Gazetteer.from_json(json.loads((folder / "gazetteer.json").read_text(encoding="utf-8")))
    index = CommonIndex.load(folder / "index")
    from ..models.store import model_config

    config = {**d.get("config", {}), **model_config(folder).get("inference", {})}
    reviewed = {}
    if (folder / REVIEWED).is_file():
        reviewed = json.loads((folder / REVIEWED).read_text(encoding="utf-8"))["sentences"]
    return BoilerplateModel(spec, lexicon, index, gazetteer, config, reviewed)


def get_model(root: Path | None = None) -> BoilerplateModel:
    """The current version's boilerplate model, loaded once per process."""
    return load_cached(NAME, load, root)
