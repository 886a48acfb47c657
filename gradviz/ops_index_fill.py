"""index_fill: the slices of a tensor along dim at the given indices set to one value.

IndexFillBackward0 takes the value as a number, IndexFillBackward1 as a 0-d tensor (which gets
a gradient: the sum of the gradient over the filled elements, each counted once however often
its index repeats). Arguments are checked (torch's errors) by gradviz._inplace_methods before
any of these runs. Backward bodies use only gradviz._bmath, so create_graph records them.
"""
from __future__ import annotations

import numpy as np

import gradviz._bmath as bm

from .function import Function


def _filled(a: np.ndarray, dim: int, index: np.ndarray, value: object) -> tuple[np.ndarray, tuple]:
    shape = a.shape or (1,)  # torch fills a 0-d tensor as if it had one axis of size 1
    where = (slice(None),) * dim + (index,)
    z = a.reshape(shape).copy()
    z[where] = value
    return z.reshape(a.shape), where


class IndexFillBackward0(Function):
    """z = a with the slices along dim at index set to value (a number)"""

    label, formula = "index_fill", "∂L/∂a = the gradient with the filled slices zeroed"
    saves_tensors = True  # torch keeps the index tensor: a second backward raises

    @staticmethod
    def forward(ctx, a, dim, index, value):
        z, ctx.where = _filled(a, dim, index, value)
        ctx.shape = a.shape
        ctx.save_for_backward(index)
        return z

    @staticmethod
    def backward(ctx, g):
        g1 = bm.reshape(g, ctx.shape or (1,))
        return (bm.reshape(bm.zero_at(g1, ctx.where), ctx.shape),)


class IndexFillBackward1(Function):
    """z = a with the slices along dim at index set to value (a 0-d tensor)"""

    label, formula = "index_fill", "∂L/∂a = the gradient, filled slices zeroed; ∂L/∂value = its sum over them"
    saves_tensors = True

    @staticmethod
    def forward(ctx, a, value, dim, index):
        z, ctx.where = _filled(a, dim, index, value.astype(a.dtype))
        ctx.shape = a.shape
        ctx.unique = (slice(None),) * dim + (np.unique(index),)
        ctx.save_for_backward(index)
        return z

    @staticmethod
    def backward(ctx, g):
        g1 = bm.reshape(g, ctx.shape or (1,))
        return (bm.reshape(bm.zero_at(g1, ctx.where), ctx.shape), bm.sum(bm.index_gather(g1, ctx.unique, True)))
