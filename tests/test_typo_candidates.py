"""The pieces of the reranked typo model on small hand-made data: the phrase inventory's
one-edit deviations, names checked and protected, the tree export, the decision rule."""
import numpy as np
import pytest

from nlp_review.typo.candidates import Edit
from nlp_review.typo.domain import PhraseIndex
from nlp_review.typo.names import NameLexicon
from nlp_review.typo.rerank import TreeEnsemble, select


@pytest.fixture(scope="module")
def phrases():
    return PhraseIndex({"主动公开政府信息": (300, 0), "办理时限内": (40, 0), "依申请公开": (500, 10)})


def _cjk(s):
    return [("\u4e00" <= c <= "\u9fff") for c in s]


def test_omission_from_a_domain_phrase(phrases):
    s = "本机关主动公政府信息86条"
    devs = phrases.deviations(s, [6], _cjk(s))
    assert (6, 6, "开", "主动公开政府信息", "omission") in devs


def test_extra_character_in_a_domain_phrase(phrases):
    s = "均在办理时时限内答复"
    devs = phrases.deviations(s, [5], _cjk(s))
    assert any(kind == "extra" and Edit(a, b, r).apply(s) == "均在办理时限内答复" for a, b, r, _, kind in devs)


def test_substitution_needs_a_confusable_pair(phrases):
    s = "均在办理时现内答复"
    assert any(k == "substitution" and r == "限" for *_, r, _, k in [(d[0], d[1], d[2], d[3], d[4])
                                                                     for d in phrases.deviations(s, [5], _cjk(s))])
    none = phrases.deviations(s, [5], _cjk(s), confusable=lambda a, b: False)
    assert not [d for d in none if d[4] == "substitution"]


def test_the_phrase_itself_and_edges_are_not_deviations(phrases):
    s = "本机关主动公开政府信息86条"
    assert phrases.deviations(s, [5, 6, 7], _cjk(s)) == []
    assert phrases.longest_phrase(s, 5, 6) == 8
    # an edge edit proves nothing: the rest of the phrase is there already
    s2 = "我们依申请公开零受理"
    assert not [d for d in phrases.deviations(s2, [7], _cjk(s2)) if d[4] == "extra"]


@pytest.fixture(scope="module")
def names():
    return NameLexicon({"黑龙江省": ("place", 1), "卫生健康委": ("organ", 900), "教育局": ("organ", 5000),
                        "一网通办": ("idiom", 10)})


def test_known_names_are_protected(names):
    s = "黑龙江省卫生健康委"
    assert all(names.known_mask(s))
    assert not any(names.known_mask("认真做好信息公开"))


def test_one_character_off_a_name_is_a_candidate(names):
    assert names.completions("黑龙讧省人民政府", 2)["江"][0] == "place"
    assert names.completions("市卫生建康委办公室", 3)["健"] == ("organ", 900, 5)
    assert "育" in names.completions("区教肓局", 2)
    assert names.completions("区教育局", 2) == {}


def test_tree_export_matches_scikit_learn():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0.3).astype(int)
    clf = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(X, y)
    ens = TreeEnsemble.from_sklearn(clf)
    Xt = rng.normal(size=(200, 5))
    assert np.allclose(ens.proba(Xt), clf.predict_proba(Xt)[:, 1], atol=1e-9)


def test_tree_export_round_trip(tmp_path):
    ens = TreeEnsemble(np.array([[0, 0, 0]]), np.array([[0.5, 0, 0]]), np.array([[1, 0, 0]]), np.array([[2, 0, 0]]),
                       np.array([[False, True, True]]), np.array([[0, -1.0, 2.0]]), 0.25, 1)
    ens.save(tmp_path / "t.npz")
    back = TreeEnsemble.load(tmp_path / "t.npz")
    X = np.array([[0.0], [1.0]])
    assert np.allclose(back.raw(X), [-0.75, 2.25])


def test_select_keeps_the_best_and_never_two_adjacent():
    edits = [Edit(3, 4, "a"), Edit(4, 5, "b"), Edit(6, 6, "c"), Edit(9, 11, ""), Edit(20, 21, "d")]
    kept = select(edits, np.array([0.9, 0.95, 0.7, 0.8, 0.2]), 0.5, 0.75)
    assert [e.text for e, _ in kept] == ["b", ""]  # a is next to b; c (insertion) is below its own threshold
    assert kept[0][1] == pytest.approx(0.95)
    assert select([Edit(0, 1, "x"), Edit(5, 6, "y")], np.array([0.9, 0.9]), 0.5) == [(Edit(5, 6, "y"), 0.9)]
    assert len(select([Edit(0, 1, "x"), Edit(5, 6, "y")], np.array([0.99, 0.9]), 0.5)) == 2


def test_tree_evaluation_follows_each_tree_to_its_own_depth():
    # two trees of different depth: the shallow one's leaf must stay put while the deep one walks on
    feature = np.array([[0, 0, 0, 0, 0], [1, 0, 0, 0, 0]])
    threshold = np.array([[0.0, 0, 1.0, 0, 0], [0.5, 0, 0, 0, 0]])
    left = np.array([[1, 0, 3, 0, 0], [1, 0, 0, 0, 0]])
    right = np.array([[2, 0, 4, 0, 0], [2, 0, 0, 0, 0]])
    leaf = np.array([[False, True, False, True, True], [False, True, True, True, True]])
    value = np.array([[0, 1.0, 0, 2.0, 3.0], [0, 10.0, 20.0, 0, 0]])
    ens = TreeEnsemble(feature, threshold, left, right, leaf, value, 0.0, 2)
    X = np.array([[-1.0, 0.0], [0.5, 1.0], [2.0, 0.0], [np.nan, np.nan]])
    # NaN compares false with "≤ threshold", so it goes right at every split (the features are never NaN)
    assert ens.raw(X).tolist() == [1 + 10, 2 + 20, 3 + 10, 3 + 20]


def test_heldout_report_sentences_once_each_minus_known_errors(tmp_path):
    from nlp_review.training.typo_rerank import heldout_clean

    ex = tmp_path / "ex.tsv"
    ex.write_text("# comment\n定期对公开公开信息进行检查。\t“公开”重复\n", encoding="utf-8")
    sents = ["甲句。", "定期对公开公开信息进行检查。", "乙句。", "甲句。"]
    assert heldout_clean(sents, ex) == ["甲句。", "乙句。"]
    assert heldout_clean(sents, tmp_path / "missing.tsv") == ["甲句。", "定期对公开公开信息进行检查。", "乙句。"]
