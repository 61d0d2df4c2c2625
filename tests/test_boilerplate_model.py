"""The boilerplate trainer and loader: a tiny model built in the test (quick=True into a
temporary models root) is loaded by the real loading code and used by the real
pipeline component; the shipped model meets its target."""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))[0]


@pytest.fixture
def tiny_root(tmp_path, monkeypatch):
    from nlp_review.models import store
    from nlp_review.training.cli import run_train

    res = run_train(ROOT / "corpus", None, None, ["boilerplate"], quick=True, root=tmp_path)
    assert res["promoted"] and (tmp_path / "CURRENT").read_text().strip() == res["version"]
    monkeypatch.setenv("NLP_REVIEW_MODELS", str(tmp_path))
    store.clear_cache()
    yield tmp_path, res
    store.clear_cache()


def test_tiny_model_trains_loads_and_runs(tiny_root):
    from nlp_review.boilerplate.component import analyse
    from nlp_review.boilerplate.model import get_model
    from nlp_review.pipeline import Options, previous_path

    root, res = tiny_root
    m = res["metrics"]["boilerplate"]
    assert {"primary", "split", "per_class"} <= set(m) and m["split"].endswith("-quick")
    assert set(m["per_class"]) == {"specific", "generic"}
    folder = root / res["version"] / "boilerplate"
    for name in ("specificity.json", "lexicon.json", "statutory.txt", "gazetteer.json", "index/signatures.npy"):
        assert (folder / name).is_file(), name
    saved = json.loads((root / res["version"] / "metrics.json").read_text(encoding="utf-8"))
    assert saved["boilerplate"]["primary"] == m["primary"]

    model = get_model()
    assert model is get_model(root)  # loaded once per process and root
    assert model.index.docs and len(model.index) == m["index_sentences"]
    generic = model.judge("进一步加强组织领导，不断提升政务公开工作水平，切实保障群众知情权。", 1)
    specific = model.judge("全年通过门户网站发布信息326条，其中政策解读18篇，办理网民留言42件。", 1)
    assert generic.p_specific < 0.5 < specific.p_specific and generic.reasons
    # the index answers with the closest source, and never with the report itself
    doc0 = model.index.docs[0]
    first = model.index.sent_text[model.index.sent_doc.index(0)]
    hits = model.index.query(first)
    assert hits and hits[0].doc["key"] == doc0["key"] and hits[0].similarity == 1.0
    assert all(h.doc["key"] != doc0["key"] for h in model.index.query(first, exclude=lambda d: d["key"] == doc0["key"]))

    doc = previous_path(SEED)
    analyse(doc, Options())
    out = doc.boilerplate
    assert out.error is None and out.sentences
    assert set(out.section_share) == {"1", "5"}


def test_missing_model_is_reported_not_fatal(tmp_path, monkeypatch):
    from nlp_review.boilerplate.component import analyse
    from nlp_review.models import store
    from nlp_review.pipeline import previous_path

    monkeypatch.setenv("NLP_REVIEW_MODELS", str(tmp_path))
    store.clear_cache()
    try:
        doc = previous_path(SEED)
        analyse(doc, None)
        assert doc.boilerplate.error and doc.boilerplate.sentences == []
    finally:
        store.clear_cache()


def test_shipped_model_meets_target():
    from nlp_review.models.store import current_dir

    metrics = json.loads((current_dir() / "metrics.json").read_text(encoding="utf-8"))["boilerplate"]
    assert metrics["split"] == "boilerplate-doc-sha256mod4-v1"
    assert metrics["primary"] >= 0.85
    assert metrics["per_class"]["specific"]["f1"] >= 0.85 and metrics["per_class"]["generic"]["f1"] >= 0.85
    assert metrics["n_train"] + metrics["n_test"] >= 500
    assert metrics["statutory_flag_rate"] == 0.0
