"""More op classes behind torch.nn.functional: the losses and layers PyTorch builds as one node.

Same contract as gradviz/nn/_ops.py: ``forward`` on NumPy arrays, ``backward`` on arrays or
(create_graph=True) Tensors through operators and gradviz._bmath only. Masks that pick a branch
(|a − t| < β, …) are computed once in forward and kept on ctx as constants, so a recorded
backward differentiates the chosen branch, as PyTorch's double backward does.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _bmath as bm
from ..function import Function
from ._ops import _c, _reduce


def _norm(ctx, a) -> float:
    """The factor of the reduction: 1/n for the mean (n the element count), else 1."""
    n = math.prod(a.shape)
    return 1.0 / n if ctx.reduction == "mean" and n else 1.0


class SmoothL1LossBackward0(Function):
    """L = reduce(½d²/β if |d| < β else |d| − ½β),  d = a − t"""

    label, formula, saves_tensors = "smooth_l1_loss", "∂L/∂a = d/β if |d| < β else sign(d)   (/n for the mean)", True
    saved_names = ("self", "target")

    @staticmethod
    def forward(ctx, a, t, reduction, beta):
        ctx.reduction, ctx.beta = reduction, beta
        ctx.save_for_backward(a, t)
        d = a - t
        z = np.abs(d)
        ctx.inner = z < _c(beta, z)  # the quadratic part; its gradient is d/β
        loss = np.where(ctx.inner, _c(0.5, z) * z * z / _c(beta, z), z - _c(0.5 * beta, z))
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        a, t = ctx.saved_tensors
        d = a - t
        slope = bm.where(ctx.inner, d / ctx.beta, bm.sign(d))
        ga = slope * g * _norm(ctx, a)
        need_a, need_t = ctx.needs_input_grad
        return (ga if need_a else None), (-ga if need_t else None)


class HuberLossBackward0(Function):
    """L = reduce(½d² if |d| < δ else δ(|d| − ½δ)),  d = a − t"""

    label, formula, saves_tensors = "huber_loss", "∂L/∂a = d if |d| < δ else δ·sign(d)   (/n for the mean)", True
    saved_names = ("self", "target")

    @staticmethod
    def forward(ctx, a, t, reduction, delta):
        ctx.reduction, ctx.delta = reduction, delta
        ctx.save_for_backward(a, t)
        d = a - t
        z = np.abs(d)
        ctx.inner = z < _c(delta, z)
        loss = np.where(ctx.inner, _c(0.5, z) * z * z, _c(delta, z) * (z - _c(0.5 * delta, z)))
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        a, t = ctx.saved_tensors
        d = a - t
        slope = bm.where(ctx.inner, d, bm.sign(d) * ctx.delta)
        ga = slope * g * _norm(ctx, a)
        need_a, need_t = ctx.needs_input_grad
        return (ga if need_a else None), (-ga if need_t else None)


class SoftMarginLossBackward0(Function):
    """L = reduce(log(1 + e^(−t·a)))   (t a constant: PyTorch does not differentiate the target)"""

    label, formula, saves_tensors = "soft_margin_loss", "∂L/∂a = −t·σ(−t·a)   (/n for the mean)", True
    saved_names = ("self", "target")

    @staticmethod
    def forward(ctx, a, reduction, target):
        ctx.reduction, ctx.target = reduction, target
        ctx.save_for_backward(a)
        return _reduce(np.log1p(np.exp(-a * target)), reduction)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        e = bm.exp(a * (-ctx.target))
        return (e / (e + 1) * (-ctx.target) * g * _norm(ctx, a),)


class NativeLayerNormBackward0(Function):
    """z = (a − mean)/√(var + ε)·w + b   (statistics over the trailing normalized dims)"""

    label, formula, saves_tensors = "layer_norm", "∂L/∂a = r·(ĝ − mean(ĝ) − â·mean(ĝ·â)),  ĝ = G·w,  r = 1/√(var+ε)", True
    saved_names = ("input", "weight", "bias")

    @staticmethod
    def forward(ctx, a, w, b, nd, eps, has_weight, has_bias):
        ctx.axes, ctx.eps, ctx.has_weight = tuple(range(a.ndim - nd, a.ndim)), eps, has_weight
        ctx.n = math.prod(a.shape[a.ndim - nd:])
        ctx.save_for_backward(a, w if has_weight else None, b if has_bias else None)
        x = a.astype(np.float64) if a.dtype == np.float32 else a  # float32 statistics accumulate in float
        mu = x.mean(axis=ctx.axes, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(axis=ctx.axes, keepdims=True)
        z = (xc / np.sqrt(var + eps)).astype(a.dtype)
        if has_weight:
            z = z * w
        if has_bias:
            z = z + b
        return z

    @staticmethod
    def backward(ctx, g):
        a, w, _ = ctx.saved_tensors
        axes, n = ctx.axes, ctx.n
        mu = bm.sum(a, axes, True) / n
        xc = a - mu
        r = bm.pow(bm.sum(xc * xc, axes, True) / n + ctx.eps, -0.5)
        xhat = xc * r
        gh = g * w if ctx.has_weight else g
        # torch's CPU kernel's arrangement (dx = r·ĝ + b·a + c), which also rounds like it: the gradient of a
        # sum of normalized values is rounding noise around 0, and this noise then prints as torch's does
        ds, db = bm.sum(gh * a, axes, True), bm.sum(gh, axes, True)
        b = (db * mu - ds) * r * r * r * (1 / n)
        c = -b * mu - db * r * (1 / n)
        ga = r * gh + b * a + c
        lead = tuple(range(a.ndim - len(axes)))
        need_a, need_w, need_b = ctx.needs_input_grad
        gw = (bm.sum(g * xhat, lead, False) if lead else g * xhat) if need_w else None
        gb = (bm.sum(g, lead, False) if lead else g) if need_b else None
        return (ga if need_a else None), gw, gb


class ConstantPadNdBackward0(Function):
    """z = a with `pad` constants added (negative pads crop) on the trailing dims"""

    label, formula = "constant_pad_nd", "∂L/∂a = G at a's positions (0 where cropped)"

    @staticmethod
    def forward(ctx, a, pad, value):
        k = len(pad) // 2
        lead = a.ndim - k
        # PyTorch's pad tuple starts with the last dim: (left, right) of dim −1, then dim −2, …
        pairs = [(0, 0)] * lead + [(pad[2 * (a.ndim - 1 - d)], pad[2 * (a.ndim - 1 - d) + 1]) for d in range(lead, a.ndim)]
        out_shape = tuple(s + lo + hi for s, (lo, hi) in zip(a.shape, pairs))
        out = np.full(out_shape, value, dtype=a.dtype)
        src, dst = [], []
        for s, (lo, hi) in zip(a.shape, pairs):
            src.append(slice(max(-lo, 0), s - max(-hi, 0)))
            dst.append(slice(max(lo, 0), max(lo, 0) + max(s - max(-lo, 0) - max(-hi, 0), 0)))
        ctx.src, ctx.dst, ctx.shape = tuple(src), tuple(dst), a.shape
        if all(d.stop > d.start for d in dst):
            out[ctx.dst] = a[ctx.src]
        return out

    @staticmethod
    def backward(ctx, g):
        return (bm.embed(bm.index_gather(g, ctx.dst, False), ctx.shape, ctx.src),)


class _Xlogy(Function):
    """z = x·log(y)   (0 where x = 0)"""

    label, formula, saves_tensors = "xlogy", "∂z/∂x = log(y) (0 where x = 0),  ∂z/∂y = x/y", True
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        ctx.zero = x == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(ctx.zero & ~np.isnan(y), _c(0, x), x * np.log(y))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = bm.where(ctx.zero, 0, bm.log(y) * g) if need_x else None
        return gx, (g * x / y if need_y else None)


# PyTorch's node for torch.xlogy. gradviz has no torch.xlogy yet: the name is set after creation so
# this class stays out of the op registry (as _ops does with DivBackward1).
_Xlogy.__name__ = _Xlogy.__qualname__ = "XlogyBackward0"
XlogyBackward0 = _Xlogy


class _PNorm(Function):
    """z = (Σ |a|ᵖ)^(1/p) along one dim   (at::norm(self, p, dim), as pairwise_distance calls it)"""

    label, formula, saves_tensors = "norm", "∂z/∂a = a·|a|^(p−2) / z^(p−1)   (0 where z = 0)", True
    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, p, dim, keepdim):
        ctx.p, ctx.axis, ctx.keepdim = p, (() if a.ndim == 0 else (dim % a.ndim,)), keepdim
        ctx.save_for_backward(a)
        # torch's 2-norm of one element is |a| exactly (sqrt(a²) can be an ulp off, or overflow)
        ctx.single = math.prod(a.shape[i] for i in ctx.axis) == 1
        if p == 2 and ctx.single:
            z = np.abs(a)
        elif p == 2:
            z = np.sqrt((a * a).sum(axis=ctx.axis, keepdims=True))
        elif p == 1:
            z = np.abs(a).sum(axis=ctx.axis, keepdims=True)
        else:
            z = np.power(np.power(np.abs(a), _c(p, a)).sum(axis=ctx.axis, keepdims=True), _c(1 / p, a))
        ctx.zero = z == 0
        return z if keepdim else z.reshape(tuple(s for i, s in enumerate(a.shape) if i not in ctx.axis))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        p, axis = ctx.p, ctx.axis
        if not ctx.keepdim and axis:
            g = bm.expand_dims(g, axis)
        if p == 1:
            return (bm.sign(a) * g,)
        if p == 2:
            z = bm.abs(a) if ctx.single else bm.pow(bm.sum(a * a, axis, True), 0.5)
            return (bm.where(ctx.zero, 0, a * g / bm.where(ctx.zero, 1, z)),)  # (a·g)/z: ±g exactly for one element
        z = bm.pow(bm.sum(bm.pow(bm.abs(a), p), axis, True), 1 / p)
        scale = bm.where(ctx.zero, 0, g / bm.pow(bm.where(ctx.zero, 1, z), p - 1))
        return (a * bm.pow(bm.abs(a), p - 2) * scale,)


# PyTorch's node for torch.norm(x, p, dim); kept out of the op registry like XlogyBackward0.
_PNorm.__name__ = _PNorm.__qualname__ = "NormBackward1"
NormBackward1 = _PNorm


class EmbeddingBackward0(Function):
    """z = weight[indices]   (rows of the table; the indices are a constant)"""

    label, formula, saves_tensors = "embedding", "∂L/∂weight[i] = Σ G over the positions holding i (0 at padding_idx)", True
    saved_names = ("indices",)

    @staticmethod
    def forward(ctx, weight, indices, padding_idx):
        ctx.index, ctx.rows = (indices,), weight.shape
        # rows at padding_idx get no gradient: their positions are masked in the incoming gradient
        ctx.keep = (indices != padding_idx)[..., None] if padding_idx is not None else None
        return weight[indices]

    @staticmethod
    def backward(ctx, g):
        if ctx.keep is not None:
            g = bm.where(ctx.keep, g, 0)
        return (bm.index_scatter(g, ctx.rows, ctx.index, True),)
