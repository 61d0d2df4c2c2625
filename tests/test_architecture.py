"""Architecture rules, checked on the source with `ast`:

- components and rules never import the pipeline (only entry points do);
- `Doc.user_data` is the caller's: no key is read by a module other than the one that
  wrote it, and no product module writes it;
- training depends on inference, never the other way round; no import cycle.
"""
from __future__ import annotations

import ast
from pathlib import Path

from .import_graph import ROOT, cycles, import_graph, module_files

PIPELINE = "nlp_review.pipeline"
# Entry points: the command line and other callers that run pipelines.
# Entry points run the pipeline: the CLIs and the batch worker (one review per file).
ENTRY_POINTS = {"nlp_review.cli", "nlp_review.annotate.cli", "nlp_review.claims.cli", "nlp_review.batch.work"}
TRAINING = "nlp_review.training"


def _decorated_modules(decorators: set[str]) -> set[str]:
    out = set()
    for name, path in module_files().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for d in node.decorator_list:
                    f = d.func if isinstance(d, ast.Call) else d
                    if isinstance(f, ast.Name) and f.id in decorators:
                        out.add(name)
    return out


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        for n in graph.get(m, ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def test_components_and_rules_never_import_the_pipeline():
    graph = import_graph()
    components = _decorated_modules({"component"})
    rules = _decorated_modules({"rule"}) | {m for m in graph if m.startswith("nlp_review.checks")}
    assert {"nlp_review.structure.sections", "nlp_review.tables.parse", "nlp_review.scores"} <= components
    for m in sorted(components | rules):
        assert PIPELINE not in _reachable(graph, m), f"{m} imports the pipeline (directly or through its imports)"
    importers = {m for m, deps in graph.items() if PIPELINE in deps}
    assert importers <= ENTRY_POINTS | {m for m in graph if m.startswith(TRAINING)}, importers


def user_data_keys(source: str) -> tuple[set[str], set[str]]:
    """(keys written, keys read) through `….user_data[...]`, `.get`, `.setdefault`, `.pop`
    and `in`; a key that is not a string literal is recorded as "?"."""
    written, read = set(), set()

    def key(node) -> str:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else "?"

    def is_ud(node) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "user_data"

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and is_ud(node.value):
            (written if isinstance(node.ctx, (ast.Store, ast.Del)) else read).add(key(node.slice))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_ud(node.func.value):
            meth, k = node.func.attr, key(node.args[0]) if node.args else "?"
            if meth in ("get", "pop"):
                read.add(k)
            elif meth == "setdefault":
                read.add(k)
                written.add(k)
            elif meth == "update":
                written.add("?")
        elif isinstance(node, ast.Compare) and any(is_ud(c) for c in node.comparators):
            read.add(key(node.left))
    return written, read


def test_user_data_detector_sees_reads_and_writes():
    src = ('doc.user_data["a"] = 1\nx = doc.user_data.get("b")\ny = doc.user_data["c"]\n'
           'doc.user_data.setdefault("d", []).append(1)\nif "e" in doc.user_data: pass\n')
    assert user_data_keys(src) == ({"a", "d"}, {"b", "c", "d", "e"})


def test_user_data_is_the_callers_alone():
    files = {**module_files("nlp_review"), **module_files("service")}
    writers: dict[str, set[str]] = {}
    reads: list[tuple[str, str]] = []
    for name, path in files.items():
        w, r = user_data_keys(path.read_text(encoding="utf-8"))
        for k in w:
            writers.setdefault(k, set()).add(name)
        reads.extend((name, k) for k in r)
    bad = [(m, k) for m, k in reads if m not in writers.get(k, set())]
    assert not bad, f"user_data keys read by a module that did not write them (make them Doc layers): {bad}"
    product_writers = sorted({m for ms in writers.values() for m in ms if m.startswith("nlp_review")})
    assert not product_writers, f"product modules write user_data (a layer belongs on Doc): {product_writers}"


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, f"import cycles: {found}"


def test_training_depends_on_inference_one_way():
    graph = import_graph()
    training = {m for m in graph if m.startswith(TRAINING + ".") or m == TRAINING}
    assert {"nlp_review.training.typo_lm", "nlp_review.training.typo_neural", "nlp_review.training.elements",
            "nlp_review.training.boilerplate", "nlp_review.training.cli", "nlp_review.training.typo_confusion"} <= training
    into_training = {m: sorted(deps & training) for m, deps in graph.items() if m not in training and deps & training}
    assert not into_training, f"inference modules import training code: {into_training}"
    # …and the trainers do build on the inference packages (what they train is what is loaded)
    assert "nlp_review.typo.neural" in graph["nlp_review.training.typo_neural"]
    assert "nlp_review.elements.model" in graph["nlp_review.training.elements"]


def test_import_graph_sees_function_level_and_relative_imports(tmp_path):
    graph = import_graph()
    # a function-level relative import (cli imports the pipeline inside its commands)
    assert PIPELINE in graph["nlp_review.cli"]
    assert "nlp_review.doc" in graph["nlp_review.pipeline"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_is_in_the_graph():
    assert set(import_graph()) == set(module_files())
    assert all(Path(p).is_relative_to(ROOT) for p in module_files().values())
