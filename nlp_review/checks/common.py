"""Helpers several rule families share."""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

from ..doc import Doc

TABLE_NAMES = {"table2": "表二（主动公开政府信息情况）", "table3": "表三（收到和处理政府信息公开申请情况）",
               "table4": "表四（政府信息公开行政复议、行政诉讼情况）"}


def fmt_number(v) -> str:
    """A table or narrative value as a reviewer writes it: 3, 0.5, 1.2e+07."""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# The signature date: a line of its own near the end (section six or the last 400 characters).
SIGNATURE = re.compile(r"^[ \t\u3000]*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[ \t\u3000]*$", re.M)


def signature_date(doc: Doc) -> Optional[tuple[date, int, int]]:
    """(date, start, end) of the report's signature date, None when absent or impossible
    (FORMAT.DATE_MALFORMED says why)."""
    s6 = doc.section(6)
    lo = s6.start if s6 is not None else max(0, len(doc.text) - 400)
    m = None
    for m in SIGNATURE.finditer(doc.text, lo):
        pass
    if m is None:
        return None
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return d, m.start(1), doc.text.index("日", m.end(3)) + 1
