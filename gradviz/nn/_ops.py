"""The op classes behind torch.nn.functional, one per grad_fn name PyTorch builds.

Same contract as gradviz/ops.py: ``forward`` works on NumPy arrays, ``backward`` on arrays or
(create_graph=True) Tensors through operators and gradviz._bmath only; the class
name is the grad_fn name, and broadcasting is undone centrally. Targets, class weights and
other non-differentiable arguments are passed as keyword parameters (NumPy arrays), so they
do not appear in ``next_functions`` — exactly as in PyTorch, where e.g. ``NllLossBackward0``
has one entry (the input) and ``MseLossBackward0`` two (input and target).

Numerics follow PyTorch's CPU kernels where the order of operations is known (the constant
is cast to the tensor's dtype first, products evaluated left to right), so float32 results
agree to the last bit or within an ulp.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _bmath as bm
from ..function import Function
from ..ops import _torch_order_sum

_REDUCTIONS = ("none", "mean", "sum")


def _c(value: float, like: np.ndarray) -> np.generic:
    """A Python constant cast to the array's dtype, as PyTorch's kernels do before using it."""
    return like.dtype.type(value)


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    # torch reduces the elementwise loss with its sum kernel (mean = sum / n); same order, same bits
    if reduction == "mean":
        if not loss.size:
            return np.array(np.nan, dtype=loss.dtype)
        return np.asarray(_torch_order_sum(loss) / np.asarray(loss.size, dtype=loss.dtype), dtype=loss.dtype)
    if reduction == "sum":
        return np.asarray(_torch_order_sum(loss), dtype=loss.dtype)
    return loss


def _grad_of_reduction(g, shape: tuple[int, ...], reduction: str):
    """The upstream gradient spread back over the unreduced loss (mean's 1/n is applied by callers)."""
    return bm.broadcast_to(g, shape) if reduction != "none" else g


# -- linear ---------------------------------------------------------------------------------
class AddmmBackward0(Function):
    """z = bias + mat1·mat2"""

    label, formula, saves_tensors = "addmm", "∂z/∂bias = 1,  ∂L/∂mat1 = G·mat2ᵀ,  ∂L/∂mat2 = mat1ᵀ·G", True
    saved_names = ("mat1", "mat2")

    @staticmethod
    def forward(ctx, bias, mat1, mat2):
        ctx.save_for_backward(mat1, mat2)
        # F.linear passes weight.t(), a column-major mat2: its gradient is computed in that layout
        # (bm.mm_grad_mat2), so the weight's .grad comes out C-contiguous, as in torch.
        ctx.columns = (bm.column_major(mat1), bm.column_major(mat2))
        out = mat1 @ mat2
        out += bias  # BLAS adds C after the product (beta = 1); in place keeps the product's dtype
        return out

    @staticmethod
    def backward(ctx, g):
        mat1, mat2 = ctx.saved_tensors
        _, need_1, need_2 = ctx.needs_input_grad
        col_1, col_2 = ctx.columns
        return g, (bm.mm_grad_mat1(g, mat2, col_1) if need_1 else None), \
            (bm.mm_grad_mat2(g, mat1, col_2) if need_2 else None)


# -- activations ----------------------------------------------------------------------------
class LeakyReluBackward0(Function):
    """z = a if a > 0 else slope·a"""

    label, formula, saves_tensors = "leaky_relu", "∂z/∂a = 1 if a > 0 else slope", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, negative_slope):
        ctx.negative_slope = negative_slope
        ctx.save_for_backward(a)
        return np.where(a > 0, a, a * _c(negative_slope, a))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (bm.leaky_relu_backward(g, a, ctx.negative_slope),)


class LeakyReluBackward1(Function):
    """z = a if a > 0 else slope·a   (in place: the result is saved, not the input)"""

    label, formula, saves_tensors = "leaky_relu_", "∂z/∂a = 1 if z > 0 else slope", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, negative_slope):
        ctx.negative_slope = negative_slope
        z = np.where(a > 0, a, a * _c(negative_slope, a))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (bm.leaky_relu_backward(g, z, ctx.negative_slope),)


_erf = np.frompyfunc(math.erf, 1, 1)  # NumPy has no erf; math.erf is correctly rounded to ~1 ulp
_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_KAPPA = 0.044715


def _gelu_tanh_parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inner = _SQRT_2_PI * (x + _KAPPA * x * x * x)
    return inner, np.tanh(inner)


class GeluBackward0(Function):
    """z = a·Φ(a)   (Φ the standard normal CDF; or its tanh approximation)"""

    label, formula, saves_tensors = "gelu", "∂z/∂a = Φ(a) + a·φ(a)", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, approximate):
        ctx.approximate = approximate
        ctx.save_for_backward(a)
        x = a.astype(np.float64)  # computed in double and rounded once: within an ulp of torch's kernel
        if approximate == "tanh":
            _, t = _gelu_tanh_parts(x)
            z = 0.5 * x * (1.0 + t)
        else:
            z = x * 0.5 * (1.0 + np.asarray(_erf(x * _SQRT1_2), dtype=np.float64))  # 0-d: erf gives a float
        return z.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (bm.gelu_backward(g, a, ctx.approximate),)  # g·GELU′(a) in float64, rounded once


class SoftmaxBackward0(Function):
    """zᵢ = e^aᵢ / Σⱼ e^aⱼ   (along dim)"""

    label, formula, saves_tensors = "softmax", "∂L/∂a = z·(G − Σ G·z)", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        if a.size == 0:
            z = a.copy()
        else:
            e = np.exp(a - a.max(axis=dim, keepdims=True))
            z = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (bm.softmax_backward(g, z, ctx.dim),)


class LogSoftmaxBackward0(Function):
    """zᵢ = aᵢ − log Σⱼ e^aⱼ   (along dim)"""

    label, formula, saves_tensors = "log_softmax", "∂L/∂a = G − e^z·Σ G", True
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        if a.size == 0:
            z = a.copy()
        else:
            shifted = a - a.max(axis=dim, keepdims=True)
            z = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        return (bm.log_softmax_backward(g, z, ctx.dim),)


# -- losses ---------------------------------------------------------------------------------
class MseLossBackward0(Function):
    """L = reduce((a − t)²)"""

    label, formula, saves_tensors = "mse_loss", "∂L/∂a = 2(a − t)/n,  ∂L/∂t = −2(a − t)/n", True
    saved_names = ("self", "target")

    @staticmethod
    def forward(ctx, a, t, reduction):
        ctx.reduction = reduction
        ctx.save_for_backward(a, t)
        d = a - t
        return _reduce(d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        a, t = ctx.saved_tensors
        n = math.prod(a.shape)
        norm = 2.0 / n if ctx.reduction == "mean" and n else 2.0
        need_a, need_t = ctx.needs_input_grad
        # torch: norm · (a − t) · grad, norm cast to the dtype; the target's is the same with a, t swapped
        return (bm.mse_backward(g, a, t, norm) if need_a else None), (bm.mse_backward(g, t, a, norm) if need_t else None)


class _NllLoss(Function):
    """L = −Σᵢ w[tᵢ]·a[i, tᵢ]  (/ Σᵢ w[tᵢ] for the mean)"""

    label, formula, saves_tensors = "nll_loss", "∂L/∂a[i, tᵢ] = −w[tᵢ] (/ Σ w for the mean), 0 elsewhere", True
    saved_names = ("target", "weight", "total_weight")

    @staticmethod
    def forward(ctx, a, target, weight, ignore_index, reduction):
        # a is (C,) or (N, C, d1, ...); target has a's shape without the class axis.
        ctx.shape, ctx.reduction = a.shape, reduction
        cls_axis = 0 if a.ndim == 1 else 1
        keep = target != ignore_index
        safe = np.where(keep, target, 0)
        picked = np.take_along_axis(a, np.expand_dims(safe, cls_axis), cls_axis).squeeze(cls_axis)
        w = (weight[safe] if weight is not None else np.ones_like(picked)).astype(a.dtype)
        w = np.where(keep, w, _c(0, a))
        losses = np.where(keep, -(w * picked), _c(0, a))  # ignored entries are +0, never -0
        ctx.w, ctx.safe, ctx.cls_axis, ctx.keep = w, safe, cls_axis, keep
        if reduction == "none":
            return losses
        total = losses.sum(dtype=a.dtype)
        if reduction == "sum":
            return np.asarray(total, dtype=a.dtype)
        ctx.total_weight = w.sum(dtype=a.dtype)
        if ctx.total_weight == 0:  # every target ignored: torch gives nan (0/0), without a warning
            return np.asarray(np.nan, dtype=a.dtype)
        return np.asarray(total / ctx.total_weight, dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        w = ctx.w
        if ctx.reduction == "mean":
            # every target ignored: a zero gradient (not 0/0)
            coef = -w / ctx.total_weight * g if ctx.total_weight != 0 else bm.zeros_like(g * w)
        else:
            coef = -w * g
        coef = bm.where(ctx.keep, coef, 0)
        return (bm.scatter(ctx.shape, np.expand_dims(ctx.safe, ctx.cls_axis), bm.expand_dims(coef, ctx.cls_axis),
                           ctx.cls_axis),)


class NllLossBackward0(_NllLoss):
    """L = −Σᵢ w[tᵢ]·a[i, tᵢ]  (/ Σᵢ w[tᵢ] for the mean)"""


class NllLoss2DBackward0(_NllLoss):
    """L = −Σ w[t]·a[n, t, h, w]  over every position  (/ Σ w[t] for the mean)"""


class BinaryCrossEntropyBackward0(Function):
    """L = reduce(−w·(t·log a + (1 − t)·log(1 − a)))   (each log clamped at −100)"""

    label, formula, saves_tensors = "binary_cross_entropy", "∂L/∂a = w·(a − t)/(a(1 − a)),  ∂L/∂t = −w·logit(a)", True
    saved_names = ("self", "target", "weight")

    @staticmethod
    def forward(ctx, a, t, weight, reduction):
        ctx.weight, ctx.reduction = weight, reduction
        ctx.save_for_backward(a, t)
        with np.errstate(divide="ignore"):
            loss = (t - _c(1, a)) * np.maximum(np.log1p(-a), _c(-100, a)) - t * np.maximum(np.log(a), _c(-100, a))
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        a, t = ctx.saved_tensors
        g = _grad_of_reduction(g, a.shape, ctx.reduction)
        one = bm.const(1, a)
        ga = (a - t) / bm.maximum((one - a) * a, bm.const(1e-12, a)) * g
        gt = -bm.log(a / (one - a)) * g
        if ctx.weight is not None:
            ga, gt = ga * ctx.weight, gt * ctx.weight
        if ctx.reduction == "mean":
            n = bm.const(math.prod(a.shape), a)
            ga, gt = ga / n, gt / n
        return ga, gt


def _log_sigmoid(x):
    # min(x, 0) − log1p(e^−|x|): never overflows, the form of torch's kernel
    return bm.minimum(x, bm.const(0, x)) - bm.log1p(bm.exp(-bm.abs(x)))


class BinaryCrossEntropyWithLogitsBackward0(Function):
    """L = reduce(w·((1 − t)·a − (1 + (p − 1)t)·log σ(a)))"""

    label, formula, saves_tensors = ("bce_with_logits", "∂L/∂a = w·((1 + (p − 1)t)·σ(a) − p·t),  ∂L/∂t = −w·a  (p = 1)",
                                     True)
    saved_names = ("self", "target", "weight", "pos_weight")

    @staticmethod
    def forward(ctx, a, t, weight, pos_weight, reduction):
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        ctx.save_for_backward(a, t)
        ls = _log_sigmoid(a)
        if pos_weight is not None:
            ls = ls * ((pos_weight - _c(1, a)) * t + _c(1, a))
        loss = (_c(1, a) - t) * a - ls
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        a, t = ctx.saved_tensors
        g = _grad_of_reduction(g, a.shape, ctx.reduction)
        one = bm.const(1, a)
        sig = bm.sigmoid(a)
        pw = ctx.pos_weight
        if pw is not None:
            pt = pw * t
            ga = (pt + one - t) * sig - pt
            gt = _log_sigmoid(-a) - _log_sigmoid(a) * pw
        else:
            ga = sig - t
            gt = -a
        ga, gt = ga * g, gt * g
        if ctx.weight is not None:
            ga, gt = ga * ctx.weight, gt * ctx.weight
        if ctx.reduction == "mean":
            n = math.prod(a.shape)
            ga, gt = bm.div_number(ga, n), bm.div_number(gt, n)
        return ga, gt


class _DivByNumber(Function):
    """z = a / c   (c a Python number)"""

    label, formula = "÷ c", "∂z/∂a = 1/c"

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        return a / _c(c, a)

    @staticmethod
    def backward(ctx, g):
        return (bm.div_number(g, ctx.c),)


# PyTorch's node for division by a number is DivBackward1. The engine's ops module may define its
# own class under that name one day; renaming after creation keeps this one out of the registry.
_DivByNumber.__name__ = _DivByNumber.__qualname__ = "DivBackward1"
DivBackward1 = _DivByNumber


class _MulByNumber(Function):
    """z = a·c   (c a Python number)"""

    label, formula = "× c", "∂z/∂a = c"

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c
        return a * _c(c, a)

    @staticmethod
    def backward(ctx, g):
        return (bm.mul_number(g, ctx.c),)


class _AddNumber(Function):
    """z = a + c   (c a Python number)"""

    label, formula = "+ c", "∂z/∂a = 1"

    @staticmethod
    def forward(ctx, a, c):
        ctx.c = c  # for the graph label
        return a + _c(c, a)

    @staticmethod
    def backward(ctx, g):
        return (g,)


_MulByNumber.__name__ = _MulByNumber.__qualname__ = "MulBackward1"
_AddNumber.__name__ = _AddNumber.__qualname__ = "AddBackward1"
MulBackward1 = _MulByNumber
AddBackward1 = _AddNumber
