"""Elementwise ops beyond the core set: log1p, rsqrt, tan, rounding, sign, clamp, masked_fill.

Written like gradviz.ops: one class per grad_fn PyTorch builds, math as the first docstring
line. Forward bodies use NumPy; backward bodies use only operators and gradviz._bmath, so the
same rule also runs on Tensors when a backward pass is itself recorded (create_graph=True).
"""
from __future__ import annotations

import numpy as np

import gradviz._bmath as bm

from .function import Function


class Log1PBackward0(Function):
    """z = ln(1 + a)"""

    label, formula, saves_tensors = "log1p", "∂ln(1 + a)/∂a = 1/(1 + a)", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g / (a + 1),)


class RsqrtBackward0(Function):
    """z = 1/√a"""

    label, formula, saves_tensors = "rsqrt", "∂(1/√a)/∂a = −½·a^(−3/2) = −½·z³", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        z = 1 / np.sqrt(a)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (g * (z * z * z) * -0.5,)


class TanBackward0(Function):
    """z = tan a"""

    label, formula, saves_tensors = "tan", "∂(tan a)/∂a = 1 + tan²a", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        z = np.tan(a)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (g * (z * z + 1),)


class _Step(Function):
    """Piecewise-constant functions: the derivative is 0 wherever it exists (torch uses 0 everywhere)."""

    formula = "∂z/∂a = 0"
    kernel = staticmethod(np.floor)

    @classmethod
    def forward(cls, ctx, a):
        if a.dtype.kind in "biu":
            return a.copy()  # integers are already whole; torch returns them unchanged
        return cls.kernel(a)

    @staticmethod
    def backward(ctx, g):
        return (bm.zeros_like(g),)


class SignBackward0(_Step):
    """z = sign a   (−1, 0 or 1)"""

    label = "sign"

    @staticmethod
    def forward(ctx, a):
        return a.copy() if a.dtype == np.bool_ else np.sign(a)


class FloorBackward0(_Step):
    """z = ⌊a⌋"""

    label = "floor"


class CeilBackward0(_Step):
    """z = ⌈a⌉"""

    label = "ceil"
    kernel = staticmethod(np.ceil)


class RoundBackward0(_Step):
    """z = a rounded to the nearest integer (halves to even)"""

    label = "round"
    kernel = staticmethod(np.rint)


class RoundBackward1(_Step):
    """z = a rounded to `decimals` decimal places (halves to even)"""

    label = "round(decimals)"

    @staticmethod
    def forward(ctx, a, decimals):
        ctx.decimals = decimals
        # torch scales by 10^|decimals| in the tensor's own precision, rounds, and scales back.
        scale = np.asarray(10.0 ** abs(decimals), dtype=a.dtype)
        if decimals < 0:
            return np.rint(a / scale) * scale
        return np.rint(a * scale) / scale


# -- clamp -------------------------------------------------------------------------------------
def _clip(a: np.ndarray, lo, hi) -> np.ndarray:
    # max first, then min: with lo > hi every element becomes hi, as in torch; NaN stays NaN.
    if lo is not None:
        a = np.maximum(a, lo)
    if hi is not None:
        a = np.minimum(a, hi)
    return a


class ClampBackward1(Function):
    """z = min(max(a, lo), hi)   (lo, hi numbers; either may be absent)"""

    label, formula, saves_tensors = "clamp", "∂z/∂a = 1 where lo ≤ a ≤ hi, else 0", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, min=None, max=None):  # noqa: A002 - torch's keyword names
        ctx.min = None if min is None else np.asarray(min, dtype=a.dtype)
        ctx.max = None if max is None else np.asarray(max, dtype=a.dtype)
        ctx.save_for_backward(a)
        return _clip(a, ctx.min, ctx.max)

    @property
    def label_text(self) -> str:
        lo = "" if self.min is None else f"{self.min.item():g}"
        hi = "" if self.max is None else f"{self.max.item():g}"
        return f"clamp [{lo}, {hi}]"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        if ctx.min is None:
            keep = a <= ctx.max
        elif ctx.max is None:
            keep = a >= ctx.min
        else:
            keep = (a >= ctx.min) & (a <= ctx.max)
        return (bm.where(keep, g, 0),)


class ClampMinBackward0(Function):
    """z = max(a, lo)   (lo a number)"""

    label, formula, saves_tensors = "clamp_min", "∂z/∂a = 1 where a ≥ lo, else 0", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, min):  # noqa: A002
        ctx.min = np.asarray(min, dtype=a.dtype)
        ctx.save_for_backward(a)
        return np.maximum(a, ctx.min)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (bm.where(a >= ctx.min, g, 0),)


class ClampMaxBackward0(Function):
    """z = min(a, hi)   (hi a number)"""

    label, formula, saves_tensors = "clamp_max", "∂z/∂a = 1 where a ≤ hi, else 0", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, max):  # noqa: A002
        ctx.max = np.asarray(max, dtype=a.dtype)
        ctx.save_for_backward(a)
        return np.minimum(a, ctx.max)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (bm.where(a <= ctx.max, g, 0),)


class ClampMinBackward1(Function):
    """z = max(a, lo)   (lo a tensor)"""

    label, formula, saves_tensors = "clamp_min", "∂z/∂a = 1 where a ≥ lo;  ∂z/∂lo = 1 where a < lo", True
    saved_names = ("self", "min")

    @staticmethod
    def forward(ctx, a, lo):
        ctx.save_for_backward(a, lo)
        return np.maximum(a, lo)

    @staticmethod
    def backward(ctx, g):
        a, lo = ctx.saved_tensors
        return bm.where(a >= lo, g, 0), bm.where(a < lo, g, 0)


class ClampMaxBackward1(Function):
    """z = min(a, hi)   (hi a tensor)"""

    label, formula, saves_tensors = "clamp_max", "∂z/∂a = 1 where a ≤ hi;  ∂z/∂hi = 1 where a > hi", True
    saved_names = ("self", "max")

    @staticmethod
    def forward(ctx, a, hi):
        ctx.save_for_backward(a, hi)
        return np.minimum(a, hi)

    @staticmethod
    def backward(ctx, g):
        a, hi = ctx.saved_tensors
        return bm.where(a <= hi, g, 0), bm.where(a > hi, g, 0)


class ClampBackward0(Function):
    """z = min(max(a, lo), hi)   (lo, hi tensors; either may be absent)"""

    label, formula, saves_tensors = "clamp", ("∂z/∂a = 1 where lo ≤ a ≤ hi;  ∂z/∂lo = 1 where a < lo < hi;  "
                                              "∂z/∂hi = 1 where a > hi or hi < lo"), True
    saved_names = ("self", "min", "max")

    @staticmethod
    def forward(ctx, a, lo, hi, has_min, has_max):
        ctx.has_min, ctx.has_max = has_min, has_max
        ctx.save_for_backward(a, lo if has_min else None, hi if has_max else None)
        return _clip(a, lo if has_min else None, hi if has_max else None)

    @staticmethod
    def backward(ctx, g):
        a, lo, hi = ctx.saved_tensors
        if lo is None:
            return bm.where(a <= hi, g, 0), None, bm.where(a > hi, g, 0)
        if hi is None:
            return bm.where(a >= lo, g, 0), bm.where(a < lo, g, 0), None
        # With lo > hi every element is hi, so only hi receives a gradient.
        ga = bm.where((a >= lo) & (a <= hi), g, 0)
        glo = bm.where((a < lo) & (lo < hi), g, 0)
        ghi = bm.where((a > hi) | (hi < lo), g, 0)
        return ga, glo, ghi


# -- masked_fill -------------------------------------------------------------------------------
class MaskedFillBackward0(Function):
    """z = c where mask else a   (c a number)"""

    label, formula = "masked_fill", "∂z/∂a = 0 where mask, else 1"

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        return np.where(mask, np.asarray(value).astype(a.dtype), a)

    @staticmethod
    def backward(ctx, g):
        return (bm.masked_fill(g, ctx.mask, 0),)  # torch's rule is masked_fill too (its double-backward graph)


class MaskedFillBackward1(Function):
    """z = c where mask else a   (c a 0-d tensor)"""

    label, formula = "masked_fill", "∂z/∂a = 0 where mask, else 1;  ∂z/∂c = Σ gradient over the mask"

    @staticmethod
    def forward(ctx, a, c, mask):
        ctx.mask = mask
        return np.where(mask, c.astype(a.dtype), a)

    @staticmethod
    def backward(ctx, g):
        return bm.masked_fill(g, ctx.mask, 0), bm.sum(bm.where(ctx.mask, g, 0))
