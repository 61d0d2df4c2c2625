"""Category "contradiction": the report against itself — narrative against tables
(rubric C1–C5, C8), its own arithmetic, its years and dates."""
