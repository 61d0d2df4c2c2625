"""Offline OCR of page and table images into the one document model.

Engine: RapidOCR (`rapidocr-onnxruntime`, Apache-2.0) — PaddleOCR's PP-OCRv4 Chinese text
detection (DB) and recognition (SVTR-LCNet, CTC) models as ONNX files inside the wheel,
run by onnxruntime on the CPU. Nothing is downloaded: the model paths are the wheel's own
files, and neither library opens a network connection (tests/test_ocr.py runs the whole
OCR path with sockets forbidden).

An image is read in three steps:

1. **Ruled tables** (`find_tables`): the table rules are found by morphology (long thin
   horizontal and vertical strokes, OpenCV); each connected grid of at least 2 × 2 cells is a
   table, its cells are the regions the rules enclose, placed on the grid of distinct rule
   positions — a cell that spans columns or rows covers those grid positions (`merged`).
2. **Cell text**: inside each cell the ink is cut into text lines (horizontal projection) —
   no detector, so a lone "0" in a cell is never missed and never merged with its neighbour.
   The short one-line cells of a grid row (the numbers) are set side by side with a small gap
   and read as one line, each character going back to the cell it lies in (the model reads a
   digit in a line far more surely than alone); labels and wrapped cells are read line by
   line. Rows, columns and merged cells are the grid's: the table comes out as a `TableBlock`
   exactly like a Word or HTML table, and the table reader reads it cell by cell.
3. **Other text**: the detector finds text lines outside the tables; boxes on one visual line
   are joined left to right (a space where they are apart), and lines become paragraphs
   (a line that reaches the right margin inside a sentence is marked `wraps`, as the PDF
   reader does). Unruled tables therefore come out as rows of whitespace-separated cells,
   which the table reader's text path reads.

Every recognised line is one `Piece` whose `loc` says where it is: the page or image
(``{"page": p}``, ``{"image": "word/media/image1.png", "para": i}``, ``{"image": "index_files/t.png",
"node": xpath}``), ``"box": [x0, y0, x1, y1]`` (pixels of that page image or picture) and
``"conf"``: the recogniser's probability for each character of the line (CTC max
probability, 0–1, rounded to 3 decimals), so ``loc["conf"][offset]`` is the confidence of the
very character a `Doc.text` offset came from (`ocr_evidence.ocr_confidence` reads it).

Limits (environment, read when a document is read): `NLP_REVIEW_OCR_MAX_PIXELS` per image
(default 40 M decoded pixels; larger images are refused before they are decoded, so a
decompression bomb costs nothing), `NLP_REVIEW_OCR_MAX_PAGES` pages/pictures per document
(default 60), `NLP_REVIEW_OCR_PAGE_TIMEOUT_S` per page or picture (default 60 s; checked
between the bounded steps: the detector sees at most `DET_MAX_SIDE` pixels a side and the
recogniser reads one line at a time), `NLP_REVIEW_OCR_TIMEOUT_S` per document
(default 600 s), `NLP_REVIEW_OCR_THREADS` onnxruntime threads (default: CPU count, at most 4).
A page or picture that cannot be read is skipped and reported in `RawDocument.meta["ocr"]`
(`errors`, Chinese); a document none of whose pages can be read raises `InputError`.
"""
from __future__ import annotations

import io
import os
import re
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError
from .blocks import Paragraph, Piece, TableBlock, TableCell

DET_MAX_SIDE = 1280  # the detector's input is at most this many pixels a side (text of a 150 dpi page stays ≥ 16 px)
REC_BATCH = 1  # lines per recogniser call: batching is slower on the CPU (bench: 8 lines of ~1900 px 11.8 s, one by one 3.0 s)
MIN_IMAGE_SIDE = 40  # pictures smaller than this (icons, bullets) are not read
MIN_IMAGE_PIXELS = 20_000
_SENTENCE_FINAL = set("。！？!?…：:；;")
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])")
_PAGE_NUMBER = re.compile(r"^(?:[-—–－~]?\s*\d{1,4}\s*[-—–－~]?|第\s*\d{1,4}\s*页(?:\s*[，,/／]?\s*共\s*\d{1,4}\s*页)?"
                          r"|\d{1,4}\s*[/／]\s*\d{1,4})$")


def _env_num(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class Limits:
    max_pixels: int = 40_000_000
    max_pages: int = 60
    page_timeout_s: float = 60.0
    timeout_s: float = 600.0

    @classmethod
    def from_env(cls) -> "Limits":
        return cls(max_pixels=int(_env_num("NLP_REVIEW_OCR_MAX_PIXELS", 40_000_000)),
                   max_pages=int(_env_num("NLP_REVIEW_OCR_MAX_PAGES", 60)),
                   page_timeout_s=_env_num("NLP_REVIEW_OCR_PAGE_TIMEOUT_S", 60.0),
                   timeout_s=_env_num("NLP_REVIEW_OCR_TIMEOUT_S", 600.0))


class PageUnreadable(Exception):
    """One page or picture could not be read; `message` is the Chinese reason."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


class Deadline:
    def __init__(self, seconds: float, what: str):
        self.end = time.monotonic() + seconds
        self.seconds = seconds
        self.what = what

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise PageUnreadable(f"{self.what}识别超时（超过 {self.seconds:g} 秒），已跳过。", "timeout")


# --- the engine ---------------------------------------------------------------------------


class Engine:
    """PP-OCRv4 detector and recogniser from the rapidocr-onnxruntime wheel (no classifier:
    report pages are upright)."""

    def __init__(self, threads: Optional[int] = None):
        try:
            from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
            from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
            from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
            from rapidocr_onnxruntime.utils import read_yaml, update_model_path
        except ImportError as e:  # pragma: no cover - a broken install
            raise InputError("ocr_unavailable", "文字识别（OCR）组件未安装，无法读取图片或扫描件中的文字。"
                             "请执行 make setup 安装依赖。", str(e))
        if threads is None:
            threads = int(_env_num("NLP_REVIEW_OCR_THREADS", min(4, os.cpu_count() or 1)))
        config = update_model_path(read_yaml(DEFAULT_CFG_PATH))
        for part in ("Det", "Rec"):
            config[part]["intra_op_num_threads"] = max(1, threads)
            config[part]["inter_op_num_threads"] = 1
        config["Det"].update(limit_type="max", limit_side_len=DET_MAX_SIDE)
        config["Rec"]["rec_batch_num"] = REC_BATCH
        self.det = TextDetector(config["Det"])
        self.rec = TextRecognizer(config["Rec"])
        self.threads = threads
        # Blank between cells read together, in text heights (with the crops' own margins about
        # a space): wider gaps make the model unsure of lone digits (bench: median 0.66 at 0.4).
        self.row_gap = 0.1
        self._twins: Optional[dict] = None
        self.lock = threading.Lock()

    def detect(self, bgr) -> list:
        """Quadrilaterals (4 × 2 float arrays) of the text lines, top to bottom."""
        boxes, _ = self.det(bgr)
        if boxes is None or len(boxes) == 0:
            return []
        return sorted(boxes, key=lambda b: (float(b[:, 1].min()), float(b[:, 0].min())))

    def _run(self, images: list, deadline: Deadline, min_width: int = 320
             ) -> list[tuple[str, list[float], list[int], float, object]]:
        """Recognise each image: (text, per-character confidence, CTC column of each character,
        number of columns covering the image, the probability matrix), in batches of REC_BATCH.
        Inputs narrower than `min_width` (at height 48) are padded to it: the model was trained
        at 320 and is surer of short text padded so, but wrapped label lines need no such care."""
        import numpy as np

        self.rec.rec_image_shape = [3, 48, min_width]

        order = sorted(range(len(images)), key=lambda i: images[i].shape[1] / max(1, images[i].shape[0]))
        result: dict[int, tuple] = {}
        keep = _KeepPreds(self.rec.postprocess_op)
        self.rec.postprocess_op = keep
        try:
            for k in range(0, len(order), REC_BATCH):
                deadline.check()
                idx = order[k:k + REC_BATCH]
                batch = [images[i] for i in idx]
                res, _ = self.rec(batch, True)
                # The recogniser sorts its batch by aspect ratio: preds row j is batch[argsort[j]].
                ratios = np.array([c.shape[1] / float(c.shape[0]) for c in batch])
                pred_row = {int(b): j for j, b in enumerate(np.argsort(ratios))}
                for b, (i, r) in enumerate(zip(idx, res)):
                    text, _mean, info = r
                    pred = keep.preds[pred_row[b]]
                    conf = [round(float(c), 3) for c in info[4]] if text else []
                    cols = [c for word in info[2] for c in word] if text else []
                    conf = self._twin_confidence(text, conf, cols, pred)
                    result[i] = (text, conf, cols, float(info[0]), pred)
        finally:
            self.rec.postprocess_op = keep.inner
        return [result[i] for i in range(len(images))]

    def recognize(self, crops: list, deadline: Deadline, cells: bool = False) -> list[tuple[str, list[float]]]:
        """(text, per-character confidence) of each crop. `cells`: table cell contents — a
        cell read as digits and look-alike letters ("o", "l", "I"…) is decoded again with the
        digits only, each digit keeping the probability the model gave it (so a "0" the model
        took for an "o" comes out as a low-confidence "0", never as a letter)."""
        out = []
        for text, conf, _cols, _n, pred in self._run(crops, deadline, 64 if cells else 320):
            if cells and text and _DIGITISH.match(text) and not _NUMERIC_TEXT.match(text):
                text, conf = self._digits_only(pred)
            out.append(_drop_speck(text, conf) if cells else (text, conf))
        return out

    def recognize_rows(self, bgr, rows: list[list[tuple]], deadline: Deadline) -> list[list[tuple[str, list[float]]]]:
        """One-line cells of a table row recognised together: their crops are set side by side
        (scaled to one height, a blank gap between them) and read as one line — the model reads
        digits in a line far more surely than a lone digit, at a fraction of the cost — then
        each character goes back to the cell whose stretch holds its CTC column."""
        import cv2
        import numpy as np

        images, layouts = [], []
        for boxes in rows:
            crops = [_crop(bgr, b) for b in boxes]
            h = max(c.shape[0] for c in crops)
            gap = max(3, int(self.row_gap * h))
            margin = np.full((h, gap, 3), 255, np.uint8)
            parts, spans, x = [margin], [], gap  # a blank margin: a first digit at the very edge gets lost
            for c in crops:
                if c.shape[0] != h:
                    c = cv2.resize(c, (max(1, round(c.shape[1] * h / c.shape[0])), h), interpolation=cv2.INTER_CUBIC)
                if spans:
                    parts.append(np.full((h, gap, 3), 255, np.uint8))
                    x += gap
                parts.append(c)
                spans.append((x, x + c.shape[1]))
                x += c.shape[1]
            parts.append(margin)
            images.append(np.ascontiguousarray(np.hstack(parts)))
            layouts.append((spans, gap))
        out = []
        for (text, conf, cols, n_cols, pred), img, (spans, gap) in zip(self._run(images, deadline), images, layouts):
            width = img.shape[1]
            per: list[list] = [[] for _ in spans]
            for ch, cf, col in zip(text, conf, cols):
                cx = (col + 0.5) * width / max(n_cols, 1e-6)
                j = min(range(len(spans)), key=lambda s: 0 if spans[s][0] <= cx < spans[s][1]
                        else min(abs(cx - spans[s][0]), abs(cx - spans[s][1])))
                per[j].append((ch, cf))
            cells = []
            for j, chars in enumerate(per):
                t = "".join(c for c, _ in chars if c.strip())  # spaces the model saw in the gaps
                cf = [f for c, f in chars if c.strip()]
                if t and _DIGITISH.match(t) and not _NUMERIC_TEXT.match(t):
                    lo = spans[j][0] - gap / 2
                    hi = spans[j][1] + gap / 2
                    steps = [k for k in range(pred.shape[0]) if lo <= (k + 0.5) * width / max(n_cols, 1e-6) < hi]
                    if steps:
                        t, cf = self._digits_only(pred[steps[0]:steps[-1] + 1])
                cells.append(_drop_speck(t, cf))
            out.append(cells)
        return out

    def _twin_confidence(self, text: str, conf: list[float], cols: list[int], pred) -> list[float]:
        """A digit's confidence is that of the digit, whichever of its two code points the model
        chose: "0" and the full-width "０" are one glyph (and one character once `Doc.text` is
        normalised), and on large print the model splits its probability between them."""
        if self._twins is None:
            chars = self.rec.postprocess_op.character
            index = {c: i for i, c in enumerate(chars)}
            self._twins = {}
            for a in "0123456789.":
                f = chr(ord(a) + 0xFEE0)
                if a in index and f in index:
                    self._twins[a] = self._twins[f] = (index[a], index[f])
        if not text or len(cols) != len(text) or len(conf) != len(text):
            return conf
        out = list(conf)
        for k, (ch, col) in enumerate(zip(text, cols)):
            pair = self._twins.get(ch)
            if pair is not None and col < pred.shape[0]:
                out[k] = round(min(1.0, float(pred[col, pair[0]] + pred[col, pair[1]])), 3)
        return out

    def _digits_only(self, pred) -> tuple[str, list[float]]:
        """Greedy CTC decoding restricted to blank, digits and . , - (one time step × class matrix)."""
        chars = self.rec.postprocess_op.character
        allowed = [0] + [chars.index(c) for c in "0123456789.,-" if c in chars]
        sub = pred[:, allowed].copy()
        for j, a in enumerate(allowed[1:], start=1):  # add the full-width twin's probability
            f = chr(ord(chars[a]) + 0xFEE0)
            if f in chars:
                sub[:, j] += pred[:, chars.index(f)]
        best = sub.argmax(axis=1)
        text, conf, prev = [], [], 0
        for t, j in enumerate(best):
            if j != 0 and j != prev:
                text.append(chars[allowed[j]])
                conf.append(round(float(sub[t, j]), 3))
            prev = j
        return "".join(text), conf


def _drop_speck(text: str, conf: list[float]) -> tuple[str, list[float]]:
    """A number cell read with a trailing "." or "," the model was unsure of: a speck (JPEG
    noise, a dot of the rule), not part of the number ("0." is no count)."""
    if len(text) >= 2 and len(conf) == len(text) and text[-1] in ".,．，" and conf[-1] < LOW_CONFIDENCE \
            and text[-2].isdigit():
        return text[:-1], conf[:-1]
    return text, conf


class _KeepPreds:
    """Wraps the CTC decoder to keep the last batch's probability matrices."""

    def __init__(self, inner):
        self.inner = inner
        self.preds = None
        self.character = inner.character

    def __call__(self, preds, *args, **kwargs):
        self.preds = preds
        return self.inner(preds, *args, **kwargs)


_DIGITISH = re.compile(r"^[0-9oOlI|.,，\-SsBZDQ]+$")
_NUMERIC_TEXT = re.compile(r"^[0-9.,\-]+$")


_ENGINE: Optional[Engine] = None
_ENGINE_LOCK = threading.Lock()


def engine() -> Engine:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = Engine()
        return _ENGINE


# --- images --------------------------------------------------------------------------------


def decode_image(data: bytes, limits: Limits, what: str = "图片"):
    """Bytes → BGR uint8 array, refusing oversized images before decoding them."""
    import numpy as np
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            w, h = im.size
            if w * h > limits.max_pixels:
                raise PageUnreadable(f"{what}像素过多（{w}×{h}，上限 {limits.max_pixels // 1_000_000} 百万像素），"
                                     "疑似异常图片，已跳过。", f"{w}x{h}")
            im.load()
    except PageUnreadable:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise PageUnreadable(f"{what}像素过多，疑似解压炸弹，已跳过。", str(e))
    except Exception as e:  # truncated, corrupt, unknown format (EMF/WMF/SVG…)
        raise PageUnreadable(f"{what}无法解码（格式不支持或文件损坏），已跳过。", f"{type(e).__name__}: {e}")
    return pil_to_bgr(im)


def pil_to_bgr(im):
    import numpy as np
    from PIL import Image, ImageOps

    try:
        im = ImageOps.exif_transpose(im)
    except Exception:
        pass
    if getattr(im, "n_frames", 1) > 1:
        im.seek(0)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, im)
    im = im.convert("RGB")
    return np.ascontiguousarray(np.asarray(im)[:, :, ::-1])


def worth_reading(bgr) -> bool:
    """Not an icon or bullet, and not an official seal (印章: its ink mostly red)."""
    import numpy as np

    h, w = bgr.shape[:2]
    if min(h, w) < MIN_IMAGE_SIDE or h * w < MIN_IMAGE_PIXELS:
        return False
    small = bgr[::4, ::4].astype(np.int16)
    b, g, r = small[..., 0], small[..., 1], small[..., 2]
    ink = (r + g + b) < 600
    red = ink & (r > 140) & (r - g > 60) & (r - b > 60)
    return not (ink.sum() > 50 and red.sum() > 0.5 * ink.sum())


# --- layout: ruled tables -----------------------------------------------------------------


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 inside the rules


@dataclass
class GridTable:
    box: tuple[int, int, int, int]
    n_rows: int
    n_cols: int
    cells: list[GridCell] = field(default_factory=list)


def _binary(gray):
    import cv2

    # Ink = 255. Adaptive threshold copes with grey scans and uneven backgrounds.
    return cv2.adaptiveThreshold(255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 25, -12)


def _cluster(values: list[int], tol: int) -> list[int]:
    """Sorted representative positions of values closer than `tol` to each other."""
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [int(sum(g) / len(g)) for g in out]


def _nearest(points: list[int], v: int) -> int:
    return min(range(len(points)), key=lambda i: abs(points[i] - v))


def find_tables(bw) -> list[GridTable]:
    """Ruled tables of a binarised image (see module docstring, step 1)."""
    import cv2
    import numpy as np

    h, w = bw.shape
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, w // 40), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, h // 60)))
    horiz = cv2.morphologyEx(bw, cv2.MORPH_OPEN, hk)
    vert = cv2.morphologyEx(bw, cv2.MORPH_OPEN, vk)
    rules = cv2.dilate(cv2.bitwise_or(horiz, vert), np.ones((3, 3), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    tables = []
    for k in range(1, n):
        x, y, gw, gh, _area = stats[k]
        if gw < max(60, w * 0.15) or gh < 30:
            continue
        sub = (labels[y:y + gh, x:x + gw] == k).astype(np.uint8) * 255
        m, clabels, cstats, _ = cv2.connectedComponentsWithStats(255 - sub, connectivity=4)
        boxes = []
        for j in range(1, m):
            cx, cy, cw, ch, area = cstats[j]
            if cx == 0 or cy == 0 or cx + cw >= gw or cy + ch >= gh:
                continue  # outside the table (touches the grid's bounding box)
            if cw < 6 or ch < 6 or area < 0.5 * cw * ch:
                continue  # a sliver, or not a rectangle
            boxes.append((int(x + cx), int(y + cy), int(x + cx + cw), int(y + cy + ch)))
        table = _grid_from_boxes(boxes, (int(x), int(y), int(x + gw), int(y + gh)))
        if table is not None:
            tables.append(table)
    return sorted(tables, key=lambda t: (t.box[1], t.box[0]))


def _grid_from_boxes(boxes, bbox) -> Optional[GridTable]:
    if len(boxes) < 4:
        return None
    tol = 6
    xs = _cluster([b[0] for b in boxes] + [b[2] for b in boxes], tol)
    ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes], tol)
    # Column boundaries: a left edge and the right edge before it are one rule apart.
    cols = _merge_edges(xs)
    rows = _merge_edges(ys)
    if len(cols) < 3 or len(rows) < 3:
        return None
    table = GridTable(box=bbox, n_rows=len(rows) - 1, n_cols=len(cols) - 1)
    for b in boxes:
        c0, c1 = _nearest(cols, b[0]), _nearest(cols, b[2])
        r0, r1 = _nearest(rows, b[1]), _nearest(rows, b[3])
        if c1 <= c0 or r1 <= r0:
            continue
        table.cells.append(GridCell(r0, c0, r1 - r0, c1 - c0, b))
    return table if table.cells else None


def _merge_edges(edges: list[int]) -> list[int]:
    """Cell edges on both sides of one rule (a few pixels apart) → one boundary per rule."""
    out: list[int] = []
    for e in edges:
        if out and e - out[-1] <= 12:
            out[-1] = (out[-1] + e) // 2
        else:
            out.append(e)
    return out


def _text_lines(bw, box, text_h: float) -> list[tuple[int, int, int, int]]:
    """Text lines inside a cell box (x0, y0, x1, y1): ink row groups, tiny groups merged."""
    import numpy as np

    x0, y0, x1, y1 = box
    m = 2
    sub = bw[y0 + m:y1 - m, x0 + m:x1 - m]
    if sub.size == 0:
        return []
    rows = np.flatnonzero(sub.sum(axis=1) > 255)
    if len(rows) == 0:
        return []
    groups = []
    start = prev = int(rows[0])
    for r in rows[1:]:
        r = int(r)
        if r > prev + 1:
            groups.append([start, prev])
            start = r
        prev = r
    groups.append([start, prev])
    # Merge pieces of one line (strokes of 二/三, quotes, dots) while the merged
    # height stays within one line of text.
    merged: list[list[int]] = []
    for g in groups:
        if merged and (g[1] - merged[-1][0] + 1) <= 1.35 * text_h:
            merged[-1][1] = g[1]
        else:
            merged.append(g)
    out = []
    for a, b in merged:
        if b - a + 1 < max(3, 0.25 * text_h):
            continue  # specks
        cols = np.flatnonzero(sub[a:b + 1].sum(axis=0) > 0)
        if len(cols) == 0:
            continue
        out.append((x0 + m + int(cols[0]), y0 + m + a, x0 + m + int(cols[-1]) + 1, y0 + m + b + 1))
    return out


def _line_height(bw, tables: list[GridTable]) -> float:
    """Typical text height inside the tables (median ink row group of the cells)."""
    import numpy as np

    heights = []
    for t in tables:
        for c in t.cells[:200]:
            x0, y0, x1, y1 = c.box
            sub = bw[y0 + 2:y1 - 2, x0 + 2:x1 - 2]
            rows = np.flatnonzero(sub.sum(axis=1) > 255) if sub.size else []
            if len(rows):
                runs = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
                heights.extend(len(r) for r in runs if len(r) >= 4)
    return float(np.median(heights)) if heights else 20.0


def _read_cells(eng: Engine, bgr, tables: list[GridTable], cell_lines: list, deadline: Deadline) -> list:
    """(text, conf) of every cell line: short one-line cells (numbers) of a grid row together
    (`Engine.recognize_rows`), labels and the lines of wrapped cells one by one."""
    lines_per_cell: dict[tuple[int, int], int] = {}
    for ti, ci, _lb in cell_lines:
        lines_per_cell[(ti, ci)] = lines_per_cell.get((ti, ci), 0) + 1
    rows: dict[tuple[int, int], list[int]] = {}
    singles: list[int] = []
    for k, (ti, ci, lb) in enumerate(cell_lines):
        short = lb[2] - lb[0] <= 4 * (lb[3] - lb[1])  # numbers, not labels
        if lines_per_cell[(ti, ci)] == 1 and short:
            rows.setdefault((ti, tables[ti].cells[ci].row), []).append(k)
        else:
            singles.append(k)
    row_groups = []
    for members in rows.values():
        if len(members) >= 2:
            row_groups.append(sorted(members, key=lambda k: cell_lines[k][2][0]))
        else:
            singles.extend(members)
    texts: list = [("", [])] * len(cell_lines)
    if singles:
        for k, r in zip(singles, eng.recognize([_crop(bgr, cell_lines[k][2]) for k in singles], deadline,
                                               cells=True)):
            texts[k] = r
    if row_groups:
        results = eng.recognize_rows(bgr, [[cell_lines[k][2] for k in g] for g in row_groups], deadline)
        for g, res in zip(row_groups, results):
            for k, r in zip(g, res):
                texts[k] = r
    return texts


def _crop(bgr, box, pad_ratio: float = 0.25):
    x0, y0, x1, y1 = box
    pad = max(2, int((y1 - y0) * pad_ratio))
    h, w = bgr.shape[:2]
    return bgr[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)]


# --- layout: text lines -------------------------------------------------------------------


@dataclass
class Line:
    """One recognised stretch of text with its box and per-character confidence."""

    text: str
    box: tuple[int, int, int, int]
    conf: list[float]


def _quad_crop(bgr, quad):
    import cv2
    import numpy as np

    pts = np.asarray(quad, dtype=np.float32)
    w = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
    h = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
    w, h = max(w, 1), max(h, 1)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(pts, dst)
    crop = cv2.warpPerspective(bgr, m, (w, h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    if h > 1.5 * w:
        crop = np.rot90(crop)
    return crop


def _detect_lines(eng: Engine, bgr, deadline: Deadline) -> list[Line]:
    import numpy as np

    h, w = bgr.shape[:2]
    quads = []
    # Very tall images (long screenshots) are detected in overlapping strips, so the
    # detector's size limit does not shrink their text to nothing.
    strip = max(w, 1600)
    if h <= 1.5 * strip:
        quads = eng.detect(bgr)
    else:
        overlap = 120
        top = 0
        while top < h:
            deadline.check()
            bottom = min(h, top + strip)
            part = eng.detect(bgr[top:bottom])
            for q in part:
                cy = float(q[:, 1].mean())
                lo = 0 if top == 0 else overlap / 2
                hi = bottom - top if bottom == h else bottom - top - overlap / 2
                if lo <= cy < hi:
                    q = q.copy()
                    q[:, 1] += top
                    quads.append(q)
            if bottom == h:
                break
            top = bottom - overlap
    deadline.check()
    if not quads:
        return []
    crops = [_quad_crop(bgr, q) for q in quads]
    texts = eng.recognize(crops, deadline)
    lines = []
    for q, (text, conf) in zip(quads, texts):
        if not text.strip():
            continue
        q = np.asarray(q)
        box = (int(q[:, 0].min()), int(q[:, 1].min()), int(q[:, 0].max()), int(q[:, 1].max()))
        lines.append(Line(text, box, conf))
    return lines


@dataclass
class Row:
    """Boxes on one visual line, left to right."""

    lines: list[Line]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (min(l.box[0] for l in self.lines), min(l.box[1] for l in self.lines),
                max(l.box[2] for l in self.lines), max(l.box[3] for l in self.lines))

    @property
    def text(self) -> str:
        return "".join(l.text for l in self.lines)


def group_rows(lines: list[Line]) -> list[Row]:
    """Boxes whose vertical extents overlap by half their height are one visual line."""
    rows: list[Row] = []
    for ln in sorted(lines, key=lambda l: ((l.box[1] + l.box[3]) / 2, l.box[0])):
        cy = (ln.box[1] + ln.box[3]) / 2
        hh = ln.box[3] - ln.box[1]
        if rows:
            r = rows[-1]
            rb = r.box
            overlap = min(rb[3], ln.box[3]) - max(rb[1], ln.box[1])
            if overlap >= 0.5 * min(hh, rb[3] - rb[1]) and rb[1] <= cy <= rb[3]:
                r.lines.append(ln)
                continue
        rows.append(Row([ln]))
    for r in rows:
        r.lines.sort(key=lambda l: l.box[0])
    return rows


# --- image → blocks -----------------------------------------------------------------------


@dataclass
class ImageText:
    """What OCR read on one page or picture."""

    blocks: list  # Paragraph | TableBlock, top to bottom
    chars: int = 0
    conf_sum: float = 0.0
    low_chars: int = 0
    tables: int = 0
    seconds: float = 0.0


LOW_CONFIDENCE = 0.9  # a character under this is "low confidence" (see ocr_evidence)


def _piece(line: Line, base_loc: dict) -> Piece:
    return Piece(line.text, {**base_loc, "box": list(line.box), "conf": line.conf}, 0)


def read_image(bgr, base_loc: dict, deadline: Deadline, eng: Optional[Engine] = None,
               page_margins: bool = False) -> ImageText:
    """OCR one page or picture into blocks (see module docstring). `base_loc` is the loc every
    piece starts from (page or image); `page_margins` drops page numbers in the margins."""
    import cv2

    t0 = time.monotonic()
    eng = eng or engine()
    with eng.lock:
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        bw = _binary(gray)
        tables = find_tables(bw)
        text_h = _line_height(bw, tables)
        deadline.check()
        # 2. cell text
        cell_lines: list[tuple[int, int, tuple]] = []  # (table index, cell index, line box)
        for ti, t in enumerate(tables):
            for ci, c in enumerate(t.cells):
                for lb in _text_lines(bw, c.box, text_h):
                    cell_lines.append((ti, ci, lb))
        texts = _read_cells(eng, bgr, tables, cell_lines, deadline)
        # 3. text outside the tables
        masked = bgr
        if tables:
            masked = bgr.copy()
            for t in tables:
                x0, y0, x1, y1 = t.box
                masked[max(0, y0 - 2):y1 + 3, max(0, x0 - 2):x1 + 3] = 255
        rest = _binary(cv2.cvtColor(masked, cv2.COLOR_BGR2GRAY)) if tables else bw
        lines = _detect_lines(eng, masked, deadline) if cv2.countNonZero(rest) > 50 else []
    out = ImageText(blocks=[])
    items: list[tuple[float, object]] = []
    # Tables → TableBlocks.
    per_cell: dict[tuple[int, int], list[Line]] = {}
    for (ti, ci, lb), (text, conf) in zip(cell_lines, texts):
        if text.strip():
            per_cell.setdefault((ti, ci), []).append(Line(text, lb, conf))
    for ti, t in enumerate(tables):
        grid: dict[tuple[int, int], TableCell] = {}
        for ci, c in enumerate(t.cells):
            paras = [Paragraph(pieces=[_piece(ln, base_loc)]) for ln in per_cell.get((ti, ci), [])]
            grid[(c.row, c.col)] = TableCell(paragraphs=paras)
            for dr in range(c.rowspan):
                for dc in range(c.colspan):
                    if dr or dc:
                        grid.setdefault((c.row + dr, c.col + dc), TableCell(merged=True))
        block = TableBlock(loc={**base_loc, "box": list(t.box), "ocr": True})
        for r in range(t.n_rows):
            block.rows.append([grid.get((r, c), TableCell()) for c in range(t.n_cols)])
        items.append((t.box[1], block))
        out.tables += 1
    # Lines → paragraphs.
    rows = group_rows(lines)
    if page_margins and rows:
        h = bgr.shape[0]
        rows = [r for r in rows if not ((r.box[3] < 0.08 * h or r.box[1] > 0.92 * h)
                                        and _PAGE_NUMBER.match(r.text.strip()))]
    paras = _paragraphs(rows, base_loc)
    items.extend((r.box[1], p) for r, p in paras)
    items.sort(key=lambda it: it[0])
    out.blocks = [b for _y, b in items]
    for ln in [l for r in rows for l in r.lines] + [l for ls in per_cell.values() for l in ls]:
        out.chars += len(ln.conf)
        out.conf_sum += sum(ln.conf)
        out.low_chars += sum(1 for c in ln.conf if c < LOW_CONFIDENCE)
    out.seconds = time.monotonic() - t0
    return out


def _paragraphs(rows: list[Row], base_loc: dict) -> list[tuple[Row, Paragraph]]:
    """One paragraph per visual line; `wraps` where the line runs on (PDF reader's rule)."""
    out = []
    if not rows:
        return out
    long_rows = [r for r in rows if len(r.text) >= 8]
    right = max((r.box[2] for r in long_rows), default=0)
    left = min((r.box[0] for r in long_rows), default=0)
    for i, r in enumerate(rows):
        pieces = []
        for k, ln in enumerate(r.lines):
            pieces.append(_piece(ln, base_loc))
            if k + 1 < len(r.lines):
                gap = r.lines[k + 1].box[0] - ln.box[2]
                char_w = (ln.box[3] - ln.box[1]) or 1
                if gap > 0.5 * char_w:
                    pieces.append(Piece(" ", pieces[-1].loc, len(ln.text)))  # the gap between boxes
        para = Paragraph(pieces=pieces)
        if long_rows and i + 1 < len(rows):
            nxt = rows[i + 1]
            char_w = max(1, r.box[3] - r.box[1])
            text = r.text.rstrip()
            gap_below = nxt.box[1] - r.box[3]
            if (text and text[-1] not in _SENTENCE_FINAL and r.box[2] >= right - 1.5 * char_w
                    and nxt.box[0] <= left + 1.2 * char_w and gap_below < 1.2 * char_w
                    and not _HEADING_START.match(nxt.text) and len(text) >= 8):
                para.wraps = True
        out.append((r, para))
    return out
