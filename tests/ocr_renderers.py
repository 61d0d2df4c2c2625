"""Render seed reports the way agencies publish them when the tables are pictures, for
the OCR tests and the OCR bench.

- `table_image(layout)`: a statutory table (the grid layouts of `tests.renderers`) drawn as a
  ruled table with PIL and a CJK font — merged cells, labels wrapped inside their cells,
  numbers centred — i.e. what a screenshot or an exported picture of the Word table is.
- `seed_to_docx_table_images`: the seed as a .docx whose tables three and four are embedded
  pictures (``word/media``) where the tables stand; table two stays a real Word table.
- `seed_to_html_folder` / `seed_to_html_zip` / `seed_to_mhtml`: a saved portal page whose
  tables three and four are ``<img>`` files supplied with the page (a folder, a .zip of it,
  or one MHTML file as a browser saves it).
- `seed_to_scanned_pdf`: the whole seed as an image-only PDF: the .docx (real tables)
  printed to PDF by LibreOffice, rasterised with ``pdftoppm``, the page images put back
  into a PDF (PIL) — no text layer at all, as a scanner gives it.
"""
from __future__ import annotations

import email.generator
import email.mime.image
import email.mime.multipart
import email.mime.text
import html
import io
import shutil
import subprocess
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

from tests.renderers import LAYOUTS, SeedModel, seed_model

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",  # 宋体-like, as official tables are set
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def cjk_font_path() -> str | None:
    return next((p for p in FONT_CANDIDATES if Path(p).exists()), None)


@lru_cache(maxsize=8)
def _font(size: int):
    from PIL import ImageFont

    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font (install fonts-noto-cjk or fonts-wqy-zenhei)")
    index = 2 if "NotoSerifCJK" in path or "NotoSansCJK" in path else 0  # the SC face of the collection
    return ImageFont.truetype(path, size, index=index)


def _col_widths(n_cols: int, unit: int) -> list[int]:
    if n_cols == 10:  # table three: three label columns, seven value columns
        return [int(2.6 * unit), int(3.0 * unit), int(11 * unit)] + [int(3.3 * unit)] * 7
    if n_cols == 15:  # table four
        return [int(2.6 * unit)] * 15
    if n_cols == 4:
        return [int(9 * unit)] + [int(6.5 * unit)] * 3
    return [4 * unit] * n_cols


def _wrap(text: str, font, width: int) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if cur and font.getlength(cur + ch) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def table_image(layout, font_px: int = 18):
    """The grid as a PIL image (white, black rules), `font_px` the text size in pixels."""
    from PIL import Image, ImageDraw

    n_rows, n_cols, cells = layout
    font = _font(font_px)
    unit = font_px + 2
    widths = _col_widths(n_cols, unit)
    pad = max(3, font_px // 4)
    line_h = int(font_px * 1.3)
    # Row heights: the tallest wrapped single-row cell of each row.
    heights = [int(line_h + 2 * pad)] * n_rows
    for r, c, rs, cs, text in cells:
        if rs == 1 and text:
            w = sum(widths[c:c + cs]) - 2 * pad
            need = len(_wrap(text, font, w)) * line_h + 2 * pad
            heights[r] = max(heights[r], need)
    for r, c, rs, cs, text in cells:  # a tall merged cell spreads over its rows
        if rs > 1 and text:
            w = sum(widths[c:c + cs]) - 2 * pad
            need = len(_wrap(text, font, w)) * line_h + 2 * pad
            have = sum(heights[r:r + rs])
            if need > have:
                extra = -(-(need - have) // rs)
                for k in range(r, r + rs):
                    heights[k] += extra
    margin = 2 * font_px
    xs = [margin]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [margin]
    for h in heights:
        ys.append(ys[-1] + h)
    img = Image.new("RGB", (xs[-1] + margin, ys[-1] + margin), "white")
    draw = ImageDraw.Draw(img)
    for r, c, rs, cs, text in cells:
        x0, y0, x1, y1 = xs[c], ys[r], xs[c + cs], ys[r + rs]
        draw.rectangle([x0, y0, x1, y1], outline="black", width=1)
        if not text:
            continue
        lines = _wrap(text, font, x1 - x0 - 2 * pad)
        block_h = len(lines) * line_h
        y = y0 + (y1 - y0 - block_h) / 2
        for ln in lines:
            w = font.getlength(ln)
            x = x0 + (x1 - x0 - w) / 2 if (len(lines) == 1 and (w < 6 * font_px or c >= 3)) else x0 + pad
            draw.text((x, y + (line_h - font_px) / 2), ln, font=font, fill="black")
            y += line_h
    # Cells the layout leaves out are still ruled (an empty grid cell).
    covered = set()
    for r, c, rs, cs, _t in cells:
        covered.update((rr, cc) for rr in range(r, r + rs) for cc in range(c, c + cs))
    for r in range(n_rows):
        for c in range(n_cols):
            if (r, c) not in covered:
                draw.rectangle([xs[c], ys[r], xs[c + 1], ys[r + 1]], outline="black", width=1)
    return img


def png_bytes(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


IMAGE_TABLES = (3, 4)


def table_images(m: SeedModel, font_px: int = 18, only=IMAGE_TABLES) -> dict[int, bytes]:
    """PNG bytes of tables three and four (or those in `only`) of the seed model."""
    return {n: png_bytes(table_image(LAYOUTS[n](m), font_px)) for n in only}


# ---------------------------------------------------------------------------------------
# .docx with pictures


def seed_to_docx_table_images(txt_path, out_path, font_px: int = 18, only=IMAGE_TABLES,
                              model: SeedModel | None = None) -> SeedModel:
    """`model`: the seed model to draw (e.g. with a cell changed); default the seed's own."""
    from tests.renderers import seed_to_docx

    m = model or seed_model(txt_path)
    return seed_to_docx(txt_path, out_path, pictures=table_images(m, font_px, only), model=m)


# ---------------------------------------------------------------------------------------
# Saved web pages


def _page_html(m: SeedModel, img_src: dict[int, str]) -> str:
    from tests.renderers import _html_table

    parts = [f"<h1>{'<br>'.join(html.escape(t) for t in m.title_lines)}</h1>", '<div class="TRS_Editor">']
    parts += [f"<p>{html.escape(line)}</p>" for line in m.preamble]
    for number, heading, lines in m.sections:
        parts.append(f"<p><strong>{html.escape(heading)}</strong></p>")
        if number in img_src:
            parts.append(f'<p style="text-align:center"><img src="{img_src[number]}" alt="" width="640"></p>')
        elif number in LAYOUTS:
            parts.append(_html_table(LAYOUTS[number](m)))
        parts += [f"<p>{html.escape(line)}</p>" for line in lines]
    parts.append("</div>")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape("".join(m.title_lines))}</title></head>
<body><nav><a href="/">首页</a> <a href="/zwgk/">政务公开</a></nav>
<div class="main">
{chr(10).join(parts)}
</div>
<footer>主办单位：某某区人民政府办公室</footer></body></html>
"""


def seed_to_html_folder(txt_path, out_dir, font_px: int = 18, only=IMAGE_TABLES) -> SeedModel:
    """`out_dir/index.html` plus `out_dir/index_files/table3.png` (as a browser saves a page)."""
    m = seed_model(txt_path)
    out_dir = Path(out_dir)
    (out_dir / "index_files").mkdir(parents=True, exist_ok=True)
    src = {}
    for n, data in table_images(m, font_px, only).items():
        (out_dir / "index_files" / f"table{n}.png").write_bytes(data)
        src[n] = f"index_files/table{n}.png"
    (out_dir / "index.html").write_text(_page_html(m, src), encoding="utf-8")
    return m


def seed_to_html_zip(txt_path, out_path, font_px: int = 18, only=IMAGE_TABLES) -> SeedModel:
    with tempfile.TemporaryDirectory() as tmp:
        m = seed_to_html_folder(txt_path, tmp, font_px, only)
        with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(Path(tmp).rglob("*")):
                if p.is_file():
                    zf.write(p, p.relative_to(tmp).as_posix())
    return m


def seed_to_mhtml(txt_path, out_path, font_px: int = 18, only=IMAGE_TABLES) -> SeedModel:
    """One MHTML file (multipart/related, base64 parts with Content-Location), as Chromium saves."""
    m = seed_model(txt_path)
    base = "http://www.example.gov.cn/zwgk/2024/"
    src = {n: f"{base}table{n}.png" for n in only}
    msg = email.mime.multipart.MIMEMultipart("related", type="text/html")
    msg["Snapshot-Content-Location"] = base + "index.html"
    msg["Subject"] = "".join(m.title_lines)
    page = email.mime.text.MIMEText(_page_html(m, src), "html", "utf-8")
    page["Content-Location"] = base + "index.html"
    msg.attach(page)
    for n, data in table_images(m, font_px, only).items():
        part = email.mime.image.MIMEImage(data, "png")
        part["Content-Location"] = src[n]
        msg.attach(part)
    buf = io.StringIO()
    email.generator.Generator(buf, mangle_from_=False).flatten(msg)
    Path(out_path).write_bytes(buf.getvalue().replace("\n", "\r\n").encode("ascii"))
    return m


# ---------------------------------------------------------------------------------------
# Scanned PDF


def have_scan_tools() -> bool:
    return bool(shutil.which("soffice") and shutil.which("pdftoppm"))


def docx_to_pdf(docx_path, out_dir) -> Path:
    """LibreOffice headless, with its own profile so parallel runs do not collide."""
    out_dir = Path(out_dir)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)],
                       check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return out_dir / (Path(docx_path).stem + ".pdf")


def pdf_to_scanned_pdf(pdf_path, out_path, dpi: int = 150) -> int:
    """Rasterise every page (pdftoppm, grey) and write the images as an image-only PDF."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf_path), f"{tmp}/page"],
                       check=True, capture_output=True, timeout=180)
        pages = [Image.open(p) for p in sorted(Path(tmp).glob("page*.png"))]
        pages[0].save(str(out_path), "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])
        return len(pages)


def seed_to_scanned_pdf(txt_path, out_path, dpi: int = 150) -> SeedModel:
    from tests.renderers import seed_to_docx

    with tempfile.TemporaryDirectory() as tmp:
        docx_path = Path(tmp) / (Path(out_path).stem + ".docx")
        m = seed_to_docx(txt_path, docx_path)
        pdf = docx_to_pdf(docx_path, tmp)
        pdf_to_scanned_pdf(pdf, out_path, dpi)
    return m
