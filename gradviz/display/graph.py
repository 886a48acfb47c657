"""Graph: the object draw() returns; DOT source, SVG, files, and notebook display."""

from __future__ import annotations

import os
from pathlib import Path

from . import render

__all__ = ["Graph"]


class Graph:
    """A drawn graph: DOT text now, SVG rendered on first need (then cached).

    In a notebook it displays as ``image/svg+xml``: JupyterLab and Notebook 7
    show that through an ``<img>`` (scripts and links inert), VS Code and
    nbconvert HTML show it too. No ``text/html`` is emitted, because trusted
    HTML outputs are inserted with innerHTML. ``text/plain`` is a fixed
    summary so nbval sees the same text on every run; when rendering fails it
    carries the reason and the DOT source instead of a picture.
    """

    def __init__(
        self,
        source: str,
        *,
        nodes: int,
        edges: int,
        timeout: float = render.DEFAULT_TIMEOUT,
        renderer: render.Renderer | None = None,
    ) -> None:
        self._source = source
        self.nodes = nodes
        self.edges = edges
        self.timeout = timeout
        self._renderer = renderer  # None = the process-wide chain
        self._svg: str | None = None
        self._error: render.RenderError | None = None

    @property
    def source(self) -> str:
        """The DOT text (always available, no renderer needed)."""
        return self._source

    def svg(self) -> str:
        """The rendered, checked SVG text; raises ``RenderError`` when it cannot be made."""
        if self._svg is None and self._error is None:
            try:
                self._svg = render.render_svg(self._source, timeout=self.timeout, renderer=self._renderer)
            except render.RenderError as exc:
                self._error = exc  # a timeout is not retried on every display
        if self._error is not None:
            raise render.RenderError(str(self._error)) from self._error
        assert self._svg is not None
        return self._svg

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the graph to ``path``; the suffix picks the format: ``.svg``, ``.png`` or ``.dot``."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix in (".dot", ".gv"):
            target.write_text(self._source, encoding="utf-8")
        elif suffix == ".svg":
            target.write_text(self.svg(), encoding="utf-8")
        elif suffix == ".png":
            data = render.render_png(self._source, timeout=self.timeout, renderer=self._renderer)
            target.write_bytes(data)
        else:
            raise ValueError(f"cannot save a graph as {suffix or 'a file without suffix'!r}; use .svg, .png or .dot")
        return target

    def __repr__(self) -> str:
        return f"gradviz.Graph(nodes={self.nodes}, edges={self.edges})"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        wants_svg = (not include or "image/svg+xml" in include) and not (exclude and "image/svg+xml" in exclude)
        bundle = {}
        if wants_svg:
            try:
                bundle["image/svg+xml"] = self.svg()
            except render.RenderError as exc:
                # no picture: the reason and the DOT text, so the cell still shows the graph
                bundle["text/plain"] = f"{self!r}\n{exc}\nDOT source:\n{self._source}"
        bundle.setdefault("text/plain", repr(self))
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle
