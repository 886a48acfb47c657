"""Shape ops beyond the core set: repeat, and the pieces of split, chunk and unbind.

torch gives all pieces of one split a single multi-output node (output_nr 0, 1, ...). The
engine's nodes have one output each, so every piece gets its own node of the same class,
a view of its slice of the input: names, values, gradients and views match torch; only
``a.grad_fn is b.grad_fn`` differs. Backward bodies use only operators and gradviz._bmath.
"""
from __future__ import annotations

import numpy as np

import gradviz._bmath as bm

from .function import Function


class RepeatBackward0(Function):
    """z = a tiled reps[i] times along axis i"""

    label, formula = "repeat", "∂L/∂a = Σ of the gradient over all the copies"

    @staticmethod
    def forward(ctx, a, reps):
        ctx.shape, ctx.reps = a.shape, reps
        return np.tile(a, reps) if reps else a.copy()

    @staticmethod
    def backward(ctx, g):
        reps = ctx.reps
        padded = (1,) * (len(reps) - len(ctx.shape)) + ctx.shape
        # Axis i of the output is reps[i] copies of padded[i]: split it in two and sum the copies.
        split = tuple(n for pair in zip(reps, padded) for n in pair)
        g = bm.sum(bm.reshape(g, split), tuple(range(0, 2 * len(reps), 2)))
        return (bm.reshape(g, ctx.shape),)


class _Piece(Function):
    """z = a[index], one piece of a split of a"""

    formula = "the piece's gradient, placed back in its slice of a zero input gradient"
    is_view = True

    @staticmethod
    def forward(ctx, a, index, piece):
        ctx.shape, ctx.index, ctx.piece = a.shape, index, piece
        return a[index]

    @property
    def label_text(self) -> str:
        return f"{self.label} [{self.piece}]"

    @staticmethod
    def backward(ctx, g):
        return (bm.embed(g, ctx.shape, ctx.index),)


class SplitBackward0(_Piece):
    """z = the k-th piece of a split into equal sizes (split(int), chunk)"""

    label = "split"


class SplitWithSizesBackward0(_Piece):
    """z = the k-th piece of a split into the given sizes"""

    label = "split"


class UnbindBackward0(_Piece):
    """z = a[..., k, ...], the k-th slice of a along dim"""

    label = "unbind"
