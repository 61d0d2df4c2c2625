"""Expected values of the seeds (tests/data/seed_expectations.json, read by hand)."""
import json
from pathlib import Path

from nlp_review.tables.schema import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_KEYS

_RAW = json.loads((Path(__file__).parent / "data" / "seed_expectations.json").read_text(encoding="utf-8"))


def expected(seed: str) -> dict:
    e = _RAW[seed]
    t3 = {f"{r.key}.{c}": 0 for r in TABLE3_ROWS for c in TABLE3_COLUMNS}
    t3.update(e["table3_nonzero"])
    t4 = {k: 0 for k in TABLE4_KEYS}
    t4.update(e["table4_nonzero"])
    return {"title": e["title"], "agency": e["agency"], "year": e["year"],
            "tables": {"table2": e["table2"], "table3": t3, "table4": t4}}


SEED_IDS = sorted(k for k in _RAW if not k.startswith("_"))
