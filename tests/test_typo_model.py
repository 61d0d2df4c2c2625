"""The typo models: a TINY model built in the test (quick=True, into a tmp models root)
through the real `nlp-review train` code, then loaded and run by the real inference code;
the sentence-level metrics; and `nlp-review correct` on the shipped model. The neural
model needs the optional `[train]` extra (torch, transformers): its tests skip without it."""
import importlib.util
import io
import json
import sys

import pytest

from nlp_review.models.store import clear_cache
from nlp_review.training.cli import run_train
from nlp_review.typo import engine
from nlp_review.training.typo_evaluate import score_predictions


HAS_TORCH = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("transformers") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="the [train] extra (torch, transformers) is not installed")


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    names = ["typo_lm", "typo_neural"] if HAS_TORCH else ["typo_lm"]
    res = run_train(root / "corpus-unused", None, None, names, quick=True, root=root)
    assert res["promoted"]
    yield root
    clear_cache()


def test_tiny_models_are_built_with_metrics(tiny_root):
    version = (tiny_root / "CURRENT").read_text().strip()
    d = tiny_root / version
    for f in ("lm.npz", "lm_vocab.json", "conf.npz", "words.txt.xz", "params.json", "config.json"):
        assert (d / "typo_lm" / f).is_file()
    if HAS_TORCH:
        for f in ("model.pt", "config.json", "vocab.txt", "params.json"):
            assert (d / "typo_neural" / f).is_file()
        config = json.loads((d / "typo_neural" / "config.json").read_text(encoding="utf-8"))
        assert config["architecture"]["num_hidden_layers"] == 1 and config["training"]["quick"] is True
    config = json.loads((d / "typo_lm" / "config.json").read_text(encoding="utf-8"))
    assert config["trainer"] == "nlp_review.training.typo_lm:train" and config["training"]["order"] == 4
    metrics = json.loads((d / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["typo_lm"]["split"] == "odw_dev_quick"
    assert 0.0 <= metrics["typo_lm"]["primary"] <= 1.0


def test_tiny_stat_model_loads_and_scores(tiny_root):
    ck = engine.stat_checker(tiny_root)
    assert ck is engine.stat_checker(tiny_root)  # loaded once per process
    s = "进一步加强政府信息公开工作，提高政务服务水平。"
    props = ck.proposals(s.replace("水平", "水瓶"))
    assert all(0 <= i < len(s) and isinstance(ch, str) and len(ch) == 1 for i, ch, _ in props)
    # the LM prefers the real text to a corrupted one
    ids_ok, ids_bad = ck.lm.encode(s), ck.lm.encode(s.replace("水平", "水瓶"))
    ctx, tgt = ck.lm.contexts(ids_ok)
    ctx2, tgt2 = ck.lm.contexts(ids_bad)
    assert ck.lm.logprob(ctx, tgt).sum() > ck.lm.logprob(ctx2, tgt2).sum()
    out = engine.correct_sentence(s, root=tiny_root, mode="stat")
    assert len(out) == len(s)


@needs_torch
def test_tiny_neural_model_loads_and_runs(tiny_root):
    nk = engine.neural_checker(tiny_root)
    props = nk.proposals_batch(["本机关认真落实政府信息公开工作。", "短句"])
    assert len(props) == 2
    for ps in props:
        for i, ch, p in ps:
            assert 0.0 <= p <= 1.0 and len(ch) == 1
    out = engine.correct_sentence("本机关认真落实政府信息公开工作。", root=tiny_root, mode="stat+neural")
    assert len(out) == len("本机关认真落实政府信息公开工作。")


def test_sentence_level_metrics():
    rows = [("我门很好", "我们很好"), ("天气不错", "天气不错"), ("大数局产业", "大数据产业")]
    m = score_predictions(rows, ["我们很好", "天汽不错", "大数局产业"])
    assert m["detection"]["tp"] == 1 and m["detection"]["pred"] == 2 and m["detection"]["gold"] == 2
    assert m["fpr"] == 1.0 and m["clean"] == 1
    m = score_predictions(rows, ["我们很好", "天气不错", "大数剧产业"])
    assert m["detection"]["tp"] == 2 and m["correction"]["tp"] == 1 and m["fpr"] == 0.0


def test_correct_command_on_shipped_model(monkeypatch, capsys):
    from nlp_review.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO("本年度，本机关为收取信息处理费。\n截止目前，未收到申请。\n\n"))
    assert main(["correct"]) == 0
    lines = capsys.readouterr().out.split("\n")
    assert lines[0] == "本年度，本机关未收取信息处理费。"
    assert lines[1] == "截至目前，未收到申请。"
    assert lines[2] == ""


def test_homophone_candidates(tiny_root):
    from nlp_review.training.typo_confusion import homophones

    lm = engine.stat_checker(tiny_root).lm
    uni = {i: 1 for i in lm.char_id.values()}
    hs = homophones(lm, uni, min_count=1)
    bu, bu2 = lm.char_id["部"], lm.char_id["布"]  # both bù
    assert bu2 in hs[bu] and bu in hs[bu2]
    assert lm.char_id["的"] not in hs[bu]


def test_neural_model_without_the_train_extra_is_a_clear_error(tmp_path, monkeypatch):
    from nlp_review.errors import ModelError
    from nlp_review.typo.neural import NeuralChecker

    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    with pytest.raises(ModelError, match="torch"):
        NeuralChecker.load(tmp_path)
