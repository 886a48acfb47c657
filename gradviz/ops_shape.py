"""Shape ops beyond the core set: repeat, and the pieces of split, chunk and unbind.

As in torch, all pieces of one split share a single multi-output node (gradviz._multi_output),
each piece being a view of its slice of the input with ``output_nr`` k; the node's backward
joins the pieces' gradients (cat, or stack for unbind; recorded as such under create_graph).
Backward bodies use only operators and gradviz._bmath.
"""
from __future__ import annotations

import weakref
from typing import Any, ClassVar

import numpy as np

import gradviz._bmath as bm

from . import _anomaly, grad_mode
from ._multi_output import MultiOutput
from .function import Function, _sequence, _view_meta


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


class _Pieces(MultiOutput, Function):
    """z_k = the k-th piece of a along dim"""

    formula = "the pieces' gradients joined back along dim (zeros for a piece that got none)"
    is_view = True
    joined: ClassVar[str] = "cat"  # how backward joins the pieces: cat, or stack for unbind

    @classmethod
    def split(cls, a: Any, dim: int, index: list) -> tuple:
        """The pieces ``a[index[k]]``: views of a sharing one node (output_nr k), as in torch."""
        from .tensor import Tensor

        arrays = [a._data[i] for i in index]
        track = grad_mode._state.enabled and a._requires_grad
        node = None
        if track:
            node = object.__new__(cls)
            node._seq = next(_sequence)
            node._saved = ()
            node._freed = False
            node._pre_hooks = None
            node._retain_ref = None
            node.next_functions = (a._edge(),)
            node._input_meta = [(a._data.shape, a._data.dtype)]
            node.const_inputs = (None,)
            node.dim = dim
            node._metas = [(p.shape, p.dtype) for p in arrays]
            node.output_meta = (a._data.shape, a._dtype)
            node._out_ref = None
            if _anomaly.enabled:
                _anomaly.record(node)
        base = a._base if a._base is not None else a
        pieces = []
        for k, arr in enumerate(arrays):
            t = Tensor._wrap(arr, node)
            t._output_nr = k if track else 0
            t._version_counter = a._version_counter
            t._base = base
            _view_meta(t, a, True)
            pieces.append(t)
        if track and pieces:
            node.output_meta = (arrays[0].shape, a._dtype)  # what the display shows: output 0
            node._out_ref = weakref.ref(pieces[0])
            node._out_refs = tuple(weakref.ref(t) for t in pieces)
        elif not grad_mode._state.enabled and a._requires_grad:
            for t in pieces:
                t._cut = "no_grad"
        return tuple(pieces)

    def _n_outputs(self) -> int:
        return len(self._metas)

    def _slot_zeros(self, i: int) -> np.ndarray:
        shape, dtype = self._metas[i]
        return np.zeros(shape, dtype=dtype)

    def _output_meta_at(self, k: int) -> tuple:
        return self._metas[k]

    def _run_backward(self, grad: Any, extra: dict | None = None) -> tuple:
        return self._run_multi(grad, extra, False, tuple)

    def _backward_slots(self, slots: list, record: bool) -> tuple:
        # A piece that got no gradient contributes zeros: a constant, also in a recorded pass.
        return type(self).backward(self, *[self._slot_zeros(k) if g is None else g for k, g in enumerate(slots)])

    @staticmethod
    def backward(ctx, *grads):
        if ctx.joined == "stack":
            return (bm.stack(list(grads), ctx.dim),)
        return (bm.cat(list(grads), ctx.dim),)


class SplitBackward0(_Pieces):
    """z_k = the k-th piece of a split into equal sizes (split(int), chunk)"""

    label = "split"


class SplitWithSizesBackward0(_Pieces):
    """z_k = the k-th piece of a split into the given sizes"""

    label = "split"


class UnbindBackward0(_Pieces):
    """z_k = a[..., k, ...], the k-th slice of a along dim"""

    label, joined = "unbind", "stack"
