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
        return np.sum(x, axis=axis, keepdims=keepdims)
    return _tensor_ops().sum(x, axis, keepdims)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    return np.broadcast_to(x, shape) if _is_array(x) else x.expand(shape)


def expand_dims(x: Any, axis: Any) -> Any:
    return np.expand_dims(x, axis) if _is_array(x) else _tensor_ops().expand_dims(x, axis)


def squeeze(x: Any, axis: Any) -> Any:
    return np.squeeze(x, axis) if _is_array(x) else _tensor_ops().squeeze(x, axis)


def transpose(x: Any, axes: Any) -> Any:
    return np.transpose(x, axes) if _is_array(x) else x.permute(*axes)


def swapaxes(x: Any, a: int, b: int) -> Any:
    return x.swapaxes(a, b) if _is_array(x) else x.transpose(a, b)


def reshape(x: Any, shape: tuple[int, ...]) -> Any:
    return x.reshape(shape)


def zeros_like(x: Any) -> Any:
    return np.zeros_like(x) if _is_array(x) else _tensor_ops().zeros_like(x)


def astype(x: Any, dtype: np.dtype) -> Any:
    """Cast to a NumPy dtype (no copy when it already has it)."""
    if _is_array(x):
        return x.astype(dtype, copy=False)
    return _tensor_ops().astype(x, dtype)


def const(value: Any, like: Any) -> Any:
    """A number as a 0-d array of ``like``'s dtype (keeps float32 float32 in both branches)."""
    dt = like.dtype if _is_array(like) else like._data.dtype
    return np.asarray(value, dtype=dt)
