"""Indexing ops: gather, index_select, masked_select, flip, roll, tril/triu, diag, diagonal (trace is in ops_linalg).

Each class is named after the grad_fn torch 2.13 records. Arguments are checked (torch's
errors) by the Tensor methods in gradviz._index_methods before any of these runs; forwards
get plain NumPy arrays and ready-made NumPy indices. Backward bodies use only operators and
gradviz._bmath, so a create_graph backward records them (as index scatters and gathers).
"""
from __future__ import annotations

import numpy as np

import gradviz._bmath as bm

from .function import Function


class GatherBackward0(Function):
    """z[i][j] = a[index[i][j]][j]   (dim 0; likewise along any dim)"""

    label, formula = "gather", "∂L/∂a = the gradient added back at the gathered positions"
    saves_tensors = True  # torch keeps the index tensor: a second backward raises

    @staticmethod
    def forward(ctx, a, index):
        # ``index`` is a full advanced NumPy index (one array per axis), built by the caller.
        ctx.shape, ctx.index = a.shape or (1,), index  # a 0-d input is gathered from as 1-D
        ctx.save_for_backward(index[0])
        return a.reshape(ctx.shape)[index]

    @staticmethod
    def backward(ctx, g):
        return (bm.index_scatter(g, ctx.shape, ctx.index, True),)


class IndexSelectBackward0(Function):
    """z = a with its slices along dim picked by index (repeats allowed)"""

    label, formula = "index_select", "∂L/∂a = the gradient added back into the picked slices"
    saves_tensors = True

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.index = a.shape or (1,), (slice(None),) * dim + (index,)
        ctx.save_for_backward(index)
        out = np.take(a.reshape(ctx.shape), index, axis=dim)
        return out if a.ndim else out.reshape(())  # torch: a 0-d input gives a 0-d result

    @staticmethod
    def backward(ctx, g):
        return (bm.index_scatter(g, ctx.shape, ctx.index, True),)


class MaskedSelectBackward0(Function):
    """z = the elements of a where mask holds (a and mask broadcast together), as a 1-D tensor"""

    label, formula = "masked_select", "∂L/∂a = the gradient put back where mask holds, 0 elsewhere"
    saves_tensors = True

    @staticmethod
    def forward(ctx, a, mask):
        shape = np.broadcast_shapes(a.shape, mask.shape) or (1,)  # 0-d: one element, a 1-D result
        mask = np.broadcast_to(mask, shape)
        ctx.shape, ctx.index = shape, np.nonzero(mask)
        ctx.save_for_backward(mask)
        return np.broadcast_to(a, shape)[ctx.index]

    @staticmethod
    def backward(ctx, g):
        return (bm.index_scatter(g, ctx.shape, ctx.index, True),)  # sum_to folds a broadcast a back


class FlipBackward0(Function):
    """z = a with the order of its elements reversed along dims"""

    label, formula = "flip", "∂L/∂a = the gradient flipped back"

    @staticmethod
    def forward(ctx, a, index):
        ctx.index = index  # reversed slices on the flipped axes: flipping is its own inverse
        return a[index].copy()  # torch's flip copies

    @staticmethod
    def backward(ctx, g):
        return (bm.index_gather(g, ctx.index, False),)


class RollBackward0(Function):
    """z = a with its elements shifted cyclically along dims (the whole flattened tensor without dims)"""

    label, formula = "roll", "∂L/∂a = the gradient rolled back"

    @staticmethod
    def forward(ctx, a, perms):
        # perms: (axis, source positions) per rolled axis; axis None rolls the flattened tensor.
        ctx.shape = a.shape
        ctx.inverse = [(d, np.argsort(p)) for d, p in perms]
        out = a
        for d, p in perms:
            out = out.reshape(-1)[p].reshape(a.shape) if d is None else np.take(out, p, axis=d)
        return out if out is not a else a.copy()

    @staticmethod
    def backward(ctx, g):
        for d, p in reversed(ctx.inverse):
            if d is None:
                g = bm.reshape(bm.index_gather(bm.reshape(g, (-1,)), (p,), True), ctx.shape)
            else:
                g = bm.index_gather(g, (slice(None),) * d + (p,), True)
        return (g,)


class _Triangle(Function):
    label, formula = "tril", "∂L/∂a = the gradient inside the kept triangle, 0 outside"

    @staticmethod
    def forward(ctx, a, keep):
        ctx.keep = keep  # boolean mask of the kept triangle (last two axes)
        return np.where(keep, a, np.zeros((), a.dtype))

    @staticmethod
    def backward(ctx, g):
        return (bm.where(ctx.keep, g, 0),)


class TrilBackward0(_Triangle):
    """z[i][j] = a[i][j] if j - i <= diagonal else 0"""


class TriuBackward0(_Triangle):
    """z[i][j] = a[i][j] if j - i >= diagonal else 0"""

    label = "triu"


class _Diagonal(Function):
    label, formula = "diagonal", "∂L/∂a = the gradient on the diagonal, 0 elsewhere"

    @staticmethod
    def forward(ctx, a, index, move, view):
        # index: the advanced NumPy index of the diagonal's elements; a[index] has the diagonal
        # axis at ``move``, torch puts it last. view: the strided view torch returns (or None).
        ctx.shape, ctx.index = a.shape, index
        n = a.ndim - 1
        ctx.perm = tuple(range(move)) + (n - 1,) + tuple(range(move, n - 1))
        if view is not None:
            return view
        return np.moveaxis(a[index], move, -1)

    @staticmethod
    def backward(ctx, g):
        return (bm.index_scatter(bm.transpose(g, ctx.perm), ctx.shape, ctx.index, True),)


class DiagonalBackward0(_Diagonal):
    """z = the diagonal of a (offset, dim1, dim2): a view"""

    is_view = True


class DiagonalBackward0_copy(_Diagonal):  # noqa: N801 - torch's name for the copying diag(2-D)
    """z = the diagonal of a matrix (offset), a copy"""

    label = "diag"


class DiagEmbedBackward0(Function):
    """z = a square matrix with a on its diagonal (offset), 0 elsewhere"""

    label, formula = "diag", "∂L/∂a = the diagonal of the gradient"

    @staticmethod
    def forward(ctx, a, offset):
        out = np.diag(a, offset)
        n = a.shape[0]
        ctx.index = (np.arange(n) + max(-offset, 0), np.arange(n) + max(offset, 0))
        return out

    @staticmethod
    def backward(ctx, g):
        return (bm.index_gather(g, ctx.index, True),)
