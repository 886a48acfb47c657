"""In-place writes through a view: the base tensor's history is rebased onto a CopySlices node.

``v = y[1:]; v.mul_(3)`` changes ``y`` too, so ``y``'s gradient must now flow through the
multiplication for the elements ``v`` covers and straight through elsewhere. As in PyTorch,
``y.grad_fn`` becomes ``CopySlices`` (wrapping the in-place op's own node) and ``v.grad_fn``
becomes ``AsStridedBackward0``, a view of the rebased ``y``.

Which elements of the base a view covers is read from the arrays themselves (NumPy views share
memory with their base), so every kind of view (slices, select, transpose, reshape, chains of
them) is handled the same way, as flat positions into the base.
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from . import _bmath as bm
from .function import Function


def positions(base: np.ndarray, view: np.ndarray) -> np.ndarray | None:
    """For each element of ``view``, its flat index in ``base``; None if that can't be read."""
    if base.dtype != view.dtype:
        return None
    item = base.itemsize
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    if start % item or any(s % item for s in view.strides):
        return None
    if not base.flags.c_contiguous:
        return _positions_strided(base, view, start // item)
    flat = np.arange(base.size, dtype=np.int64)
    steps = tuple(s // item * flat.itemsize for s in view.strides)
    pos = np.lib.stride_tricks.as_strided(flat[start // item:], shape=view.shape, strides=steps)
    return pos.copy()


def _offsets(shape: tuple, strides: tuple, start: int) -> np.ndarray:
    """The memory offset (in elements) of every element of an array, in C order."""
    off = np.full(shape, start, dtype=np.int64)
    for k, (n, s) in enumerate(zip(shape, strides)):
        off += (np.arange(n, dtype=np.int64) * s).reshape((n,) + (1,) * (len(shape) - k - 1))
    return off.reshape(-1)


def _positions_strided(base: np.ndarray, view: np.ndarray, start: int) -> np.ndarray | None:
    # A base whose own layout was changed in place (t_, transpose_): look each of the view's
    # memory offsets up among the base's, which must be distinct (no broadcast axes).
    item = base.itemsize
    if any(s % item for s in base.strides):
        return None
    b_off = _offsets(base.shape, tuple(s // item for s in base.strides), 0)
    order = np.argsort(b_off, kind="stable")
    ranked = b_off[order]
    if ranked.size > 1 and (ranked[1:] == ranked[:-1]).any():
        return None
    v_off = _offsets(view.shape, tuple(s // item for s in view.strides), start)
    at = np.searchsorted(ranked, v_off)
    if ranked.size == 0 or (at >= ranked.size).any() or (ranked[np.minimum(at, ranked.size - 1)] != v_off).any():
        return None if v_off.size else np.zeros(view.shape, dtype=np.int64)
    return order[at].reshape(view.shape)


class _CopySlices(Function):
    """z = a with the viewed elements replaced by op(view, …)"""

    label, formula = "[ ]=", "∂z/∂a = 1 outside the view; inside, the wrapped op's own rule"

    @staticmethod
    def forward(ctx, a, *others, pos, inner, value):
        ctx.pos, ctx.inner = pos, inner
        z = a.copy()
        z.reshape(-1)[pos] = value
        return z

    @staticmethod
    def backward(ctx, g):
        shape = g.shape
        flat = bm.reshape(g, (-1,))
        g_view = bm.index_gather(flat, ctx.pos, True)
        g_base = bm.zero_at(flat, ctx.pos)
        if type(g) is np.ndarray:
            inner_grads = ctx.inner._run_backward(g_view)
        else:  # create_graph: the wrapped op's rule is recorded too
            from .autograd.higher import _run_node

            inner_grads = _run_node(ctx.inner, g_view)
        if inner_grads[0] is not None:
            g_base = g_base + bm.index_scatter(inner_grads[0], flat.shape, ctx.pos, True)
        return (bm.reshape(g_base, shape), *inner_grads[1:])


class _AsStrided(Function):
    """z = a viewed at the given flat positions"""

    label, formula = "view", "gradient written back into the viewed positions"

    @staticmethod
    def forward(ctx, a, pos):
        ctx.pos, ctx.shape = pos, a.shape
        return a.reshape(-1)[pos]

    @staticmethod
    def backward(ctx, g):
        size = int(np.prod(ctx.shape))
        return (bm.reshape(bm.index_scatter(g, (size,), ctx.pos, True), ctx.shape),)


# PyTorch's names for these nodes; the underscore names keep them out of the op registry,
# which lists the ops a user calls (these are only ever built by an in-place write).
_CopySlices.__name__ = _CopySlices.__qualname__ = "CopySlices"
_AsStrided.__name__ = _AsStrided.__qualname__ = "AsStridedBackward0"


class _Input:
    """Stands for one of the wrapped op's other inputs: its graph edge, shape and dtype, no data."""

    __slots__ = ("_data", "_requires_grad", "_scalar", "_edge_pair", "_version_counter")

    def __init__(self, edge: tuple, meta: tuple, const: Any) -> None:
        shape, dtype = meta
        self._data = np.broadcast_to(np.zeros((), dtype=dtype), shape)  # no memory for its size
        self._requires_grad = edge[0] is not None
        self._scalar = None if self._requires_grad else const
        self._edge_pair = edge
        self._version_counter = None

    def _edge(self) -> tuple:
        return self._edge_pair


def rebase(view: Any, result: Any) -> bool:
    """Write ``result`` (an op applied to ``view``) into the view and rebase its base's history.

    Returns False (changing nothing) when the view's positions can't be read from memory.
    """
    base = view._base
    pos = positions(base._data, view._data)
    if pos is None:
        return False
    inner = result.grad_fn
    others = [
        _Input(edge, meta, const)
        for edge, meta, const in zip(inner.next_functions[1:], inner._input_meta[1:], inner.const_inputs[1:])
    ]
    value = result._data.astype(base._data.dtype, copy=False)
    new_base = _CopySlices.apply(base, *others, pos=pos, inner=inner, value=value)
    base._inplace_result(new_base)  # writes the values (the view sees them) and bumps the version once
    viewed = _AsStrided.apply(base, pos=pos)
    node = viewed.grad_fn
    view.grad_fn = node
    view._requires_grad = True
    node._out_ref = weakref.ref(view)
    return True


# torch's texts for an in-place change (grad mode on) of a view whose creation forbids it.
_AMBIGUOUS = (" Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by "
              "moving both the view and the inplace either both inside the {block} block (if you don't want the "
              "inplace to be tracked) or both outside (if you want the inplace to be tracked).")
_MULTI = (" This view is the output of a function that returns multiple views. Such functions do not allow the "
          "output views to be modified inplace. You should replace the inplace operation by an out-of-place one.")


def refuse(t: Any, idx: Any = None, advanced: bool = False) -> None:
    """Raise torch's error for an in-place change of ``t``, a view marked by function._view_meta.

    torch names the node that made the view when there is one: ``t``'s grad_fn, or for
    ``t[idx] = v`` (``t`` requiring grad) the view it writes through, output 0 of the last
    Select or Slice the index applies, unless the index is advanced or takes ``t`` whole.
    """
    how = t._creation
    named = None
    if idx is not None and t._requires_grad and not advanced:
        view = _setitem_view(t._data.shape, idx)
        named = (0, view) if view is not None else None
    if named is None and t.grad_fn is not None:
        name = t.grad_fn.name()
        named = (t._output_nr, name[:-len("Backward0")] if name.endswith("Backward0") else name)
    head = f"Output {named[0]} of {named[1]} is a view" if named else ""
    if how == "multi":
        head = head + " and is being modified inplace." if named else (
            "A view was created in no_grad mode and is being modified inplace with grad mode enabled.")
        raise RuntimeError(head + _MULTI)
    mode, block, when = (("inference", "inference_mode", "in normal mode") if how == "inference" else
                         ("no_grad", "no_grad", "with grad mode enabled"))
    head = f"{head} of a view which was created in {mode} mode" if named else f"A view was created in {mode} mode"
    raise RuntimeError(f"{head} and is being modified inplace {when}." + _AMBIGUOUS.format(block=block))


def _setitem_view(shape: tuple, idx: Any) -> str | None:
    """The view ``t[idx] = v`` writes through, as torch names it: "Select" or "Slice", or None."""
    items = idx if isinstance(idx, tuple) else (idx,)
    last, dim = None, 0
    for it in items:
        if it is None:
            continue
        if it is Ellipsis:
            dim = len(shape) - sum(1 for x in items if x is not None and x is not Ellipsis) + dim
            continue
        if not isinstance(it, slice):
            last = "Select"
        elif it.indices(shape[dim]) != (0, shape[dim], 1):
            last = "Slice"
        dim += 1
    return last
