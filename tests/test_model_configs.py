"""Each model folder carries its full config (config.json: what built it, the held-back
split, and the settings inference applies), and inference really applies those settings."""
from __future__ import annotations

import json
import shutil

from nlp_review.models import store
from nlp_review.pipeline import review_path
from nlp_review.training.registry import TRAINERS

from .conftest import SEEDS


def test_every_shipped_model_folder_has_its_config():
    version = store.current_dir()
    folders = [d for d in version.iterdir() if d.is_dir()]
    assert {d.name for d in folders} >= {"typo_lm", "elements", "boilerplate"}
    for d in folders:
        config = json.loads((d / store.CONFIG).read_text(encoding="utf-8"))
        assert config["model"] == d.name and TRAINERS[d.name] == config["trainer"]
        assert config["training"] and isinstance(config["inference"], dict) and config["inference"]


def test_inference_applies_the_folder_settings(tmp_path, monkeypatch):
    """The same elements model with `accept` and `heading_prior` above 1 in its config.json
    finds no element."""
    current = store.current_dir()
    version = tmp_path / "vconf"
    version.mkdir()
    for d in current.iterdir():
        if d.is_dir() and d.name != "elements":
            (version / d.name).symlink_to(d)
    shutil.copytree(current / "elements", version / "elements")
    path = version / "elements" / store.CONFIG
    config = json.loads(path.read_text(encoding="utf-8"))
    config["inference"].update(accept=1.01, heading_prior=1.01)
    path.write_text(json.dumps(config), encoding="utf-8")
    (tmp_path / "CURRENT").write_text("vconf\n", encoding="utf-8")
    before = review_path(SEEDS[0])
    assert any(e["present"] for e in before.elements.values())
    monkeypatch.setenv("NLP_REVIEW_MODELS", str(tmp_path))
    store.clear_cache()
    try:
        after = review_path(SEEDS[0])
    finally:
        store.clear_cache()
    assert not any(e["present"] for e in after.elements.values())
