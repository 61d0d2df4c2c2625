"""The typo models: a TINY model built in the test (quick=True, into a tmp models root)
through the real `nlp-review train` code, then loaded and run by the real inference code;
the sentence-level metrics; and `nlp-review correct` on the shipped model. The neural
model needs the optional `[train]` extra (torch, transformers): its tests skip without it."""
import importlib.util
import io
import json
import sys

import numpy as np
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
    names = ["typo_lm", "typo_rerank", "typo_neural"] if HAS_TORCH else ["typo_lm", "typo_rerank"]
    res = run_train(root / "corpus-unused", None, None, names, quick=True, root=root)
    assert res["promoted"]
    yield root
    clear_cache()


def test_tiny_models_are_built_with_metrics(tiny_root):
    version = (tiny_root / "CURRENT").read_text().strip()
    d = tiny_root / version
    for f in ("lm.npz", "lm_vocab.json", "conf.npz", "words.txt.xz", "params.json", "config.json"):
        assert (d / "typo_lm" / f).is_file()
    for f in ("reports/lm.npz", "phrases.tsv.xz", "names.tsv.xz", "lexicon.tsv.xz", "readings.json", "cands.npz",
              "mix.json"):
        assert (d / "typo_lm" / f).is_file(), f
    for f in ("rerank.npz", "params.json"):
        assert (d / "typo_rerank" / f).is_file()
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


def test_tiny_rerank_model_proposes_and_decides(tiny_root):
    from nlp_review.typo.candidates import FEATURES

    tm = engine.rerank_model(tiny_root)
    assert tm is engine.rerank_model(tiny_root)
    s = "进一步加强政府信息公开工作，提高政务服务水平。"
    bad = s.replace("公开工作", "公开公开工作")
    edits, X = tm.gen.analyse(bad)
    assert X.shape == (len(edits), len(FEATURES)) and np.isfinite(X).all()
    assert any(e.apply(bad) == s for e in edits)  # the doubled word is proposed for deletion
    P = tm.ensemble.proba(X)
    assert ((0 <= P) & (P <= 1)).all()
    for st, en, rep, conf, model, kind in engine.detect_edits(bad, root=tiny_root):
        assert 0 <= st <= en <= len(bad) and 0 < conf <= 1 and model == "typo_rerank"
        assert kind == ("insertion" if st == en else "deletion" if not rep else "substitution")
    assert isinstance(engine.correct_sentence(bad, root=tiny_root), str)


def _export_row(sentence, edit, decision, rule="TYPO.EXTRA_CHAR", prefix="前文。", review="r"):
    from nlp_review.checks.typo.model import finding_span

    text = prefix + sentence + "后文。"
    off = len(prefix)
    a, b, sugg = finding_span(text, off, off + len(sentence), off + edit.start, off + edit.end, edit.text)
    finding = {"id": "f1", "rule": rule, "start": a + 100, "end": b + 100, "quote": text[a:b],
               "suggestions": [sugg], "context": text, "context_start": 100}
    return json.dumps({"finding_id": "f1", "decision": decision, "note": None, "review_id": review,
                       "finding": finding}, ensure_ascii=False)


def test_feedback_export_becomes_labelled_rows(tiny_root):
    from nlp_review.checks.typo.model import MODEL_RULES
    from nlp_review.training.typo_rerank import MODEL_RULES as TRAINER_RULES
    from nlp_review.training.typo_rerank import feedback_rows

    assert set(MODEL_RULES) == set(TRAINER_RULES)
    gen = engine.rerank_model(tiny_root).gen
    bad = "进一步加强政府信息公开公开工作，提高政务服务水平。"
    edits, X = gen.analyse(bad)
    k = next(k for k, e in enumerate(edits) if e.apply(bad) == bad.replace("公开公开", "公开"))
    lines = [_export_row(bad, edits[k], "accepted", review="r1"),
             _export_row(bad, edits[k], "accepted", review="r2"), _export_row(bad, edits[k], "dismissed", review="r2"),
             _export_row(bad, edits[k], None, review="r3"),
             _export_row(bad, edits[k], "accepted", rule="TYPO.WORD_FORM", review="r4"),
             "{not json", ""]
    Xf, yf, stats = feedback_rows(lines, gen)
    # r2 changed its mind: only its latest decision counts
    assert stats == {"rows": 6, "superseded": 1, "used": 2, "not_typo_model": 1, "undecided": 1,
                     "not_proposed": 0, "bad": 1}
    assert list(yf) == [1, 0]
    assert np.allclose(Xf[0], X[k]) and np.allclose(Xf[1], X[k])


def test_trainer_reads_feedback_folder(tiny_root, tmp_path):
    from nlp_review.training import typo_rerank

    gen = engine.rerank_model(tiny_root).gen
    bad = "进一步加强政府信息公开公开工作，提高政务服务水平。"
    edits, _ = gen.analyse(bad)
    e = next(e for e in edits if e.apply(bad) == bad.replace("公开公开", "公开"))
    (tmp_path / "corpus" / "typo" / "feedback").mkdir(parents=True)
    (tmp_path / "corpus" / "typo" / "feedback" / "2025.jsonl").write_text(
        _export_row(bad, e, "accepted") + "\n", encoding="utf-8")
    version = (tiny_root / "CURRENT").read_text().strip()
    out = tmp_path / "models" / "vX" / "typo_rerank"
    out.mkdir(parents=True)
    import shutil

    shutil.copytree(tiny_root / version / "typo_lm", out.parent / "typo_lm")
    m = typo_rerank.train(tmp_path / "corpus", None, out, True)
    assert m["feedback"]["used"] == 1 and m["rows"] > 1
    assert (out / "rerank.npz").is_file()


def test_neural_model_without_the_train_extra_is_a_clear_error(tmp_path, monkeypatch):
    from nlp_review.errors import ModelError
    from nlp_review.typo.neural import NeuralChecker

    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    with pytest.raises(ModelError, match="torch"):
        NeuralChecker.load(tmp_path)


def test_name_like_spans_take_word_mending_slips_only():
    """Inside a name-like span (…部/局/镇) a slip that makes a common word is proposed
    (指辉部 → 指挥部); an unknown town's own characters (梅塘镇) are not touched."""
    gen = engine.rerank_model().gen
    s = "广西壮族自治区新冠肺炎疫情防控指辉部办公室"
    edits, _ = gen.analyse(s)
    assert any(e.apply(s) == s.replace("指辉部", "指挥部") for e in edits)
    s2 = "梅塘镇人民政府认真贯彻落实政府信息公开条例。"
    edits2, _ = gen.analyse(s2)
    assert not any(e.start < 3 for e in edits2)
    assert gen._mends_word(s, s.index("辉"), "挥")
    assert not gen._mends_word(s2, 1, "城", gen._name_suffixes(s2))  # 城镇 is a word, but 镇 is the class
