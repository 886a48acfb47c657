"""Every differentiable op, one class each: math docstring, forward, backward rule, labels.

Classes are named after the grad_fn PyTorch builds for the same call, so ``type(y.grad_fn)``
reads the same in both. Forward and backward work on NumPy arrays; broadcasting is
undone centrally (function.sum_to), so a backward returns grads in the forward's shapes.
"""
from __future__ import annotations

import math

import numpy as np

from . import _bmath
from .function import Function


# -- elementwise arithmetic -----------------------------------------------------------
class AddBackward0(Function):
    """z = a + alpha·b"""

    label, formula = "+", "∂z/∂a = 1,  ∂z/∂b = alpha"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return a + b if alpha == 1 else a + alpha * b

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else g * ctx.alpha)


class SubBackward0(Function):
    """z = a − alpha·b"""

    label, formula = "−", "∂z/∂a = 1,  ∂z/∂b = −alpha"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else g * -ctx.alpha)


class RsubBackward0(Function):
    """z = b − alpha·a   (tensor on the right of a subtraction from an array)"""

    label, formula = "−", "∂z/∂a = −alpha,  ∂z/∂b = 1"

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return b - alpha * a

    @staticmethod
    def backward(ctx, g):
        return g * -ctx.alpha, g


class RsubBackward1(Function):
    """z = c − a   (Python number minus tensor)"""

    label, formula = "c −", "∂z/∂a = −1"

    @staticmethod
    def forward(ctx, a, c):
        return np.asarray(c, dtype=a.dtype) - a

    @staticmethod
    def backward(ctx, g):
        return (-g,)


class MulBackward0(Function):
    """z = a·b"""

    label, formula, saves_tensors = "×", "∂(a·b)/∂a = b,  ∂(a·b)/∂b = a", True
    saved_names = ("self", "other")
    saved_for = (1, 0)  # a serves only b's gradient, and b only a's

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return (g * b if b is not None else None), (g * a if a is not None else None)


class DivBackward0(Function):
    """z = a / b"""

    label, formula, saves_tensors = "÷", "∂(a/b)/∂a = 1/b,  ∂(a/b)/∂b = −a/b²", True
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g / b, -g * a / (b * b)


class NegBackward0(Function):
    """z = −a"""

    label, formula = "neg", "∂(−a)/∂a = −1"

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return (-g,)


def _pow_scalar(a: np.ndarray, e: float) -> np.ndarray:
    # torch special-cases small integer and half exponents; so does this, for equal bits.
    if e == 1:
        return a.copy()  # a ** 1 is a, bit for bit (checked against np.power for f16/32/64); x**2's backward needs it
    if e == 2:
        return a * a
    if e == 3:
        return a * a * a
    if e == 0.5:
        return np.sqrt(a)
    if e == -1:
        return 1 / a
    if e == -2:
        return 1 / (a * a)
    return np.power(a, np.asarray(e, dtype=a.dtype))


class PowBackward0(Function):
    """z = aᵉ   (e a number)"""

    label, formula, saves_tensors = "pow", "∂(aᵉ)/∂a = e·aᵉ⁻¹", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.exponent = exponent
        ctx.save_for_backward(a)
        return _pow_scalar(a, exponent)

    @property
    def label_text(self) -> str:
        return f"pow {self.exponent:g}"

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        e = ctx.exponent
        if e == 0:
            return (np.zeros_like(g),)
        return (g * (np.asarray(e, dtype=a.dtype) * _pow_scalar(a, e - 1)),)


class PowBackward1(Function):
    """z = aᵇ   (both tensors)"""

    label, formula, saves_tensors = "pow", "∂(aᵇ)/∂a = b·aᵇ⁻¹,  ∂(aᵇ)/∂b = aᵇ·ln a", True
    saved_names = ("self", "exponent", "result")

    @staticmethod
    def forward(ctx, a, b):
        z = np.power(a, b)
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        ga = g * b * np.power(a, b - 1)
        gb = g * z * np.log(a)
        gb = np.where((a == 0) & (b >= 0), 0, gb).astype(z.dtype)  # torch masks 0**b's log term
        return ga, gb


class PowBackward2(Function):
    """z = cᵃ   (c a number)"""

    label, formula, saves_tensors = "c**", "∂(cᵃ)/∂a = cᵃ·ln c", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, base):
        ctx.base = base
        z = np.power(np.asarray(base, dtype=a.dtype), a)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        if ctx.base == 0:
            return (np.where(z == 0, 0, g * z * np.log(np.asarray(ctx.base, dtype=z.dtype))),)
        return (g * z * np.log(np.asarray(ctx.base, dtype=z.dtype)),)


class ReciprocalBackward0(Function):
    """z = 1/a"""

    label, formula, saves_tensors = "1/a", "∂(1/a)/∂a = −1/a²", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        z = 1 / a
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (-g * z * z,)


# -- elementwise functions ------------------------------------------------------------
class ExpBackward0(Function):
    """z = eᵃ"""

    label, formula, saves_tensors = "exp", "∂(eᵃ)/∂a = eᵃ", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        z = np.exp(a)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (g * z,)


class LogBackward0(Function):
    """z = ln a"""

    label, formula, saves_tensors = "log", "∂(ln a)/∂a = 1/a", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g / a,)


class SqrtBackward0(Function):
    """z = √a"""

    label, formula, saves_tensors = "sqrt", "∂(√a)/∂a = 1/(2√a)", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        z = np.sqrt(a)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (g / (2 * z),)


class SinBackward0(Function):
    """z = sin a"""

    label, formula, saves_tensors = "sin", "∂(sin a)/∂a = cos a", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * np.cos(a),)


class CosBackward0(Function):
    """z = cos a"""

    label, formula, saves_tensors = "cos", "∂(cos a)/∂a = −sin a", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (-g * np.sin(a),)


class TanhBackward0(Function):
    """z = tanh a"""

    label, formula, saves_tensors = "tanh", "∂(tanh a)/∂a = 1 − tanh²a", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        z = np.tanh(a)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (g * (1 - z * z),)


class SigmoidBackward0(Function):
    """z = 1/(1 + e⁻ᵃ)"""

    label, formula, saves_tensors = "sigmoid", "∂σ(a)/∂a = σ(a)(1 − σ(a))", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        z = 1 / (1 + np.exp(-a))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (g * z * (1 - z),)


class ReluBackward0(Function):
    """z = max(a, 0)"""

    label, formula, saves_tensors = "relu", "∂relu(a)/∂a = 1 if a > 0 else 0", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        z = np.maximum(a, 0).astype(a.dtype, copy=False)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (_bmath.where(z > 0, g, 0).astype(g.dtype, copy=False),)


class AbsBackward0(Function):
    """z = |a|"""

    label, formula, saves_tensors = "abs", "∂|a|/∂a = sign(a)", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * np.sign(a),)


# -- reductions -----------------------------------------------------------------------
def _expand_back(g: np.ndarray, shape: tuple[int, ...], dim: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
    # Put the reduced axes back (size 1) so g broadcasts over the input again.
    if dim is not None and not keepdim:
        g = np.expand_dims(g, tuple(sorted(d % len(shape) for d in dim))) if shape else g
    return np.broadcast_to(g, shape)


class SumBackward0(Function):
    """z = Σᵢ aᵢ"""

    label, formula = "sum", "∂(Σa)/∂aᵢ = 1"

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.shape = a.shape
        return np.sum(a, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        return (np.broadcast_to(g, ctx.shape),)


class SumBackward1(Function):
    """z = Σ over dim of a"""

    label, formula = "sum(dim)", "∂(Σa)/∂aᵢ = 1"

    @staticmethod
    def forward(ctx, a, dim, keepdim, dtype=None):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return np.sum(a, axis=dim, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        return (_expand_back(g, ctx.shape, ctx.dim, ctx.keepdim),)


class MeanBackward0(Function):
    """z = (1/n) Σᵢ aᵢ"""

    label, formula = "mean", "∂(mean a)/∂aᵢ = 1/n"

    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        # sum / n is what np.mean computes, without its "Mean of empty slice" warning (0/0 is nan).
        return np.sum(a) / np.asarray(a.size, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        n = math.prod(ctx.shape)  # np.prod on a tuple costs ~10 us; this is exact for ints
        return (np.broadcast_to(g / np.asarray(n, dtype=g.dtype), ctx.shape),)


class MeanBackward1(Function):
    """z = (1/n) Σ over dim of a"""

    label, formula = "mean(dim)", "∂(mean a)/∂aᵢ = 1/n"

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        ctx.n = math.prod([a.shape[d] for d in dim]) if a.ndim else 1
        return np.sum(a, axis=dim, keepdims=keepdim) / np.asarray(ctx.n, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        return (_expand_back(g / np.asarray(ctx.n, dtype=g.dtype), ctx.shape, ctx.dim, ctx.keepdim),)


class LinalgVectorNormBackward0(Function):
    """z = (Σᵢ |aᵢ|ᵖ)^(1/p)"""

    label, formula, saves_tensors = "norm", "∂‖a‖₂/∂a = a/‖a‖₂", True
    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, p, dim, keepdim):
        ctx.p, ctx.dim, ctx.keepdim, ctx.shape = p, dim, keepdim, a.shape
        ax = a if a.dtype.kind == "f" else a.astype(np.float32)
        absa = np.abs(ax)
        if p == 2:
            z = np.sqrt(np.sum(ax * ax, axis=dim, keepdims=keepdim))
        elif p == float("inf"):
            z = np.max(absa, axis=dim, keepdims=keepdim) if ax.size else np.zeros((), ax.dtype)
        elif p == float("-inf"):
            z = np.min(absa, axis=dim, keepdims=keepdim)
        elif p == 0:
            z = np.sum(ax != 0, axis=dim, keepdims=keepdim).astype(ax.dtype)
        elif p == 1:
            z = np.sum(absa, axis=dim, keepdims=keepdim)
        else:
            z = np.power(np.sum(np.power(absa, p), axis=dim, keepdims=keepdim), 1.0 / p).astype(ax.dtype)
        z = np.asarray(z, dtype=ax.dtype)
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        zb = _expand_back(z, ctx.shape, ctx.dim, ctx.keepdim)
        gb = _expand_back(g, ctx.shape, ctx.dim, ctx.keepdim)
        p = ctx.p
        if p == 2:
            scale = np.where(zb == 0, 0, a / np.where(zb == 0, 1, zb))
        elif p == 1:
            scale = np.sign(a)
        elif p == 0:
            scale = np.zeros_like(a)
        elif p in (float("inf"), float("-inf")):
            hit = np.abs(a) == zb
            count = np.sum(hit, axis=ctx.dim, keepdims=True) if ctx.dim is not None else hit.sum()
            scale = np.sign(a) * hit / count
        else:
            scale = np.where(zb == 0, 0, a * np.power(np.abs(a), p - 2) / np.power(np.where(zb == 0, 1, zb), p - 1))
        return ((gb * scale).astype(a.dtype, copy=False),)


class _Extreme(Function):
    """z = max a   (the gradient is shared evenly among tied maxima, as torch does)"""

    saves_tensors = True
    saved_names = ("self", "result")
    pick = staticmethod(np.max)

    @classmethod
    def forward(cls, ctx, a):
        z = cls.pick(a)
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        hit = a == z
        return (np.where(hit, g / np.asarray(np.count_nonzero(hit), dtype=g.dtype), 0).astype(g.dtype),)


class MaxBackward1(_Extreme):
    """z = max of all elements of a"""

    label, formula = "max", "∂z/∂aᵢ = 1/k at the k largest (tied) elements, else 0"


class MinBackward1(_Extreme):
    """z = min of all elements of a"""

    label, formula = "min", "∂z/∂aᵢ = 1/k at the k smallest (tied) elements, else 0"
    pick = staticmethod(np.min)


class _ExtremeDim(Function):
    """z = max of a along dim (values; the indices are returned beside them)"""

    saves_tensors = True
    saved_names = ("indices",)

    @staticmethod
    def forward(ctx, a, dim, keepdim, indices):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        ctx.save_for_backward(indices)
        data = a if a.ndim else a.reshape(1)
        z = np.take_along_axis(data, indices, axis=dim)
        return z if keepdim or not a.ndim else np.squeeze(z, dim)

    @staticmethod
    def backward(ctx, g):
        (indices,) = ctx.saved_tensors
        out = np.zeros(ctx.shape if ctx.shape else (1,), dtype=g.dtype)
        gk = g if ctx.keepdim or not ctx.shape else np.expand_dims(g, ctx.dim)
        np.put_along_axis(out, indices, gk.reshape(indices.shape), axis=ctx.dim)
        return (out.reshape(ctx.shape),)


class MaxBackward0(_ExtremeDim):
    """z = max of a along dim"""

    label, formula = "max(dim)", "∂z/∂a = 1 at each row's first largest element, else 0"


class MinBackward0(_ExtremeDim):
    """z = min of a along dim"""

    label, formula = "min(dim)", "∂z/∂a = 1 at each row's first smallest element, else 0"


class MaximumBackward0(Function):
    """z = max(a, b) elementwise"""

    label, formula, saves_tensors = "maximum", "∂z/∂a = 1 where a > b, ½ where a = b, else 0", True
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        half = g / np.asarray(2, dtype=g.dtype)
        return np.where(a > b, g, np.where(a == b, half, 0)), np.where(b > a, g, np.where(a == b, half, 0))


class MinimumBackward0(Function):
    """z = min(a, b) elementwise"""

    label, formula, saves_tensors = "minimum", "∂z/∂a = 1 where a < b, ½ where a = b, else 0", True
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        half = g / np.asarray(2, dtype=g.dtype)
        return np.where(a < b, g, np.where(a == b, half, 0)), np.where(b < a, g, np.where(a == b, half, 0))


# -- linear algebra --------------------------------------------------------------------
class MmBackward0(Function):
    """Z = A·B   (matrices)"""

    label, formula, saves_tensors = "mm", "∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G", True
    saved_names = ("self", "mat2")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad  # a constant input (data) needs no product
        return (g @ b.T if need_a else None), (a.T @ g if need_b else None)


class MvBackward0(Function):
    """z = A·v   (matrix times vector)"""

    label, formula, saves_tensors = "mv", "∂L/∂A = g vᵀ,  ∂L/∂v = Aᵀ g", True
    saved_names = ("self", "vec")

    @staticmethod
    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return a @ v

    @staticmethod
    def backward(ctx, g):
        a, v = ctx.saved_tensors
        return np.outer(g, v), a.T @ g


class DotBackward0(Function):
    """z = Σᵢ aᵢ·bᵢ"""

    label, formula, saves_tensors = "dot", "∂(a·b)/∂a = b,  ∂(a·b)/∂b = a", True
    saved_names = ("self", "tensor")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.dot(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a


class BmmBackward0(Function):
    """Z[i] = A[i]·B[i]   (batched matrices)"""

    label, formula, saves_tensors = "bmm", "∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G (per batch)", True
    saved_names = ("self", "mat2")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (np.matmul(g, b.swapaxes(-1, -2)) if need_a else None,
                np.matmul(a.swapaxes(-1, -2), g) if need_b else None)


# -- shape ops (outputs are views sharing the input's storage) ------------------------------
class _Reshape(Function):
    label, formula = "view", "gradient reshaped back to the input's shape"
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape, copy=False)

    @staticmethod
    def backward(ctx, g):
        return (g.reshape(ctx.shape),)


class ViewBackward0(_Reshape):
    """z = a viewed with a new shape"""


class ReshapeAliasBackward0(_Reshape):
    """z = a (not contiguous) viewed with a new shape"""

    label = "reshape"


class UnsafeViewBackward0(_Reshape):
    """z = a reshaped, a contiguous copy (from clone, mm or bmm) the result does not share"""

    label = "reshape"
    is_view = False


class _Permute(Function):
    label, formula = "permute", "gradient permuted back"
    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, g):
        return (np.transpose(g, np.argsort(ctx.dims)),)


class PermuteBackward0(_Permute):
    """z = a with its axes reordered"""


class TransposeBackward0(_Permute):
    """z = a with two axes swapped"""

    label = "transpose"


class TBackward0(_Permute):
    """z = aᵀ"""

    label = "t"


class UnsqueezeBackward0(Function):
    """z = a with a new axis of size 1"""

    label, formula = "unsqueeze", "gradient squeezed back"
    is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.expand_dims(a, dim)

    @staticmethod
    def backward(ctx, g):
        return (np.squeeze(g, ctx.dim),)


class _Squeeze(Function):
    label, formula = "squeeze", "gradient reshaped back"
    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.shape = a.shape
        dims = tuple(d for d in dims if a.shape[d] == 1)
        return np.squeeze(a, dims) if dims else a.view()

    @staticmethod
    def backward(ctx, g):
        return (g.reshape(ctx.shape),)


class SqueezeBackward0(_Squeeze):
    """z = a without its axes of size 1"""


class SqueezeBackward1(_Squeeze):
    """z = a without axis dim (if its size is 1)"""


class SqueezeBackward2(_Squeeze):
    """z = a without the given axes of size 1"""


class SqueezeBackward4(_Squeeze):
    """z = a without axis dim (the in-place squeeze_ that matmul of a vector and a matrix does)"""


class ExpandBackward0(Function):
    """z = a broadcast to a larger shape"""

    label, formula = "expand", "gradient summed over the broadcast axes"
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return (g,)  # function.sum_to folds it back to the input's shape


class CloneBackward0(Function):
    """z = a (a copy)"""

    label, formula = "clone", "∂z/∂a = 1"

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g):
        return (g,)


class ToCopyBackward0(Function):
    """z = a converted to another dtype"""

    label, formula = "to", "gradient converted back to the input's dtype"

    @staticmethod
    def forward(ctx, a, np_dtype):
        return a.astype(np_dtype)

    @staticmethod
    def backward(ctx, g):
        return (g,)  # apply casts grads to the input dtype


class _Index(Function):
    """z = a[index]"""

    label, formula = "[ ]", "gradient scattered back into the indexed positions"

    @staticmethod
    def forward(ctx, a, index, advanced):
        ctx.shape, ctx.index, ctx.advanced = a.shape, index, advanced
        return a[index]

    @staticmethod
    def backward(ctx, g):
        out = np.zeros(ctx.shape, dtype=g.dtype)
        if ctx.advanced:
            np.add.at(out, ctx.index, g)  # repeated indices must add up
        else:
            out[ctx.index] = g
        return (out,)


class SelectBackward0(_Index):
    """z = a[i]"""

    is_view = True


class SliceBackward0(_Index):
    """z = a[i:j]"""

    is_view = True


class AliasBackward0(_Index):
    """z = a[...]"""

    is_view = True


class IndexBackward0(_Index):
    """z = a[indices]   (advanced indexing copies)"""

    saves_tensors = True  # torch keeps the index tensors, so a second backward raises


class CopySlices(Function):
    """z = a with z[index] = v"""

    label, formula = "[ ]=", "∂z/∂a = 1 outside the slice, 0 inside;  ∂z/∂v = gradient of the slice"

    @staticmethod
    def forward(ctx, a, v, index):
        ctx.index = index
        z = a.copy()
        z[index] = v
        return z

    @staticmethod
    def backward(ctx, g):
        ga = g.copy()
        ga[ctx.index] = 0
        return ga, g[ctx.index]


class IndexPutBackward0(CopySlices):
    """z = a with z[indices] = v   (advanced indices)"""


class CopyBackwards(Function):
    """z = v   (a.copy_(v), and a[:] = v)"""

    label, formula = "copy_", "∂z/∂a = 0,  ∂z/∂v = 1"

    @staticmethod
    def forward(ctx, a, v):
        return np.broadcast_to(v, a.shape).copy()

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), g


class CatBackward0(Function):
    """z = [a; b; …] joined along dim"""

    label, formula = "cat", "each input gets its own slice of the gradient"

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.shapes = [a.shape for a in arrays]
        # torch skips legacy empty 1-D inputs (shape (0,)) whatever the others' rank.
        return np.concatenate([a for a in arrays if a.shape != (0,)] or arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [], 0
        for shape in ctx.shapes:
            if shape == (0,):
                out.append(np.zeros(shape, dtype=g.dtype))
                continue
            out.append(np.take(g, range(start, start + shape[ctx.dim]), axis=ctx.dim))
            start += shape[ctx.dim]
        return tuple(out)


class StackBackward0(Function):
    """z = [a, b, …] stacked along a new axis dim"""

    label, formula = "stack", "each input gets its own slice of the gradient"

    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        return np.stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.take(g, i, axis=ctx.dim) for i in range(g.shape[ctx.dim]))


class ZeroBackward0(Function):
    """z = 0   (a.zero_())"""

    label, formula = "zero_", "∂z/∂a = 0"

    @staticmethod
    def forward(ctx, a):
        return np.zeros_like(a)

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)


class FillBackward2(Function):
    """z = c everywhere   (a.fill_(c))"""

    label, formula = "fill_", "∂z/∂a = 0"

    @staticmethod
    def forward(ctx, a, value):
        return np.full_like(a, value)

    @staticmethod
    def backward(ctx, g):
        return (np.zeros_like(g),)


class FillBackward3(Function):
    """z = c everywhere   (a[:] = c, c a number or a 0-d tensor)"""

    label, formula = "fill_", "∂z/∂a = 0,  ∂z/∂c = Σ gradient"

    @staticmethod
    def forward(ctx, a, c):
        return np.broadcast_to(c.astype(a.dtype), a.shape).copy()

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), g  # function.sum_to sums g down to c's 0-d shape
