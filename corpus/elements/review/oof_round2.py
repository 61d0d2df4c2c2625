"""Round-2 hand labels from reading the training split's section-one out-of-fold
disagreements (logreg_C3_context, GroupKFold(4) by document, after mo_round2.py), in
units.jsonl order (index = line of that listing). Training split only. Rule as written in
mo_round2.py (organisation/leadership → s1.oversight; release review, catalogues, updating
→ s1.management). Disagreements not listed were read and the label kept (the model was
wrong, or the unit is mixed and its label defensible)."""
M, O, OT = "s1.management", "s1.oversight", "other"
FIX = {8: O, 9: O, 10: M, 24: O, 51: M, 69: OT, 70: M, 71: M, 72: M}
