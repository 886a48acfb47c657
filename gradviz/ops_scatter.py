"""Scatter ops: scatter (a tensor src or a number), scatter_add.

Each class is named after the grad_fn torch 2.13 records. The Tensor methods in
gradviz._scatter_methods check the arguments (torch's errors) and build the full advanced
NumPy index first: ``index`` holds one array per axis of self (index's shape), ``block`` the
slices of src that index covers (src may be larger than index). Arrays reach the forwards
already reshaped to at least 1-D (``shape1``), as torch treats 0-d tensors here.
Backward bodies use only operators and gradviz._bmath, so create_graph records them.
"""
from __future__ import annotations

import numpy as np

import gradviz._bmath as bm

from .function import Function


def _src_grad(g, ctx):
    """The gradient read back at the scattered positions, placed in src's covered block."""
    picked = bm.index_gather(bm.reshape(g, ctx.shape1), ctx.index, True)
    # torch 2.13 returns grad.gather(dim, index) as is, and fails ("invalid gradient") when src
    # is larger than index; the gradient of src's uncovered elements is 0, which is what this gives.
    return bm.reshape(bm.index_scatter(picked, ctx.src_shape1, ctx.block, False), ctx.src_shape)


class ScatterBackward0(Function):
    """z = a with src's elements written at index along dim (the last write wins on repeats)"""

    label, formula = "scatter", "∂L/∂a = g with 0 at the written positions; ∂L/∂src = g read at index"
    saves_tensors = True  # torch keeps the index tensor: a second backward raises

    @staticmethod
    def forward(ctx, a, src, index, block, shape1, src_shape1):
        ctx.shape, ctx.shape1, ctx.index, ctx.block = a.shape, shape1, index, block
        ctx.src_shape, ctx.src_shape1 = src.shape, src_shape1
        ctx.save_for_backward(index[0])
        out = a.reshape(shape1).copy()
        out[index] = src.reshape(src_shape1)[block]
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, g):
        ga = bm.reshape(bm.zero_at(bm.reshape(g, ctx.shape1), ctx.index), ctx.shape)
        return ga, _src_grad(g, ctx)


class ScatterBackward1(Function):
    """z = a with the number value written at index along dim"""

    label, formula = "scatter", "∂L/∂a = g with 0 at the written positions"
    saves_tensors = True

    @staticmethod
    def forward(ctx, a, index, value, shape1):
        ctx.shape, ctx.shape1, ctx.index = a.shape, shape1, index
        ctx.save_for_backward(index[0])
        out = a.reshape(shape1).copy()
        out[index] = value  # NumPy converts the number to a's dtype (truncating for integers, as torch)
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, g):
        return (bm.reshape(bm.zero_at(bm.reshape(g, ctx.shape1), ctx.index), ctx.shape),)


class ScatterAddBackward0(Function):
    """z = a with src's elements added at index along dim (repeats add up)"""

    label, formula = "scatter_add", "∂L/∂a = g; ∂L/∂src = g read at index"
    saves_tensors = True

    @staticmethod
    def forward(ctx, a, src, index, block, shape1, src_shape1):
        ctx.shape1, ctx.index, ctx.block = shape1, index, block
        ctx.src_shape, ctx.src_shape1 = src.shape, src_shape1
        ctx.save_for_backward(index[0])
        out = a.reshape(shape1).copy()
        np.add.at(out, index, src.reshape(src_shape1)[block])
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx, g):
        return g, _src_grad(g, ctx)
