"""The math a backward rule may use, for NumPy arrays and for Tensors alike.

A backward rule is written once. In a plain ``backward()`` it runs on NumPy arrays (the fast
path: each helper checks for ``np.ndarray`` first and calls NumPy directly). Under
``create_graph=True`` the same rule runs on gradviz Tensors, so every step of the backward
pass is itself recorded in the graph and can be differentiated again (higher-order gradients).

A rule may therefore use only: arithmetic operators, ``@``, comparisons, ``.shape``/``.ndim``/
``.dtype`` and the functions below. Each takes NumPy-style arguments (``axis``, ``keepdims``)
whatever the type of its input.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np


def _is_array(x: Any) -> bool:
    return type(x) is np.ndarray or not hasattr(x, "_data")


def _tensor_ops() -> Any:
    # The Tensor branch lives with the engine's Tensor; imported lazily (tensor.py imports ops,
    # ops import this module).
    from . import _bmath_tensor

    return _bmath_tensor


# Signed integers as wide as each float, for masking a float's bits.
_SAME_WIDTH_INT = {2: np.dtype(np.int16), 4: np.dtype(np.int32), 8: np.dtype(np.int64)}


def where(cond: Any, a: Any, b: Any) -> Any:
    """Elementwise ``a`` where ``cond`` else ``b``; ``a``/``b`` may be numbers."""
    if _is_array(cond) and _is_array(a) and _is_array(b):
        if (type(b) is int and b == 0 and type(a) is np.ndarray and a.size >= 2048 and a.dtype.kind == "f"
                and type(cond) is np.ndarray and cond.dtype == np.bool_ and cond.shape == a.shape):
            # `g where mask else 0` (ReLU's backward) as a bit mask: the same bits as np.where
            # (a's bits or +0.0, NaN and -0.0 kept where cond holds), without np.where's
            # data-dependent branches, which make it ~5x slower on large random masks.
            ints = _SAME_WIDTH_INT[a.itemsize]
            return np.bitwise_and(a.view(ints), np.negative(cond.view(np.int8), dtype=ints)).view(a.dtype)
        return np.where(cond, a, b)
    return _tensor_ops().where(cond, a, b)


def exp(x: Any) -> Any:
    return np.exp(x) if _is_array(x) else x.exp()


def log(x: Any) -> Any:
    return np.log(x) if _is_array(x) else x.log()


def sign(x: Any) -> Any:
    return np.sign(x) if _is_array(x) else _tensor_ops().sign(x)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001 - NumPy's name
    if _is_array(x):
        return x.sum(axis=axis, keepdims=keepdims)  # the method: np.sum adds a Python-level wrapper
    return _tensor_ops().sum(x, axis, keepdims)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    return np.broadcast_to(x, shape) if _is_array(x) else x.expand(shape)


def expand_dims(x: Any, axis: Any) -> Any:
    return np.expand_dims(x, axis) if _is_array(x) else _tensor_ops().expand_dims(x, axis)


def squeeze(x: Any, axis: Any) -> Any:
    return np.squeeze(x, axis) if _is_array(x) else _tensor_ops().squeeze(x, axis)


def transpose(x: Any, axes: Any) -> Any:
    return np.transpose(x, axes) if _is_array(x) else x.permute(tuple(axes))


def swapaxes(x: Any, a: int, b: int) -> Any:
    return x.swapaxes(a, b) if _is_array(x) else x.transpose(a, b)


def reshape(x: Any, shape: tuple[int, ...]) -> Any:
    return x.reshape(shape)


def zeros_like(x: Any) -> Any:
    return np.zeros_like(x) if _is_array(x) else _tensor_ops().zeros_like(x)


def astype(x: Any, dtype: Any) -> Any:
    """Cast to a NumPy dtype, or a Tensor's ``.dtype`` (no copy when it already has it)."""
    dtype = getattr(dtype, "np", dtype)
    if _is_array(x):
        return x.astype(dtype, copy=False)
    return _tensor_ops().astype(x, dtype)


def const(value: Any, like: Any) -> Any:
    """A number as a 0-d array of ``like``'s dtype (keeps float32 float32 in both branches)."""
    dt = like.dtype if _is_array(like) else like._data.dtype
    return np.asarray(value, dtype=dt)


# -- added for the issue-3 ops (prod, cumsum, split/unbind); Tensor branches in _bmath_tensor ------
def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    if _is_array(x):
        return np.prod(x, axis=axis, keepdims=keepdims)
    return _tensor_ops().prod(x, axis, keepdims)


def cumsum(x: Any, axis: int) -> Any:
    return np.cumsum(x, axis=axis) if _is_array(x) else _tensor_ops().cumsum(x, axis)


def embed(x: Any, shape: tuple[int, ...], index: Any) -> Any:
    """Zeros of ``shape`` with ``x`` written at ``index`` (basic NumPy index: ints and slices)."""
    if _is_array(x):
        out = np.zeros(shape, dtype=x.dtype)
        out[index] = x
        return out
    return _tensor_ops().embed(x, shape, index)


# -- added for the higher-order engine: each NumPy branch is what the rules computed before ------
def sin(x: Any) -> Any:
    return np.sin(x) if _is_array(x) else x.sin()


def cos(x: Any) -> Any:
    return np.cos(x) if _is_array(x) else x.cos()


def tanh(x: Any) -> Any:
    return np.tanh(x) if _is_array(x) else x.tanh()


def sigmoid(x: Any) -> Any:
    """1/(1 + e⁻ˣ) in x's dtype (SigmoidBackward0 when recorded)."""
    if _is_array(x):
        one = np.asarray(1, dtype=x.dtype)
        return one / (one + np.exp(-x))
    return x.sigmoid()


def abs(x: Any) -> Any:  # noqa: A001 - NumPy's name
    return np.abs(x) if _is_array(x) else x.abs()


def log1p(x: Any) -> Any:
    return np.log1p(x) if _is_array(x) else _tensor_ops().log1p(x)


def erf(x: Any) -> Any:
    return _erf_array(x) if _is_array(x) else _tensor_ops().erf(x)


def _erf_array(x: Any) -> Any:
    arr = np.asarray(x)
    # NumPy has no erf; math.erf is correctly rounded to ~1 ulp.
    # np.asarray: on a 0-d array frompyfunc hands back a Python float
    return np.asarray(np.frompyfunc(math.erf, 1, 1)(arr), dtype=arr.dtype if arr.dtype.kind == "f" else np.float64)


def maximum(x: Any, y: Any) -> Any:
    if _is_array(x) and _is_array(y):
        return np.maximum(x, y)
    return _tensor_ops().maximum(x, y)


def minimum(x: Any, y: Any) -> Any:
    if _is_array(x) and _is_array(y):
        return np.minimum(x, y)
    return _tensor_ops().minimum(x, y)


def pow(x: Any, e: float) -> Any:  # noqa: A001 - NumPy's name
    """``x ** e`` for a number ``e``, with torch's special cases (equal bits for 2, 3, 0.5, -1, -2)."""
    if not _is_array(x):
        return x.pow(e)
    if e == 1:
        return x.copy()  # x ** 1 is x, bit for bit (checked against np.power, f16/32/64); x**2's backward uses it
    if e == 2:
        return x * x
    if e == 3:
        return x * x * x
    if e == 0.5:
        return np.sqrt(x)
    if e == -1:
        return 1 / x
    if e == -2:
        return 1 / (x * x)
    return np.power(x, np.asarray(e, dtype=x.dtype))


def mul_number(x: Any, c: float) -> Any:
    """``x · c``, c cast to x's dtype first (torch's MulBackward1 when recorded)."""
    return x * x.dtype.type(c) if _is_array(x) else _tensor_ops().mul_number(x, c)


def div_number(x: Any, c: float) -> Any:
    """``x / c``, c cast to x's dtype first (torch's DivBackward1 when recorded)."""
    return x / x.dtype.type(c) if _is_array(x) else _tensor_ops().div_number(x, c)


def t(x: Any) -> Any:
    """The transpose of a matrix (torch's ``.t()``, TBackward0 when recorded)."""
    return x.T if _is_array(x) else x.t()


def column_major(a: np.ndarray) -> bool:
    """Whether a 2-D forward input is laid out as torch's "column-major" matrix: element strides
    (1, rows), as the transpose of a C-contiguous array (F.linear's weight.t()) is."""
    return a.ndim == 2 and a.strides[0] == a.itemsize and a.strides[1] == a.itemsize * a.shape[0]


def mm_grad_mat1(g: Any, mat2: Any, column: bool) -> Any:
    """The gradient of mat1 in mat1·mat2: G·mat2ᵀ, or for a column-major mat1 (mat2·Gᵀ)ᵀ.

    The second form gives the gradient mat1's own layout (a transposed, column-major array), as
    torch's mm_mat1_backward does, so a transpose further back hands a C-contiguous array to
    its tensor. Same products; BLAS may round the two forms a few ulps apart.
    """
    return t(mat2 @ t(g)) if column else g @ t(mat2)


def mm_grad_mat2(g: Any, mat1: Any, column: bool) -> Any:
    """The gradient of mat2 in mat1·mat2: mat1ᵀ·G, or for a column-major mat2 (Gᵀ·mat1)ᵀ
    (F.linear's weight.t(): then TBackward0's transpose gives the weight a C-contiguous grad)."""
    return t(t(g) @ mat1) if column else t(mat1) @ g


def bmm(a: Any, b: Any) -> Any:
    if _is_array(a) and _is_array(b):
        return np.matmul(a, b)
    return _tensor_ops().as_tensor(a).bmm(_tensor_ops().as_tensor(b))


def take(x: Any, index: Any, axis: int) -> Any:
    """``x`` at ``index`` (an int, or a range of consecutive ints) along ``axis``."""
    if _is_array(x):
        return np.take(x, index, axis=axis)
    if isinstance(index, range):
        index = slice(index.start, index.stop)
    return x[(slice(None),) * (axis % x.ndim) + (index,)]


def scatter(shape: tuple[int, ...], indices: np.ndarray, values: Any, axis: int) -> Any:
    """Zeros of ``shape`` with ``values`` put at ``indices`` along ``axis`` (np.put_along_axis)."""
    if _is_array(values):
        out = np.zeros(shape, dtype=values.dtype)
        np.put_along_axis(out, indices, values, axis=axis)
        return out
    return _tensor_ops().scatter(shape, indices, values, axis)


def gather(x: Any, indices: np.ndarray, axis: int) -> Any:
    """np.take_along_axis; the adjoint of ``scatter``."""
    return np.take_along_axis(x, indices, axis=axis) if _is_array(x) else _tensor_ops().gather(x, indices, axis)


def index_scatter(g: Any, shape: tuple[int, ...], index: Any, advanced: bool, kind: str = "index") -> Any:
    """Zeros of ``shape`` with ``g`` written (advanced indices: added) at ``index``."""
    if _is_array(g):
        out = np.zeros(shape, dtype=g.dtype)
        if advanced:
            np.add.at(out, index, g)  # repeated indices must add up
        else:
            out[index] = g
        return out
    return _tensor_ops().index_scatter(g, shape, index, advanced, kind)


def index_gather(x: Any, index: Any, advanced: bool) -> Any:
    """``x[index]`` with a NumPy index; the adjoint of ``index_scatter``."""
    return x[index] if _is_array(x) else _tensor_ops().index_gather(x, index, advanced)


def zero_at(g: Any, index: Any) -> Any:
    """A copy of ``g`` with zeros at ``index``."""
    if _is_array(g):
        out = g.copy()
        out[index] = 0
        return out
    return _tensor_ops().zero_at(g, index)


def tanh_backward(g: Any, z: Any) -> Any:
    """g·(1 − z²) for z = tanh(a) (torch's tanh_backward, TanhBackwardBackward0 when recorded)."""
    if _is_array(g) and _is_array(z):
        return g * (1 - z * z)
    return _tensor_ops().tanh_backward(g, z)


def sigmoid_backward(g: Any, z: Any) -> Any:
    """g·z·(1 − z) for z = σ(a) (SigmoidBackwardBackward0 when recorded)."""
    if _is_array(g) and _is_array(z):
        return g * z * (1 - z)
    return _tensor_ops().sigmoid_backward(g, z)


def threshold_backward(g: Any, z: Any) -> Any:
    """g where z > 0, else 0 (relu's rule; ThresholdBackwardBackward0 when recorded)."""
    if _is_array(g) and _is_array(z):
        return where(z > 0, g, 0).astype(g.dtype, copy=False)  # where's bit-mask path for large arrays
    return _tensor_ops().threshold_backward(g, z)


def softmax_backward(g: Any, z: Any, dim: int) -> Any:
    """z·(g − Σ g·z) along dim, for z = softmax(a) (SoftmaxBackwardDataBackward0 when recorded)."""
    if _is_array(g) and _is_array(z):
        return z * (g - (g * z).sum(axis=dim, keepdims=True))
    return _tensor_ops().softmax_backward(g, z, dim)


def log_softmax_backward(g: Any, z: Any, dim: int) -> Any:
    """g − e^z·Σ g along dim, for z = log_softmax(a) (LogSoftmaxBackwardDataBackward0 when recorded)."""
    if _is_array(g) and _is_array(z):
        return g - np.exp(z) * g.sum(axis=dim, keepdims=True)
    return _tensor_ops().log_softmax_backward(g, z, dim)


def leaky_relu_backward(g: Any, a: Any, slope: float) -> Any:
    """g where a > 0, else g·slope (LeakyReluBackwardBackward0 when recorded)."""
    if _is_array(g) and _is_array(a):
        return np.where(a > 0, g, g * g.dtype.type(slope))
    return _tensor_ops().leaky_relu_backward(g, a, slope)


def mse_backward(g: Any, a: Any, t: Any, norm: float) -> Any:
    """norm·(a − t)·g, norm cast to a's dtype first (MseLossBackwardBackward0 when recorded)."""
    if _is_array(g) and _is_array(a) and _is_array(t):
        return np.asarray(norm, dtype=a.dtype) * (a - t) * g
    return _tensor_ops().mse_backward(g, a, t, norm)


_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_KAPPA = 0.044715


def gelu_derivative(a: Any, approximate: str) -> Any:
    """GELU′(a), computed in float64: Φ(a) + a·φ(a), or the derivative of the tanh form."""
    x = astype(a, np.float64)
    if approximate == "tanh":
        t = tanh(_SQRT_2_PI * (x + _KAPPA * x * x * x))
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _SQRT_2_PI * (1.0 + 3.0 * _KAPPA * x * x)
    cdf = 0.5 * (1.0 + astype(erf(x * _SQRT1_2), np.float64))
    return cdf + x * _INV_SQRT_2PI * exp(-0.5 * x * x)


def gelu_second_derivative(a: Any, approximate: str) -> Any:
    """GELU″(a) in float64: φ(a)·(2 − a²), or the second derivative of the tanh form."""
    x = astype(a, np.float64)
    if approximate == "tanh":
        t = tanh(_SQRT_2_PI * (x + _KAPPA * x * x * x))
        du = _SQRT_2_PI * (1.0 + 3.0 * _KAPPA * x * x)
        return (1.0 - t * t) * (du - x * t * du * du + 0.5 * x * (_SQRT_2_PI * 6.0 * _KAPPA) * x)
    return _INV_SQRT_2PI * exp(-0.5 * x * x) * (2.0 - x * x)


def gelu_backward(g: Any, a: Any, approximate: str) -> Any:
    """g·GELU′(a), rounded once to g's dtype (GeluBackwardBackward0 when recorded)."""
    if _is_array(g) and _is_array(a):
        return (g * gelu_derivative(a, approximate)).astype(g.dtype)
    return _tensor_ops().gelu_backward(g, a, approximate)


def prod_backward(g: Any, a: Any, axis: Any) -> Any:
    """g · ∂(Πa)/∂aᵢ, the product of the *other* elements along ``axis`` (None: all), zeros included."""
    if _is_array(a) and _is_array(g):
        # No division by a zero element: the product of the nonzero elements P gives every
        # case. No zero: P / aᵢ. One zero: P at the zero, 0 elsewhere. More: 0 everywhere.
        is_zero = a == 0
        zeros = np.sum(is_zero, axis=axis, keepdims=True)
        safe = np.where(is_zero, 1, a)
        p = np.prod(safe, axis=axis, keepdims=True)
        return np.where(zeros == 0, g * p / safe, np.where(is_zero & (zeros == 1), g * p, 0))
    return _tensor_ops().prod_backward(g, a, axis)


# -- the multi-output split/unbind node: its gradient joins the pieces' (torch records cat/stack) ------
def cat(parts: list, axis: int) -> Any:
    if all(_is_array(p) for p in parts):
        return np.concatenate(parts, axis=axis)
    return _tensor_ops().cat(parts, axis)


def stack(parts: list, axis: int) -> Any:
    if all(_is_array(p) for p in parts):
        return np.stack(parts, axis=axis)
    return _tensor_ops().stack(parts, axis)


def masked_fill(x: Any, mask: Any, value: float) -> Any:
    """``x`` with ``value`` where ``mask`` (a boolean array or Tensor broadcastable to x); torch's
    rules use masked_fill, so a recorded rule shows MaskedFillBackward0 as torch's graph does."""
    if _is_array(x):
        return np.where(getattr(mask, "_data", mask), np.asarray(value, dtype=x.dtype), x)
    return _tensor_ops().masked_fill(x, mask, value)


def masked_fill_value(x: Any, mask: Any, value: Any) -> Any:
    """``x`` with the 0-d ``value`` (array or Tensor) where ``mask``: MaskedFillBackward1 when recorded."""
    if _is_array(x) and _is_array(value):
        return np.where(getattr(mask, "_data", mask), value, x)
    return _tensor_ops().masked_fill_value(x, mask, value)


# -- for gradviz.ops_math --------------------------------------------------------------------------
def sinh(x: Any) -> Any:
    return np.sinh(x) if _is_array(x) else x.sinh()


def cosh(x: Any) -> Any:
    return np.cosh(x) if _is_array(x) else x.cosh()


def rsqrt(x: Any) -> Any:
    """1/√x, as torch's CPU kernel computes it (RsqrtBackward0 when recorded)."""
    return 1 / np.sqrt(x) if _is_array(x) else x.rsqrt()
