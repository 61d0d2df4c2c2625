"""Refuse files that are not annual reports at all, before any costly layer is built."""
from __future__ import annotations

from ..component import component
from ..doc import Doc
from ..errors import InputError


@component("report_guard", requires=("text", "sections"))
def require_report(doc: Doc, options=None) -> None:
    """Refuses files that are not reports (no section, no report wording)."""
    if any(s.found for s in doc.sections):
        return
    if "政府信息公开" in doc.text and ("年度报告" in doc.text or "工作报告" in doc.text):
        return
    raise InputError("not_report",
                     "该文件不像政府信息公开工作年度报告：未找到“一、总体情况”等六个部分，也没有年报标题。")
