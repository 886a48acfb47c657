"""Sorting and order statistics: sort, topk, kthvalue, median, and the cumulative product.

The methods in gradviz._sort_methods check the arguments (torch's errors) and compute the
order (``order`` below) before a node is made; the nodes get the chosen indices and only
gather the values, so their gradient is the incoming one scattered back to those indices.
Backward bodies use only operators and gradviz._bmath, so they also run on Tensors.
"""
from __future__ import annotations

import numpy as np

import gradviz._bmath as bm

from .function import Function
from .ops import _ExtremeDim


def order(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Indices that sort ``a`` along ``axis``, stably; NaN counts as the largest value (as in torch).

    Descending: sort the reversed array ascending and reverse the result, so equal elements
    keep their original order and NaNs come first.
    """
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    idx = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return (a.shape[axis] - 1) - np.flip(idx, axis)


class _Gathered(Function):
    """z = a taken at given indices along dim (the indices are returned beside the values)"""

    saves_tensors = True
    saved_names = ("indices",)

    @staticmethod
    def forward(ctx, a, dim, indices):
        ctx.shape, ctx.dim = a.shape, dim
        ctx.save_for_backward(indices)
        ctx.indices = indices  # read by backward as an array, also when it runs on Tensors
        z = np.take_along_axis(a if a.ndim else a.reshape(1), indices, axis=dim)
        return z if a.ndim else z.reshape(())

    @staticmethod
    def backward(ctx, g):
        indices = ctx.indices
        out = bm.scatter(ctx.shape if ctx.shape else (1,), indices, bm.reshape(g, indices.shape), ctx.dim)
        return (out if out.shape == ctx.shape else bm.reshape(out, ctx.shape),)


class SortBackward0(_Gathered):
    """z = a sorted along dim"""

    label, formula = "sort", "∂L/∂a = g put back at the sorted positions (a permutation)"


class SortBackward1(_Gathered):
    """z = a sorted along dim (stable=... given)"""

    label, formula = "sort(stable)", "∂L/∂a = g put back at the sorted positions (a permutation)"


class TopkBackward0(_Gathered):
    """z = the k largest (or smallest) elements of a along dim"""

    label, formula = "topk", "∂L/∂a = g at the k chosen elements, 0 elsewhere"


class KthvalueBackward0(_ExtremeDim):
    """z = the k-th smallest element of a along dim"""

    label, formula = "kthvalue", "∂z/∂a = 1 at each row's k-th smallest element, else 0"


class MedianBackward1(_ExtremeDim):
    """z = the median of a along dim (the lower of the two middle elements for an even count)"""

    label, formula = "median(dim)", "∂z/∂a = 1 at each row's median element, else 0"


class MedianBackward0(Function):
    """z = the median of all elements of a (the lower middle one for an even count)"""

    label, formula, saves_tensors = "median", "∂z/∂aᵢ = 1/k at the k elements equal to z, else 0", True
    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a):
        flat = a.reshape(-1)
        if flat.size == 0 or (a.dtype.kind == "f" and np.isnan(flat).any()):
            z = np.asarray(np.nan, dtype=a.dtype) if a.dtype.kind == "f" else np.asarray(flat[:0].sum())
            hit = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
        else:
            z = np.asarray(np.sort(flat, kind="stable")[(flat.size - 1) // 2])
            hit = a == z
        # Which elements share the gradient is fixed by the forward (torch: those equal to the
        # result, or the NaNs when it is NaN): a constant of the node.
        ctx.hit, ctx.count = hit, max(int(hit.sum()), 1)
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        return (bm.masked_fill_value(bm.zeros_like(a), ctx.hit, g / ctx.count),)


class CumprodBackward0(Function):
    """zᵢ = Π_{j ≤ i} aⱼ along dim"""

    label, formula, saves_tensors = "cumprod", "∂L/∂aⱼ = Σ_{i ≥ j} gᵢ · Π_{k ≤ i, k ≠ j} aₖ", True
    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        ctx.dim = dim if a.ndim else None
        z = a.astype(dtype if dtype is not None else a.dtype, copy=True) if ctx.dim is None else \
            np.cumprod(a, axis=dim, dtype=dtype)
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        if ctx.dim is None:
            return (g,)
        return (_cumprod_grad(g, a, z, ctx.dim),)


def _cumprod_grad(g, a, z, axis: int):
    """Σ_{i ≥ j} gᵢ · Π_{k ≤ i, k ≠ j} aₖ along axis, exact when a has zeros (no 0/0).

    Kept beside the op (not in gradviz._bmath) as its only user; the array branch is the plain
    backward, the Tensor branch the recorded one (create_graph).
    """
    if bm._is_array(g) and bm._is_array(a):
        return _cumprod_grad_array(g, a, z, axis)
    return _cumprod_grad_tensor(g, a, axis)


def _cumprod_grad_array(g: np.ndarray, a: np.ndarray, z: np.ndarray, axis: int) -> np.ndarray:
    a_, g_, z_ = (np.moveaxis(x, axis, -1) for x in (a, g, z))
    pos = np.arange(a_.shape[-1])
    is_zero = a_ == 0
    # Before a row's first zero (and in rows without zeros): (Σ_{i ≥ j} gᵢ zᵢ) / aⱼ.
    tail_sums = np.flip(np.cumsum(np.flip(g_ * z_, -1), -1), -1)
    res = tail_sums / np.where(is_zero, 1, a_)
    if is_zero.any():
        first = np.argmax(is_zero, -1)[..., None]
        # At the first zero f: Π_{k<f} aₖ · Σ_{i ≥ f} gᵢ Π_{f<k≤i} aₖ; after it, every product has aₓ = 0.
        prefix = np.prod(np.where(pos < first, a_, 1), -1, keepdims=True)
        after = np.cumprod(np.where(pos <= first, 1, a_), -1)
        at_first = prefix * np.sum(np.where(pos >= first, g_ * after, 0), -1, keepdims=True)
        zero_row = is_zero.any(-1, keepdims=True)
        res = np.where(zero_row & (pos == first), at_first, np.where(zero_row & (pos > first), 0, res))
    return np.moveaxis(res.astype(a.dtype, copy=False), -1, axis)


def _cumprod_grad_tensor(g, a, axis: int):
    # Recorded: each j's products come from a row with aⱼ replaced by 1, an n×n cumulative
    # product, so the result is differentiable again everywhere (zeros included).
    from ._bmath_tensor import Tensor, as_tensor, where

    a = as_tensor(a).transpose(axis, -1)
    g = as_tensor(g).transpose(axis, -1)
    n = a.shape[-1]
    rows = where(Tensor._wrap(np.eye(n, dtype=bool)), 1.0, a.unsqueeze(-2).expand(*a.shape[:-1], n, n))
    later = Tensor._wrap(np.triu(np.ones((n, n), dtype=bool)))  # [j, i]: i ≥ j
    terms = where(later, rows.cumprod(-1) * g.unsqueeze(-2), 0.0)
    return terms.sum(-1).transpose(axis, -1)
