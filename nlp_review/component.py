"""Pipeline components (spaCy's `@Language.factory`, kept small): a component is a function
`fn(doc, options, **config)` that reads the layers it `requires` and fills the layers it
`assigns`. It registers itself, next to its code, with `@component(...)`; `pipeline.Pipeline`
builds pipelines from component names and checks that every required layer is assigned
earlier. Component modules never import the pipeline.

Layer names are `Doc` field names (`doc.py`); `INGESTED` are the ones ingestion fills.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .doc import INGESTED  # noqa: F401  (re-exported: the layers before any component)


@dataclass(frozen=True)
class Component:
    name: str
    fn: Callable[..., None]
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    uses: tuple[str, ...] = ()  # read when an earlier component assigned them; not required
    doc: str = ""

    @property
    def module(self) -> str:
        return self.fn.__module__


COMPONENTS: dict[str, Component] = {}


def component(name: str, *, requires: tuple[str, ...] = (), assigns: tuple[str, ...] = (),
              uses: tuple[str, ...] = ()):
    """Register `fn(doc, options, **config)` as the component `name`."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        old = COMPONENTS.get(name)
        if old is not None and (old.fn.__module__, old.fn.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ValueError(f"component {name!r} registered twice ({old.module}, {fn.__module__})")
        summary = (fn.__doc__ or "").strip().split("\n")[0]
        COMPONENTS[name] = Component(name, fn, tuple(requires), tuple(assigns), tuple(uses), summary)
        return fn

    return register
