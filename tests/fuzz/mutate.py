"""Mutation families: each turns a real rendered report (bytes of one format) into a hostile
variant. `FAMILIES[name] = (formats, fn)`; fn(rng, data, fmt, seed_text) returns bytes.

The families are those of the reliability issue (#11): truncations, byte flips, spliced
ranges, broken zip entries and content types, broken XML, span bombs, deep nesting, huge
paragraphs, very many blocks, odd encodings and charset declarations, broken PDF structure,
one format dressed as another, Unicode noise.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
import zlib

ALL = ("txt", "docx", "pdf", "html", "md")

# --- helpers ---------------------------------------------------------------------------------


def _prose(seed_text: str) -> str:
    """The seed's narrative lines joined: real report wording with punctuation."""
    return "".join(ln.strip() for ln in seed_text.splitlines() if len(ln.strip()) > 30 and "\t" not in ln)


def _sized(text: str, n: int) -> str:
    return (text * (n // max(1, len(text)) + 1))[:n]


def _insert_after_heading(seed_text: str, para: str) -> str:
    lines = seed_text.split("\n")
    i = next((k for k, ln in enumerate(lines) if "总体情况" in ln), 0)
    return "\n".join(lines[:i + 1] + [para] + lines[i + 1:])


def _zip_items(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    return [(i, zf.read(i)) for i in zf.infolist()]


def _rezip(items, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for info, blob in items:
            name = info.filename if isinstance(info, zipfile.ZipInfo) else info
            zf.writestr(name, blob)
    return buf.getvalue()


def _replace_part(data: bytes, name: str, fn) -> bytes:
    return _rezip([(i, fn(b) if i.filename == name else b) for i, b in _zip_items(data)])


def _doc_xml(data: bytes, fn) -> bytes:
    return _replace_part(data, "word/document.xml", lambda b: fn(b.decode("utf-8")).encode("utf-8"))


def _records(data: bytes, sig: bytes):
    pos = 0
    while True:
        i = data.find(sig, pos)
        if i < 0:
            return
        yield i
        pos = i + 4


W_P = '<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>'


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _docx_with_body_xml(base: bytes, extra_xml: str, where: str = "start") -> bytes:
    def edit(xml: str) -> str:
        i = xml.index("<w:body>") + len("<w:body>")
        if where == "start":
            return xml[:i] + extra_xml + xml[i:]
        j = xml.rindex("<w:sectPr") if "<w:sectPr" in xml else xml.rindex("</w:body>")
        return xml[:j] + extra_xml + xml[j:]
    return _doc_xml(base, edit)


def _html_insert(data: bytes, fragment: str) -> bytes:
    text = data.decode("utf-8")
    i = text.find('<div class="TRS_Editor">')
    i = i + len('<div class="TRS_Editor">') if i >= 0 else text.find("<body>") + 6
    return (text[:i] + fragment + text[i:]).encode("utf-8")


# --- generic byte mutations -------------------------------------------------------------------


def truncate(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    how = rng.choice(["fraction", "tiny", "near_end", "mid_utf8"])
    if how == "tiny":
        return data[:rng.randint(1, 64)]
    if how == "near_end":
        return data[:len(data) - rng.randint(1, min(200, len(data) - 1))]
    if how == "mid_utf8":  # inside a multi-byte character
        starts = [m.start() + 1 for m in re.finditer(rb"[\xe4-\xe9]", data[:len(data) // 2 + 5000])]
        if starts:
            return data[:rng.choice(starts)]
    return data[:int(len(data) * rng.uniform(0.05, 0.98))]


def byte_flip(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 2, 5, 10, 50, 200])):
        k = rng.randrange(len(out))
        out[k] = rng.randrange(256) if rng.random() < 0.7 else out[k] ^ (1 << rng.randrange(8))
    return bytes(out)


def splice(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, max(2, len(data) // 10)))
    how = rng.choice(["delete", "duplicate", "random", "zeros"])
    if how == "delete":
        return data[:a] + data[b:]
    if how == "duplicate":
        return data[:b] + data[a:b] * rng.randint(2, 20) + data[b:]
    if how == "zeros":
        return data[:a] + b"\0" * (b - a) + data[b:]
    return data[:a] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4096))) + data[a:]


def format_confusion(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    how = rng.choice(["pdf_magic", "zip_magic", "ole_magic", "html_prefix", "png_magic", "gzip_of_file",
                      "xml_prefix", "rtf_magic"])
    if how == "pdf_magic":
        return b"%PDF-1.7\n" + data
    if how == "zip_magic":
        return b"PK\x03\x04" + data
    if how == "ole_magic":
        return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + data
    if how == "html_prefix":
        return b"<html><body>" + data
    if how == "png_magic":
        return b"\x89PNG\r\n\x1a\n" + data
    if how == "gzip_of_file":
        return b"\x1f\x8b" + zlib.compress(data)
    if how == "rtf_magic":
        return b"{\\rtf1 " + data
    return b'<?xml version="1.0" encoding="UTF-8"?>' + data


# --- .docx ------------------------------------------------------------------------------------


def zip_entry(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    items = _zip_items(data)
    names = [i.filename for i, _ in items]
    how = rng.choice(["drop", "drop_document", "corrupt_data", "cd_name", "local_name", "duplicate", "crc",
                      "method", "version", "many_entries", "ratio_bomb", "huge_xml", "encrypted_flag",
                      "cd_offset", "empty_document"])
    if how == "drop":
        victim = rng.choice(names)
        return _rezip([(i, b) for i, b in items if i.filename != victim])
    if how == "drop_document":
        return _rezip([(i, b) for i, b in items if i.filename != "word/document.xml"])
    if how == "empty_document":
        return _replace_part(data, "word/document.xml", lambda b: b"")
    if how == "many_entries":
        return _rezip(items + [(f"word/media/x{k}.bin", b"x") for k in range(rng.choice([1990, 2500]))],
                      zipfile.ZIP_STORED)
    if how == "ratio_bomb":
        return _rezip(items + [("word/media/big.bin", b"\0" * (16 << 20))])
    if how == "huge_xml":  # a big but honest document.xml: many paragraphs of real text
        para = W_P.format(_xml_escape(_sized(_prose(seed_text), 200)))
        return _docx_with_body_xml(data, para * rng.choice([20000, 60000]), "end")
    if how == "duplicate":
        name = rng.choice(names)
        return _rezip(items + [(name, b"<broken")])
    out = bytearray(data)
    cds = list(_records(data, b"PK\x01\x02"))
    locs = list(_records(data, b"PK\x03\x04"))
    if how == "corrupt_data" and locs:
        i = rng.choice(locs)
        n, m = int.from_bytes(data[i + 26:i + 28], "little"), int.from_bytes(data[i + 28:i + 30], "little")
        size = int.from_bytes(data[i + 18:i + 22], "little")
        start = i + 30 + n + m
        for _ in range(rng.randint(1, 8)):
            k = start + rng.randrange(max(1, size))
            if k < len(out):
                out[k] = rng.randrange(256)
    elif how == "cd_name" and cds:
        i = rng.choice(cds)
        n = int.from_bytes(data[i + 28:i + 30], "little")
        k = i + 46 + rng.randrange(max(1, n))
        out[k] = rng.choice(b"/\\.\x00\xffA")
    elif how == "local_name" and locs:
        i = rng.choice(locs)
        n = int.from_bytes(data[i + 26:i + 28], "little")
        out[i + 30 + rng.randrange(max(1, n))] = rng.choice(b"/\\.\x00\xffA")
    elif how == "crc" and cds:
        i = rng.choice(cds)
        out[i + 16:i + 20] = rng.randbytes(4)
    elif how == "method" and cds:
        i = rng.choice(cds)
        out[i + 10:i + 12] = rng.choice([99, 14, 12, 1]).to_bytes(2, "little")
    elif how == "version" and cds:
        i = rng.choice(cds)
        out[i + 6:i + 8] = rng.choice([99, 63, 255]).to_bytes(2, "little")
    elif how == "encrypted_flag" and cds:
        i = rng.choice(cds)
        out[i + 8] |= 1
    elif how == "cd_offset":
        e = data.rfind(b"PK\x05\x06")
        if e >= 0:
            out[e + 16:e + 20] = rng.randbytes(4)
    return bytes(out)


_CT_MAIN = ("application/vnd.ms-word.document.macroEnabled.main+xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
            "application/xml", "text/plain", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            "x/" + "y" * 500)


def content_types(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    how = rng.choice(["drop", "garbage", "main_type", "empty", "no_overrides", "doctype"])
    if how == "drop":
        return _rezip([(i, b) for i, b in _zip_items(data) if i.filename != "[Content_Types].xml"])

    def edit(b: bytes) -> bytes:
        s = b.decode("utf-8")
        if how == "garbage":
            return rng.randbytes(rng.randint(1, 300))
        if how == "empty":
            return b""
        if how == "no_overrides":
            return re.sub(r"<Override [^>]*/>", "", s).encode()
        if how == "doctype":
            return s.replace("<Types", '<!DOCTYPE Types [<!ENTITY x "xxxxxxxxxx">]><Types', 1).encode()
        return re.sub(r'(PartName="/word/document.xml" ContentType=")[^"]*', r"\g<1>" + rng.choice(_CT_MAIN), s).encode()
    return _replace_part(data, "[Content_Types].xml", edit)


def _laughs(levels: int = 9) -> str:
    ents = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{k} "{("&l%d;" % (k - 1)) * 10}">' for k in range(1, levels + 1)]
    return "<!DOCTYPE w:document [" + "".join(ents) + "]>"


def xml_break(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    if fmt == "html":
        text = data.decode("utf-8")
        how = rng.choice(["drop_lt", "drop_gt", "unclosed", "cdata", "comment_open", "entity_soup", "nul"])
        if how == "drop_lt":
            return re.sub("<", "", text, count=rng.randint(1, 200)).encode()
        if how == "drop_gt":
            return re.sub(">", "", text, count=rng.randint(1, 200)).encode()
        if how == "unclosed":
            return text.replace("</p>", "").replace("</td>", "").replace("</tr>", "").encode()
        if how == "cdata":
            return _html_insert(data, "<![CDATA[" + "x" * 1000)
        if how == "comment_open":
            return _html_insert(data, "<!-- never closed ")
        if how == "nul":
            return text.replace("。", "。\0", 50).encode()
        return _html_insert(data, "&#99999999;&#xFFFFFFFF;&#0;&bogus;&#xD800;" * 200)
    how = rng.choice(["drop_lt", "truncate_xml", "laughs", "bad_char", "no_namespace", "swap_tags", "doctype_ext"])

    def edit(xml: str) -> str:
        if how == "drop_lt":
            k = rng.randrange(len(xml))
            j = xml.find("<", k)
            return xml[:j] + xml[j + 1:] if j > 0 else xml
        if how == "truncate_xml":
            return xml[:rng.randrange(len(xml))]
        if how == "laughs":
            return xml.replace("<w:document", _laughs() + "<w:document", 1).replace(
                "<w:body>", "<w:body>" + W_P.format("&l9;"), 1)
        if how == "bad_char":
            return xml.replace("</w:t>", "\x01\x02</w:t>", 3)
        if how == "no_namespace":
            return re.sub(r'xmlns:w="[^"]*"', "", xml, count=1)
        if how == "doctype_ext":
            return xml.replace("<w:document", '<!DOCTYPE w:document SYSTEM "file:///etc/passwd"><w:document', 1)
        return xml.replace("<w:tr>", "<w:tc>").replace("</w:tr>", "</w:tc>")
    return _doc_xml(data, edit)


_SPAN_VALUES = ("99999999", "2147483647", "-5", "0", "abc", "1e9", "64", "1000", "99999999999999999999")


def span_bomb(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    v = rng.choice(_SPAN_VALUES)
    if fmt == "docx":
        kind = rng.choice(["gridBefore", "gridAfter", "gridSpan", "all", "vMerge", "hMerge"])

        def edit(xml: str) -> str:
            if kind in ("gridBefore", "gridAfter", "all"):
                props = "".join(f'<w:{k} w:val="{v}"/>' for k in ("gridBefore", "gridAfter")
                                if kind in (k, "all"))
                xml = re.sub(r"<w:tr( [^>]*)?>", lambda m: m.group(0) + f"<w:trPr>{props}</w:trPr>", xml)
            if kind in ("gridSpan", "all"):
                xml = re.sub(r"<w:tc>", f'<w:tc><w:tcPr><w:gridSpan w:val="{v}"/></w:tcPr>', xml)
            if kind in ("vMerge", "hMerge"):
                xml = re.sub(r"<w:tc>", f"<w:tc><w:tcPr><w:{kind}/></w:tcPr>", xml)
            return xml
        return _doc_xml(data, edit)
    if fmt == "html":
        attr = rng.choice(["colspan", "rowspan", "both"])
        text = data.decode("utf-8")
        spans = {"colspan": f' colspan="{v}"', "rowspan": f' rowspan="{v}"',
                 "both": f' colspan="{v}" rowspan="{v}"'}[attr]
        text = re.sub(r"<td", "<td" + spans, text)
        if rng.random() < 0.5:  # and a table with many spanning rows
            text = text.replace("</body>", "<table>" + f"<tr><td{spans}>1</td></tr>" * 2500 + "</table></body>")
        return text.encode()
    # md: very wide pipe rows
    row = "|" + "1|" * rng.choice([150, 5000, 60000])
    return (data.decode("utf-8") + "\n" + "\n".join([row] * rng.choice([3, 200])) + "\n").encode()


def deep_nesting(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    depth = rng.choice([200, 300, 5000, 100000])
    if fmt == "html":
        tag = rng.choice(["div", "span", "table", "ul", "font", "td"])
        open_t = {"table": "<table><tr><td>", "ul": "<ul><li>", "td": "<td>"}.get(tag, f"<{tag}>")
        close_t = {"table": "</td></tr></table>", "ul": "</li></ul>", "td": "</td>"}.get(tag, f"</{tag}>")
        return _html_insert(data, open_t * depth + "深层内容。" + close_t * depth)
    if fmt == "docx":
        depth = min(depth, rng.choice([50, 120, 300]))
        cell_open = "<w:tbl><w:tr><w:tc>"
        cell_close = W_P.format("嵌套") + "</w:tc></w:tr></w:tbl>"
        kind = rng.choice(["tables", "sdt", "hyperlinks"])
        if kind == "tables":
            xml = cell_open * depth + W_P.format("最深") + cell_close * depth + "<w:p/>"
        elif kind == "sdt":
            xml = "<w:sdt><w:sdtContent>" * depth + W_P.format("最深") + "</w:sdtContent></w:sdt>" * depth
        else:
            xml = "<w:p>" + "<w:hyperlink>" * depth + '<w:r><w:t>链接</w:t></w:r>' + "</w:hyperlink>" * depth + "</w:p>"
        return _docx_with_body_xml(data, xml, rng.choice(["start", "end"]))
    prefix = rng.choice(["> ", "- ", "  - ", "#"])
    lines = [prefix * min(depth, 20000) + "嵌套内容。"] * rng.choice([1, 50])
    return (data.decode("utf-8") + "\n" + "\n".join(lines) + "\n").encode()


def _huge_text(rng: random.Random, seed_text: str, n: int) -> str:
    kind = rng.choice(["prose", "no_stop", "no_punct", "one_char", "random_cjk", "digits"])
    prose = _prose(seed_text)
    if kind == "prose":
        return _sized(prose, n)
    if kind == "no_stop":
        return _sized(prose.replace("。", "，").replace("；", "，"), n)
    if kind == "no_punct":
        return _sized(re.sub(r"[，。；、：“”（）《》\s]", "", prose), n)
    if kind == "one_char":
        return "的" * n
    if kind == "digits":
        return _sized("1234567890件，", n)
    return "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(n))


def huge_paragraph(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    n = rng.choice([550_000, 300_000, 120_000])
    para = _huge_text(rng, seed_text, n)
    if fmt in ("txt", "md"):
        return _insert_after_heading(seed_text, para).encode("utf-8")
    if fmt == "html":
        return _html_insert(data, f"<p>{para}</p>")
    if fmt == "docx":
        return _docx_with_body_xml(data, W_P.format(_xml_escape(para)), "end")
    return _dense_pdf(rng, seed_text)


def _dense_pdf(rng: random.Random, seed_text: str) -> bytes:
    """PDFs with many characters: one page beyond the per-page limit, or many full pages."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    prose = _prose(seed_text)
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    pages, lines, per_line, size = rng.choice([(1, 400, 80, 2), (60, 60, 40, 9), (1, 60, 40, 9)])
    k = 0
    for _ in range(pages):
        c.setFont("STSong-Light", size)
        for ln in range(lines):
            c.drawString(10, 830 - ln * (size + 0.05), _sized(prose[k % len(prose):] + prose, per_line))
            k += per_line
        c.showPage()
    c.save()
    return buf.getvalue()


def many_blocks(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    n = rng.choice([25_000, 150_000])
    line = "工作有序开展。"
    if fmt in ("txt", "md"):
        body = "\n".join([line] * n) if rng.random() < 0.5 else "\n" * n
        if fmt == "md" and rng.random() < 0.5:
            body = "\n".join(["| 项目 | 1 | 2 |"] * min(n, 6000))
        return (seed_text + "\n" + body).encode("utf-8")
    if fmt == "html":
        if rng.random() < 0.5:
            return _html_insert(data, f"<p>{line}</p>" * n)
        return _html_insert(data, "<table>" + ("<tr>" + "<td>1</td>" * 10 + "</tr>") * min(n, 6000) + "</table>")
    if rng.random() < 0.5:
        return _docx_with_body_xml(data, W_P.format(line) * min(n, 60_000), "end")
    row = "<w:tr>" + ("<w:tc>" + W_P.format("1") + "</w:tc>") * 10 + "</w:tr>"
    return _docx_with_body_xml(data, "<w:tbl>" + row * min(n, 6000) + "</w:tbl>", "end")


_ENCODINGS = ("gbk", "gb18030", "utf-16-le", "utf-16-be", "utf-16", "utf-32", "big5", "cp1252_mojibake",
              "mixed", "nul_sprinkled", "invalid_utf8", "latin1", "shift_jis", "euc_kr")


def encoding(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    text = data.decode("utf-8")
    enc = rng.choice(_ENCODINGS)
    if enc == "cp1252_mojibake":
        return data.decode("latin-1").encode("utf-8")
    if enc == "mixed":
        half = len(text) // 2
        return text[:half].encode("utf-8") + text[half:].encode("gb18030")
    if enc == "nul_sprinkled":
        return data.replace(b"\n", b"\n\0\0")
    if enc == "invalid_utf8":
        out = bytearray(data)
        for _ in range(rng.randint(1, 30)):
            out.insert(rng.randrange(len(out)), rng.choice([0xC0, 0xFF, 0x80, 0xED]))
        return bytes(out)
    if enc == "latin1":
        return text.encode("latin-1", "replace")
    return text.encode(enc, "replace")


_CHARSETS = ("undefined", "unicode_escape", "raw_unicode_escape", "idna", "punycode", "utf-7", "rot13",
             "base64", "hex", "zlib", "x-unknown-charset", "", "utf-16", "gbk", "utf-8", "big5", "mbcs",
             "utf_32", "cp65001", "\u4e2d\u6587")


def charset_decl(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    text = data.decode("utf-8")
    how = rng.choice(["meta", "meta", "meta", "http_equiv", "xhtml_doctype", "xml_decl", "doctype_subset",
                      "reencoded_mismatch", "bom_mismatch"])
    cs = rng.choice(_CHARSETS)
    head = text.find("<head>")
    insert_at = head + 6 if head >= 0 else 0
    if how == "meta":
        return (text[:insert_at] + f'<meta charset="{cs}">' + text[insert_at:]).encode("utf-8")
    if how == "http_equiv":
        return (text[:insert_at] + f'<meta http-equiv="Content-Type" content="text/html; charset={cs}">'
                + text[insert_at:]).encode("utf-8")
    body = re.sub(r"^\s*<!DOCTYPE[^>]*>", "", text, flags=re.I)
    if how == "xhtml_doctype":
        return ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' + body).encode("utf-8")
    if how == "xml_decl":
        return (f'<?xml version="1.0" encoding="{cs or "utf-8"}"?>\n' + body).encode("utf-8")
    if how == "doctype_subset":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
                '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd" [\n<!ENTITY nbsp "&#160;">\n'
                '<!ENTITY copy "&#169;">\n]>\n' + body).encode("utf-8")
    if how == "reencoded_mismatch":
        return (text[:insert_at] + '<meta charset="utf-8">' + text[insert_at:]).encode("gb18030")
    return b"\xff\xfe" + text.encode("utf-8")


_NOISE = ("\u200b", "\u200e", "\u202e", "\u2066", "\ufeff", "\u0301", "\U0001F600", "\ue000", "\u2028", "\u2029",
          "\x0b", "\x0c", "\x00", "\x1b[31m", "\ufffd", "\U000E0001", "\u3000", "\uff10", "\r", "\ud800")


def unicode_noise(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    n = rng.choice([10, 200, 5000])

    def noisy(s: str) -> str:
        chars = list(s)
        for _ in range(n):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(_NOISE))
        return "".join(chars)
    if fmt == "docx":
        def edit(xml: str) -> str:
            def sub(m):
                t = noisy(m.group(2)) if rng.random() < 0.3 else m.group(2)
                # XML 1.0 allows no C0 controls and no surrogates
                t = "".join(c for c in t if c in "\t\n\r" or (ord(c) >= 0x20 and not 0xD800 <= ord(c) < 0xE000))
                return m.group(1) + _xml_escape(t) + m.group(3)
            return re.sub(r"(<w:t[^>]*>)([^<]*)(</w:t>)", sub, xml)
        return _doc_xml(data, edit)
    text = data.decode("utf-8")
    if fmt == "html":
        return re.sub(r"(<p[^>]*>)([^<]*)", lambda m: m.group(1) + noisy(m.group(2)) if rng.random() < 0.2
                      else m.group(0), text).encode("utf-8", "surrogatepass")
    return noisy(text).encode("utf-8", "surrogatepass")


# --- PDF structure ---------------------------------------------------------------------------


def pdf_struct(rng: random.Random, data: bytes, fmt: str, seed_text: str) -> bytes:
    how = rng.choice(["xref_garbage", "no_startxref", "page_count", "stream_length", "no_endstream",
                      "encrypt_dict", "kids_cycle", "mediabox", "rotate", "drop_catalog", "object_numbers",
                      "trailer_size", "font_garbage", "deep_array"])
    s = data
    if how == "xref_garbage":
        i = s.rfind(b"xref")
        return s[:i + 5] + bytes(rng.randrange(48, 58) for _ in range(400)) + s[i + 405:] if i > 0 else s
    if how == "no_startxref":
        return s.replace(b"startxref", b"startxrfe")
    if how == "page_count":
        return re.sub(rb"/Count \d+", b"/Count " + str(rng.choice([0, 999999, -1, 2 ** 40])).encode(), s)
    if how == "stream_length":
        return re.sub(rb"/Length \d+", lambda m: b"/Length " + str(rng.randrange(10 ** 7)).encode(), s)
    if how == "no_endstream":
        return s.replace(b"endstream", b"", rng.randint(1, 5))
    if how == "encrypt_dict":
        return s.replace(b"trailer", b"trailer\n<< /Encrypt << /Filter /Standard /V 9 /R 9 >> >>\n", 1)
    if how == "kids_cycle":
        m = re.search(rb"(\d+) 0 obj\s*<<[^>]*/Type /Pages", s)
        if m:
            return re.sub(rb"/Kids \[[^\]]*\]", b"/Kids [" + m.group(1) + b" 0 R]", s, count=1)
        return s
    if how == "mediabox":
        return re.sub(rb"/MediaBox \[[^\]]*\]", rng.choice([b"/MediaBox [0 0 0 0]", b"/MediaBox [0 0 1e30 1e30]",
                                                          b"/MediaBox [a b c d]", b"/MediaBox []"]), s)
    if how == "rotate":
        return s.replace(b"/Type /Page\n", b"/Type /Page /Rotate 45\n").replace(b"/Type /Page ", b"/Type /Page /Rotate 7 ")
    if how == "drop_catalog":
        return s.replace(b"/Type /Catalog", b"/Type /Nothing")
    if how == "object_numbers":
        return re.sub(rb"(\d+) 0 obj", lambda m: str(int(m.group(1)) * 7919).encode() + b" 0 obj", s)
    if how == "trailer_size":
        return re.sub(rb"/Size \d+", b"/Size 99999999", s)
    if how == "font_garbage":
        return re.sub(rb"/Widths \[[^\]]*\]", b"/Widths [" + b"x " * 50 + b"]", s)
    return s.replace(b"/Type /Page", b"/Type /Page /Junk " + b"[" * 5000 + b"]" * 5000, 1)


FAMILIES: dict[str, tuple[tuple[str, ...], callable]] = {
    "identity": (ALL, lambda rng, data, fmt, seed: data),
    "truncate": (ALL, truncate),
    "byte_flip": (ALL, byte_flip),
    "splice": (ALL, splice),
    "format_confusion": (ALL, format_confusion),
    "zip_entry": (("docx",), zip_entry),
    "content_types": (("docx",), content_types),
    "xml_break": (("docx", "html"), xml_break),
    "span_bomb": (("docx", "html", "md"), span_bomb),
    "deep_nesting": (("docx", "html", "md"), deep_nesting),
    "huge_paragraph": (ALL, huge_paragraph),
    "many_blocks": (("txt", "md", "html", "docx"), many_blocks),
    "encoding": (("txt", "md", "html"), encoding),
    "charset_decl": (("html",), charset_decl),
    "unicode_noise": (("txt", "md", "html", "docx"), unicode_noise),
    "pdf_struct": (("pdf",), pdf_struct),
}
