"""Findings put back where they are: Word comments (批注) in the reviewer's own .docx
(`docx.annotate_docx`), a generated .docx for other formats (`docx.text_to_docx`), and
a printable HTML report with highlighted findings (`html.render_report_html`)."""
from .docx import annotate_docx, annotated_docx_for, text_to_docx  # noqa: F401
from .html import render_report_html  # noqa: F401
