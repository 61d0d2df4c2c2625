"""The element classifier at inference: load once per process, label units.

The trainer's artifact is a scikit-learn pipeline (`model.joblib`); next to it
`inference.npz` holds the same model as arrays (`linear.py`), which is what a review loads
— no scikit-learn, SciPy or joblib in the reviewing process, the same probabilities bit for
bit. The arrays carry the sha256 of the joblib file they were exported from: arrays that do
not match it (a model re-trained without re-export) are ignored and the pipeline is used.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

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
    """A fitted sklearn pipeline (features → classifier with predict_proba), or its array
    form (`linear.LinearModel`, the same interface), and its classes."""

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
        masks = {}  # section → its classes (and OTHER)
        for r in rows:
            if r["section"] not in masks:
                allowed = set(KEYS.get(r["section"], ())) | {OTHER}
                masks[r["section"]] = np.array([c in allowed for c in self.classes])
        mask = np.array([masks[r["section"]] for r in rows])
        p[~mask] = 0.0
        s = p.sum(axis=1)  # row by row as p[i].sum() adds them
        none = ~(s > 0)
        p[~none] /= s[~none, None]
        p[none] = mask[none] / mask[none].sum(axis=1, keepdims=True)
        return p

    def save(self, out: Path) -> None:
        import joblib

        out.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "pipeline": self.pipeline, "meta": self.meta}, out / ARTIFACT, compress=3)
        export_arrays(out, self.pipeline, self.meta)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_arrays(d: Path, pipeline, meta: dict) -> bool:
    """Write d/inference.npz (the arrays of `pipeline`, tagged with model.joblib's sha256);
    False when the pipeline has no array form (it is then used as it is)."""
    from . import linear

    (d / linear.FILE).unlink(missing_ok=True)
    return linear.save(pipeline, d, {"source_sha256": np.array([_digest(d / ARTIFACT)]),
                                     "meta": np.array([json.dumps(meta, ensure_ascii=False)])})


def load_dir(d: Path) -> ElementModel:
    from . import linear
    from ..models.store import inference_settings

    path = d / ARTIFACT
    if not path.is_file():
        raise ModelError(f"模型 {MODEL_NAME} 缺少文件 {path}。请运行 `nlp-review train --only {MODEL_NAME}`。")
    if (d / linear.FILE).is_file():
        arrays = linear.LinearModel.load(d)
        if arrays.source_sha256 == _digest(path):
            return ElementModel(arrays, arrays.meta, inference_settings(d, INFERENCE))
    import joblib

    obj = joblib.load(path)
    if not isinstance(obj, dict) or obj.get("format") != FORMAT or not hasattr(obj.get("pipeline"), "predict_proba"):
        raise ModelError(f"模型文件 {path} 格式不符（应为 format={FORMAT} 的要素分类器）。")
    return ElementModel(obj["pipeline"], obj.get("meta"), inference_settings(d, INFERENCE))


def load(root: Path | None = None) -> ElementModel:
    from ..models import store

    return store.load_cached(MODEL_NAME, load_dir, root)


def main(argv=None) -> int:
    """`python -m nlp_review.elements.model FOLDER…`: (re-)write inference.npz of model folders
    trained before the array form existed."""
    import argparse
    import joblib

    ap = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path)
    for d in ap.parse_args(argv).folders:
        obj = joblib.load(d / ARTIFACT)
        print(d, "exported" if export_arrays(d, obj["pipeline"], obj.get("meta") or {}) else "has no array form")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
