"""How sure OCR was of the text a finding rests on, and the rule that a digit OCR read with
low confidence is never the sole evidence of an `error`.

Reading the confidence (any rule can): every character of `Doc.text` that came from OCR is
mapped by the source map to a loc with ``"conf"`` — the recogniser's probability for each
character of its line — so for an offset k::

    loc = doc.source_map.locate(k)            # {"page": 3, "box": [...], "conf": [...], "offset": 5}
    conf = loc["conf"][loc["offset"]] if loc and "conf" in loc else None   # None: not OCR

`ocr_confidence(doc, start, end)` is the minimum over a span (None when no character of it
came from OCR); `ocr_chars` lists them.

`guard_findings` (pipeline component ``ocr_evidence``, after the checks) looks at each
finding's own span and at every table cell its evidence names (``evidence[…]["cells"]`` keys,
``{"table", "key"}`` pairs): when any of those characters came from OCR it adds
``evidence["ocr"]`` (lowest confidence, the low-confidence digits with their page/image and
box); when an `error` rests on a digit read with confidence under `LOW_DIGIT_CONFIDENCE`, it
becomes a `warning`, its confidence is capped by the OCR confidence, and its message says
which digit to check against the picture. Documents without OCR text are not touched.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator, Optional

from ..component import component
from ..doc import Doc

LOW_DIGIT_CONFIDENCE = float(os.environ.get("NLP_REVIEW_OCR_LOW_DIGIT_CONFIDENCE", 0.9))


@dataclass
class OcrChar:
    offset: int  # in Doc.text
    char: str
    confidence: float
    loc: dict  # the piece's loc: page or image, box…


def ocr_chars(doc: Doc, start: int, end: int) -> Iterator[OcrChar]:
    """The characters of text[start:end] that came from OCR, with their confidence."""
    for seg in doc.source_map.segments_between(start, end):
        conf = seg.loc.get("conf")
        if conf is None:
            continue
        for k in range(max(start, seg.start), min(end, seg.end)):
            i = seg.offset + (k - seg.start)
            if i < len(conf):  # beyond: the space the OCR layout put between two boxes
                yield OcrChar(k, doc.text[k], conf[i], seg.loc)


def ocr_confidence(doc: Doc, start: int, end: int) -> Optional[float]:
    return min((c.confidence for c in ocr_chars(doc, start, end)), default=None)


def _cell_keys(evidence) -> Iterator[str]:
    if isinstance(evidence, dict):
        for k, v in evidence.items():
            if k == "cells" and isinstance(v, dict):
                yield from v.keys()
            elif k == "key" and isinstance(v, str) and "table" in evidence:
                yield v
            else:
                yield from _cell_keys(v)
    elif isinstance(evidence, list):
        for v in evidence:
            yield from _cell_keys(v)


def evidence_spans(doc: Doc, finding) -> list[tuple[int, int]]:
    """The finding's own span and the spans of the table cells its evidence names."""
    spans = [(finding.start, finding.end)]
    for key in set(_cell_keys(finding.evidence)):
        for table in doc.tables.values():
            cell = table.cells.get(key)
            if cell is not None:
                spans.append((cell.start, cell.end))
    return spans


def _where(loc: dict) -> dict:
    out = {k: loc[k] for k in ("page", "image", "para", "node", "box") if k in loc}
    return out


def _place(loc: dict) -> str:
    if "page" in loc:
        return f"第{loc['page']}页"
    return "图片"


@component("ocr_evidence", requires=("findings",), uses=("tables",))  # amends findings in place
def guard_findings(doc: Doc, options=None) -> None:
    """OCR confidence into the evidence; an error resting on an unsure OCR digit is a warning."""
    if not doc.source.get("ocr"):
        return
    for f in doc.findings:
        chars = [c for s in evidence_spans(doc, f) for c in ocr_chars(doc, *s)]
        if not chars:
            continue
        low = [c for c in chars if c.char.isdigit() and c.confidence < LOW_DIGIT_CONFIDENCE]
        lowest = min(c.confidence for c in chars)
        info = {"min_confidence": lowest,
                "low_confidence_digits": [{"offset": c.offset, "char": c.char, "confidence": c.confidence,
                                           **_where(c.loc)} for c in low[:20]],
                "threshold": LOW_DIGIT_CONFIDENCE}
        f.evidence = {**f.evidence, "ocr": info}
        if f.severity == "error" and low:
            worst = min(low, key=lambda c: c.confidence)
            f.severity = "warning"
            info["downgraded_from"] = "error"
            f.confidence = round(min(f.confidence, worst.confidence), 3)
            f.message += (f"（注意：依据中的数字“{worst.char}”由{_place(worst.loc)}图片文字识别（OCR）得出，"
                          f"置信度仅 {worst.confidence:.2f}，请对照原图核实；在核实前不作为错误。）")
