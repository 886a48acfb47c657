"""Reductions beyond sum/mean/norm/max: prod, amax, amin, var, std, logsumexp, and cumsum.

``dims`` is always a tuple of non-negative axes, or None for all of them (the methods in
gradviz._tensor_methods normalise and check it first, with torch's errors). Backward bodies
use only operators and gradviz._bmath, so they also run on Tensors (create_graph=True).
"""
from __future__ import annotations

import numpy as np

import gradviz._bmath as bm

from .function import Function


def _unreduce(g, shape: tuple[int, ...], dims: tuple[int, ...] | None, keepdim: bool):
    """Put the reduced axes back (size 1) and broadcast g over the input's shape again."""
    if dims is not None and not keepdim and shape:
        g = bm.expand_dims(g, tuple(sorted(dims)))
    return bm.broadcast_to(g, shape)


def _axis(a: np.ndarray, dims: tuple[int, ...] | None):
    # A 0-d tensor reduced over dim 0 (or -1) is reduced over nothing at all.
    return None if dims is None or a.ndim == 0 else dims


class _Prod(Function):
    saves_tensors = True
    saved_names = ("self",)
    formula = "∂(Πa)/∂aᵢ = Π of the other elements"

    @staticmethod
    def forward(ctx, a, dims=None, keepdim=False, dtype=None):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, _axis(a, dims), keepdim
        ctx.save_for_backward(a)
        return np.prod(a, axis=ctx.dims, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (bm.prod_backward(_unreduce(g, ctx.shape, ctx.dims, ctx.keepdim), a, ctx.dims),)


class ProdBackward0(_Prod):
    """z = Πᵢ aᵢ"""

    label = "prod"


class ProdBackward1(_Prod):
    """z = Π over dim of a"""

    label = "prod(dim)"


class _Amax(Function):
    saves_tensors = True
    saved_names = ("self", "result")
    kernel = staticmethod(np.amax)

    @classmethod
    def forward(cls, ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, _axis(a, dims), keepdim
        z = np.asarray(cls.kernel(a, axis=ctx.dims, keepdims=keepdim))
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        hit = a == _unreduce(z, ctx.shape, ctx.dims, ctx.keepdim)
        count = bm.sum(hit, ctx.dims, True)
        return (bm.where(hit, _unreduce(g, ctx.shape, ctx.dims, ctx.keepdim) / count, 0),)


class AmaxBackward0(_Amax):
    """z = max of a over dims (ties share the gradient evenly)"""

    label, formula = "amax", "∂z/∂aᵢ = 1/k at the k (tied) largest elements, else 0"


class AminBackward0(_Amax):
    """z = min of a over dims (ties share the gradient evenly)"""

    label, formula = "amin", "∂z/∂aᵢ = 1/k at the k (tied) smallest elements, else 0"
    kernel = staticmethod(np.amin)


def _var(a: np.ndarray, axis, keepdim: bool, dof: float) -> np.ndarray:
    mean = np.mean(a, axis=axis, keepdims=True) if a.size else np.zeros((1,) * a.ndim, a.dtype)
    d = a - mean
    return np.sum(d * d, axis=axis, keepdims=keepdim) / np.asarray(dof, dtype=a.dtype)


class VarBackward0(Function):
    """z = Σᵢ (aᵢ − ā)² / (N − correction)"""

    label, formula, saves_tensors = "var", "∂z/∂aᵢ = 2(aᵢ − ā)/(N − correction)", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, _axis(a, dims), keepdim
        n = a.size if ctx.dims is None else int(np.prod([a.shape[d] for d in ctx.dims]))
        ctx.n, ctx.dof = n, max(n - correction, 0)
        ctx.save_for_backward(a)
        return _var(a, ctx.dims, keepdim, ctx.dof)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        centred = a - bm.sum(a, ctx.dims, True) / ctx.n
        return (_unreduce(g, ctx.shape, ctx.dims, ctx.keepdim) * centred * 2 / ctx.dof,)


class StdBackward0(Function):
    """z = √(Σᵢ (aᵢ − ā)² / (N − correction))"""

    label, formula, saves_tensors = "std", "∂z/∂aᵢ = (aᵢ − ā)/((N − correction)·z)   (0 where z = 0)", True
    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, _axis(a, dims), keepdim
        n = a.size if ctx.dims is None else int(np.prod([a.shape[d] for d in ctx.dims]))
        ctx.n, ctx.dof = n, max(n - correction, 0)
        z = np.sqrt(_var(a, ctx.dims, keepdim, ctx.dof))
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        zb = _unreduce(z, ctx.shape, ctx.dims, ctx.keepdim)
        gb = _unreduce(g, ctx.shape, ctx.dims, ctx.keepdim)
        flat = zb == 0  # a constant slice: torch gives it a zero gradient, not 0/0
        scale = bm.where(flat, 0, gb / bm.where(flat, 1, zb))
        centred = a - bm.sum(a, ctx.dims, True) / ctx.n
        return (scale * centred / ctx.dof,)


class LogsumexpBackward0(Function):
    """z = ln Σᵢ e^aᵢ"""

    label, formula, saves_tensors = "logsumexp", "∂z/∂aᵢ = e^(aᵢ − z)   (softmax of a)", True
    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, _axis(a, dims), keepdim
        axis = ctx.dims
        if a.size == 0:
            z = np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdim))
        else:
            # Shift by the maximum so exp cannot overflow; an infinite maximum is not subtracted.
            m = np.amax(a, axis=axis, keepdims=True)
            m = np.where(np.isfinite(m), m, 0).astype(a.dtype)
            z = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
            if not keepdim:
                z = z.reshape(np.sum(a, axis=axis, keepdims=False).shape)
        z = np.asarray(z, dtype=a.dtype)
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        zb = _unreduce(z, ctx.shape, ctx.dims, ctx.keepdim)
        return (_unreduce(g, ctx.shape, ctx.dims, ctx.keepdim) * bm.exp(a - zb),)


class CumsumBackward0(Function):
    """zᵢ = Σ_{j ≤ i} aⱼ along dim"""

    label, formula = "cumsum", "∂L/∂aⱼ = Σ_{i ≥ j} gᵢ   (a reversed cumulative sum)"

    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        ctx.dim = dim if a.ndim else None
        if ctx.dim is None:
            return a.astype(dtype if dtype is not None else a.dtype, copy=True)
        return np.cumsum(a, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.dim is None:
            return (g,)
        d = ctx.dim
        return (bm.sum(g, d, True) - bm.cumsum(g, d) + g,)
