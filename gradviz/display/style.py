"""Looks of graph nodes (one table) and value formatting for labels."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

# Every look is a fixed attribute string: no user text ever reaches an attribute.
# Kinds are told apart by fill AND border/shape, so they survive greyscale printing.
LOOKS: dict[str, tuple[str, str]] = {
    # kind: (DOT attributes, legend text)
    "leaf": ('shape=box, style="filled,rounded,bold", fillcolor="#cfe2ff", color="#1f4e9c"',
             "leaf, requires_grad"),
    "constant": ('shape=box, style="filled", fillcolor="#eeeeee", color="#888888", fontcolor="#444444"',
                 "constant / requires_grad=False"),
    "interior": ('shape=box, style="filled", fillcolor="#fff8e1", color="#8a6d00"',
                 "interior result"),
    "output": ('shape=box, style="filled,bold", fillcolor="#c8e6c9", color="#1b5e20", penwidth=2',
               "output"),
    "op": ('shape=ellipse, style="filled", fillcolor="#ffffff", color="#555555"',
           "operation"),
    "freed": ('shape=box, style="filled,dashed", fillcolor="#f5f5f5", color="#777777", fontcolor="#555555"',
              "saved tensors freed by backward()"),
    "cut": ('shape=box, style="filled,dotted,bold", fillcolor="#ffffff", color="#b00020", fontcolor="#b00020"',
            "cut: detached / made under no_grad"),
    "saved": ('shape=box, style="filled", fillcolor="#ffe0b2", color="#e65100"',
              "saved for backward"),
    "folded": ('shape=box, style="filled", peripheries=2, fillcolor="#fff8e1", color="#8a6d00"',
               "folded run of the same op"),
    "more": ('shape=note, style="filled", fillcolor="#ffebee", color="#b00020", fontcolor="#b00020"',
             "hidden nodes"),
}

GRAPH_ATTRS = 'fontname="Helvetica", fontsize=10, nodesep=0.25, ranksep=0.35'
NODE_ATTRS = 'fontname="Helvetica", fontsize=10, margin="0.12,0.05", height=0.3'
LEGEND_ATTRS = 'style="rounded", color="#bbbbbb", fontcolor="#555555", fontsize=9'
EDGE_ATTRS = 'color="#555555", arrowsize=0.7'
SAVED_EDGE = 'style=dashed, color="#e65100", arrowhead=none'
CUT_EDGE = 'style=dashed, color="#b00020", arrowhead=tee'

_EDGE_VALUES = 6  # at most this many numbers in a value summary


def number(value: object) -> str:
    """One array element as short text (4 significant digits for floats)."""
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    f = float(value)  # type: ignore[arg-type]
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    text = format(f, ".4g")
    return text


def values(arr: np.ndarray) -> str:
    """At most six numbers from ``arr`` (first three, last three): O(1) whatever its size.

    Never formats the whole array: a 10**6-element tensor costs the same as a
    6-element one.
    """
    if arr.ndim == 0:
        return number(arr.item())
    n = arr.size
    if n == 0:
        return "[]"
    half = _EDGE_VALUES // 2
    if n <= _EDGE_VALUES:
        items = arr.reshape(-1).tolist()
    else:
        flat = arr.flat  # indexes any layout without copying it
        items = [flat[i].item() for i in range(half)] + [flat[i].item() for i in range(n - half, n)]
    if arr.dtype.kind == "f":
        # one %-format for all of them gives what number() gives for each Python float (nan, inf, -inf
        # included) at a fraction of the cost: a drawing formats a few numbers for every node
        return _FLOAT_FORMATS[n if n <= _EDGE_VALUES else 0] % tuple(items)
    text = [number(v) for v in items]
    if n <= _EDGE_VALUES:
        return "[" + ", ".join(text) + "]"
    return f"[{', '.join(text[:half])}, \u2026, {', '.join(text[half:])}]"


# "[%.4g, %.4g]" for 1..6 numbers; key 0: the first three, an ellipsis, the last three
_FLOAT_FORMATS = {k: "[" + ", ".join(["%.4g"] * k) + "]" for k in range(1, _EDGE_VALUES + 1)}
_FLOAT_FORMATS[0] = "[" + ", ".join(["%.4g"] * (_EDGE_VALUES // 2) + ["\u2026"] + ["%.4g"] * (_EDGE_VALUES // 2)) + "]"


def scalar(value: object) -> str:
    """A Python-number constant as text."""
    if isinstance(value, np.ndarray):
        return values(value)
    return number(value)


@lru_cache(maxsize=256)  # graphs repeat a few (shape, dtype) pairs over and over
def shape_dtype(shape: tuple[int, ...], dtype: object) -> str:
    """``(2, 3) float32``; dtype printed without the ``torch.`` prefix."""
    name = getattr(dtype, "name", None) or str(dtype).rpartition(".")[2]
    dims = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    return f"{dims} {name}"
