"""The Tensor branch of gradviz._bmath: backward math recorded in the graph (create_graph=True).

Most helpers map onto existing Tensor ops. A few steps of a backward rule have no public op
(the gradient of tanh as a function of its output, a scatter into zeros, ...): they get their
own Function here, named after the node torch records for the same step (TanhBackwardBackward0,
ScatterBackward0, ...), with a backward rule in the same dual style, so they can be
differentiated again. Their classes start with "_" and are renamed after creation: they stay
out of Function.registry (they are steps of backward passes, not ops a user calls).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _bmath as bm
from . import _dtype as D
from .function import Function
from .tensor import Tensor


def as_tensor(x: Any) -> Tensor:
    """A Tensor as is; an array or a number as a constant Tensor (no graph edge)."""
    if isinstance(x, Tensor):
        return x
    return Tensor._wrap(np.asarray(x))


def _named(cls: type, name: str) -> type:
    cls.__name__ = cls.__qualname__ = name
    return cls


def where(cond: Any, a: Any, b: Any) -> Tensor:
    from .functional import where as where_op

    c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    a = a if isinstance(a, (Tensor, int, float)) else as_tensor(a)
    b = b if isinstance(b, (Tensor, int, float)) else as_tensor(b)
    return where_op(Tensor._wrap(c), a, b)


def sign(x: Tensor) -> Tensor:
    return _Sgn.apply(x)


def sum(x: Tensor, axis: Any, keepdims: bool) -> Tensor:  # noqa: A001 - NumPy's name
    if axis is None:
        out = x.sum()
        return out.reshape((1,) * x.ndim) if keepdims else out
    if isinstance(axis, int):
        axis = (axis,)
    return x.sum(tuple(axis), keepdims)


def expand_dims(x: Tensor, axis: Any) -> Tensor:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    n = x.ndim + len(axes)
    for a in sorted(d % n for d in axes):
        x = x.unsqueeze(a)
    return x


def squeeze(x: Tensor, axis: Any) -> Tensor:
    return x.squeeze(axis if isinstance(axis, int) else tuple(axis))


def zeros_like(x: Tensor) -> Tensor:
    return Tensor._wrap(np.zeros_like(x._data))


def astype(x: Tensor, dtype: np.dtype) -> Tensor:
    if x._data.dtype == dtype:
        return x
    return x.to(D._BY_NP[np.dtype(dtype)])


def maximum(x: Any, y: Any) -> Tensor:
    x, y = _pair(x, y)
    return x.maximum(y)


def minimum(x: Any, y: Any) -> Tensor:
    x, y = _pair(x, y)
    return x.minimum(y)


def _pair(x: Any, y: Any) -> tuple[Tensor, Tensor]:
    # A number or array beside a Tensor becomes a constant of the Tensor's dtype.
    like = x if isinstance(x, Tensor) else y
    dt = like._data.dtype
    if not isinstance(x, Tensor):
        x = Tensor._wrap(np.asarray(x, dtype=dt))
    if not isinstance(y, Tensor):
        y = Tensor._wrap(np.asarray(y, dtype=dt))
    return x, y


def log1p(x: Tensor) -> Tensor:
    # The dedicated op arrives with the other new ops; until then log(1 + x), less exact near 0.
    method = getattr(x, "log1p", None)
    return method() if method is not None else (x + 1).log()


def erf(x: Tensor) -> Tensor:
    return _Erf.apply(x)


def mul_number(x: Tensor, c: float) -> Tensor:
    from .nn._ops import MulBackward1

    return MulBackward1.apply(x, c=c)


def div_number(x: Tensor, c: float) -> Tensor:
    from .nn._ops import DivBackward1

    return DivBackward1.apply(x, c=c)


def scatter(shape: tuple[int, ...], indices: np.ndarray, values: Tensor, axis: int) -> Tensor:
    return _Scatter.apply(values, shape=shape, indices=indices, axis=axis)


def gather(x: Tensor, indices: np.ndarray, axis: int) -> Tensor:
    return _Gather.apply(x, indices=indices, axis=axis)


def index_scatter(g: Tensor, shape: tuple[int, ...], index: Any, advanced: bool, kind: str) -> Tensor:
    cls = _INDEX_SCATTER.get(kind, _IndexPutImpl)
    return cls.apply(g, shape=shape, index=index, advanced=advanced)


def index_gather(x: Tensor, index: Any, advanced: bool) -> Tensor:
    return _IndexGather.apply(x, index=index, advanced=advanced)


def zero_at(g: Tensor, index: Any) -> Tensor:
    return _ZeroAt.apply(g, index=index)


def tanh_backward(g: Any, z: Any) -> Tensor:
    return _TanhBackward.apply(as_tensor(g), as_tensor(z))


def sigmoid_backward(g: Any, z: Any) -> Tensor:
    return _SigmoidBackward.apply(as_tensor(g), as_tensor(z))


def threshold_backward(g: Any, z: Any) -> Tensor:
    return _ThresholdBackward.apply(as_tensor(g), as_tensor(z))


def softmax_backward(g: Any, z: Any, dim: int) -> Tensor:
    return _SoftmaxBackwardData.apply(as_tensor(g), as_tensor(z), dim=dim)


def log_softmax_backward(g: Any, z: Any, dim: int) -> Tensor:
    return _LogSoftmaxBackwardData.apply(as_tensor(g), as_tensor(z), dim=dim)


def leaky_relu_backward(g: Any, a: Any, slope: float) -> Tensor:
    return _LeakyReluBackward.apply(as_tensor(g), as_tensor(a), slope=slope)


def mse_backward(g: Any, a: Any, t: Any, norm: float) -> Tensor:
    return _MseLossBackward.apply(as_tensor(g), as_tensor(a), as_tensor(t), norm=norm)


def gelu_backward(g: Any, a: Any, approximate: str) -> Tensor:
    return _GeluBackward.apply(as_tensor(g), as_tensor(a), approximate=approximate)


# -- the Functions behind the helpers above ----------------------------------------------------------
class _Sgn(Function):
    """z = sign(a)"""

    label, formula = "sgn", "∂sign(a)/∂a = 0"

    @staticmethod
    def forward(ctx, a):
        return np.sign(a)

    @staticmethod
    def backward(ctx, g):
        return (bm.zeros_like(g),)


class _Erf(Function):
    """z = erf(a)"""

    label, formula, saves_tensors = "erf", "∂erf(a)/∂a = 2/√π · e^(−a²)", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return bm.erf(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * (bm.const(2 / math.sqrt(math.pi), a) * bm.exp(-(a * a))),)


class _TanhBackward(Function):
    """z = g·(1 − y²)   (the gradient of tanh, y its output)"""

    label, formula, saves_tensors = "tanh_backward", "∂z/∂g = 1 − y²,  ∂z/∂y = −2·g·y", True
    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return bm.tanh_backward(g, y)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        return (bm.tanh_backward(gg, y) if need_g else None,
                gg * bm.const(-2, y) * g * y if need_y else None)


class _SigmoidBackward(Function):
    """z = g·y·(1 − y)   (the gradient of sigmoid, y its output)"""

    label, formula, saves_tensors = "sigmoid_backward", "∂z/∂g = y(1 − y),  ∂z/∂y = g·(1 − 2y)", True
    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return bm.sigmoid_backward(g, y)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        return (bm.sigmoid_backward(gg, y) if need_g else None,
                gg * g * (1 - bm.const(2, y) * y) if need_y else None)


class _ThresholdBackward(Function):
    """z = g where y > 0, else 0   (the gradient of relu, y its output)"""

    label, formula, saves_tensors = "threshold_backward", "∂z/∂g = 1 where y > 0,  ∂z/∂y = 0", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(y)
        return bm.threshold_backward(g, y)

    @staticmethod
    def backward(ctx, gg):
        (y,) = ctx.saved_tensors
        return bm.threshold_backward(gg, y), bm.zeros_like(gg)


class _LeakyReluBackward(Function):
    """r = g where a > 0, else g·slope   (the gradient of leaky_relu)"""

    label, formula, saves_tensors = "leaky_relu_backward", "∂r/∂g = 1 where a > 0, else slope;  ∂r/∂a = 0", True
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, g, a, slope):
        ctx.slope = slope
        ctx.save_for_backward(a)
        return bm.leaky_relu_backward(g, a, slope)

    @staticmethod
    def backward(ctx, gg):
        (a,) = ctx.saved_tensors
        return bm.leaky_relu_backward(gg, a, ctx.slope), bm.zeros_like(gg)


class _GeluBackward(Function):
    """r = g·GELU′(a)   (the gradient of gelu)"""

    label, formula, saves_tensors = "gelu_backward", "∂r/∂g = GELU′(a),  ∂r/∂a = g·GELU″(a)", True
    saved_names = ("grad_output", "self")

    @staticmethod
    def forward(ctx, g, a, approximate):
        ctx.approximate = approximate
        ctx.save_for_backward(g, a)
        return bm.gelu_backward(g, a, approximate)

    @staticmethod
    def backward(ctx, gg):
        g, a = ctx.saved_tensors
        need_g, need_a = ctx.needs_input_grad
        ga = None
        if need_a:
            # GELU″ in float64, rounded to the tensors' dtype; the products in that dtype, as torch
            ga = gg * g * bm.astype(bm.gelu_second_derivative(a, ctx.approximate), gg.dtype)
        return (bm.gelu_backward(gg, a, ctx.approximate) if need_g else None), ga


class _MseLossBackward(Function):
    """r = norm·(a − t)·g   (the gradient of mse_loss)"""

    label, formula, saves_tensors = "mse_loss_backward", "∂r/∂g = norm·(a − t),  ∂r/∂a = norm·g,  ∂r/∂t = −norm·g", True
    saved_names = ("grad_output", "self", "target")

    @staticmethod
    def forward(ctx, g, a, t, norm):
        ctx.norm = norm
        ctx.save_for_backward(g, a, t)
        return bm.mse_backward(g, a, t, norm)

    @staticmethod
    def backward(ctx, gg):
        g, a, t = ctx.saved_tensors
        need_g, need_a, need_t = ctx.needs_input_grad
        scaled = bm.const(ctx.norm, a) * g * gg if need_a or need_t else None
        # Each gradient comes back in the broadcast shape; the engine sums it to its input's.
        return (bm.mse_backward(gg, a, t, ctx.norm) if need_g else None,
                scaled if need_a else None, -scaled if need_t else None)


class _SoftmaxBackwardData(Function):
    """r = z·(g − Σ g·z)   (the gradient of softmax along dim, z its output)"""

    label, formula, saves_tensors = "softmax_backward", "∂r/∂g = softmax's Jacobian,  ∂r/∂z = (g − Σg·z) − g·Σ(·z)", True
    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, g, z, dim):
        ctx.dim = dim
        ctx.save_for_backward(g, z)
        return bm.softmax_backward(g, z, dim)

    @staticmethod
    def backward(ctx, gg):
        g, z = ctx.saved_tensors
        need_g, need_z = ctx.needs_input_grad
        # r is linear in g with a symmetric Jacobian, so its adjoint is itself; for z,
        # ∂rᵢ/∂zₖ = δᵢₖ(gᵢ − s) − zᵢgₖ with s = Σ g·z.
        gz = None
        if need_z:
            gz = gg * (g - bm.sum(g * z, ctx.dim, True)) - g * bm.sum(gg * z, ctx.dim, True)
        return (bm.softmax_backward(gg, z, ctx.dim) if need_g else None), gz


class _LogSoftmaxBackwardData(Function):
    """r = g − e^z·Σ g   (the gradient of log_softmax along dim, z its output)"""

    label, formula, saves_tensors = "log_softmax_backward", "∂r/∂g = 1 − e^z,  ∂r/∂z = −e^z·Σg", True
    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, g, z, dim):
        ctx.dim = dim
        ctx.save_for_backward(g, z)
        return bm.log_softmax_backward(g, z, dim)

    @staticmethod
    def backward(ctx, gg):
        g, z = ctx.saved_tensors
        need_g, need_z = ctx.needs_input_grad
        ez = bm.exp(z)
        gg_g = gg - bm.sum(gg * ez, ctx.dim, True) if need_g else None
        gg_z = -(gg * ez) * bm.sum(g, ctx.dim, True) if need_z else None
        return gg_g, gg_z


class _Scatter(Function):
    """z = zeros with v put at indices along axis"""

    label, formula = "scatter", "∂z/∂v = the gradient gathered back at the indices"

    @staticmethod
    def forward(ctx, v, shape, indices, axis):
        ctx.indices, ctx.axis = indices, axis
        return bm.scatter(shape, indices, v, axis)

    @staticmethod
    def backward(ctx, g):
        return (bm.gather(g, ctx.indices, ctx.axis),)


class _Gather(Function):
    """z = a at indices along axis"""

    label, formula = "gather", "∂z/∂a = the gradient scattered back to the indices"

    @staticmethod
    def forward(ctx, a, indices, axis):
        ctx.shape, ctx.indices, ctx.axis = a.shape, indices, axis
        return bm.gather(a, indices, axis)

    @staticmethod
    def backward(ctx, g):
        return (bm.scatter(ctx.shape, ctx.indices, g, ctx.axis),)


class _IndexScatter(Function):
    """z = zeros with g written at index (added up, for repeated advanced indices)"""

    label, formula = "index_scatter", "∂z/∂g = the gradient read back at the index"

    @staticmethod
    def forward(ctx, g, shape, index, advanced):
        ctx.index, ctx.advanced = index, advanced
        return bm.index_scatter(g, shape, index, advanced)

    @staticmethod
    def backward(ctx, gg):
        return (bm.index_gather(gg, ctx.index, ctx.advanced),)


class _SelectBackwardBackward(_IndexScatter):
    """z = zeros with g written at index"""


class _SliceBackwardBackward(_IndexScatter):
    """z = zeros with g written at index"""


class _IndexPutImpl(_IndexScatter):
    """z = zeros with g added at index"""


class _IndexGather(Function):
    """z = a[index]"""

    label, formula = "[ ]", "gradient scattered back into the indexed positions"

    @staticmethod
    def forward(ctx, a, index, advanced):
        ctx.shape, ctx.index, ctx.advanced = a.shape, index, advanced
        return bm.index_gather(a, index, advanced)

    @staticmethod
    def backward(ctx, g):
        return (bm.index_scatter(g, ctx.shape, ctx.index, ctx.advanced),)


class _ZeroAt(Function):
    """z = g with zeros at index"""

    label, formula = "zero_at", "∂z/∂g = 1 outside the index, 0 inside"

    @staticmethod
    def forward(ctx, g, index):
        ctx.index = index
        return bm.zero_at(g, index)

    @staticmethod
    def backward(ctx, gg):
        return (bm.zero_at(gg, ctx.index),)


_named(_Sgn, "SgnBackward0")
_named(_Erf, "ErfBackward0")
_named(_TanhBackward, "TanhBackwardBackward0")
_named(_SigmoidBackward, "SigmoidBackwardBackward0")
_named(_ThresholdBackward, "ThresholdBackwardBackward0")
_named(_LeakyReluBackward, "LeakyReluBackwardBackward0")
_named(_MseLossBackward, "MseLossBackwardBackward0")
_named(_GeluBackward, "GeluBackwardBackward0")
_named(_SoftmaxBackwardData, "SoftmaxBackwardDataBackward0")
_named(_LogSoftmaxBackwardData, "LogSoftmaxBackwardDataBackward0")
_named(_Scatter, "ScatterBackward0")
_named(_Gather, "GatherBackward0")
_named(_IndexScatter, "IndexScatterBackward")
_named(_SelectBackwardBackward, "SelectBackwardBackward0")
_named(_SliceBackwardBackward, "SliceBackwardBackward0")
_named(_IndexPutImpl, "IndexPutImplBackward0")
_named(_IndexGather, "IndexBackward0")
_named(_ZeroAt, "CopySlices")
_INDEX_SCATTER = {"select": _SelectBackwardBackward, "slice": _SliceBackwardBackward}

# Steps of backward passes that torch records under these names; the display may show them.
BACKWARD_FUNCTIONS = (_Sgn, _Erf, _TanhBackward, _SigmoidBackward, _ThresholdBackward, _LeakyReluBackward,
                      _MseLossBackward, _GeluBackward, _SoftmaxBackwardData,
                      _LogSoftmaxBackwardData, _Scatter, _Gather,
                      _SelectBackwardBackward, _SliceBackwardBackward, _IndexPutImpl, _IndexGather, _ZeroAt)


# -- the Tensor branches of the helpers the issue-3 ops use (prod, cumsum, split/unbind) ---------
def prod(x: Tensor, axis: Any, keepdims: bool) -> Tensor:
    if axis is None:
        out = x.prod()
        return out.reshape((1,) * x.ndim) if keepdims else out
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    for a in sorted((d % x.ndim for d in axes), reverse=True):  # highest first: lower axes keep their number
        x = x.prod(a, keepdims)
    return x


def cumsum(x: Tensor, axis: int) -> Tensor:
    return x.cumsum(axis)


def embed(x: Tensor, shape: tuple[int, ...], index: Any) -> Tensor:
    return index_scatter(x, shape, index, False, "index")


def prod_backward(g: Any, a: Any, axis: Any) -> Tensor:
    # Recorded, the zero-safe case split of the NumPy branch would have constant branches (a wrong
    # second derivative at zeros). Instead each element's "product of the others" is the product
    # of a row in which that element is replaced by 1: an n×n product, differentiable everywhere.
    a = as_tensor(a)
    nd = a.ndim
    if nd == 0:
        return as_tensor(g) * 1
    axes = tuple(range(nd)) if axis is None else tuple(sorted(d % nd for d in ((axis,) if isinstance(axis, int) else axis)))
    keep = [d for d in range(nd) if d not in axes]
    perm = keep + list(axes)
    lead = [a.shape[d] for d in keep]
    n = int(np.prod([a.shape[d] for d in axes]))
    rows = a.permute(*perm).reshape(*lead, n).unsqueeze(-2).expand(*lead, n, n)
    others = where(Tensor._wrap(np.eye(n, dtype=bool)), 1.0, rows).prod(-1)
    others = others.reshape(*lead, *[a.shape[d] for d in axes]).permute(*np.argsort(perm).tolist())
    return g * others


def cat(parts: list, axis: int) -> Tensor:
    from .functional import cat as cat_op

    return cat_op([as_tensor(p) for p in parts], axis)


def stack(parts: list, axis: int) -> Tensor:
    from .functional import stack as stack_op

    return stack_op([as_tensor(p) for p in parts], axis)


def masked_fill(x: Tensor, mask: Any, value: float) -> Tensor:
    from .ops_elementwise import MaskedFillBackward0

    x = as_tensor(x)
    m = np.asarray(getattr(mask, "_data", mask), dtype=bool)  # a constant: the mask has no gradient
    return MaskedFillBackward0.apply(x, mask=np.broadcast_to(m, x._data.shape), value=value)


def masked_fill_value(x: Any, mask: Any, value: Any) -> Tensor:
    from .ops_elementwise import MaskedFillBackward1

    x = as_tensor(x)
    m = np.asarray(getattr(mask, "_data", mask), dtype=bool)
    return MaskedFillBackward1.apply(x, as_tensor(value), mask=np.broadcast_to(m, x._data.shape))
