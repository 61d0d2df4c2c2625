"""Cost per page of reading PDFs: pdfplumber (pdfminer) against PDFium (pypdfium2).

Measures, per page, on office-made PDFs (the five seeds written as agencies do in Word and
exported by LibreOffice, `tests/realdocs.py`; or the PDFs given on the command line):

- pdfplumber: characters only (`page.chars`: pdfminer parses the whole page);
- pdfplumber: characters + `find_tables()` on every page (how the reader worked before);
- PDFium: characters with loose boxes, font size and font name (`pdf_reader._pdfium_chars`);
- PDFium: the page's rule segments (`pdf_reader._page_rules`) and pdfplumber's table finder
  on them (`pdf_reader.find_tables`);
- `read_pdf` as shipped: all of the above, plus lines, table cells and paragraphs from
  geometry.

One process, one thread, best of `--repeat` runs per file (CPU time of this process).

    .venv/bin/python bench/pdf_cost.py            # generates the LibreOffice PDFs (soffice)
    .venv/bin/python bench/pdf_cost.py a.pdf b.pdf
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _cpu(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def office_pdfs(out: Path) -> list[Path]:
    from tests.realdocs import STYLES, VARIANT_STYLES, libreoffice_pdfs, seed_to_agency_docx
    from tests.renderers import SEEDS

    docs = []
    for i, seed in enumerate(SEEDS):
        for tag, style in (("", STYLES[i % len(STYLES)]), ("v", VARIANT_STYLES[i % len(VARIANT_STYLES)])):
            p = out / f"{seed.name[:3]}{tag}.docx"
            seed_to_agency_docx(seed, p, style)
            docs.append(p)
    return libreoffice_pdfs(docs, out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    import pdfplumber
    import pypdfium2 as pdfium

    from nlp_review.ingest import pdf_reader

    with tempfile.TemporaryDirectory() as tmp:
        pdfs = args.pdfs or office_pdfs(Path(tmp))
        totals = dict.fromkeys(["pages", "ruled", "plumber_chars", "plumber_tables", "pdfium_chars", "pdfium_rules",
                                "read_pdf"], 0.0)
        for path in pdfs:
            data = path.read_bytes()

            def plumber(tables: bool):
                with pdfplumber.open(io.BytesIO(data)) as pdf:
                    for page in pdf.pages:
                        page.chars
                        if tables:
                            page.find_tables()

            def pdfium_pass(what: str):
                doc = pdfium.PdfDocument(data)
                for i in range(len(doc)):
                    page = doc[i]
                    if what == "chars":
                        pdf_reader._pdfium_chars(page)
                    else:
                        w, h = page.get_size()
                        edges, _images = pdf_reader._page_rules(page)
                        pdf_reader.find_tables(pdf_reader._PageData(i + 1, w, h, [], edges, 0, 0))
                    page.close()
                doc.close()

            pages = pdf_reader._read_pages(data, 10_000, pdf_reader._Deadline(0))
            n = len(pages)
            ruled = sum(1 for p in pages if pdf_reader.find_tables(p))
            row = {
                "pages": n, "ruled": ruled,
                "plumber_chars": _cpu(lambda: plumber(False), args.repeat),
                "plumber_tables": _cpu(lambda: plumber(True), args.repeat),
                "pdfium_chars": _cpu(lambda: pdfium_pass("chars"), args.repeat),
                "pdfium_rules": _cpu(lambda: pdfium_pass("rules"), args.repeat),
                "read_pdf": _cpu(lambda: pdf_reader.read_pdf(data), args.repeat),
            }
            for k, v in row.items():
                totals[k] += v
            print(f"{path.name}: {n} pages ({ruled} with tables), ms/page: "
                  + ", ".join(f"{k} {1000 * v / n:.1f}" for k, v in row.items() if k not in ("pages", "ruled")))
        n = totals["pages"]
        print(f"\n{len(pdfs)} PDFs, {n:.0f} pages ({totals['ruled']:.0f} with tables); CPU ms per page:")
        print("| step | ms/page |\n| --- | --- |")
        for k, label in (("plumber_chars", "pdfplumber: characters"),
                         ("plumber_tables", "pdfplumber: characters + find_tables on every page (before)"),
                         ("pdfium_chars", "PDFium: characters, boxes, font size and name"),
                         ("pdfium_rules", "PDFium: rule segments + pdfplumber's TableFinder on them"),
                         ("read_pdf", "read_pdf as shipped (all of it, plus lines, cells, paragraphs)")):
            print(f"| {label} | {1000 * totals[k] / n:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
