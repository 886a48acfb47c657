"""Running extremes and picked-out elements: cummax, cummin, unique (nonzero has no node).

The methods in gradviz._select_methods check the arguments (torch's errors) and compute which
element each output comes from before a node is made; the nodes only gather the values, so the
gradient is the incoming one added back at those elements (a running max repeats one element,
so repeated indices must add up). Backward bodies use gradviz._bmath, so they also run on Tensors.
"""
from __future__ import annotations

import numpy as np

import gradviz._bmath as bm

from .function import Function


def running_extreme(a: np.ndarray, axis: int, largest: bool) -> np.ndarray:
    """Index of the running max (min) along ``axis``, as torch picks it.

    A later element equal to the current extreme takes its place (torch reports the newest
    index on ties), and a NaN beats everything: once a row has one, the row's latest NaN wins.
    """
    moved = np.moveaxis(a, axis, -1)
    out = np.zeros(moved.shape, dtype=np.int64)
    if moved.shape[-1] == 0:
        return np.moveaxis(out, -1, axis)
    nan = np.isnan(moved) if moved.dtype.kind == "f" else np.zeros(moved.shape, bool)
    best, best_nan, best_idx = moved[..., 0], nan[..., 0], np.zeros(moved.shape[:-1], dtype=np.int64)
    for i in range(1, moved.shape[-1]):
        x = moved[..., i]
        beats = (x >= best) if largest else (x <= best)
        take = nan[..., i] | (~best_nan & beats)
        best = np.where(take, x, best)
        best_nan = best_nan | nan[..., i]
        best_idx = np.where(take, i, best_idx)
        out[..., i] = best_idx
    return np.moveaxis(out, -1, axis)


def _full_index(indices: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """The NumPy advanced index that reads ``a`` at ``indices`` along ``axis`` (the others as they are)."""
    grids = np.indices(indices.shape, sparse=True)
    return tuple(indices if k == axis else grids[k] for k in range(indices.ndim))


class _RunningExtreme(Function):
    """z = the running extreme of a along dim (the indices are returned beside the values)"""

    saves_tensors = True
    saved_names = ("self", "indices")

    @staticmethod
    def forward(ctx, a, dim, indices):
        ctx.shape = a.shape
        data = a.reshape(-1) if not a.ndim else a  # a 0-d input runs as one element
        ctx.index = _full_index(indices.reshape(data.shape), dim if a.ndim else 0)
        ctx.save_for_backward(a, indices)
        return data[ctx.index].reshape(a.shape)

    @staticmethod
    def backward(ctx, g):
        # Each output took its value from one input element: add the gradients back there.
        size = ctx.shape if ctx.shape else (1,)
        out = bm.index_scatter(bm.reshape(g, size), size, ctx.index, True)
        return (out if ctx.shape else bm.reshape(out, ()),)


class CummaxBackward0(_RunningExtreme):
    """zᵢ = max_{j ≤ i} aⱼ along dim"""

    label, formula = "cummax", "∂L/∂aⱼ = Σ gᵢ over the i whose running max is aⱼ"


class CumminBackward0(_RunningExtreme):
    """zᵢ = min_{j ≤ i} aⱼ along dim"""

    label, formula = "cummin", "∂L/∂aⱼ = Σ gᵢ over the i whose running min is aⱼ"


class _NoDerivative(Function):
    """z = the distinct values of a, sorted (computed by the caller; torch has no derivative)"""

    formula = "not implemented (torch has no derivative for unique)"
    aten = ""

    @staticmethod
    def forward(ctx, a, values):
        return values

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError(f"the derivative for '{ctx.aten}' is not implemented.")


def _unique_node(name: str, aten: str) -> type:
    # Named after torch's node but kept out of Function.registry (the "_" name at class creation):
    # there is no derivative for the gradcheck tables to check.
    cls = type(f"_{name}", (_NoDerivative,), {"label": "unique", "aten": aten})
    cls.__name__ = cls.__qualname__ = name
    return cls


Unique2Backward0 = _unique_node("Unique2Backward0", "_unique2")
UniqueDimBackward0 = _unique_node("UniqueDimBackward0", "unique_dim")
