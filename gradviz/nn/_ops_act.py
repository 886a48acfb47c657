"""The op classes behind the activations of torch.nn.functional beyond relu/leaky_relu/gelu.

Same contract as gradviz/nn/_ops.py: ``forward`` works on NumPy arrays in the input's dtype,
following the order of operations of PyTorch's CPU kernels (constants cast to the dtype first);
``backward`` uses only operators and gradviz._bmath, so it also runs on Tensors when the
backward pass is recorded (create_graph=True). The class name is the grad_fn name torch shows.
"""
from __future__ import annotations

import numpy as np

from .. import _bmath as bm
from ..function import Function


def _c(value: float, like: np.ndarray) -> np.generic:
    """A Python constant cast to the array's dtype, as torch's kernels do before using it."""
    return like.dtype.type(value)


# -- SiLU / Mish --------------------------------------------------------------------------------------
class SiluBackward0(Function):
    """z = a·σ(a)"""

    label, formula, saves_tensors = "silu", "∂z/∂a = σ(a)·(1 + a·(1 − σ(a)))", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(over="ignore"):  # e^−a overflows to inf for very negative a: the result is −0
            return a / (_c(1, a) + np.exp(-a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        s = bm.sigmoid(a)
        return (g * s * (1 + a * (1 - s)),)  # torch's order of products


def _tanh_softplus(x):
    # tanh(log(1 + eˣ)) as torch's kernel computes it; eˣ is clamped where it would overflow,
    # far beyond the point where tanh is 1 in every float dtype
    return bm.tanh(bm.log1p(bm.exp(bm.minimum(x, bm.const(40, x)))))


class MishBackward0(Function):
    """z = a·tanh(softplus(a))"""

    label, formula, saves_tensors = "mish", "∂z/∂a = tanh(sp(a)) + a·σ(a)·(1 − tanh²(sp(a)))", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(over="ignore"):  # eᵃ = inf gives tanh(inf) = 1: z = a, as in torch
            return a * np.tanh(np.log1p(np.exp(a)))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        t = _tanh_softplus(a)
        return (g * (t + a * bm.sigmoid(a) * (1 - t * t)),)


# -- ELU, SELU, CELU: one kernel, z = scale·a for a > 0, else alpha·scale·(e^(a·input_scale) − 1) --------
def _elu_forward(a, alpha, scale, input_scale):
    negcoef = _c(alpha, a) * _c(scale, a)
    with np.errstate(over="ignore"):
        return np.where(a <= 0, np.expm1(a * _c(input_scale, a)) * negcoef, a * _c(scale, a))


class _EluOfInput(Function):
    """z = scale·a if a > 0 else alpha·scale·(e^(a·input_scale) − 1)"""

    saves_tensors = True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale, grad_input_scale):
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, grad_input_scale
        ctx.save_for_backward(a)
        return _elu_forward(a, alpha, scale, input_scale)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        negcoef = bm.const(ctx.alpha, a) * bm.const(ctx.scale, a)
        ins = bm.const(ctx.input_scale, a)
        return (bm.where(a <= 0, g * ins * negcoef * bm.exp(a * ins), g * bm.const(ctx.scale, a)),)


_INPLACE_NEGATIVE = ("In-place elu backward calculation is triggered with a negative slope which is not supported. "
                     "This is caused by calling in-place forward function with a negative slope, please call "
                     "out-of-place version instead.")


class _EluOfResult(Function):
    """z = scale·a if a > 0 else alpha·scale·(e^(a·input_scale) − 1)   (in place: the result is saved)"""

    saves_tensors = True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale, grad_input_scale):
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, grad_input_scale
        z = _elu_forward(a, alpha, scale, input_scale)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        if ctx.alpha < 0:  # torch raises here, in backward, not when the in-place call is made
            raise RuntimeError(_INPLACE_NEGATIVE)
        (z,) = ctx.saved_tensors
        negcoef = bm.const(ctx.alpha, z) * bm.const(ctx.scale, z)
        # z + alpha·scale = alpha·scale·e^(a·input_scale) on the negative side
        return (bm.where(z <= 0, g * bm.const(ctx.input_scale, z) * (z + negcoef), g * bm.const(ctx.scale, z)),)


class EluBackward0(_EluOfInput):
    """z = scale·a if a > 0 else alpha·scale·(e^(a·input_scale) − 1)"""

    label, formula = "elu", "∂z/∂a = scale if a > 0 else alpha·scale·input_scale·e^(a·input_scale)"


class EluBackward1(_EluOfResult):
    """z = scale·a if a > 0 else alpha·scale·(e^(a·input_scale) − 1)   (in place)"""

    label, formula = "elu_", "∂z/∂a = scale if z > 0 else input_scale·(z + alpha·scale)"


class CeluBackward0(_EluOfInput):
    """z = a if a > 0 else alpha·(e^(a/alpha) − 1)"""

    label, formula = "celu", "∂z/∂a = 1 if a > 0 else e^(a/alpha)"


class CeluBackward1(_EluOfResult):
    """z = a if a > 0 else alpha·(e^(a/alpha) − 1)   (in place)"""

    label, formula = "celu_", "∂z/∂a = 1 if z > 0 else (z + alpha)/alpha"


# -- softplus, log-sigmoid ------------------------------------------------------------------------------
class SoftplusBackward0(Function):
    """z = log(1 + e^(beta·a))/beta   (a where beta·a > threshold)"""

    label, formula, saves_tensors = "softplus", "∂z/∂a = σ(beta·a)   (1 where beta·a > threshold)", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        ctx.save_for_backward(a)
        ab = a * _c(beta, a)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # beta = 0 gives inf, as in torch
            return np.where(ab > _c(threshold, a), a, np.log1p(np.exp(ab)) / _c(beta, a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        ab = a * bm.const(ctx.beta, a)
        big = ab > bm.const(ctx.threshold, a)
        # e^(beta·a)/(e^(beta·a) + 1) as torch computes it; the exponent is clamped where the
        # masked-out branch would overflow (only with a threshold above ~88)
        e = bm.exp(bm.minimum(ab, bm.const(min(ctx.threshold, 80.0), a)))
        return (bm.where(big, g, g * e / (e + 1)),)


class LogSigmoidBackward0(Function):
    """z = log σ(a) = min(a, 0) − log(1 + e^−|a|)"""

    label, formula, saves_tensors = "log_sigmoid", "∂z/∂a = 1 − σ(a) = σ(−a)", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.minimum(a, _c(0, a)) - np.log1p(np.exp(-np.abs(a)))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        e = bm.exp(-bm.abs(a))
        t = e / (e + 1)  # σ(−|a|)
        return (bm.where(a < 0, g * (1 - t), g * t),)


# -- the piecewise-linear ones ---------------------------------------------------------------------------
class HardtanhBackward0(Function):
    """z = min(max(a, min_val), max_val)"""

    label, formula, saves_tensors = "hardtanh", "∂z/∂a = 1 if min_val < a < max_val else 0", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, min_val, max_val):
        ctx.min_val, ctx.max_val = min_val, max_val
        ctx.save_for_backward(a)
        # torch's clamp keeps the input where it equals a bound (−0.0 stays −0.0) and lets NaN through
        lo, hi = _c(min_val, a), _c(max_val, a)
        z = np.where(a < lo, lo, a)
        return np.where(z > hi, hi, z)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        # torch: (a <= min_val || a >= max_val) ? 0 : g — NaN passes the gradient through
        return (bm.where(a <= bm.const(ctx.min_val, a), 0, bm.where(a >= bm.const(ctx.max_val, a), 0, g)),)


_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))


class HardsigmoidBackward0(Function):
    """z = min(max(a + 3, 0), 6)/6"""

    label, formula, saves_tensors = "hardsigmoid", "∂z/∂a = 1/6 if −3 < a < 3 else 0", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.minimum(np.maximum(a + _c(3, a), _c(0, a)), _c(6, a)) / _c(6, a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        # torch's 1/6 is a float32 constant, in float64 tensors too
        inside = bm.where(a < bm.const(3, a), g * bm.const(_ONE_SIXTH_F32, a), 0)
        return (bm.where(a > bm.const(-3, a), inside, 0),)


class HardswishBackward0(Function):
    """z = a·min(max(a + 3, 0), 6)/6"""

    label, formula, saves_tensors = "hardswish", "∂z/∂a = 0 if a ≤ −3, a/3 + ½ if a < 3, else 1", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * np.minimum(np.maximum(a + _c(3, a), _c(0, a)), _c(6, a)) / _c(6, a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        # torch: 0 up to and including −3, 1 from 3 on (checked at the two kinks against torch 2.13)
        middle = bm.where(a < bm.const(3, a), g * (a / bm.const(3, a) + bm.const(0.5, a)), g)
        return (bm.where(a <= bm.const(-3, a), 0, middle),)


# -- GLU -------------------------------------------------------------------------------------------------
class GluBackward0(Function):
    """z = a₁·σ(a₂)   (a split in halves a₁, a₂ along dim)"""

    label, saves_tensors = "glu", True
    formula = "∂z/∂a₁ = σ(a₂),  ∂z/∂a₂ = a₁·σ(a₂)·(1 − σ(a₂))"
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        ctx.save_for_backward(a)
        first, second = np.split(a, 2, axis=dim)
        with np.errstate(over="ignore"):
            return first * (_c(1, a) / (_c(1, a) + np.exp(-second)))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        n = a.shape[ctx.dim] // 2
        first, second = bm.take(a, range(0, n), ctx.dim), bm.take(a, range(n, 2 * n), ctx.dim)
        s = bm.sigmoid(second)
        return (bm.cat([s * g, (1 - s) * s * first * g], ctx.dim),)
