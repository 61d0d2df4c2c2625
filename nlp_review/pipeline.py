"""The review pipeline (spaCy style): one `Doc` flows through declared components, each
filling the layers it `assigns` from the layers it `requires` (component.py).

A `Pipeline` is built from component names, checked when built (every required layer is
assigned by ingestion or an earlier component) and run on one doc (`run`) or a stream of
them (`pipe`). `PRESETS` are the pipelines the product uses: the full `review`, the
LanguageTool `fragment` check and the `previous_year` read of last year's report. The
`review_*` functions are the entry points callers use.
"""
from __future__ import annotations

import time
from importlib import import_module
from typing import Callable, Iterable, Iterator, Optional, Sequence, Union

from .component import COMPONENTS, INGESTED, Component
from .doc import Doc
from .options import Options

__all__ = ["Options", "Pipeline", "PRESETS", "review", "review_bytes", "review_path", "review_text",
           "review_fragment", "previous_bytes", "previous_path", "read_path"]

# The modules whose `@component` functions the presets use (imported when a pipeline is built).
COMPONENT_MODULES: tuple[str, ...] = (
    "nlp_review.structure.sections",
    "nlp_review.structure.guard",
    "nlp_review.tables.parse",
    "nlp_review.tables.previous",
    "nlp_review.structure.sentences",
    "nlp_review.claims.extract",
    "nlp_review.elements.component",
    "nlp_review.boilerplate.component",
    "nlp_review.checks.runner",
    "nlp_review.ingest.ocr_evidence",
    "nlp_review.scores",
)

Step = Union[str, tuple[str, dict]]  # a component name, or (name, config)

PRESETS: dict[str, tuple[Step, ...]] = {
    # The whole review of one report.
    "review": ("sections", "report_guard", "tables", "previous_report", "sentences", "claims", "elements",
               "boilerplate", "checks", "ocr_evidence", "scores"),
    # A text fragment (a paragraph being typed, LanguageTool /v2/check): no sections or
    # tables, so only the rules that need nothing more than sentences run, and only the
    # sentence-level families are reported.
    "fragment": ("sentences", ("checks", {"categories": ("typo", "format")})),
    # Last year's report, for the year-over-year rules: what they compare, no checks.
    "previous_year": ("sections", "report_guard", "tables", "sentences"),
}


def load_components() -> dict[str, Component]:
    for mod in COMPONENT_MODULES:
        import_module(mod)
    return COMPONENTS


class Pipeline:
    """An ordered list of components with their config, validated when built."""

    def __init__(self, steps: Sequence[Step], name: str = "custom"):
        load_components()
        self.name = name
        self.steps: list[tuple[Component, dict]] = []
        for step in steps:
            cname, config = (step, {}) if isinstance(step, str) else step
            if cname not in COMPONENTS:
                raise ValueError(f"unknown component {cname!r}; known: {', '.join(sorted(COMPONENTS))}")
            self.steps.append((COMPONENTS[cname], dict(config)))
        self.validate()

    @classmethod
    def preset(cls, name: str) -> "Pipeline":
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}")
        pipe = _PRESET_CACHE.get(name)
        if pipe is None:
            pipe = _PRESET_CACHE[name] = cls(PRESETS[name], name)
        return pipe

    @property
    def names(self) -> list[str]:
        return [c.name for c, _ in self.steps]

    def validate(self) -> None:
        """Every required layer is assigned before its component; a layer a component
        `uses` is not assigned only after it (that would be an ordering mistake)."""
        have = set(INGESTED)
        for i, (c, _) in enumerate(self.steps):
            missing = [r for r in c.requires if r not in have]
            if missing:
                raise ValueError(f"pipeline {self.name}: component {c.name!r} requires {missing}, "
                                 f"assigned by no earlier component")
            later = {layer for d, _ in self.steps[i + 1:] for layer in d.assigns}
            late = [u for u in c.uses if u in later and u not in have]
            if late:
                raise ValueError(f"pipeline {self.name}: component {c.name!r} uses {late}, assigned only after it")
            have.update(c.assigns)
        names = self.names
        if len(set(names)) != len(names):
            raise ValueError(f"pipeline {self.name}: a component appears twice: {names}")

    def _selected(self, until: Optional[str], only: Optional[Iterable[str]],
                  disable: Optional[Iterable[str]]) -> list[tuple[Component, dict]]:
        names = self.names
        for given in ([until] if until else []) + list(only or ()) + list(disable or ()):
            if given not in names:
                raise ValueError(f"pipeline {self.name} has no component {given!r}: {names}")
        steps = self.steps[:names.index(until) + 1] if until else list(self.steps)
        if only is not None:
            keep = set(only)
            steps = [s for s in steps if s[0].name in keep]
        if disable:
            drop = set(disable)
            steps = [s for s in steps if s[0].name not in drop]
        return steps

    def run(self, doc: Doc, options: Optional[Options] = None, *, until: Optional[str] = None,
            only: Optional[Iterable[str]] = None, disable: Optional[Iterable[str]] = None) -> Doc:
        """Run the components (up to and including `until`; only those in `only`; not those
        in `disable`) on `doc`. A component whose required layers the doc lacks is an error."""
        options = options or Options()
        for c, config in self._selected(until, only, disable):
            missing = [r for r in c.requires if not doc.has(r)]
            if missing:
                raise ValueError(f"component {c.name!r} requires {missing}, which this doc does not have")
            c.fn(doc, options, **config)
            doc.layers.update(c.assigns)
        return doc

    def pipe(self, docs: Iterable[Doc], options: Optional[Options] = None, **run_args) -> Iterator[Doc]:
        """Run on a stream of docs, yielding each as soon as it is done."""
        for doc in docs:
            yield self.run(doc, options, **run_args)

    def describe(self) -> str:
        """The component graph: each component with what it requires, uses and assigns."""
        lines = [f"pipeline {self.name}: ingestion → {', '.join(INGESTED)}"]
        for c, config in self.steps:
            cfg = f" {config}" if config else ""
            lines.append(f"  {c.name}{cfg}  ({c.module})")
            lines.append(f"      requires: {', '.join(c.requires) or '—'}")
            if c.uses:
                lines.append(f"      uses:     {', '.join(c.uses)}")
            lines.append(f"      assigns:  {', '.join(c.assigns) or '— (' + (c.doc.rstrip('.') or 'no layer') + ')'}")
        return "\n".join(lines)


_PRESET_CACHE: dict[str, Pipeline] = {}


def review(doc: Doc, options: Optional[Options] = None) -> Doc:
    return Pipeline.preset("review").run(doc, options)


def _timed(load: Callable[[], Doc], options: Optional[Options], preset: str = "review") -> Doc:
    """Load and run a preset, recording the whole time (ingestion included) in timing_ms."""
    t0 = time.perf_counter()
    doc = Pipeline.preset(preset).run(load(), options)
    doc.timing_ms = round((time.perf_counter() - t0) * 1000, 1)
    return doc


def review_bytes(data: bytes, filename: str | None = None, options: Optional[Options] = None,
                 **load_options) -> Doc:
    from .ingest import load_bytes

    return _timed(lambda: load_bytes(data, filename, **load_options), options)


def review_path(path, options: Optional[Options] = None, **load_options) -> Doc:
    from .ingest import load_path

    return _timed(lambda: load_path(path, **load_options), options)


def review_text(text: str, filename: str = "input.txt", options: Optional[Options] = None) -> Doc:
    return review_bytes(text.encode("utf-8"), filename, options)


def previous_bytes(data: bytes, filename: str | None = None, **load_options) -> Doc:
    """Last year's report read for the year-over-year rules (`options.previous`)."""
    from .ingest import load_bytes

    return _timed(lambda: load_bytes(data, filename, **load_options), None, "previous_year")


def previous_path(path, **load_options) -> Doc:
    from .ingest import load_path

    return _timed(lambda: load_path(path, **load_options), None, "previous_year")


def read_path(path, until: Optional[str] = None, preset: str = "review", options: Optional[Options] = None,
              **load_options) -> Doc:
    """A file through a preset, up to and including the component `until` (e.g. "claims")."""
    from .ingest import load_path

    return Pipeline.preset(preset).run(load_path(path, **load_options), options, until=until)


def review_fragment(text: str, options: Optional[Options] = None) -> Doc:
    """Check a text fragment with the sentence-level rules. `Doc.text` keeps every line of
    `text`; `doc.source_map.locate(i)` gives {"line": n, "offset": k} into the input."""
    from .ingest.blocks import Paragraph, Piece, RawDocument
    from .ingest.builder import build_doc

    raw = RawDocument("txt", [Paragraph([Piece(line, {"line": n}, 0)])
                              for n, line in enumerate(text.split("\n"), start=1)])
    doc = build_doc(raw, None, text.encode("utf-8", "surrogatepass"))
    return Pipeline.preset("fragment").run(doc, options)
