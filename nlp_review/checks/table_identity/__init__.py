"""Category "table_identity": the statutory tables' own arithmetic (勾稽关系, rubric §1.4 I-1…I-4, I-7).
Identities are checked only where every cell involved was read; each finding carries the
identity and both sides' values in `evidence`."""
