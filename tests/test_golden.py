"""The contract output of the seeds and the 182 excerpts equals the stored golden output
(`tests/golden.py`): refactors change no finding, table cell or element."""
from __future__ import annotations

import json

import pytest

from tests.golden import INPUTS, _key, canonical, current_output, load_golden


@pytest.fixture(scope="module")
def golden():
    return load_golden()


def test_golden_covers_every_input(golden):
    assert len(INPUTS) == 187
    assert set(golden) == {_key(p) for p in INPUTS}


def _first_difference(a, b, path="$"):
    if type(a) is not type(b):
        return path
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}"
            d = _first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path} (length {len(a)} vs {len(b)})"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else path


@pytest.mark.parametrize("path", INPUTS, ids=_key)
def test_output_equals_golden(path, golden):
    now = canonical(current_output(path))
    before = golden[_key(path)]
    if now != before:
        where = _first_difference(json.loads(before), json.loads(now))
        pytest.fail(f"{_key(path)} differs from its golden output at {where}")
