"""gradviz's display layer: draw() a tensor's graph, and the ``%load_ext gradviz`` notebook mode."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping
from typing import Any

from .graph import Graph
from .render import DEFAULT_TIMEOUT, RenderError

__all__ = ["Graph", "RenderError", "draw", "load_ipython_extension", "unload_ipython_extension"]


def draw(
    t: Any,
    *,
    view: str = "autograd",
    names: Mapping[str, Any] | None = None,
    rankdir: str = "TB",
    max_nodes: int = 500,
    show_saved: bool = False,
    legend: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> Graph:
    """Draw the graph behind tensor ``t`` (or a list of tensors).

    Args:
        t: the tensor whose history is drawn, usually a loss or an output.
        view: ``"autograd"``, the ``grad_fn`` graph as PyTorch builds it (backward
            nodes, ``AccumulateGrad`` for leaves, ``next_functions`` edges), or
            ``"computation"``, tensors and operations both as nodes, constants included.
        names: ``{"x": x, ...}`` labels for tensors; by default the caller's variables
            are used (a tensor bound to ``y`` shows as ``y``). Pass ``{}`` for none.
        rankdir: layout direction, ``"TB"``, ``"LR"``, ``"BT"`` or ``"RL"``.
        max_nodes: budget of drawn boxes; bigger graphs are collapsed (runs of one op
            folded into a counted box, the rest summarised) with a visible note.
        show_saved: also draw the tensors each node saved for backward.
        legend: add a small legend of the node looks that occur.
        timeout: seconds the renderer may take before the DOT text is shown instead.

    Returns:
        A Graph: shows itself in notebooks; ``.source``, ``.svg()``, ``.save(path)``.

    >>> import gradviz as torch
    >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> torch.draw(y)
    gradviz.Graph(nodes=3, edges=3)
    """
    from .dot import to_dot

    if names is None:
        names = _caller_names()
    built = to_dot(t, view=view, names=names, rankdir=rankdir, max_nodes=max_nodes,
                   show_saved=show_saved, legend=legend)
    return Graph(built.source, nodes=built.nodes, edges=built.edges, timeout=timeout)


def _caller_names() -> dict[str, Any]:
    """Tensors bound to names in the first frame outside gradviz (locals, then globals)."""
    from ..tensor import Tensor

    frame = sys._getframe(1)
    try:
        while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "gradviz":
            frame = frame.f_back
        if frame is None:
            return {}
        found: dict[str, Any] = {}
        scopes = [frame.f_locals] if frame.f_locals is frame.f_globals else [frame.f_locals, frame.f_globals]
        for scope in scopes:
            for key, value in list(scope.items()):
                # _, _3, __ are IPython's output history, not the student's names
                if isinstance(value, Tensor) and isinstance(key, str) and not key.startswith("_"):
                    found.setdefault(key, value)
        return found
    finally:
        del frame  # no frame -> locals -> frame cycle


# --------------------------------------------------------------------- IPython extension

_formatter_state: dict[str, Any] = {}


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext gradviz``: a tensor with a grad_fn that ends a cell shows its text and its graph.

    The text is exactly what IPython would print (PyTorch's repr); the graph
    follows as ``image/svg+xml``. Tensors without a grad_fn display as usual.
    """
    from ..tensor import Tensor

    formatter = ipython.display_formatter.mimebundle_formatter
    plain = ipython.display_formatter.formatters["text/plain"]

    def tensor_bundle(t: Any, include: Any = None, exclude: Any = None) -> dict[str, str] | None:
        if getattr(t, "grad_fn", None) is None:
            return None  # the normal formatters take over
        text = plain(t)
        bundle = {"text/plain": text}
        try:
            namespace = getattr(ipython, "user_ns", None) or {}
            names = {k: v for k, v in namespace.items()
                     if isinstance(k, str) and not k.startswith("_") and isinstance(v, Tensor)}
            bundle["image/svg+xml"] = draw(t, names=names).svg()
        except RenderError:
            pass  # no renderer: the text alone, exactly as without the extension
        return bundle

    previous = formatter.for_type(Tensor, tensor_bundle)
    _formatter_state[id(ipython)] = previous


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext gradviz``: tensors display as plain text again."""
    from ..tensor import Tensor

    formatter = ipython.display_formatter.mimebundle_formatter
    previous = _formatter_state.pop(id(ipython), None)
    formatter.pop(Tensor, None)
    if previous is not None:
        formatter.for_type(Tensor, previous)


_LAZY = ("animate", "animate_loop", "BackwardPlayer")


def __getattr__(name: str) -> Any:
    # animate() needs anywidget: loaded on first use, so draw() stays light
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.animate")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Package(types.ModuleType):
    """This package, made so the submodule ``animate`` cannot shadow the function ``animate``.

    Importing ``gradviz.display.animate`` sets the package attribute ``animate``
    to that module; ``gradviz.animate(t)`` must stay the function, whoever
    imported the submodule first.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "animate" and isinstance(value, types.ModuleType):
            value = value.animate
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
