"""More elementwise math: hyperbolic and inverse trig, erf/erfc, expm1, log2/log10/exp2,
atan2, hypot, lerp, addcmul and addcdiv.

Written like gradviz.ops: one class per grad_fn PyTorch builds, math as the first docstring
line. Forward bodies use NumPy; backward bodies use only operators and gradviz._bmath, in the
order of torch's derivative formulas, so create_graph=True records the same kind of graph.

Bits: NumPy's float64 arcsin, arccos, arctan, log2 and log10 give torch's bits; the others
differ from torch's vectorised kernels by a few ulp at most (tests/test_ops.py measures it).
float16/float32 inputs are computed in float64 and rounded once, which is closer to torch's
results than NumPy's own single-precision loops (and bit-equal for lerp, addcmul, addcdiv).
"""
from __future__ import annotations

import math

import numpy as np

import gradviz._bmath as bm

from .function import Function

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _wide(kernel, *arrays: np.ndarray) -> np.ndarray:
    """kernel on float64 copies of narrower floats, rounded back once to the inputs' dtype."""
    dt = arrays[0].dtype
    if dt.itemsize >= 8:
        return kernel(*arrays)
    return kernel(*(a.astype(np.float64) for a in arrays)).astype(dt)


def _erf(a: np.ndarray) -> np.ndarray:
    return np.asarray(np.frompyfunc(math.erf, 1, 1)(a), dtype=a.dtype)


def _erfc(a: np.ndarray) -> np.ndarray:
    return np.asarray(np.frompyfunc(math.erfc, 1, 1)(a), dtype=a.dtype)


class _OfInput(Function):
    """A unary function whose derivative is written in terms of its input (saved as `self`)."""

    saves_tensors = True
    saved_names = ("self",)
    kernel = staticmethod(np.sinh)

    @classmethod
    def forward(cls, ctx, a):
        ctx.save_for_backward(a)
        return _wide(cls.kernel, a)


class _OfResult(Function):
    """A unary function whose derivative is written in terms of its result (saved as `result`)."""

    saves_tensors = True
    saved_names = ("result",)
    kernel = staticmethod(np.expm1)

    @classmethod
    def forward(cls, ctx, a):
        z = _wide(cls.kernel, a)
        ctx.save_for_backward(z)
        return z


class SinhBackward0(_OfInput):
    """z = sinh a"""

    label, formula = "sinh", "∂(sinh a)/∂a = cosh a"
    kernel = staticmethod(np.sinh)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * bm.cosh(a),)


class CoshBackward0(_OfInput):
    """z = cosh a"""

    label, formula = "cosh", "∂(cosh a)/∂a = sinh a"
    kernel = staticmethod(np.cosh)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * bm.sinh(a),)


class AsinBackward0(_OfInput):
    """z = arcsin a"""

    label, formula = "asin", "∂(arcsin a)/∂a = 1/√(1 − a²)"
    kernel = staticmethod(np.arcsin)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * bm.rsqrt(-a * a + 1),)


class AcosBackward0(_OfInput):
    """z = arccos a"""

    label, formula = "acos", "∂(arccos a)/∂a = −1/√(1 − a²)"
    kernel = staticmethod(np.arccos)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * -bm.rsqrt(-a * a + 1),)


class AtanBackward0(_OfInput):
    """z = arctan a"""

    label, formula = "atan", "∂(arctan a)/∂a = 1/(1 + a²)"
    kernel = staticmethod(np.arctan)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g / (a * a + 1),)


class AsinhBackward0(_OfInput):
    """z = arsinh a"""

    label, formula = "asinh", "∂(arsinh a)/∂a = 1/√(a² + 1)"
    kernel = staticmethod(np.arcsinh)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * bm.rsqrt(bm.pow(a, 2) + 1),)


class AcoshBackward0(_OfInput):
    """z = arcosh a"""

    label, formula = "acosh", "∂(arcosh a)/∂a = 1/√(a² − 1)"
    kernel = staticmethod(np.arccosh)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * bm.rsqrt(bm.pow(a, 2) - 1),)


class AtanhBackward0(_OfInput):
    """z = artanh a"""

    label, formula = "atanh", "∂(artanh a)/∂a = 1/(1 − a²)"
    kernel = staticmethod(np.arctanh)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g / (1 - bm.pow(a, 2)),)


class ErfBackward0(_OfInput):
    """z = erf a"""

    label, formula = "erf", "∂erf(a)/∂a = 2/√π · e^(−a²)"
    kernel = staticmethod(_erf)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (bm.mul_number(bm.exp(-bm.pow(a, 2)), _TWO_OVER_SQRT_PI) * g,)


class ErfcBackward0(_OfInput):
    """z = erfc a = 1 − erf a"""

    label, formula = "erfc", "∂erfc(a)/∂a = −2/√π · e^(−a²)"
    kernel = staticmethod(_erfc)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (bm.mul_number(bm.exp(-bm.pow(a, 2)), -_TWO_OVER_SQRT_PI) * g,)


class Expm1Backward0(_OfResult):
    """z = eᵃ − 1"""

    label, formula = "expm1", "∂(eᵃ − 1)/∂a = eᵃ = z + 1"
    kernel = staticmethod(np.expm1)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (g * (z + 1),)


class Exp2Backward0(_OfResult):
    """z = 2ᵃ"""

    label, formula = "exp2", "∂(2ᵃ)/∂a = 2ᵃ·ln 2"
    kernel = staticmethod(np.exp2)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (bm.mul_number(g * z, _LN2),)


class Log2Backward0(_OfInput):
    """z = log₂ a"""

    label, formula = "log2", "∂(log₂ a)/∂a = 1/(a·ln 2)"
    kernel = staticmethod(np.log2)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g / bm.mul_number(a, _LN2),)


class Log10Backward0(_OfInput):
    """z = log₁₀ a"""

    label, formula = "log10", "∂(log₁₀ a)/∂a = 1/(a·ln 10)"
    kernel = staticmethod(np.log10)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g / bm.mul_number(a, _LN10),)


# -- binary and ternary ------------------------------------------------------------------------
class Atan2Backward0(Function):
    """z = atan2(a, b)   (the angle of the point (b, a))"""

    label, formula, saves_tensors = "atan2", "∂z/∂a = b/(a² + b²),  ∂z/∂b = −a/(a² + b²)", True
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _wide(np.arctan2, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        r = 1 / (a * a + b * b)
        return (g * (b * r) if need_a else None), (g * (-a * r) if need_b else None)


class HypotBackward0(Function):
    """z = √(a² + b²)"""

    label, formula, saves_tensors = "hypot", "∂z/∂a = a/z,  ∂z/∂b = b/z", True
    saved_names = ("self", "other", "result")

    @staticmethod
    def forward(ctx, a, b):
        z = np.hypot(a, b)
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * a / z if need_a else None), (g * b / z if need_b else None)


def _lerp(a: np.ndarray, b: np.ndarray, w: np.ndarray, tensor_weight: bool) -> np.ndarray:
    # torch's two-sided formula (exact at both ends), each side one fused multiply-add; float32
    # gets the fused rounding by computing in float64 (float64 itself is not fused here).
    if a.dtype.itemsize >= 8:
        d = b - a
        return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))
    # end − self rounds in the tensor's dtype first, and so does 1 − w for a tensor weight, as in torch
    d = (b - a).astype(np.float64)
    one_minus = (1 - w).astype(np.float64) if tensor_weight else 1 - w.astype(np.float64)
    w64, a64, b64 = w.astype(np.float64), a.astype(np.float64), b.astype(np.float64)
    return np.where(np.abs(w64) < 0.5, a64 + w64 * d, b64 - d * one_minus).astype(a.dtype)


class LerpBackward0(Function):
    """z = a + w·(b − a)   (w a number)"""

    label, formula = "lerp", "∂z/∂a = 1 − w,  ∂z/∂b = w"

    @staticmethod
    def forward(ctx, a, b, weight):
        ctx.weight = weight
        return _lerp(a, b, np.asarray(weight, dtype=a.dtype), False)

    @property
    def label_text(self) -> str:
        return f"lerp {self.weight:g}"

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        w = ctx.weight
        return (bm.mul_number(g, 1 - w) if need_a else None), (bm.mul_number(g, w) if need_b else None)


class LerpBackward1(Function):
    """z = a + w·(b − a)   (w a tensor)"""

    label, formula, saves_tensors = "lerp", "∂z/∂a = 1 − w,  ∂z/∂b = w,  ∂z/∂w = b − a", True
    saved_names = ("end", "self", "weight")

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        return _lerp(a, b, w, True)

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        need_a, need_b, need_w = ctx.needs_input_grad
        return ((g * (1 - w) if need_a else None), (g * w if need_b else None),
                (g * (b - a) if need_w else None))


class AddcmulBackward0(Function):
    """z = a + v·b·c   (v a number)"""

    label, formula, saves_tensors = "addcmul", "∂z/∂a = 1,  ∂z/∂b = v·c,  ∂z/∂c = v·b", True
    saved_names = ("tensor1", "tensor2")

    @staticmethod
    def forward(ctx, a, b, c, value):
        ctx.value = value
        ctx.save_for_backward(b, c)
        v = np.asarray(value, dtype=a.dtype)
        if a.dtype.kind == "f" and a.dtype.itemsize < 8:
            # torch: fma(v·b, c, a); float64 holds the product exactly, so one rounding at the end.
            return ((v * b).astype(np.float64) * c.astype(np.float64) + a.astype(np.float64)).astype(a.dtype)
        return a + (v * b) * c

    @staticmethod
    def backward(ctx, g):
        b, c = ctx.saved_tensors
        _, need_b, need_c = ctx.needs_input_grad
        v = ctx.value
        return (g, (g * bm.mul_number(c, v) if need_b else None),
                (g * bm.mul_number(b, v) if need_c else None))


class AddcdivBackward0(Function):
    """z = a + v·b/c   (v a number)"""

    label, formula, saves_tensors = "addcdiv", "∂z/∂a = 1,  ∂z/∂b = v/c,  ∂z/∂c = −v·b/c²", True
    saved_names = ("tensor1", "tensor2")

    @staticmethod
    def forward(ctx, a, b, c, value):
        ctx.value = value
        ctx.save_for_backward(b, c)
        return a + np.asarray(value, dtype=a.dtype) * b / c

    @staticmethod
    def backward(ctx, g):
        b, c = ctx.saved_tensors
        _, need_b, need_c = ctx.needs_input_grad
        v = ctx.value
        gb = g * (bm.mul_number(1 / c, v)) if need_b else None
        gc = -g * (bm.mul_number(b, v) / (c * c)) if need_c else None
        return g, gb, gc


# -- asinh_, acosh_, atanh_ ----------------------------------------------------------------------
class _InplaceWithoutDerivative(Function):
    """torch records its in-place asinh_/acosh_/atanh_ as XBackward1, whose backward refuses."""

    kernel = staticmethod(np.arcsinh)

    @classmethod
    def forward(cls, ctx, a):
        return _wide(cls.kernel, a)

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError(f"the derivative for 'inplace version of {ctx.label}' is not implemented.")


def _inplace_node(name: str, kernel) -> type:
    # Named after torch's node but kept out of Function.registry (the "_" name at class creation):
    # it is not a differentiable op, so the gradcheck tables have nothing to check on it.
    cls = type(f"_{name}", (_InplaceWithoutDerivative,), {
        "__doc__": f"z = {name} a, in place (no derivative in torch)", "label": name.lower(),
        "formula": "not implemented", "kernel": staticmethod(kernel)})
    cls.__name__ = cls.__qualname__ = f"{name}Backward1"
    return cls


AsinhBackward1 = _inplace_node("Asinh", np.arcsinh)
AcoshBackward1 = _inplace_node("Acosh", np.arccosh)
AtanhBackward1 = _inplace_node("Atanh", np.arctanh)


# -- nan_to_num, trunc, frac, fmod, remainder -------------------------------------------------------
class NanToNumBackward0(Function):
    """z = a with NaN → nan, +∞ → posinf, −∞ → neginf"""

    label, formula = "nan_to_num", "∂z/∂a = 1 where a is finite, else 0"

    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        # The mask is a constant of the input's values (no gradient flows through it).
        ctx.finite = np.isfinite(a).astype(a.dtype)
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.finite,)  # torch multiplies by the mask too (an infinite gradient becomes NaN there)


class TruncBackward0(Function):
    """z = a rounded towards zero"""

    label, formula = "trunc", "∂z/∂a = 0"

    @staticmethod
    def forward(ctx, a):
        return a.copy() if a.dtype.kind in "iu" else np.trunc(a)

    @staticmethod
    def backward(ctx, g):
        return (bm.zeros_like(g),)


class FracBackward0(Function):
    """z = a − trunc(a)"""

    label, formula = "frac", "∂z/∂a = 1"

    @staticmethod
    def forward(ctx, a):
        return a - np.trunc(a)

    @staticmethod
    def backward(ctx, g):
        return (g,)


class FmodBackward0(Function):
    """z = a − c·trunc(a/c)   (c a number; the sign of a)"""

    label, formula = "fmod", "∂z/∂a = 1"

    @staticmethod
    def forward(ctx, a, other):
        ctx.other = other
        return np.fmod(a, np.asarray(other, dtype=a.dtype))

    @staticmethod
    def backward(ctx, g):
        return (g,)


class FmodBackward1(Function):
    """z = a − b·trunc(a/b)   (the sign of a)"""

    label, formula = "fmod", "∂z/∂a = 1,  ∂z/∂b = −trunc(a/b)"

    @staticmethod
    def forward(ctx, a, b):
        # trunc(a/b) is piecewise constant in a and b: kept as a constant, its derivative being 0.
        ctx.quotient = np.trunc(a / b)
        return np.fmod(a, b)

    @staticmethod
    def backward(ctx, g):
        return g, -g * ctx.quotient


def remainder(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """torch's float remainder: fmod, moved by b when the signs differ (np.remainder gives +0 for −0)."""
    if a.dtype.kind != "f":
        return np.remainder(a, b)  # integers: floor-mod, as torch (this called itself before)
    m = np.fmod(a, b)
    return np.where((m != 0) & ((b < 0) != (m < 0)), m + b, m)


class RemainderBackward0(Function):
    """z = a − c·⌊a/c⌋   (c a number; the sign of c)"""

    label, formula = "remainder", "∂z/∂a = 1"

    @staticmethod
    def forward(ctx, a, other):
        ctx.other = other
        return remainder(a, np.asarray(other, dtype=a.dtype))

    @staticmethod
    def backward(ctx, g):
        return (g,)


class RemainderBackward1(Function):
    """z = a − b·⌊a/b⌋   (the sign of b)"""

    label, formula = "remainder", "∂z/∂a = 1,  ∂z/∂b = −⌊a/b⌋"

    @staticmethod
    def forward(ctx, a, b):
        ctx.quotient = np.floor(a / b)  # piecewise constant: a constant of the node, as for fmod
        return remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        return g, -g * ctx.quotient


# -- floor_divide, and a number % tensor -----------------------------------------------------------
class _NotImplementedNode(Function):
    """z = ⌊a/b⌋, or c mod a   (torch records these with a node that refuses to differentiate)"""

    label, formula = "floor_divide", "not implemented in torch"

    @staticmethod
    def forward(ctx, *arrays, kernel, aten, number=None, reflected=False):
        ctx.aten = aten
        if number is None:
            return kernel(*arrays)
        c = np.asarray(number, dtype=arrays[0].dtype)
        return kernel(c, arrays[0]) if reflected else kernel(arrays[0], c)

    @property
    def label_text(self) -> str:
        return self.aten

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(f"derivative for aten::{ctx.aten} is not implemented")


# torch's node is the generic torch::autograd::NotImplemented; named after the class it prints.
# The "_" name at creation keeps it out of Function.registry: it has no derivative to check.
_NotImplementedNode.__name__ = _NotImplementedNode.__qualname__ = "NotImplemented"
NotImplementedNode = _NotImplementedNode
