"""The element model's life cycle: a tiny model trained inside the test by the real
`nlp-review train` code, loaded by the real store and used by the real pipeline; a
corrupt or missing model is a clear error (ModelError; CLI exit 2, Chinese message)."""
import json
from pathlib import Path

import pytest

from nlp_review.cli import main
from nlp_review.elements import ALL_KEYS, LABELS, MODEL_NAME
from nlp_review.errors import ModelError
from nlp_review.models import store
from nlp_review.training.cli import run_train
from nlp_review.pipeline import review_path

from .conftest import ROOT, SEEDS

CORPUS = ROOT / "corpus"


@pytest.fixture
def models_root(tmp_path, monkeypatch):
    monkeypatch.setenv("NLP_REVIEW_MODELS", str(tmp_path))
    store.clear_cache()
    yield tmp_path
    store.clear_cache()


def test_labelled_corpus_is_large_split_by_document_and_checked():
    rows = [json.loads(line) for line in (CORPUS / "elements" / "units.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 600
    assert {r["label"] for r in rows} == set(LABELS)
    for r in rows:
        assert r["text"] and r["section"] in (1, 5, 6) and r["split"] in ("train", "test") and r["source"]
    by_source: dict[str, set[str]] = {}
    for r in rows:
        by_source.setdefault(r["source"], set()).add(r["split"])
    assert all(len(s) == 1 for s in by_source.values())  # no report is in both splits
    assert all(r["split"] == "test" for r in rows if r["source"].startswith("seed_"))
    assert sum(1 for r in rows if r["how"] == "hand") >= 600
    for label in LABELS:  # every class is in the held-back split
        assert any(r["split"] == "test" and r["label"] == label for r in rows), label


def test_tiny_model_trains_loads_and_labels_a_seed(models_root):
    res = run_train(CORPUS, None, models_root / "vtiny", [MODEL_NAME], quick=True, root=models_root)
    assert res["promoted"] and (models_root / "CURRENT").read_text().strip() == "vtiny"
    m = json.loads((models_root / "vtiny" / "metrics.json").read_text(encoding="utf-8"))[MODEL_NAME]
    assert 0.0 <= m["primary"] <= 1.0 and m["split"] and m["quick"] is True
    assert set(m["per_class"]) <= set(LABELS)
    for s in m["per_class"].values():
        assert set(s) == {"precision", "recall", "f1", "support"}
    assert (models_root / "vtiny" / "MODEL_CARD.md").is_file()
    assert (models_root / "vtiny" / MODEL_NAME / "model.joblib").stat().st_size < 5_000_000

    from nlp_review.elements.model import load

    model = load()
    assert model is load()  # loaded once per process and root
    doc = review_path(SEEDS[1])
    assert set(doc.elements) == set(ALL_KEYS)
    assert all(isinstance(e["present"], bool) for e in doc.elements.values())


def test_corrupt_model_is_a_clear_error(models_root, capsys):
    d = models_root / "vbad" / MODEL_NAME
    d.mkdir(parents=True)
    (d / "model.joblib").write_bytes(b"this is not a joblib file")
    (models_root / "CURRENT").write_text("vbad\n", encoding="utf-8")
    with pytest.raises(ModelError) as e:
        review_path(SEEDS[0])
    assert "已损坏" in str(e.value)
    store.clear_cache()
    assert main(["check", str(SEEDS[0])]) == 2
    err = capsys.readouterr().err
    assert "模型错误" in err and "elements" in err


def test_wrong_artifact_is_a_clear_error(models_root):
    import joblib

    d = models_root / "vodd" / MODEL_NAME
    d.mkdir(parents=True)
    joblib.dump({"format": 999, "pipeline": None}, d / "model.joblib")
    (models_root / "CURRENT").write_text("vodd\n", encoding="utf-8")
    with pytest.raises(ModelError, match="格式不符"):
        review_path(SEEDS[0])


def test_missing_model_is_a_clear_error(models_root, capsys):
    with pytest.raises(ModelError, match="没有可用的模型"):
        review_path(SEEDS[0])
    assert main(["check", str(SEEDS[0])]) == 2
    assert "模型错误" in capsys.readouterr().err


def test_shipped_model_meets_the_bar():
    root = ROOT / "models"
    version = (root / "CURRENT").read_text(encoding="utf-8").strip()
    m = json.loads((root / version / "metrics.json").read_text(encoding="utf-8"))[MODEL_NAME]
    assert m["quick"] is False and m["n_train"] > 600 and m["n_test"] > 200
    assert set(m["per_class"]) == set(LABELS)
    # Target (issue 4): F1 >= 0.90 for every class. Not met yet for the fuzziest unit
    # classes (see README "Required elements"); this guards against regressions below
    # what the shipped model measures.
    assert m["primary"] >= 0.90
    for label, s in m["per_class"].items():
        assert s["support"] > 0 and s["f1"] >= 0.80, (label, s)
    assert (root / version / MODEL_NAME / "model.joblib").stat().st_size < 5_000_000


def _unit_rows() -> list[dict]:
    """Every unit of the seeds (as the review segments them) and of the labelled corpus, each
    also read without its heading — the rows a review scores."""
    from nlp_review.elements.segment import segment, unit_record
    from nlp_review.pipeline import read_path

    rows = []
    for path in SEEDS:
        doc = read_path(path, until="sentences")
        for units in segment(doc).values():
            rows += [unit_record(doc, u, units) for u in units]
    rows += [json.loads(line) for line in (CORPUS / "elements" / "units.jsonl").read_text(encoding="utf-8").splitlines()]
    return rows + [{**r, "heading": "", "context": ""} for r in rows]


def _same_probabilities(folder: Path) -> None:
    import joblib
    import numpy as np

    from nlp_review.elements.linear import LinearModel

    arrays = LinearModel.load(folder)
    pipeline = joblib.load(folder / "model.joblib")["pipeline"]
    rows = _unit_rows()
    assert len(rows) > 4000
    assert list(arrays.classes_) == list(pipeline.classes_)
    assert np.array_equal(arrays.predict_proba(rows), pipeline.predict_proba(rows))


def test_array_form_gives_scikit_learns_probabilities_bit_for_bit():
    """The shipped model as arrays (inference.npz, what a review loads) and as the trainer's
    scikit-learn pipeline give the same probabilities, bit for bit, on every unit of the seeds
    and of the labelled corpus, read with and without its heading."""
    from nlp_review.elements.linear import LinearModel
    from nlp_review.elements.model import load

    assert isinstance(load().pipeline, LinearModel)  # what a review uses
    _same_probabilities(store.model_dir(MODEL_NAME))


def test_the_trainer_writes_the_array_form(models_root):
    """`nlp-review train` saves inference.npz next to model.joblib (a tiny model trained here);
    the store loads the arrays, and they give the pipeline's probabilities bit for bit."""
    from nlp_review.elements.linear import LinearModel
    from nlp_review.elements.model import load

    run_train(CORPUS, None, models_root / "vtiny", [MODEL_NAME], quick=True, root=models_root)
    d = models_root / "vtiny" / MODEL_NAME
    assert (d / "inference.npz").is_file()
    (models_root / "CURRENT").write_text("vtiny\n", encoding="utf-8")
    model = load()
    assert isinstance(model.pipeline, LinearModel)
    assert model.meta.get("chosen") and model.classes == list(model.pipeline.classes_)
    _same_probabilities(d)


def test_arrays_of_another_model_are_ignored(models_root):
    """inference.npz exported from another model.joblib (a re-trained model without re-export)
    is not used: the review falls back to the pipeline itself."""
    import shutil

    from nlp_review.elements.model import load

    shipped = store.current_dir(ROOT / "models") / MODEL_NAME
    d = models_root / "vstale" / MODEL_NAME
    d.mkdir(parents=True)
    shutil.copy(shipped / "inference.npz", d / "inference.npz")
    run_train(CORPUS, None, models_root / "vtiny", [MODEL_NAME], quick=True, root=models_root)
    shutil.copy(models_root / "vtiny" / MODEL_NAME / "model.joblib", d / "model.joblib")
    (models_root / "CURRENT").write_text("vstale\n", encoding="utf-8")
    model = load()
    assert type(model.pipeline).__name__ == "Pipeline"  # scikit-learn's, not the stale arrays
    store.clear_cache()
    (models_root / "CURRENT").write_text("vtiny\n", encoding="utf-8")
    assert type(load().pipeline).__name__ == "LinearModel"  # the trainer exported its own arrays
