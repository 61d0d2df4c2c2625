"""TYPO.CHAR_CONFUSION, TYPO.WORD_CONFUSION, TYPO.MISSING_CHAR, TYPO.EXTRA_CHAR: typos found
by the trained typo model (models/CURRENT/typo_lm + typo_rerank, see nlp_review/typo/): a
confusable character, a same-pinyin word, a character left out of a domain phrase, a
character or word typed twice or astray. Precision first: the thresholds are tuned on the ODW
dev split and held-out report sentences under false-alarm ceilings; `confidence` is the
precision measured on dev for proposals scoring at least as high."""
from __future__ import annotations

from ..doc import Doc, Finding
from ..errors import ModelError
from .catalogue import Example, Rule, finding, register
from .prose import is_cjk

CONFUSION = register(Rule(
    "TYPO.CHAR_CONFUSION", "typo", "warning",
    "“{quote}”中的“{wrong}”疑为“{right}”之误（音近或形近字），建议改为“{suggestion}”。",
    "A character that the official-text language model finds out of place, with a sound- or "
    "shape-similar character that fits (statistical checker trained by `nlp-review train`).",
    [Example("进一步提高政务服务水瓶，方便群众办事。", True, suggestion="水平"),
     Example("各部门要认真落实政府信息公开保密审查制渡。", True, suggestion="制度"),
     Example("进一步提高政务服务水平，方便群众办事。", False),
     Example("各部门要认真落实政府信息公开保密审查制度。", False)],
    needs=("typo_lm",),
))
WORD = register(Rule(
    "TYPO.WORD_CONFUSION", "typo", "warning",
    "“{quote}”疑为“{suggestion}”之误（同音词输入错误）。",
    "A word typed as another word of the same pinyin (剑都 for 监督, 平谷 for 评估), judged by the typo model.",
    [Example("建立社会监督和第三方机构平谷机制。", True, suggestion="评估"),
     Example("建立社会监督和第三方机构评估机制。", False)],
    needs=("typo_lm",),
))
MISSING = register(Rule(
    "TYPO.MISSING_CHAR", "typo", "warning",
    "“{quote}”疑似漏字，应为“{suggestion}”。",
    "A character left out of a fixed domain phrase (主动公政府信息 → 主动公开政府信息), judged by the typo model.",
    [Example("本机关主动公政府信息86条。", True, suggestion="公开政"),
     Example("本机关主动公开政府信息86条。", False)],
    needs=("typo_lm",),
))
EXTRA = register(Rule(
    "TYPO.EXTRA_CHAR", "typo", "warning",
    "“{quote}”疑似多字（重复或误入的字），应为“{suggestion}”。",
    "A character or word typed twice or a stray character (政府信息公开开申请, 统计期议限), judged by the typo model.",
    [Example("全年收到政府信息公开开申请5件。", True, suggestion="公开申"),
     Example("全年收到政府信息公开申请5件。", False)],
    needs=("typo_lm",),
))
MODEL_RULES = (CONFUSION.id, WORD.id, MISSING.id, EXTRA.id)


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


def check_model_typos(doc: Doc) -> list[Finding]:
    from ..typo.engine import detect_edits
    from .typo_forms import text_corrections as form_corrections
    from .typo_rules import text_corrections

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
                a, b, sugg = finding_span(doc.text, sent.start, sent.end, st, en, rep)
                evidence = {"model": model, "edit": [st, en, rep], "kind": kind}
                if kind == "substitution" and en == st + 1 and len(rep) == 1:
                    out.append(finding(doc, CONFUSION.id, a, b, suggestions=[sugg], confidence=round(conf, 3),
                                       evidence={**evidence, "position": st}, wrong=doc.text[st], right=rep,
                                       suggestion=sugg))
                else:
                    rule = WORD if kind == "substitution" else (MISSING if kind == "insertion" else EXTRA)
                    out.append(finding(doc, rule.id, a, b, suggestions=[sugg], confidence=round(conf, 3),
                                       evidence=evidence, suggestion=sugg))
    except ModelError as e:  # no trained model: the rule stays silent, the report says why
        doc.user_data.setdefault("warnings", []).append(str(e))
        return []
    return out


CHECKS = [check_model_typos]
