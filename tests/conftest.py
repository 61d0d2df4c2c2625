import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SEEDS = sorted((DATA / "seeds").glob("*.txt"))
SHARED = ROOT.parent / "shared"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def seed_paths():
    assert len(SEEDS) == 5
    return SEEDS


@pytest.fixture(scope="session")
def reviewed_seeds():
    from nlp_review.pipeline import review_path

    return {p.name[:3]: review_path(p) for p in SEEDS}
