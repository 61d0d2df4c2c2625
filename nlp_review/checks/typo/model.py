"""TYPO.CHAR_CONFUSION: single-character typos found by the trained typo model(s)
(models/CURRENT/typo_lm, see nlp_review/typo/). Precision first: the threshold is tuned on
the ODW dev split for a false-positive rate ≤ 0.5% on its error-free sentences; `confidence` is
the precision measured there for findings scoring at least as high."""
from __future__ import annotations

from ...doc import Doc
from ...errors import ModelError
from ..prose import is_cjk
from ..registry import clean, flag, rule
from .rules import text_corrections


def _protected_names(doc: Doc) -> tuple[str, ...]:
    names = [doc.agency or ""]
    if doc.title:
        names.append(doc.title)
    return tuple(n for n in names if n)


@rule("TYPO.CHAR_CONFUSION", category="typo", severity="warning", needs=("sentences",),
      message="“{quote}”中的“{wrong}”疑为“{right}”之误（音近或形近字），建议改为“{suggestion}”。",
      examples=[flag("进一步提高政务服务水瓶，方便群众办事。", suggestion="水平"),
                flag("各部门要认真落实政府信息公开保密审查制渡。", suggestion="制度"),
                clean("进一步提高政务服务水平，方便群众办事。"), clean("各部门要认真落实政府信息公开保密审查制度。")])
def char_confusion(doc: Doc, rule):
    """官方文本语言模型认为某字不合语境，且有音近或形近字更合适（`nlp-review train` 训练的统计模型）。"""
    from ...typo.engine import detect

    names = _protected_names(doc)
    out = []
    try:
        for sent in doc.sentences:
            if doc.in_table(sent.start):
                continue
            s = doc.text[sent.start:sent.end]
            covered = {k for st, en, *_ in text_corrections(doc.text, sent.start, sent.end) for k in range(st, en)}
            for i, ch, score, conf, model in detect(s, names):
                pos = sent.start + i
                if pos in covered:
                    continue
                # quote the character with its left neighbour (or right one): "水瓶" → "水平"
                a = pos - 1 if pos > sent.start and is_cjk(doc.text[pos - 1]) else pos
                b = a + 2 if a < pos or (pos + 1 < sent.end and is_cjk(doc.text[pos + 1])) else pos + 1
                quote = doc.text[a:b]
                sugg = quote[:pos - a] + ch + quote[pos - a + 1:]
                out.append(rule.finding(doc, a, b, suggestions=[sugg], confidence=round(conf, 3),
                                        evidence={"model": model, "score": round(score, 2), "position": pos},
                                        wrong=doc.text[pos], right=ch, suggestion=sugg))
    except ModelError as e:  # no trained model: the rule stays silent, the report says why
        doc.warnings.append(str(e))
        return []
    return out
