"""Ingestion: any supported file → `Doc` (text + source map). Format by content, not name."""
from __future__ import annotations

import os
from pathlib import Path

from ..doc import Doc
from ..errors import InputError
from .blocks import RawDocument
from .builder import build_doc
from .limits import check_lines

FORMATS = ("txt", "docx", "pdf", "html", "md")
# File names a folder scan takes for reports, and the help lists (reading itself sniffs the
# content: .doc/.wps/.odt go through LibreOffice, .htm is HTML, .markdown is Markdown).
SUFFIXES = (".txt", ".docx", ".doc", ".wps", ".odt", ".pdf", ".html", ".htm", ".md", ".markdown")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 600_000  # real reports are 3k–60k characters


def sniff_format(data: bytes, filename: str | None = None) -> str:
    """Decide the format from the bytes; the file name only separates .md from .txt."""
    head = data[:2048]
    if head.startswith(b"%PDF"):
        return "pdf"
    from .convert import OLE_MAGIC, is_odt, ole_kind
    if is_odt(head):
        return "odt"  # converted to .docx by LibreOffice (convert.py)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "docx"  # verified as a Word document by the docx reader
    if head.startswith(OLE_MAGIC):
        return ole_kind(data)  # "doc" (.doc/.wps, converted by LibreOffice) or refused
    for magic, name in ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
                        (b"\x1f\x8b", "gzip"), (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7z"),
                        (b"{\\rtf", "RTF")):
        if head.startswith(magic):
            raise InputError("unsupported", f"不支持的文件类型（{name}）。请提交 .docx、PDF、HTML、Markdown 或文本文件。")
    from .images import is_mhtml
    if is_mhtml(head):
        return "mhtml"  # a saved page with its pictures (read as html)
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head.lower() \
            or (probe.startswith(b"<") and b"</" in head):
        return "html"
    if filename and os.path.splitext(filename)[1].lower() in (".md", ".markdown"):
        return "md"
    return "txt"


def read_raw(data: bytes, fmt: str, *, max_pdf_pages: int = 200, pdf_timeout_s: float = 60.0) -> RawDocument:
    """The format's reader, with pictures and text-less PDF pages read by OCR (images.py)."""
    from .images import attach_meta, ocr_session

    with ocr_session() as session:
        return attach_meta(_read_raw(data, fmt, max_pdf_pages=max_pdf_pages, pdf_timeout_s=pdf_timeout_s), session)


def _read_raw(data: bytes, fmt: str, *, max_pdf_pages: int, pdf_timeout_s: float) -> RawDocument:
    if fmt == "txt":
        from .text_reader import read_text
        return read_text(data)
    if fmt == "md":
        from .text_reader import read_markdown
        return read_markdown(data)
    if fmt in ("doc", "odt"):
        from .convert import to_docx
        from .docx_reader import read_docx
        raw = read_docx(to_docx(data, fmt, timeout_s=pdf_timeout_s))
        raw.meta["converted_from"] = fmt
        return raw
    if fmt == "docx":
        from .docx_reader import read_docx
        try:
            return read_docx(data)
        except InputError as e:  # a safe zip that is no Word file: a saved web page with its files?
            from .html_reader import read_html
            from .images import html_zip
            if e.code != "not_docx" or (raw := html_zip(data, read_html)) is None:
                raise
            return raw
    if fmt == "pdf":
        from .images import ocr_pdf
        from .pdf_reader import read_pdf
        try:
            raw = read_pdf(data, max_pages=max_pdf_pages, timeout_s=pdf_timeout_s)
        except InputError as e:  # no usable text layer: every page by OCR
            if e.code not in ("scanned", "no_unicode"):
                raise
            return ocr_pdf(data, None, e, max_pages=max_pdf_pages)
        return ocr_pdf(data, raw, max_pages=max_pdf_pages)  # image-only pages of a textual PDF
    if fmt == "html":
        from .html_reader import read_html
        return read_html(data)
    if fmt == "mhtml":
        from .html_reader import read_html
        from .images import read_mhtml
        return read_mhtml(data, read_html)
    raise InputError("unsupported", f"不支持的格式：{fmt}")


def load_bytes(data: bytes, filename: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
               **reader_options) -> Doc:
    """Read a file's bytes into a `Doc` (text and source map only; no structure yet)."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise InputError("empty", "文件为空，没有可审查的内容。")
    if len(data) > max_bytes:
        raise InputError("too_large",
                         f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {max_bytes / 1048576:.0f} MB。")
    fmt = sniff_format(data, filename)
    raw = read_raw(data, fmt, **reader_options)
    doc = build_doc(raw, filename, data)
    if not doc.text.strip():
        raise InputError("no_text", "文件中没有可读取的文字内容。")
    if len(doc.text) > MAX_TEXT_CHARS:
        raise InputError("too_long", f"文本过长（{len(doc.text)} 字），超过单份年报的合理长度上限 {MAX_TEXT_CHARS} 字。")
    check_lines(sum(1 for line in doc.text.split("\n") if line.strip()))
    return doc


def load_path(path: str | os.PathLike, **options) -> Doc:
    p = Path(path)
    if not p.exists():
        raise InputError("not_found", f"文件不存在：{p}")
    if p.is_dir():  # a saved web page: the .html and its files
        return load_folder(p, **options)
    max_bytes = options.get("max_bytes", DEFAULT_MAX_BYTES)
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError("too_large", f"文件过大（{size / 1048576:.1f} MB），上限为 {max_bytes / 1048576:.0f} MB。")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError("unreadable", f"无法读取文件：{p}", str(e))
    return load_bytes(data, p.name, **options)


def load_folder(folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, **_options) -> Doc:
    """A web page saved as a folder (page + its pictures, read by OCR)."""
    from .html_reader import read_html
    from .images import attach_meta, ocr_session, read_html_folder

    with ocr_session() as session:
        raw = attach_meta(read_html_folder(folder, max_bytes, read_html), session)
    page = raw.meta.get("page", "")
    doc = build_doc(raw, folder.name, (folder / page).read_bytes() if page else b"")
    if not doc.text.strip():
        raise InputError("no_text", "网页中没有可读取的文字内容。")
    return doc
