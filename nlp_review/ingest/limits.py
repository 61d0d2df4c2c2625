"""Bounds on every count a reader takes from a file, so that a small file cannot make the
reader build millions of objects (a 40 KB .docx with ``w:gridBefore="99999999"`` asked for
one empty cell per grid unit).

Each limit sits well above what real reports use (measured on the 834 report texts of
the corpus and the seeds: paragraphs ≤ 800 characters, sentences ≤ 430, tables ≤ 15
columns, ≤ 1,000 lines) and well below what the review's memory budget can hold. Spans
are clamped (a merged cell never covers more than the table can have); counts that no
real report reaches are refused with a Chinese `InputError`. Nesting needs no limit of its
own: lxml (libxml2) stops an HTML or XML tree at 256 levels, below Python's recursion limit
for the readers' walks.
"""
from __future__ import annotations

from ..errors import InputError

MAX_TABLE_COLUMNS = 100  # Word allows 63 columns per table; HTML colspan/rowspan are clamped too
MAX_TABLE_ROWS = 2_000  # per table
MAX_CELLS = 50_000  # grid positions of all tables of a document together
MAX_PARAGRAPHS = 100_000  # paragraphs a reader emits (empty ones included)
MAX_LINES = 20_000  # non-empty lines of the review text
MAX_READ_CHARS = 1_200_000  # text a reader collects (twice the review's 600,000-character limit)
MAX_XML_PART_BYTES = 32 * 1024 * 1024  # one XML part of a .docx, uncompressed
MAX_PDF_PAGE_CHARS = 20_000  # characters drawn on one PDF page (a dense A4 page: ~3,000)
MAX_PDF_PAGE_RULES = 20_000  # straight rule segments kept of one PDF page (a ruled table page: a few hundred)


def clamp_span(value: int, limit: int) -> int:
    """A span read from a file, between 1 and `limit`."""
    return max(1, min(int(value), limit))


class Budget:
    """Counts what one document's reader builds and refuses when a limit is passed."""

    def __init__(self) -> None:
        self.cells = 0
        self.paragraphs = 0
        self.chars = 0

    def add_chars(self, n: int) -> None:
        """Text collected so far: a reader stops long before building a 4-million-character document."""
        self.chars += n
        check_read_chars(self.chars)

    def add_cells(self, n: int) -> None:
        self.cells += n
        if self.cells > MAX_CELLS:
            raise InputError("too_complex", f"文件中的表格单元格过多（超过 {MAX_CELLS} 个），不像单份年度报告，已拒绝处理。",
                             f"cells > {MAX_CELLS}")

    def add_paragraph(self) -> None:
        self.paragraphs += 1
        if self.paragraphs > MAX_PARAGRAPHS:
            raise InputError("too_complex", f"文件中的段落过多（超过 {MAX_PARAGRAPHS} 个），不像单份年度报告，已拒绝处理。",
                             f"paragraphs > {MAX_PARAGRAPHS}")

    @staticmethod
    def check_rows(n: int) -> None:
        if n > MAX_TABLE_ROWS:
            raise InputError("too_complex", f"文件中有行数异常多的表格（超过 {MAX_TABLE_ROWS} 行），不像单份年度报告，已拒绝处理。",
                             f"table rows > {MAX_TABLE_ROWS}")


def check_read_chars(n: int) -> None:
    if n > MAX_READ_CHARS:
        raise InputError("too_long", f"文件内容过长（超过 {MAX_READ_CHARS} 字），超过单份年报的合理长度。",
                         f"read chars {n}")


def check_lines(n: int) -> None:
    if n > MAX_LINES:
        raise InputError("too_complex", f"文件中的文字行过多（{n} 行，上限 {MAX_LINES} 行），不像单份年度报告，已拒绝处理。",
                         f"lines {n} > {MAX_LINES}")
