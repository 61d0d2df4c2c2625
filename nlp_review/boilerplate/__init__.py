"""Boilerplate (issue 6): generic stock text, text shared across agencies' reports, text
copied from last year's report, and other places' names left in copied text.

- `text`: comparison form, sentence split, shingles, headings;
- `features`: explainable specificity features and the stock-phrase lexicon (learned by
  nlp_review/training/boilerplate.py, the `nlp-review train` trainer "boilerplate");
- `index`: the MinHash/LSH commonness index (datasketch);
- `yoy`: year-over-year alignment of sections one and five;
- `names`: the gazetteer and foreign place names;
- `model`: the trained artifact (models/<VERSION>/boilerplate/): load, save, use;
- `component`: the pipeline component; `batch`: the `nlp-review batch` hook.
The findings are made by the rules in `nlp_review/checks/boilerplate/`.
"""
