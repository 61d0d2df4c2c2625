"""Category "format": how the report is written down — punctuation, numbers, dates,
numbering, table formats (rubric F6, A8, §1.4)."""
