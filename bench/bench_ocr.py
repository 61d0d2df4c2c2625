"""OCR cost and accuracy on one core: table pictures and scanned pages made from the seeds.

    nice -n 10 .venv/bin/python bench/bench_ocr.py                 # all seeds, fonts 14/18/24 px, scans at 150/300 dpi
    .venv/bin/python bench/bench_ocr.py --seeds 000 --font-px 18 --scan-dpi 150
    .venv/bin/python bench/bench_ocr.py --models DIR               # other det/rec ONNX files, same pipeline

Table pictures: tables three and four of each seed drawn by `tests/ocr_renderers.table_image`
at a text size of `--font-px` pixels (`--jpeg Q`: saved as a lossy JPEG, as portals often serve them); each picture is read by `ocr.read_image` and every value
cell of the grid is compared with the seed's value (grid found, number read). Scanned pages:
the seed as .docx → LibreOffice PDF → `pdftoppm -r DPI -gray` pages; each page is read, then
(page by page for the first seed: cost per page) the whole image-only PDF goes through the reader (`load_path`) and is compared with the .txt:
table cells equal, and the character error rate of the narrative (sections one, five, six,
whitespace removed; difflib). Reports wall and CPU seconds (the shared machine's load is
printed: wall time is an upper bound when it is loaded), the digits' confidence when read
right and when read wrong (what `ocr_evidence.LOW_DIGIT_CONFIDENCE` is set from), and memory
(RSS after loading the models, peak RSS).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NLP_REVIEW_OCR_THREADS", "1")  # one core, as asked; before onnxruntime loads
os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_engine(models: str | None):
    from nlp_review.ingest import ocr

    if models is None:
        return ocr.Engine(threads=1)
    return alt_engine(Path(models))


def alt_engine(folder: Path):
    """The same pipeline with another wheel's det/rec ONNX files (`det.onnx`, `rec.onnx`, `dict.txt`)."""
    from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
    from rapidocr_onnxruntime.main import DEFAULT_CFG_PATH
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    from nlp_review.ingest import ocr

    eng = ocr.Engine.__new__(ocr.Engine)
    config = update_model_path(read_yaml(DEFAULT_CFG_PATH))
    for part in ("Det", "Rec"):
        config[part]["intra_op_num_threads"] = 1
        config[part]["inter_op_num_threads"] = 1
    config["Det"].update(limit_type="max", limit_side_len=ocr.DET_MAX_SIDE, model_path=str(folder / "det.onnx"))
    config["Rec"].update(rec_batch_num=ocr.REC_BATCH, model_path=str(folder / "rec.onnx"))
    if (folder / "dict.txt").exists():
        config["Rec"]["rec_keys_path"] = str(folder / "dict.txt")
    eng.det = TextDetector(config["Det"])
    eng.rec = TextRecognizer(config["Rec"])
    eng.threads = 1
    eng.row_gap = 0.1  # as Engine
    eng._twins = None
    import threading

    eng.lock = threading.Lock()
    return eng


def value_cells(layout) -> dict[tuple[int, int], str]:
    """(row, col) → expected text of the numeric cells of a table layout."""
    import re

    _n, _c, cells = layout
    return {(r, c): t for r, c, _rs, _cs, t in cells if re.fullmatch(r"[-\d.,Ee+]+", t or "")}


def bench_tables(eng, seeds, font_pxs, out: dict, jpeg: int = 0) -> None:
    from nlp_review.ingest import ocr
    from nlp_review.ingest.builder import normalize_char  # "０" is "0" in Doc.text
    from tests.ocr_renderers import table_image
    from tests.renderers import LAYOUTS, seed_model

    rows = []
    for seed in seeds:
        m = seed_model(seed)
        for px in font_pxs:
            for n in (3, 4):
                layout = LAYOUTS[n](m)
                img = table_image(layout, px)
                if jpeg:  # as pictures on portals often are: lossy JPEG
                    import io

                    from PIL import Image

                    buf = io.BytesIO()
                    img.convert("RGB").save(buf, "JPEG", quality=jpeg)
                    img = Image.open(io.BytesIO(buf.getvalue()))
                bgr = ocr.pil_to_bgr(img)
                w0, c0 = time.perf_counter(), time.process_time()
                res = ocr.read_image(bgr, {"image": "bench"}, ocr.Deadline(600, "bench"), eng)
                wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                want = value_cells(layout)
                grid = next((b for b in res.blocks if hasattr(b, "rows")), None)
                right = wrong = 0
                conf_right, conf_wrong = [], []
                for (r, c), text in want.items():
                    cell = grid.rows[r][c] if grid and r < len(grid.rows) and c < len(grid.rows[r]) else None
                    got = "".join(normalize_char(ch) or "" for ch in cell.text.strip()) if cell is not None else ""
                    confs = [x for p in (cell.paragraphs if cell else []) for pc in p.pieces
                             for x in pc.loc.get("conf", [])]
                    ok = got == text
                    right += ok
                    wrong += not ok
                    (conf_right if ok else conf_wrong).extend(confs or [0.0])
                rows.append({"seed": seed.name[:3], "table": n, "font_px": px, "size": f"{img.width}x{img.height}",
                             "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "value_cells": len(want),
                             "right": right, "conf_right": conf_right, "conf_wrong": conf_wrong,
                             "low_chars": res.low_chars, "chars": res.chars})
                print(f"table{n} seed {seed.name[:3]} {px}px {img.width}x{img.height}: {right}/{len(want)} cells, "
                      f"wall {wall:.2f}s cpu {cpu:.2f}s, rss {rss_mb():.0f} MB", flush=True)
    out["tables"] = rows


def bench_scans(eng, seeds, dpis, out: dict) -> None:
    import subprocess

    from nlp_review.ingest import ocr
    from tests.ocr_renderers import docx_to_pdf, have_scan_tools, pdf_to_scanned_pdf
    from tests.renderers import read_structure, seed_to_docx

    if not have_scan_tools():
        print("no LibreOffice/pdftoppm: scans skipped")
        return
    pages, docs = [], []
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            seed_to_docx(seed, tmp / "r.docx")
            pdf = docx_to_pdf(tmp / "r.docx", tmp)
            for dpi in dpis:
                subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(tmp / f"p{dpi}")],
                               check=True)
                for png in sorted(tmp.glob(f"p{dpi}-*.png")) if seed == seeds[0] else []:  # page cost: first seed
                    bgr = ocr.decode_image(png.read_bytes(), ocr.Limits())
                    w0, c0 = time.perf_counter(), time.process_time()
                    res = ocr.read_image(bgr, {"page": 1}, ocr.Deadline(600, "bench"), eng, page_margins=True)
                    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                    pages.append({"seed": seed.name[:3], "dpi": dpi, "size": f"{bgr.shape[1]}x{bgr.shape[0]}",
                                  "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "chars": res.chars,
                                  "mean_conf": round(res.conf_sum / max(1, res.chars), 4), "low_chars": res.low_chars,
                                  "tables": res.tables})
                    print(f"page seed {seed.name[:3]} {dpi}dpi {png.name}: {res.chars} chars, wall {wall:.2f}s "
                          f"cpu {cpu:.2f}s, rss {rss_mb():.0f} MB", flush=True)
                scan = tmp / f"scan{dpi}.pdf"
                pdf_to_scanned_pdf(pdf, scan, dpi)
                docs.append(compare_doc(seed, scan, dpi, read_structure))
    out["pages"] = pages
    out["documents"] = docs


def compare_doc(seed, scan, dpi, read_structure) -> dict:
    import difflib
    import re

    base = read_structure(seed)
    t0 = time.perf_counter()
    doc = read_structure(scan)
    wall = time.perf_counter() - t0
    want = {(n, k): v for n, t in base.tables.items() for k, v in t.values().items()}
    got = {(n, k): v for n, t in doc.tables.items() for k, v in t.values().items()}
    cells = sum(1 for k, v in want.items() if got.get(k) == v) / max(1, len(want))

    def narrative(d):
        return re.sub(r"\s+", "", "".join(d.section_text(n) for n in (1, 5, 6)))

    a, b = narrative(base), narrative(doc)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    errors = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal")
    row = {"seed": seed.name[:3], "dpi": dpi, "sections": [s.number for s in doc.sections if s.found],
           "cells_equal": round(cells, 4), "narrative_chars": len(a), "narrative_cer": round(errors / max(1, len(a)), 4),
           "wall_s": round(wall, 1), "ocr": doc.source.get("ocr")}
    print(f"document seed {seed.name[:3]} {dpi}dpi: cells {cells:.3f}, narrative CER {row['narrative_cer']:.4f}, "
          f"{wall:.1f}s", flush=True)
    return row


def summary(out: dict) -> str:
    import statistics as st

    lines = []
    t = out.get("tables", [])
    if t:
        lines.append("| table picture | pictures | median size | value cells right | wall s (median) | CPU s (median) |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for n in (3, 4):
            for px in sorted({r["font_px"] for r in t}):
                rs = [r for r in t if r["table"] == n and r["font_px"] == px]
                if not rs:
                    continue
                right = sum(r["right"] for r in rs)
                total = sum(r["value_cells"] for r in rs)
                lines.append(f"| table {n}, text {px} px | {len(rs)} | {rs[0]['size']} | {right}/{total} "
                             f"({right / total:.1%}) | {st.median(r['wall_s'] for r in rs):.2f} | "
                             f"{st.median(r['cpu_s'] for r in rs):.2f} |")
        cr = [c for r in t for c in r["conf_right"]]
        cw = [c for r in t for c in r["conf_wrong"]]
        thr = [0.5, 0.7, 0.8, 0.9, 0.95]
        lines.append("")
        lines.append(f"digits read right: {len(cr)}, confidence median {st.median(cr):.3f}, "
                     + ", ".join(f"< {x}: {sum(c < x for c in cr)}" for x in thr))
        if cw:
            lines.append(f"cells read wrong: {len(cw)} characters, confidence median {st.median(cw):.3f}, "
                         + ", ".join(f"< {x}: {sum(c < x for c in cw)}" for x in thr))
        else:
            lines.append("cells read wrong: none")
    p = out.get("pages", [])
    if p:
        lines.append("")
        lines.append("| scanned page | pages | size | wall s (median) | CPU s (median) | chars/page | mean confidence | chars < 0.9 |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for dpi in sorted({r["dpi"] for r in p}):
            rs = [r for r in p if r["dpi"] == dpi]
            lines.append(f"| {dpi} dpi | {len(rs)} | {rs[0]['size']} | {st.median(r['wall_s'] for r in rs):.2f} | "
                         f"{st.median(r['cpu_s'] for r in rs):.2f} | {st.median(r['chars'] for r in rs):.0f} | "
                         f"{st.mean(r['mean_conf'] for r in rs):.3f} | {sum(r['low_chars'] for r in rs)} |")
    d = out.get("documents", [])
    if d:
        lines.append("")
        lines.append("| scanned document | sections | table cells equal | narrative CER | wall s |")
        lines.append("| --- | --- | --- | --- | --- |")
        for r in d:
            lines.append(f"| seed {r['seed']} @ {r['dpi']} dpi | {len(r['sections'])}/6 | {r['cells_equal']:.1%} | "
                         f"{r['narrative_cer']:.2%} | {r['wall_s']} |")
    m = out.get("memory", {})
    lines.append("")
    lines.append(f"memory: RSS {m.get('rss_before_mb')} MB before the models, {m.get('rss_after_load_mb')} MB after "
                 f"loading them ({m.get('load_s')} s), peak {m.get('peak_mb')} MB; load average {out.get('loadavg')}")
    return "\n".join(lines)


def main(argv=None) -> int:
    from tests.renderers import SEEDS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="all")
    ap.add_argument("--font-px", default="14,18,24")
    ap.add_argument("--scan-dpi", default="150,300")
    ap.add_argument("--no-tables", action="store_true")
    ap.add_argument("--no-scans", action="store_true")
    ap.add_argument("--jpeg", type=int, default=0, help="table pictures saved as JPEG of this quality")
    ap.add_argument("--models", help="folder with det.onnx, rec.onnx (and dict.txt): another wheel's models")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "ocr.json"))
    args = ap.parse_args(argv)
    seeds = SEEDS if args.seeds == "all" else [s for s in SEEDS if s.name[:3] in args.seeds.split(",")]
    out: dict = {"loadavg_start": os.getloadavg()}
    before = rss_mb()
    t0 = time.perf_counter()
    eng = make_engine(args.models)
    out["memory"] = {"rss_before_mb": round(before), "rss_after_load_mb": round(rss_mb()),
                     "load_s": round(time.perf_counter() - t0, 2)}
    if args.models:  # the whole reader (documents too) uses these models
        from nlp_review.ingest import ocr

        out["models"] = args.models
        ocr._ENGINE = eng
    if not args.no_tables:
        bench_tables(eng, seeds, [int(x) for x in args.font_px.split(",")], out, args.jpeg)
        out["jpeg_quality"] = args.jpeg or None
    if not args.no_scans:
        bench_scans(eng, seeds, [int(x) for x in args.scan_dpi.split(",")], out)
    out["memory"]["peak_mb"] = round(peak_mb())
    out["loadavg"] = [round(x, 1) for x in os.getloadavg()]
    text = summary(out)
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    Path(args.out).with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
