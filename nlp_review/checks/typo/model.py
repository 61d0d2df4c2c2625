"""TYPO.CHAR_CONFUSION, TYPO.WORD_CONFUSION, TYPO.MISSING_CHAR, TYPO.EXTRA_CHAR: typos found
by the trained typo model (models/CURRENT/typo_lm + typo_rerank, see nlp_review/typo/): a
confusable character, a same-pinyin word, a character left out of a domain phrase, a
character or word typed twice or astray. Precision first: the thresholds are tuned on the ODW
dev split and held-out report sentences under false-alarm ceilings; `confidence` is the
precision measured on dev for proposals scoring at least as high. The four rules share one
pass of the model over the document (`_edits`)."""
from __future__ import annotations

from ...doc import Doc
from ...errors import ModelError
from ..prose import is_cjk
from ..registry import clean, flag, rule
from .forms import text_corrections as form_corrections
from .rules import text_corrections

_LAST: dict[tuple, list] = {}


def _protected_names(doc: Doc) -> tuple[str, ...]:
    names = [doc.agency or ""]
    if doc.title:
        names.append(doc.title)
    return tuple(n for n in names if n)


def finding_span(text: str, lo: int, hi: int, start: int, end: int, rep: str) -> tuple[int, int, str]:
    """The quoted span of an edit and its corrected form: the changed characters with a
    CJK neighbour (水瓶 → 水平; 公政 → 公开政; 开开申 → 开申), a doubled span whole (申请申请 → 申请)."""
    if not rep and end > start and text[max(lo, start - (end - start)):start] == text[start:end]:
        a, b = start - (end - start), end  # the doubled span
    else:
        a = start - 1 if start > lo and is_cjk(text[start - 1]) and end - start < 2 else start
        b = max(end, start + (0 if rep else 1))
        if b < hi and is_cjk(text[b]) and (b - a < 2 or not rep or end == start):
            b += 1
        if b <= a:
            b = min(hi, a + 1)
    sugg = text[a:start] + rep + text[end:b]
    return a, b, sugg


def _edits(doc: Doc) -> list[tuple]:
    """(shape, start, end, replacement, confidence, model, kind) of the model's edits in the
    document's prose sentences, away from the rules' own corrections; computed once per document."""
    from ...typo.engine import detect_edits

    key = (id(doc), len(doc.text), hash(doc.text))
    if key in _LAST:
        return _LAST[key]
    names = _protected_names(doc)
    out = []
    try:
        for sent in doc.sentences:
            if doc.in_table(sent.start):
                continue
            s = doc.text[sent.start:sent.end]
            covered = {k for st, en, *_ in text_corrections(doc.text, sent.start, sent.end)
                       + form_corrections(doc.text, sent.start, sent.end) for k in range(st - 1, en + 1)}
            for i, j, rep, conf, model, kind in detect_edits(s, names):
                st, en = sent.start + i, sent.start + j
                if covered & set(range(st, max(en, st + 1))):
                    continue
                shape = ("char" if kind == "substitution" and en == st + 1 and len(rep) == 1 else
                         "word" if kind == "substitution" else kind)
                out.append((shape, st, en, rep, conf, model, kind, sent.start, sent.end))
    except ModelError as e:  # no trained model: the rules stay silent, the report says why
        if str(e) not in doc.warnings:
            doc.warnings.append(str(e))
        out = []
    _LAST.clear()
    _LAST[key] = out
    return out


def _findings(doc: Doc, rule, shape: str):
    for sh, st, en, rep, conf, model, kind, lo, hi in _edits(doc):
        if sh != shape:
            continue
        a, b, sugg = finding_span(doc.text, lo, hi, st, en, rep)
        evidence = {"model": model, "edit": [st, en, rep], "kind": kind}
        fields = {"wrong": doc.text[st], "right": rep} if shape == "char" else {}
        if shape == "char":
            evidence["position"] = st
        yield rule.finding(doc, a, b, suggestions=[sugg], confidence=round(conf, 3), evidence=evidence,
                           suggestion=sugg, **fields)


@rule("TYPO.CHAR_CONFUSION", category="typo", severity="warning", needs=("sentences",),
      message="“{quote}”中的“{wrong}”疑为“{right}”之误（音近或形近字），建议改为“{suggestion}”。",
      examples=[flag("进一步提高政务服务水瓶，方便群众办事。", suggestion="水平"),
                flag("各部门要认真落实政府信息公开保密审查制渡。", suggestion="制度"),
                clean("进一步提高政务服务水平，方便群众办事。"), clean("各部门要认真落实政府信息公开保密审查制度。")])
def char_confusion(doc: Doc, rule):
    """某字不合语境，且有音近或形近字更合适（`nlp-review train` 训练的错别字模型：候选 + 重排序）。"""
    yield from _findings(doc, rule, "char")


@rule("TYPO.WORD_CONFUSION", category="typo", severity="warning", needs=("sentences",),
      message="“{quote}”疑为“{suggestion}”之误（同音词输入错误）。",
      examples=[flag("建立社会监督和第三方机构平谷机制。", suggestion="评估"), clean("建立社会监督和第三方机构评估机制。")])
def word_confusion(doc: Doc, rule):
    """一个词被输成了同音的另一个词（平谷→评估、裸视→落实），由错别字模型判断。"""
    yield from _findings(doc, rule, "word")


@rule("TYPO.MISSING_CHAR", category="typo", severity="warning", needs=("sentences",),
      message="“{quote}”疑似漏字，应为“{suggestion}”。",
      examples=[flag("本机关主动公政府信息86条。", suggestion="公开政"), clean("本机关主动公开政府信息86条。")])
def missing_char(doc: Doc, rule):
    """固定的领域用语中漏了一个字（主动公政府信息→主动公开政府信息），由错别字模型判断。"""
    yield from _findings(doc, rule, "insertion")


@rule("TYPO.EXTRA_CHAR", category="typo", severity="warning", needs=("sentences",),
      message="“{quote}”疑似多字（重复或误入的字），应为“{suggestion}”。",
      examples=[flag("全年收到政府信息公开开申请5件。", quote="开开", suggestion="开"), clean("全年收到政府信息公开申请5件。")])
def extra_char(doc: Doc, rule):
    """字或词重复输入、误入了多余的字（政府信息公开开申请、统计期议限），由错别字模型判断。"""
    yield from _findings(doc, rule, "deletion")


MODEL_RULES = (char_confusion.id, word_confusion.id, missing_char.id, extra_char.id)
