"""Word comments anchored exactly on each finding's text.

python-docx ≥ 1.2 anchors a comment on whole runs (`Document.add_comment(runs, …)`), so
the runs under a finding are first split with lxml at the finding's character offsets:
afterwards the comment range covers the quote and never more. Positions come from the
source map: for a .docx upload `Doc.source_map.locate()` gives {"para", "run", "offset"}
in the numbering of `docx_reader.iter_paragraphs` / `iter_runs`; for every other format
a .docx is generated with one paragraph per line of `Doc.text`, so the same splitting
works on it with {"para": line, "run": 0}.
"""
from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from docx.oxml.ns import qn
from docx.text.run import Run

from ..errors import InputError

AUTHOR = "年报审查"
INITIALS = "审查"
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
CATEGORY_NAMES = {"structure": "结构", "missing_element": "要素缺失", "table_identity": "表格勾稽",
                  "contradiction": "前后矛盾", "typo": "错别字", "format": "格式", "boilerplate": "套话雷同"}

# Run children that carry text, as python-docx's `Run.text` reads them.
_TEXT_TAGS = {qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen"), qn("w:ptab")}
_RPR = qn("w:rPr")

Pos = tuple[int, int, int]  # (paragraph index, run index, character offset in the run)


@dataclass
class Anchor:
    start: Pos
    end: Pos  # exclusive: the offset after the last character
    finding: dict


def _child_len(el) -> int:
    return len(str(el)) if el.tag in _TEXT_TAGS else 0


def _run_len(r) -> int:
    return sum(_child_len(c) for c in r)


def _set_t(t, text: str) -> None:
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _split_run(r, k: int):
    """Split the `w:r` element at character offset k (0 < k < len); return the new right part."""
    right = copy.deepcopy(r)
    r.addnext(right)
    pos = 0
    for left_c, right_c in zip(list(r), list(right)):
        if left_c.tag == _RPR:
            continue
        n = _child_len(left_c)
        if n == 0:
            # Zero-width content (drawings, field chars…) stays on the side it sits on.
            (right if pos < k else r).remove(right_c if pos < k else left_c)
            continue
        if pos + n <= k:
            right.remove(right_c)
        elif pos >= k:
            r.remove(left_c)
        else:  # only w:t is longer than one character
            cut = k - pos
            _set_t(left_c, left_c.text[:cut])
            _set_t(right_c, right_c.text[cut:])
        pos += n
    return right


def _empty_run_like(r):
    """An empty `w:r` with r's formatting, for a zero-length anchor."""
    new = copy.deepcopy(r)
    for c in list(new):
        if c.tag != _RPR:
            new.remove(c)
    return new


class _Pieces:
    """One source run cut at a set of offsets: the pieces and where each starts."""

    def __init__(self, r, cuts: set[int], points: set[int]):
        n = _run_len(r)
        self.length = n
        self.pieces: list[tuple[int, int, object]] = []  # (start, end, element)
        cur, base = r, 0
        for k in sorted(c for c in cuts if 0 < c < n):
            right = _split_run(cur, k - base)
            self.pieces.append((base, k, cur))
            cur, base = right, k
        self.pieces.append((base, n, cur))
        # Zero-length anchors: an empty run inserted at the offset.
        self.points: dict[int, object] = {}
        for k in sorted(points):
            k = max(0, min(k, n))
            for s, e, el in self.pieces:
                if s == k or (k == n and e == n):
                    empty = _empty_run_like(el)
                    (el.addprevious if s == k else el.addnext)(empty)
                    self.points[k] = empty
                    break

    def starting_at(self, k: int):
        for s, e, el in self.pieces:
            if s == k and e > s:
                return el
        for s, e, el in self.pieces:
            if s == k:
                return el
        raise KeyError(k)

    def ending_at(self, k: int):
        for s, e, el in self.pieces:
            if e == k and e > s:
                return el
        for s, e, el in self.pieces:
            if e == k:
                return el
        raise KeyError(k)


@dataclass
class CommentStyle:
    """How comments are written. `codes`: where the rule code and finding number go —
    "initials" (the comment's initials, out of the text a reviewer reads; the default) or
    "trailing" (a last line of the comment). `track_changes`: a typo's single suggestion is
    also written as a tracked change (修订: w:del + w:ins by 年报审查), accepted in one click."""

    codes: str = "initials"
    track_changes: bool = True


def comment_text(f: dict, style: CommentStyle | None = None) -> list[str]:
    """The comment body, one string per paragraph: message, suggestion, the listed sentences
    of a grouped finding, the reviewer's note, category and severity (and the codes, when
    trailing)."""
    style = style or CommentStyle()
    lines = [f.get("message") or ""]
    if f.get("suggestions"):
        lines.append("建议：" + "；".join(f["suggestions"]))
    sentences = (f.get("evidence") or {}).get("sentences") or []
    if len(sentences) > 1:
        lines.append("其余空泛句：" + "；".join(f"“{_short(s['quote'])}”" for s in sentences[1:]))
    review = f.get("review") or {}
    if review.get("note"):
        lines.append("审查人员备注：" + review["note"])
    kind = (f"{CATEGORY_NAMES.get(f.get('category'), f.get('category'))} · "
            f"{SEVERITY_NAMES.get(f.get('severity'), f.get('severity'))}")
    if review.get("decision") == "accepted":
        kind += " · 已采纳"
    lines.append(f"（{kind}）" + (f" {f.get('rule')} {f.get('id')}" if style.codes == "trailing" else ""))
    return lines


def comment_initials(f: dict, style: CommentStyle | None = None) -> str:
    style = style or CommentStyle()
    return f"{f.get('rule')} {f.get('id')}" if style.codes == "initials" else INITIALS


def _short(s: str, n: int = 30) -> str:
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[:n] + "…"


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Revisions:
    """Tracked changes (w:del/w:ins) numbered apart from the comments' ids."""

    def __init__(self, start: int = 10000):
        self.next_id = start
        import datetime as _dt

        self.date = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _mark(self, tag: str):
        from lxml import etree

        el = etree.Element(_W + tag)
        el.set(_W + "id", str(self.next_id))
        el.set(_W + "author", AUTHOR)
        el.set(_W + "date", self.date)
        self.next_id += 1
        return el

    def replace(self, first, last, new_text: str) -> bool:
        """Mark the runs first…last (siblings, one paragraph) deleted and `new_text` inserted
        after them; False (nothing changed) where the runs are not plain siblings."""
        runs, el = [], first
        while el is not None:
            if el.tag != _W + "r":
                if el.tag.endswith("commentRangeStart") or el.tag.endswith("commentRangeEnd"):
                    el = el.getnext() if el is not last else None
                    continue
                return False
            runs.append(el)
            if el is last:
                break
            el = el.getnext()
        if not runs or runs[-1] is not last or any(c.tag not in (_RPR, _W + "t") for r in runs for c in r):
            return False
        deleted, inserted = self._mark("del"), self._mark("ins")
        runs[0].addprevious(deleted)
        for r in runs:
            for t in r.findall(_W + "t"):
                t.tag = _W + "delText"
            deleted.append(r)
        new = copy.deepcopy(runs[0])
        for c in list(new):
            if c.tag != _RPR:
                new.remove(c)
        from lxml import etree

        t = etree.SubElement(new, _W + "t")
        _set_t(t, new_text)
        inserted.append(new)
        deleted.addnext(inserted)
        return True


def tracked_suggestion(f: dict) -> Optional[str]:
    """The replacement a typo finding proposes, when there is exactly one and the quote is
    what it replaces."""
    sugg = f.get("suggestions") or []
    if f.get("category") != "typo" or len(sugg) != 1 or not f.get("quote") or sugg[0] == f["quote"]:
        return None
    if "\n" in f["quote"] or (f.get("review") or {}).get("decision") == "dismissed":
        return None
    return sugg[0]


def add_comments(document, runs_of: Callable[[int], Sequence[Run]], anchors: list[Anchor],
                 style: CommentStyle | None = None) -> int:
    """Split runs and add one comment per anchor (and, for a typo, its tracked change);
    return the number of comments added."""
    style = style or CommentStyle()
    revisions, changes = _Revisions(), []
    cuts: dict[tuple[int, int], set[int]] = {}
    points: dict[tuple[int, int], set[int]] = {}
    for a in anchors:
        if a.start == a.end:
            points.setdefault(a.start[:2], set()).add(a.start[2])
            cuts.setdefault(a.start[:2], set()).add(a.start[2])
        else:
            cuts.setdefault(a.start[:2], set()).add(a.start[2])
            cuts.setdefault(a.end[:2], set()).add(a.end[2])
    # Resolve every run element before anything is split (indices shift afterwards).
    runs: dict[tuple[int, int], Run] = {}
    cache: dict[int, Sequence[Run]] = {}
    for key in cuts:
        p, r = key
        if p not in cache:
            cache[p] = runs_of(p)
        runs[key] = cache[p][r]
    pieces = {key: _Pieces(runs[key]._r, cuts[key], points.get(key, set())) for key in cuts}
    n = 0
    for a in anchors:
        parent = runs[a.start[:2]]._parent
        if a.start == a.end:
            first = last = pieces[a.start[:2]].points[a.start[2]]
        else:
            first = pieces[a.start[:2]].starting_at(a.start[2])
            last = pieces[a.end[:2]].ending_at(a.end[2])
        body = comment_text(a.finding, style)
        comment = document.add_comment([Run(first, parent), Run(last, parent)], text=body[0],
                                       author=AUTHOR, initials=comment_initials(a.finding, style))
        for line in body[1:]:
            comment.add_paragraph(line)
        n += 1
        new_text = tracked_suggestion(a.finding) if style.track_changes and a.start != a.end else None
        if new_text is not None and first.getparent() is last.getparent():
            changes.append((first, last, new_text))
    # after every comment is placed: a tracked change moves its runs into w:del
    for first, last, new_text in changes:
        revisions.replace(first, last, new_text)
    return n


def _anchor_from_map(doc, f: dict) -> Optional[Anchor]:
    """The source positions of a finding's first and last character (docx source map)."""
    start, end = f["start"], f["end"]
    segs = doc.source_map.segments_between(start, end) if end > start else []

    def pos(seg, offset: int) -> Pos:
        loc = seg.loc
        para = loc.get("para", loc.get("paragraph"))
        if "box" in loc:  # OCR text of a picture: the comment sits at the picture's run
            return (int(para), int(loc.get("run", 0)), 0)
        return (int(para), int(loc.get("run", 0)), seg.offset + (offset - seg.start))

    if segs:
        first, last = segs[0], segs[-1]
        return Anchor(pos(first, max(start, first.start)), pos(last, min(end, last.end)), f)
    # Zero-length finding (or one on separators only): a point where it starts.
    before = doc.source_map.segments_between(0, start)
    if before:
        seg = before[-1]
        return Anchor(pos(seg, min(start, seg.end)), pos(seg, min(start, seg.end)), f)
    after = doc.source_map.segments_between(start, len(doc.text))
    if after:
        seg = after[0]
        return Anchor(pos(seg, seg.start), pos(seg, seg.start), f)
    return None


def _save(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def annotate_docx(data: bytes, doc, findings: list[dict], style: CommentStyle | None = None) -> bytes:
    """The uploaded .docx with a comment on each finding. `doc` is the `Doc` read from
    `data` (its source map); `findings` are contract findings (dicts)."""
    import docx

    from ..ingest.docx_reader import iter_paragraphs, iter_runs

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # the reader accepted it, so this is unexpected, but stay a 4xx
        raise InputError("corrupt", "无法打开该 Word 文件以添加批注。", str(e))
    paragraphs = list(iter_paragraphs(document))
    anchors = [a for a in (_anchor_from_map(doc, f) for f in findings) if a is not None]
    add_comments(document, lambda p: list(iter_runs(paragraphs[p])), anchors, style)
    return _save(document)


def text_to_docx(text: str, findings: list[dict], title: str | None = None, style: CommentStyle | None = None) -> bytes:
    """A .docx of `text` (one paragraph per line) with a comment on each finding."""
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    lines = text.split("\n")
    paragraphs = []
    for line in lines:
        p = document.add_paragraph()
        p.add_run(line)
        paragraphs.append(p)
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1

    import bisect

    def locate(offset: int, end: bool) -> Pos:
        i = bisect.bisect_right(starts, offset) - 1
        if end and offset == starts[i] and i > 0:
            return (i - 1, 0, len(lines[i - 1]))  # an end at a line start ends the line before
        if not end and offset - starts[i] == len(lines[i]) and i + 1 < len(lines):
            return (i + 1, 0, 0)  # a start on the line break starts the next line
        return (i, 0, offset - starts[i])

    anchors = []
    for f in findings:
        s, e = f["start"], f["end"]
        a = locate(s, False)
        b = locate(e, True) if e > s else a
        anchors.append(Anchor(a, max(a, b), f))  # a quote of line breaks only: a point
    add_comments(document, lambda p: paragraphs[p].runs, anchors, style)
    return _save(document)


def annotated_docx_for(data: bytes | None, result: dict, *, reader_options: dict | None = None,
                       style: CommentStyle | None = None) -> bytes:
    """Annotated .docx for a stored review: the reviewer's own document when the upload
    was a .docx (re-read for its source map), else a generated document of the text.
    `result["findings"]` are the findings to write (decisions already applied)."""
    findings = result.get("findings") or []
    fmt = (result.get("source") or {}).get("format")
    if fmt == "docx" and data is not None:
        from ..ingest import load_bytes

        doc = load_bytes(data, (result.get("source") or {}).get("filename"), **(reader_options or {}))
        if doc.text == result.get("text"):
            return annotate_docx(data, doc, findings, style)
    return text_to_docx(result.get("text") or "", findings, (result.get("report") or {}).get("title"), style)
