"""Linear-algebra ops beyond matmul: trace, cross and dist.

Arguments are checked (torch's errors) by the functions at the bottom before a node is made.
Backward bodies use only operators, gradviz._bmath and this module's dual helpers, so they also
run on Tensors (create_graph=True). Broadcasting of two operands is undone centrally.
"""
from __future__ import annotations

import sys
import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np

import gradviz._bmath as bm

from . import _dtype as D
from .function import Function
from .ops import LinalgVectorNormBackward0

_NUMBER = (bool, int, float, np.bool_, np.number)


class TraceBackward0(Function):
    """z = Σᵢ aᵢᵢ"""

    label, formula = "trace", "∂z/∂a = I   (ones on the diagonal)"

    @staticmethod
    def forward(ctx, a):
        ctx.eye = np.eye(*a.shape, dtype=bool)  # where the gradient goes: a constant of the node
        return np.asarray(np.trace(a), dtype=a.dtype if a.dtype.kind == "f" else np.int64)

    @staticmethod
    def backward(ctx, g):
        return (bm.where(ctx.eye, g, 0),)


def _cross(x: Any, y: Any, axis: int) -> Any:
    """x × y along axis (length 3), by components, for arrays and Tensors alike."""
    x0, x1, x2 = (bm.take(x, i, axis) for i in range(3))
    y0, y1, y2 = (bm.take(y, i, axis) for i in range(3))
    return bm.stack([x1 * y2 - x2 * y1, x2 * y0 - x0 * y2, x0 * y1 - x1 * y0], axis)


class LinalgCrossBackward0(Function):
    """z = a × b along dim"""

    label, formula, saves_tensors = "cross", "∂L/∂a = b × g,  ∂L/∂b = g × a", True
    saved_names = ("self", "other")
    saved_for = (1, 0)  # a serves only b's gradient, and b only a's

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.dim = dim
        ctx.save_for_backward(a, b)
        return np.cross(a, b, axisa=dim, axisb=dim, axisc=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        d = ctx.dim
        return (_cross(b, g, d) if b is not None else None), (_cross(g, a, d) if a is not None else None)


_norm_rule = LinalgVectorNormBackward0.backward  # dist's gradient is the norm's, of a − b


class DistBackward0(Function):
    """z = ‖a − b‖ₚ"""

    label, formula, saves_tensors = "dist", "∂z/∂a = ∂‖d‖ₚ/∂d,  ∂z/∂b = −∂‖d‖ₚ/∂d   (d = a − b)", True
    saved_names = ("self", "other", "result")

    @staticmethod
    def forward(ctx, a, b, p):
        ctx.p = p
        d = a - b
        z = LinalgVectorNormBackward0.forward(SimpleNamespace(save_for_backward=lambda *t: None), d, p, None, False)
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        d = a - b
        norm_ctx = SimpleNamespace(saved_tensors=(d, z), p=ctx.p, dim=None, keepdim=False, shape=tuple(d.shape))
        (gd,) = _norm_rule(norm_ctx, g)
        return gd, -gd


# -- the checked entry points (Tensor methods and torch.* functions) ---------------------------------
def _T() -> Any:
    return sys.modules[__package__ + ".tensor"]


def trace(input: Any) -> Any:  # noqa: A002 - torch's names
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._dtype is D.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return TraceBackward0.apply(input)


_CROSS_WARNING = ("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                  "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree with "
                  "that of linalg.cross in a future release. (Triggered internally at /__w/pytorch/pytorch/aten/src/"
                  "ATen/native/Cross.cpp:63.)")


_warned = [False]  # torch gives the deprecation warning once per process (TORCH_WARN_ONCE)


def cross(input: Any, other: Any, dim: Any = None, *, _stacklevel: int = 2) -> Any:  # noqa: A002
    T = _T()
    a, b = input, other
    if a._data.ndim != b._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if dim is None:
        if not _warned[0]:
            _warned[0] = True
            warnings.warn(_CROSS_WARNING, UserWarning, stacklevel=_stacklevel)
        sizes = [i for i, n in enumerate(a._data.shape) if n == 3]
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes[0]
    d = a._dim(dim)
    na, nb = a._data.shape[d], b._data.shape[d]
    if na != 3 or nb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {d} must have length 3. Got {na} and {nb}")
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise T._broadcast_error(a._data.shape, b._data.shape) from None
    rt = D.result_type([(t._dtype, T._prio(t)) for t in (a, b)])
    return LinalgCrossBackward0.apply(a, b, _cast=rt.np, dim=d)


def dist(input: Any, other: Any, p: Any = 2) -> Any:  # noqa: A002
    T = _T()
    if not isinstance(p, _NUMBER):
        raise TypeError(f"dist(): argument 'p' (position 3) must be Number, not {type(p).__name__}")
    a, b = input, other
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise T._broadcast_error(a._data.shape, b._data.shape) from None
    rt = D.result_type([(t._dtype, T._prio(t)) for t in (a, b)])
    if not rt.is_floating_point:
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{D.SHORT_NAMES[rt.name]} instead.")
    return DistBackward0.apply(a, b, _cast=rt.np, p=float(p))


class _LinalgMethods:
    """Tensor.trace / cross / dist (Tensor inherits them)."""

    __slots__ = ()

    def trace(self) -> Any:
        return trace(self)

    def cross(self, other: Any, dim: Any = None) -> Any:
        return cross(self, other, dim, _stacklevel=3)

    def dist(self, other: Any, p: Any = 2) -> Any:
        return dist(self, other, p)
