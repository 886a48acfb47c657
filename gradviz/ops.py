"""Every differentiable op, one class each: math docstring, forward, backward rule, labels.

Classes are named after the grad_fn PyTorch builds for the same call, so ``type(y.grad_fn)``
reads the same in both. Forward works on NumPy arrays; a backward rule runs on NumPy arrays,
or on Tensors when the backward pass is itself recorded (create_graph=True), so it uses only
operators and gradviz._bmath (``bm``). Broadcasting is undone centrally (function.sum_to),
so a backward returns grads in the forward's shapes.
"""
from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from . import _bmath as bm
from . import _torch_sum
from .function import Function


# -- elementwise arithmetic -----------------------------------------------------------
class AddBackward0(Function):
    """z = a + alpha·b"""

    label, formula = "+", "∂z/∂a = 1,  ∂z/∂b = alpha"

    alpha = 1

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha != 1:  # the class default covers the usual 1 (no per-node dict)
            ctx.alpha = alpha
        return a + b if alpha == 1 else a + alpha * b

    @staticmethod
    def backward(ctx, g):
        return g, (g if ctx.alpha == 1 else bm.mul_number(g, ctx.alpha))


class SubBackward0(Function):
    """z = a − alpha·b"""

    label, formula = "−", "∂z/∂a = 1,  ∂z/∂b = −alpha"

    alpha = 1

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha != 1:  # the class default covers the usual 1 (no per-node dict)
            ctx.alpha = alpha
        return a - b if alpha == 1 else a - alpha * b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.alpha == 1 else bm.mul_number(-g, ctx.alpha))


class RsubBackward0(Function):
    """z = b − alpha·a   (tensor on the right of a subtraction from an array)"""

    label, formula = "−", "∂z/∂a = −alpha,  ∂z/∂b = 1"

    alpha = 1

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha != 1:  # the class default covers the usual 1 (no per-node dict)
            ctx.alpha = alpha
        return b - alpha * a

    @staticmethod
    def backward(ctx, g):
        return (-g if ctx.alpha == 1 else bm.mul_number(-g, ctx.alpha)), g


class RsubBackward1(Function):
    """z = c − a   (Python number minus tensor)"""

    label, formula = "c −", "∂z/∂a = −1"

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c  # for the graph label
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
        need_a, need_b = ctx.needs_input_grad
        return (g / b if need_a else None), (-g * ((a / b) / b) if need_b else None)  # torch's order


class NegBackward0(Function):
    """z = −a"""

    label, formula = "neg", "∂(−a)/∂a = −1"

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return (-g,)


# torch special-cases small integer and half exponents; so does bm.pow, for equal bits.
_pow_scalar = bm.pow


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
            return (bm.zeros_like(g),)
        return (g * bm.mul_number(bm.pow(a, e - 1), e),)


def _int_power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """torch's integer a**b where some b < 0: the true value truncated, so 1 for a = 1, ±1 (by b's
    parity) for a = −1 and 0 for every other base, 0 included."""
    negative = b < 0
    z = np.power(a, np.where(negative, 0, b).astype(b.dtype))
    minus_one = np.where((b & 1) == 1, -1, 1)
    small = np.where(a == 1, 1, np.where(a == -1, minus_one, 0))
    return np.where(negative, small, z).astype(z.dtype)


class PowBackward1(Function):
    """z = aᵇ   (both tensors)"""

    label, formula, saves_tensors = "pow", "∂(aᵇ)/∂a = b·aᵇ⁻¹,  ∂(aᵇ)/∂b = aᵇ·ln a", True
    saved_names = ("self", "exponent", "result")

    @staticmethod
    def forward(ctx, a, b):
        try:
            z = np.power(a, b)
        except ValueError:  # NumPy refuses integers to negative integer powers; torch computes them
            if a.dtype.kind not in "iu":
                raise  # shapes that do not broadcast: the caller words torch's error
            z = _int_power(a, b)
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # torch's order of operations; it masks the b = 0 terms and 0**b's log term
        ga = bm.where(b == 0, 0, g * (b * a ** (b - 1))) if need_a else None
        gb = g * bm.where((a == 0) & (b >= 0), 0, z * bm.log(a)) if need_b else None
        return ga, gb


class PowBackward2(Function):
    """z = cᵃ   (c a number)"""

    label, formula, saves_tensors = "c**", "∂(cᵃ)/∂a = cᵃ·ln c", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, base):
        ctx.base = base
        c = np.asarray(base, dtype=a.dtype)
        try:
            z = np.power(c, a)
        except ValueError:  # an integer base to negative integer powers, as in PowBackward1
            z = _int_power(c, a)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        # torch: grad · (result · ln c), ln c a number cast to the dtype (MulBackward1 when recorded)
        if ctx.base == 0:
            return (bm.where(z == 0, 0, g * bm.mul_number(z, -math.inf)),)
        return (g * bm.mul_number(z, math.log(ctx.base)),)


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
        return (-g * (z * z),)


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
        return (g / bm.mul_number(z, 2),)


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
        return (g * bm.cos(a),)


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
        return (g * -bm.sin(a),)


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
        return (bm.tanh_backward(g, z),)


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
        return (bm.sigmoid_backward(g, z),)


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
        return (bm.threshold_backward(g, z),)


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
        return (g * bm.sign(a),)


class WhereBackward0(Function):
    """z = a where condition, else b"""

    label, formula, saves_tensors = "where", "∂z/∂a = 1 where the condition holds,  ∂z/∂b = 1 elsewhere", True
    saved_names = ("condition",)

    @staticmethod
    def forward(ctx, a, b, condition):
        ctx.save_for_backward(condition)
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, g):
        (c,) = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (bm.where(c, g, 0) if need_a else None), (bm.where(c, 0, g) if need_b else None)


# -- reductions -----------------------------------------------------------------------
def _expand_back(g, shape: tuple[int, ...], dim: tuple[int, ...] | None, keepdim: bool):
    # Put the reduced axes back (size 1) so g broadcasts over the input again.
    if dim is not None and not keepdim:
        g = bm.expand_dims(g, tuple(sorted(d % len(shape) for d in dim))) if shape else g
    return bm.broadcast_to(g, shape)


def _torch_order_sum(a, dim=None, keepdim: bool = False, dtype=None):
    """a summed as torch's CPU kernel adds (same bits, so printed sums and losses match torch)."""
    target = np.dtype(dtype) if dtype is not None else a.dtype
    if target in (np.float32, np.float64):
        return _torch_sum.sum(a if a.dtype == target else a.astype(target), dim, keepdim)
    return a.sum(axis=dim, keepdims=keepdim, dtype=dtype)


class SumBackward0(Function):
    """z = Σᵢ aᵢ"""

    label, formula = "sum", "∂(Σa)/∂aᵢ = 1"

    @staticmethod
    def forward(ctx, a, dtype=None):
        ctx.shape = a.shape
        return _torch_order_sum(a, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        return (bm.broadcast_to(g, ctx.shape),)


class SumBackward1(Function):
    """z = Σ over dim of a"""

    label, formula = "sum(dim)", "∂(Σa)/∂aᵢ = 1"

    @staticmethod
    def forward(ctx, a, dim, keepdim, dtype=None):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        return _torch_order_sum(a, dim, keepdim, dtype)

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
        return _torch_order_sum(a) / np.asarray(a.size, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        # torch expands first, then divides by n (DivBackward1 when recorded)
        return (bm.div_number(bm.broadcast_to(g, ctx.shape), math.prod(ctx.shape)),)


class MeanBackward1(Function):
    """z = (1/n) Σ over dim of a"""

    label, formula = "mean(dim)", "∂(mean a)/∂aᵢ = 1/n"

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.shape, ctx.dim, ctx.keepdim = a.shape, dim, keepdim
        ctx.n = math.prod([a.shape[d] for d in dim]) if a.ndim else 1
        # torch's CPU mean is the sum divided by n (not a sum of a/n)
        return _torch_order_sum(a, dim, keepdim) / np.asarray(ctx.n, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        return (bm.div_number(_expand_back(g, ctx.shape, ctx.dim, ctx.keepdim), ctx.n),)


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
            if ax.size and ax.size == np.size(z):
                z = absa.reshape(np.shape(z))  # one element per norm: torch takes |a| (no overflow in a²)
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
        p = ctx.p
        if p == 2:
            # As torch: g · a / ‖a‖ (g and the norm broadcast, not expanded), masked to 0 where the norm is 0.
            if ctx.dim is not None and not ctx.keepdim and ctx.shape:
                axes = tuple(sorted(d % len(ctx.shape) for d in ctx.dim))
                g, z = bm.expand_dims(g, axes), bm.expand_dims(z, axes)
            return (bm.astype(g * bm.masked_fill(a / z, z == 0, 0), a.dtype),)
        gb = _expand_back(g, ctx.shape, ctx.dim, ctx.keepdim)
        zb = _expand_back(z, ctx.shape, ctx.dim, ctx.keepdim)
        if p == 1:
            scale = bm.sign(a)
        elif p == 0:
            scale = bm.zeros_like(a)
        elif p in (float("inf"), float("-inf")):
            hit = bm.abs(a) == zb
            count = bm.sum(hit, ctx.dim, True)
            scale = bm.sign(a) * hit / count
        else:
            scale = bm.where(zb == 0, 0, a * bm.pow(bm.abs(a), p - 2) / bm.pow(bm.where(zb == 0, 1, zb), p - 1))
        return (bm.astype(gb * scale, a.dtype),)


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
        # torch's rule: zeros with the share g / count filled in at the ties (masked_fill, tensor value)
        return (bm.masked_fill_value(bm.zeros_like(a), hit, g / bm.astype(bm.sum(hit), g.dtype)),)


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
        ctx.indices = indices  # read by backward as an array, also when it runs on Tensors
        data = a if a.ndim else a.reshape(1)
        z = np.take_along_axis(data, indices, axis=dim)
        if not a.ndim:  # a 0-d input gives a 0-d value, keepdim or not (as torch)
            return z.reshape(())
        return z if keepdim else np.squeeze(z, dim)

    @staticmethod
    def backward(ctx, g):
        indices = ctx.indices
        gk = g if ctx.keepdim or not ctx.shape else bm.expand_dims(g, ctx.dim)
        out = bm.scatter(ctx.shape if ctx.shape else (1,), indices, bm.reshape(gk, indices.shape), ctx.dim)
        return (out if out.shape == ctx.shape else bm.reshape(out, ctx.shape),)


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
        half = bm.div_number(g, 2)
        # torch's rule: half where tied, masked to 0 where the other side wins
        tied = bm.where(a == b, half, g)
        return bm.masked_fill(tied, a < b, 0), bm.masked_fill(tied, b < a, 0)


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
        half = bm.div_number(g, 2)
        tied = bm.where(a == b, half, g)
        return bm.masked_fill(tied, a > b, 0), bm.masked_fill(tied, b > a, 0)


# -- linear algebra --------------------------------------------------------------------
class MmBackward0(Function):
    """Z = A·B   (matrices)"""

    label, formula, saves_tensors = "mm", "∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G", True
    saved_names = ("self", "mat2")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        # torch decides from the inputs' forward strides: a column-major input gets its gradient
        # in that layout (bm.mm_grad_mat1/2).
        ctx.columns = (bm.column_major(a), bm.column_major(b))
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad  # a constant input (data) needs no product
        col_a, col_b = ctx.columns
        return (bm.mm_grad_mat1(g, b, col_a) if need_a else None), (bm.mm_grad_mat2(g, a, col_b) if need_b else None)


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
        need_a, need_v = ctx.needs_input_grad
        return (bm.reshape(g, (g.shape[0], 1)) * v if need_a else None), (bm.t(a) @ g if need_v else None)


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
        return (bm.bmm(g, bm.swapaxes(b, -1, -2)) if need_a else None,
                bm.bmm(bm.swapaxes(a, -1, -2), g) if need_b else None)


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
        return (bm.reshape(g, ctx.shape),)


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
        inverse = sorted(range(len(ctx.dims)), key=ctx.dims.__getitem__)
        return (bm.transpose(g, tuple(inverse)),)


class PermuteBackward0(_Permute):
    """z = a with its axes reordered"""


class TransposeBackward0(_Permute):
    """z = a with two axes swapped"""

    label = "transpose"

    @staticmethod
    def backward(ctx, g):
        swapped = [i for i, d in enumerate(ctx.dims) if d != i]
        if len(swapped) == 2:
            return (bm.swapaxes(g, swapped[0], swapped[1]),)
        return (g,)  # transpose(d, d) changed nothing


class TBackward0(_Permute):
    """z = aᵀ"""

    label = "t"

    @staticmethod
    def backward(ctx, g):
        return (bm.t(g),)


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
        return (bm.squeeze(g, ctx.dim),)


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
        return (bm.reshape(g, ctx.shape),)


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

    kind: ClassVar[str] = "index"

    @staticmethod
    def backward(ctx, g):
        return (bm.index_scatter(g, ctx.shape, ctx.index, ctx.advanced, ctx.kind),)


class SelectBackward0(_Index):
    """z = a[i]"""

    is_view = True
    kind = "select"


class SliceBackward0(_Index):
    """z = a[i:j]"""

    is_view = True
    kind = "slice"


class AliasBackward0(_Index):
    """z = a[...]"""

    is_view = True


class IndexBackward0(_Index):
    """z = a[indices]   (advanced indexing copies)"""

    saves_tensors = True  # torch keeps the index tensors, so a second backward raises


class CopySlices(Function):
    """z = a with z[index] = v"""

    label, formula = "[ ]=", "∂z/∂a = 1 outside the slice, 0 inside;  ∂z/∂v = gradient of the slice"
    advanced_index: ClassVar[bool] = False

    @staticmethod
    def forward(ctx, a, v, index):
        ctx.index = index
        z = a.copy()
        z[index] = v
        return z

    @staticmethod
    def backward(ctx, g):
        need_a, need_v = ctx.needs_input_grad
        return (bm.zero_at(g, ctx.index) if need_a else None,
                bm.index_gather(g, ctx.index, ctx.advanced_index) if need_v else None)


class IndexPutBackward0(CopySlices):
    """z = a with z[indices] = v   (advanced indices)"""

    advanced_index = True


class CopyBackwards(Function):
    """z = v   (a.copy_(v), and a[:] = v)"""

    label, formula = "copy_", "∂z/∂a = 0,  ∂z/∂v = 1"

    @staticmethod
    def forward(ctx, a, v):
        # copy_ converts to the destination's dtype (any direction) and, writing into a, has a's
        # memory layout (autograd.higher's first .grad relies on it: the leaf's layout).
        ctx.v_dtype = v.dtype
        out = np.empty_like(a)
        np.copyto(out, v, casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, g):
        # v's gradient is converted to v's dtype before it is summed back to v's shape (torch's
        # order: a float32 source of a float64 copy gets a float32 sum).
        return bm.zeros_like(g), bm.astype(g, ctx.v_dtype)


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
                # a skipped legacy empty input: an empty gradient of g's dtype (and kind)
                out.append(bm.zeros_like(bm.reshape(bm.take(g, range(0, 0), 0), (0,))))
                continue
            out.append(bm.take(g, range(start, start + shape[ctx.dim]), ctx.dim))
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
        return tuple(bm.take(g, i, ctx.dim) for i in range(g.shape[ctx.dim]))


class ZeroBackward0(Function):
    """z = 0   (a.zero_())"""

    label, formula = "zero_", "∂z/∂a = 0"

    @staticmethod
    def forward(ctx, a):
        return np.zeros_like(a)

    @staticmethod
    def backward(ctx, g):
        return (bm.zeros_like(g),)


class FillBackward2(Function):
    """z = c everywhere   (a.fill_(c))"""

    label, formula = "fill_", "∂z/∂a = 0"

    @staticmethod
    def forward(ctx, a, value):
        return np.full_like(a, value)

    @staticmethod
    def backward(ctx, g):
        return (bm.zeros_like(g),)


class FillBackward3(Function):
    """z = c everywhere   (a[:] = c, c a number or a 0-d tensor)"""

    label, formula = "fill_", "∂z/∂a = 0,  ∂z/∂c = Σ gradient"

    @staticmethod
    def forward(ctx, a, c):
        return np.broadcast_to(c.astype(a.dtype), a.shape).copy()

    @staticmethod
    def backward(ctx, g):
        return bm.zeros_like(g), g  # function.sum_to sums g down to c's 0-d shape
