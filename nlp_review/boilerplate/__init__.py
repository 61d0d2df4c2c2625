"""Boilerplate (issue 6): generic stock text, text shared across agencies' reports, text
copied from last year's report, and other places' names left in copied text.

- `text`: comparison form, sentence split, shingles, headings;
- `features`: explainable specificity features and the stock-phrase lexicon;
- `index`: the MinHash/LSH commonness index (datasketch);
- `yoy`: year-over-year alignment of sections one and five;
- `names`: the gazetteer and foreign place names;
- `model`: the trained artifact (models/<VERSION>/boilerplate/) and its use;
- `train`: the `nlp-review train` trainer "boilerplate";
- `component`: the pipeline component; `batch`: the `nlp-review batch` hook.
The findings are made by `nlp_review/checks/boilerplate.py`.
"""
