"""Category "structure": the six sections, their headings and order, the title, the statutory tables' presence."""
