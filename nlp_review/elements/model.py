"""The element classifier at inference: load once per process, label units."""
from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np

from ..errors import ModelError
from . import KEYS, MODEL_NAME, OTHER

ARTIFACT = "model.joblib"
FORMAT = 1
# How predictions become elements (component.py); a model folder's config.json may set them.
INFERENCE = {
    "accept": 0.5,  # a unit's label counts at this probability …
    "accept_nested": 0.8,  # … inside a block already labelled with another element
    "support": 0.25,  # a block's text supports its label when some unit, read bare, gives it this much
    "contradict": 0.95,  # …and contradicts it when a unit, read bare, is this sure of another element
    "heading_prior": 0.3,  # a block whose heading names element E is E when the model gives E this much
}


class ElementModel:
    """A fitted sklearn pipeline (features → classifier with predict_proba) and its classes."""

    def __init__(self, pipeline, meta: dict | None = None, settings: dict | None = None):
        self.pipeline = pipeline
        self.classes = [str(c) for c in pipeline.classes_]
        self.meta = dict(meta or {})
        self.settings = {**INFERENCE, **(settings or {})}

    def proba(self, rows: list[dict]) -> np.ndarray:
        """Class probabilities, restricted to the classes of each unit's section."""
        if not rows:
            return np.zeros((0, len(self.classes)))
        p = self.pipeline.predict_proba(rows)
        for i, r in enumerate(rows):
            allowed = set(KEYS.get(r["section"], ())) | {OTHER}
            mask = np.array([c in allowed for c in self.classes])
            p[i, ~mask] = 0.0
            s = p[i].sum()
            p[i] = p[i] / s if s > 0 else mask / mask.sum()
        return p

    def save(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "pipeline": self.pipeline, "meta": self.meta}, out / ARTIFACT, compress=3)


def load_dir(d: Path) -> ElementModel:
    path = d / ARTIFACT
    if not path.is_file():
        raise ModelError(f"模型 {MODEL_NAME} 缺少文件 {path}。请运行 `nlp-review train --only {MODEL_NAME}`。")
    obj = joblib.load(path)
    if not isinstance(obj, dict) or obj.get("format") != FORMAT or not hasattr(obj.get("pipeline"), "predict_proba"):
        raise ModelError(f"模型文件 {path} 格式不符（应为 format={FORMAT} 的要素分类器）。")
    from ..models.store import inference_settings

    return ElementModel(obj["pipeline"], obj.get("meta"), inference_settings(d, INFERENCE))


def load(root: Path | None = None) -> ElementModel:
    from ..models import store

    return store.load_cached(MODEL_NAME, load_dir, root)
