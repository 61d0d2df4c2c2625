"""Pictures in every format → OCR blocks (`ocr.read_image`), where they sit in the document.

- **.docx**: the pictures of each paragraph (DrawingML ``a:blip r:embed`` and VML
  ``v:imagedata r:id``, the compatibility fallback copy skipped), read right after the
  paragraph that anchors them. loc: ``{"image": "/word/media/image1.png", "para": i, "run": r,
  "box": […], "conf": […]}`` — i, r are the paragraph and run holding the picture in the
  reader's numbering (`docx_reader.iter_paragraphs` / `iter_runs`).
- **HTML**: ``<img>`` whose file is supplied with the page — a saved-page folder
  (``nlp-review check 页面文件夹/``), a .zip of it, or an .mhtml file — or is inline
  (``data:`` URI). Nothing is ever fetched from the network: an image the upload does not
  contain is counted in ``meta["ocr"]["missing_images"]`` and the text report says so.
  loc: ``{"image": "index_files/table3.png", "node": "/html/body/…/img", "box": …, "conf": …}``.
- **PDF**: pages without a text layer (a scanned PDF, or image-only pages of a textual one)
  are rendered with pdfium at the resolution of their pictures (150–300 dpi) and read whole.
  loc: ``{"page": p, "box": […] (pixels of the page rendered at ``dpi``), "dpi": d, "conf": […]}``.

`OcrSession` applies the limits of one document (pages/pictures, seconds) and collects
what is reported in ``RawDocument.meta["ocr"]`` → ``Doc.source["ocr"]``.
"""
from __future__ import annotations

import base64
import contextlib
import contextvars
import email
import email.policy
import io
import posixpath
import re
import time
import zipfile
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import unquote, urljoin, urlsplit

from ..errors import InputError
from .blocks import Paragraph, RawDocument, TableBlock
from .ocr import Deadline, Limits, PageUnreadable, decode_image, read_image, worth_reading

MAX_BUNDLE_FILES = 500


class OcrSession:
    """Limits and statistics of the OCR of one document."""

    def __init__(self, limits: Optional[Limits] = None, resources: Optional["Resources"] = None):
        self.limits = limits or Limits.from_env()
        self.resources = resources  # files supplied with a web page
        self.total = Deadline(self.limits.timeout_s, "文档")
        self.items = 0
        self.stats = {"items": 0, "tables": 0, "chars": 0, "conf_sum": 0.0, "low_confidence_chars": 0,
                      "seconds": 0.0}
        self.errors: list[dict] = []
        self.missing_images = 0
        self.skipped_over_limit = 0

    def read(self, what: str, load: Callable, base_loc: dict, page_margins: bool = False) -> list:
        """OCR blocks of one page or picture; [] (and an error noted) when it cannot be read."""
        if self.items >= self.limits.max_pages:
            self.skipped_over_limit += 1
            return []
        try:
            self.total.check()
        except PageUnreadable:
            self.skipped_over_limit += 1
            return []
        self.items += 1
        try:
            bgr = load()
            if bgr is None or not worth_reading(bgr):
                return []
            remaining = max(1.0, self.total.end - time.monotonic())
            res = read_image(bgr, base_loc, Deadline(min(self.limits.page_timeout_s, remaining), what),
                             page_margins=page_margins)
        except PageUnreadable as e:
            self.errors.append({"where": what, "message": e.message, "detail": e.detail})
            return []
        s = self.stats
        s["items"] += 1
        s["tables"] += res.tables
        s["chars"] += res.chars
        s["conf_sum"] += res.conf_sum
        s["low_confidence_chars"] += res.low_chars
        s["seconds"] += res.seconds
        return res.blocks

    def meta(self) -> dict:
        s = self.stats
        out = {"items": s["items"], "tables": s["tables"], "chars": s["chars"],
               "mean_confidence": round(s["conf_sum"] / s["chars"], 3) if s["chars"] else None,
               "low_confidence_chars": s["low_confidence_chars"], "seconds": round(s["seconds"], 1)}
        if self.errors:
            out["errors"] = [{"where": e["where"], "message": e["message"]} for e in self.errors]
        if self.missing_images:
            out["missing_images"] = self.missing_images
        if self.skipped_over_limit:
            out["not_read_over_limit"] = self.skipped_over_limit
            out.setdefault("errors", []).append({
                "where": "文档", "message": f"图片/扫描页超过识别上限（{self.limits.max_pages} 页或 "
                                          f"{self.limits.timeout_s:g} 秒），其余 {self.skipped_over_limit} 页/张未识别。"})
        return out

    def touched(self) -> bool:
        return bool(self.items or self.missing_images or self.errors)


_SESSION: contextvars.ContextVar[Optional[OcrSession]] = contextvars.ContextVar("ocr_session", default=None)


@contextlib.contextmanager
def ocr_session(resources: Optional["Resources"] = None):
    """The OCR session of the document being read (`ingest.read_raw` opens one per file)."""
    session = OcrSession(resources=resources)
    token = _SESSION.set(session)
    try:
        yield session
    finally:
        _SESSION.reset(token)


def current_session() -> OcrSession:
    session = _SESSION.get()
    if session is None:  # a reader called on its own: limits apply, statistics are not kept
        session = OcrSession()
        _SESSION.set(session)
    return session


def attach_meta(raw: RawDocument, session: Optional[OcrSession]) -> RawDocument:
    if session is not None and session.touched():
        raw.meta["ocr"] = session.meta()
    return raw


# --- .docx ---------------------------------------------------------------------------------

_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TXBX = f"{{{_W}}}txbxContent"
_RUN = f"{{{_W}}}r"


def _picture_refs(p) -> list[tuple[object, str]]:
    """(w:r element, relationship id) of the pictures anchored in paragraph p, in order."""
    refs = []
    for el in p.iter(_A_BLIP, _V_IMAGEDATA):
        anc, skip, run = el.getparent(), False, None
        while anc is not None and anc is not p:
            if anc.tag in (_FALLBACK, _TXBX):
                skip = True  # a duplicate for old readers, or a text box's own paragraph
                break
            if anc.tag == _RUN and run is None:
                run = anc
            anc = anc.getparent()
        rid = el.get(f"{{{_R}}}embed") or el.get(f"{{{_R}}}id")
        if not skip and rid:
            refs.append((run, rid))
    return refs


def docx_paragraph_pictures(document, p, para_index: int, runs_of: Callable) -> list:
    """OCR blocks of the pictures in docx paragraph `p` (hook of docx_reader._Reader);
    `runs_of(p)` yields its w:r elements in the reader's run numbering."""
    refs = _picture_refs(p)
    if not refs:
        return []
    session = current_session()
    runs = list(runs_of(p))
    part = document.part
    blocks: list = []
    for run, rid in refs:
        try:
            image_part = part.related_parts[rid]
            blob, name = image_part.blob, str(image_part.partname)
        except (KeyError, AttributeError):
            continue  # a linked (external) picture: nothing to read, nothing fetched
        r = next((k for k, el in enumerate(runs) if el is run), 0)
        base = {"image": name, "para": para_index, "run": r}
        blocks.extend(session.read(f"Word 第{para_index + 1}段的图片", lambda b=blob, n=name: _decode(b, n, session),
                                   base))
    return blocks


def _decode(data: bytes, name: str, session: OcrSession):
    if name.lower().endswith((".emf", ".wmf", ".svg")):
        return None  # vector drawings (logos, lines): not pictures of text tables
    return decode_image(data, session.limits, "图片")


# --- HTML ----------------------------------------------------------------------------------


class Resources:
    """The files supplied with a web page, looked up by the `src` the page uses."""

    def __init__(self, files: dict[str, bytes], base: str = ""):
        self.files = files  # key: normalised path or absolute URL
        self.base = base  # where the page itself is (folder path or URL)

    def get(self, src: str) -> Optional[bytes]:
        src = (src or "").strip()
        if src.startswith("data:"):
            return _data_uri(src)
        if not src:
            return None
        candidates = [src, unquote(src), urljoin(self.base, src), urljoin(self.base, unquote(src))]
        parts = urlsplit(src)
        if not parts.scheme and not parts.netloc:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(self.base), unquote(parts.path)))
            candidates += [path, path.lstrip("/")]
        if src.startswith("cid:"):
            candidates.append("<" + src[4:] + ">")
        for c in candidates:
            if c in self.files:
                return self.files[c]
        return None


def _data_uri(src: str) -> Optional[bytes]:
    m = re.match(r"data:image/[\w.+-]+;base64,(.*)$", src, re.S)
    if not m:
        return None
    try:
        return base64.b64decode(re.sub(r"\s+", "", m.group(1)), validate=False)
    except ValueError:
        return None


def html_image_blocks(walker, el) -> list:
    """OCR blocks of an `<img>` (hook of html_reader._Walker.walk)."""
    session = current_session()
    src = el.get("src") or el.get("data-src") or ""
    resources = session.resources or Resources({})
    data = resources.get(src)
    if data is None:
        if src and not src.startswith("data:") and not _decoration(el, src):
            session.missing_images += 1
        return []
    name = src if not src.startswith("data:") else "data:"
    base = {"image": name[:300], "node": walker._path(el)}
    return session.read("网页中的图片", lambda: decode_image(data, session.limits, "图片"), base)


_DECORATION = re.compile(r"icon|logo|btn|button|share|print|qrcode|erweima|ewm|arrow|dot|spacer|blank", re.I)


def _decoration(el, src: str) -> bool:
    """Icons, buttons and logos of the page: not worth telling the reviewer they are missing."""
    def px(v):
        m = re.match(r"\s*(\d+)", v or "")
        return int(m.group(1)) if m else None

    w, h = px(el.get("width")), px(el.get("height"))
    return (w is not None and w < 100) or (h is not None and h < 60) or bool(_DECORATION.search(src)) \
        or src.lower().split("?")[0].endswith((".gif", ".svg", ".ico"))


def read_html_bundle(page: bytes, resources: Resources, read_html: Callable) -> RawDocument:
    """`read_html(page)` with the bundle's files available to the `<img>` hook."""
    current_session().resources = resources
    return read_html(page)


def _main_page(names: list[str]) -> Optional[str]:
    pages = [n for n in names if n.lower().endswith((".html", ".htm", ".shtml", ".xhtml"))]
    if not pages:
        return None
    # The saved page sits at the top of the bundle; its resources are in a subfolder.
    return min(pages, key=lambda n: (n.count("/"), not n.lower().startswith("index"), n))


def read_html_folder(folder: Path, max_bytes: int, read_html: Callable) -> RawDocument:
    files, total = {}, 0
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        if len(files) >= MAX_BUNDLE_FILES:
            raise InputError("too_large", f"文件夹内文件过多（超过 {MAX_BUNDLE_FILES} 个），不像一个保存的网页。")
        total += p.stat().st_size
        if total > max_bytes:
            raise InputError("too_large", f"文件夹过大（超过 {max_bytes / 1048576:.0f} MB）。")
        files[p.relative_to(folder).as_posix()] = p.read_bytes()
    page = _main_page(list(files))
    if page is None:
        raise InputError("unsupported", f"文件夹中没有网页文件（.html/.htm）：{folder}")
    raw = read_html_bundle(files[page], Resources(files, base=page), read_html)
    raw.meta["page"] = page
    return raw


def html_zip(data: bytes, read_html: Callable) -> Optional[RawDocument]:
    """A .zip holding a saved page and its files (already checked safe by docx_reader.check_zip)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = [i.filename for i in zf.infolist() if not i.is_dir()]
    page = _main_page(names)
    if page is None:
        return None
    files = {n: zf.read(n) for n in names[:MAX_BUNDLE_FILES]}
    return read_html_bundle(files[page], Resources(files, base=page), read_html)


def is_mhtml(head: bytes) -> bool:
    low = head[:4096].lower()
    return b"multipart/related" in low and bool(re.match(
        rb"\s*(from|mime-version|content-type|subject|date|snapshot-content-location)\s*:", low))


def read_mhtml(data: bytes, read_html: Callable) -> RawDocument:
    """An MHTML page: the first text/html part is the page, the other parts its files."""
    try:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
    except Exception as e:
        raise InputError("corrupt", "MHTML 网页文件无法解析。", str(e))
    page, base, files = None, "", {}
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        loc = (part.get("Content-Location") or "").strip()
        cid = (part.get("Content-ID") or "").strip()
        if page is None and part.get_content_type() == "text/html":
            charset = part.get_content_charset()
            if charset and b"charset" not in payload[:2048].lower():
                payload = payload.decode(charset, "replace").encode("utf-8")
            page, base = payload, loc
            continue
        if len(files) < MAX_BUNDLE_FILES:
            if loc:
                files[loc] = payload
            if cid:
                files[cid] = payload
    if page is None:
        raise InputError("corrupt", "MHTML 文件中没有网页正文。")
    return read_html_bundle(page, Resources(files, base=base), read_html)


# --- PDF -----------------------------------------------------------------------------------

PDF_MIN_DPI, PDF_MAX_DPI, PDF_DEFAULT_DPI = 150, 300, 200


def _blocks_pages(blocks: list) -> set[int]:
    pages = set()
    for b in blocks:
        if isinstance(b, TableBlock):
            if "page" in b.loc:
                pages.add(b.loc["page"])
            for row in b.rows:
                for cell in row:
                    for para in cell.paragraphs:
                        pages.update(p.loc.get("page") for p in para.pieces)
        elif isinstance(b, Paragraph):
            pages.update(p.loc.get("page") for p in b.pieces)
    pages.discard(None)
    return pages


def _page_of(block) -> Optional[int]:
    if isinstance(block, TableBlock):
        return block.loc.get("page")
    return next((p.loc.get("page") for p in block.pieces if "page" in p.loc), None)


def _image_dpi(page) -> Optional[float]:
    """The resolution of the largest picture on a pdfium page, or None without pictures."""
    import pypdfium2.raw as pdfium_c

    best, dpi = 0.0, None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        try:
            left, bottom, right, top = obj.get_bounds()
            w_px, _h_px = obj.get_px_size()
        except Exception:
            continue
        area = (right - left) * (top - bottom)
        if area > best and right > left:
            best, dpi = area, w_px / ((right - left) / 72.0)
    return dpi


def ocr_pdf(data: bytes, raw: Optional[RawDocument], cause: Optional[InputError] = None,
            max_pages: int = 200) -> RawDocument:
    """Add the OCR of the PDF's pages without text to `raw` (None: the reader found no usable
    text at all, `cause` says why — every page is read by OCR)."""
    import pypdfium2 as pdfium

    have = _blocks_pages(raw.blocks) if raw is not None else set()
    n_pages = (raw.meta.get("pages") if raw is not None else None)
    if raw is not None and n_pages and len(have) >= n_pages:
        return raw  # every page has text: nothing to do, the PDF is not opened again
    from .pdf_reader import _PDFIUM_LOCK

    try:
        with _PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(data)
    except Exception as e:
        if cause is not None:
            raise cause
        raise InputError("corrupt", "PDF 文件已损坏，无法读取。", str(e))
    session = current_session()
    try:
        n_pages = len(pdf)
        if n_pages > max_pages:
            raise InputError("too_many_pages", f"PDF 共 {n_pages} 页，超过上限 {max_pages} 页，不像单份年度报告。")
        by_page: dict[int, list] = {}
        for p_no in range(1, n_pages + 1):
            if p_no in have:
                continue
            with _PDFIUM_LOCK:
                page = pdf[p_no - 1]
                dpi = _image_dpi(page)
                w_pt, h_pt = page.get_size()
            if dpi is None and raw is not None:
                continue  # a blank page of a textual PDF
            dpi = min(PDF_MAX_DPI, max(PDF_MIN_DPI, dpi or PDF_DEFAULT_DPI))
            scale = dpi / 72.0
            if w_pt * h_pt * scale * scale > session.limits.max_pixels:
                scale = (session.limits.max_pixels / (w_pt * h_pt)) ** 0.5
                dpi = scale * 72

            def render(page=page, scale=scale):
                from .ocr import pil_to_bgr

                with _PDFIUM_LOCK:
                    image = page.render(scale=scale, grayscale=True).to_pil()
                return pil_to_bgr(image)

            by_page[p_no] = session.read(f"PDF 第{p_no}页", render, {"page": p_no, "dpi": round(dpi)},
                                         page_margins=True)
    finally:
        with _PDFIUM_LOCK:
            pdf.close()
    _join_split_tables(by_page)
    if raw is None:
        blocks = [b for p in sorted(by_page) for b in by_page[p]]
        if not blocks:
            if session.errors:
                raise InputError("ocr_failed", "扫描件 PDF 的页面无法识别：" + session.errors[0]["message"],
                                 session.errors[0]["detail"])
            raise InputError("scanned", "PDF 无文字层（扫描件），图片文字识别（OCR）也未识别出文字。"
                             "请提供可复制文字的 PDF 或更清晰的扫描件。", cause.detail if cause else "")
        raw = RawDocument(format="pdf", blocks=blocks, meta={"pages": n_pages})
    elif by_page:
        # Insert each OCR page before the first block of a later page.
        merged, pending = [], sorted(by_page)
        for b in raw.blocks:
            p = _page_of(b)
            while pending and p is not None and pending[0] < p:
                merged.extend(by_page[pending.pop(0)])
            merged.append(b)
        for p in pending:
            merged.extend(by_page[p])
        raw.blocks = merged
    return attach_meta(raw, session)


_NUMERIC = re.compile(r"^[-+−]?[\d,.]+$")


def _join_split_tables(by_page: dict[int, list]) -> None:
    """A table that runs over a page break: the continuation at the top of the next page is
    appended to the table at the bottom of the page before (same columns), and a row cut by
    the page break (its first row holds label text only where the row above has numbers in
    none of those columns) is put back together."""
    prev, prev_page = None, None  # the last block so far (a table may run over several pages)
    for p in sorted(by_page):
        blocks = by_page[p]
        cont = blocks[0] if blocks else None
        if (prev_page == p - 1 and isinstance(prev, TableBlock) and isinstance(cont, TableBlock) and prev.rows
                and cont.rows and len(prev.rows[-1]) == len(cont.rows[0])):
            _append_rows(prev, cont.rows)
            blocks = by_page[p] = blocks[1:]
        if blocks:
            prev = blocks[-1]
        prev_page = p


def _append_rows(prev: TableBlock, rows: list) -> None:
    last, first = prev.rows[-1], rows[0]
    numeric_cols = {c for c, cell in enumerate(last) if _NUMERIC.match(cell.text.strip() or "x")}
    texts = [c for c, cell in enumerate(first) if cell.text.strip()]
    if numeric_cols and texts and not (set(texts) & numeric_cols):
        for c in texts:
            r = len(prev.rows) - 1
            while r > 0 and prev.rows[r][c].merged:
                r -= 1
            prev.rows[r][c].paragraphs.extend(first[c].paragraphs)
        rows = rows[1:]
    prev.rows.extend(rows)
