"""Finding and loading the current models, once per process."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Callable

from ..errors import ModelError

REPO_MODELS = Path(__file__).resolve().parents[2] / "models"
_CACHE: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()


def models_root() -> Path:
    return Path(os.environ.get("NLP_REVIEW_MODELS") or REPO_MODELS)


def current_version(root: Path | None = None) -> str:
    root = root or models_root()
    pointer = root / "CURRENT"
    if not pointer.is_file():
        raise ModelError(f"没有可用的模型：{pointer} 不存在。请运行 `nlp-review train` 或设置 NLP_REVIEW_MODELS。")
    version = pointer.read_text(encoding="utf-8").strip()
    if not version or "/" in version or version.startswith("."):
        raise ModelError(f"{pointer} 的内容无效：{version!r}")
    if not (root / version).is_dir():
        raise ModelError(f"models/CURRENT 指向的模型版本 {version} 不存在（{root / version}）。")
    return version


def current_dir(root: Path | None = None) -> Path:
    root = root or models_root()
    return root / current_version(root)


def model_dir(name: str, root: Path | None = None, version: str | None = None) -> Path:
    root = root or models_root()
    d = (root / version if version else current_dir(root)) / name
    if not d.is_dir():
        raise ModelError(f"当前模型版本中缺少模型 {name}（{d}）。请运行 `nlp-review train --only {name}`。")
    return d


def load_cached(name: str, loader: Callable[[Path], Any], root: Path | None = None) -> Any:
    """`loader(model_dir)` once per process, models root and version; errors become
    ModelError. CURRENT is read on every call, so a promotion or rollback (`nlp-review
    models`) reaches a running process at its next review; the version it replaces is
    dropped from the cache."""
    root = root or models_root()
    version = current_version(root)
    key = (str(root), version, name)
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        for old in [k for k in _CACHE if k[0] == key[0] and k[2] == name]:
            del _CACHE[old]
        d = model_dir(name, root, version)
        try:
            obj = loader(d)
        except ModelError:
            raise
        except Exception as e:  # a corrupt artifact must be a clear error, not a traceback
            raise ModelError(f"模型 {name} 已损坏或无法加载（{d}）：{type(e).__name__}: {e}") from e
        _CACHE[key] = obj
        return obj


# Every model folder carries its full config: what built it (trainer, data, hyperparameters,
# held-back split) and the settings inference applies ("inference"), next to the artifact.
CONFIG = "config.json"


def model_config(d: Path) -> dict:
    """The folder's config.json ({} for a folder written before configs existed)."""
    p = d / CONFIG
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}


def inference_settings(d: Path, defaults: dict) -> dict:
    """`defaults` updated with the folder's config.json "inference" settings."""
    return {**defaults, **model_config(d).get("inference", {})}


def write_config(out: Path, model: str, trainer: str, training: dict, inference: dict, **extra) -> None:
    config = {"model": model, "trainer": trainer, "training": training, "inference": inference, **extra}
    (out / CONFIG).write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
