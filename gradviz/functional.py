"""Function forms of tensor methods: torch.add(x, y), torch.matmul(a, b), torch.exp(x), ..."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype as D
from . import ops
from .tensor import Tensor, _operand, _prio


def _t(x: Any) -> Tensor:
    if not isinstance(x, Tensor) and not isinstance(x, (list, tuple)) and hasattr(x, "__float__"):
        from .creation import tensor

        return tensor(x)
    t = _operand(x)
    if t is NotImplemented:
        raise TypeError(f"expected Tensor as element 0 in argument 0, but got {type(x).__name__}")
    return t


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    return _t(input).add(other, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    return _t(input).sub(other, alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:
    return _t(input) * other


def div(input: Any, other: Any) -> Tensor:
    return _t(input) / other


def pow(input: Any, exponent: Any) -> Tensor:
    if not isinstance(input, Tensor):
        return _t(exponent).__rpow__(input)
    return input.pow(exponent)


def neg(input: Tensor) -> Tensor:
    return -input


def matmul(input: Any, other: Any) -> Tensor:
    return _t(input).matmul(other)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    return input.mm(mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    return input.mv(vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    return input.dot(other)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    return input.bmm(mat2)


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return input.sum(dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    return input.mean(dim, keepdim, dtype=dtype)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    return input.norm(p, dim, keepdim)


def _unary(name: str) -> Any:
    def fn(input: Tensor) -> Tensor:
        return getattr(input, name)()

    fn.__name__ = name
    fn.__doc__ = f"torch.{name}(input): the same as input.{name}()."
    return fn


exp, log, sqrt, sin, cos, tanh, sigmoid, relu, abs, reciprocal, square = (
    _unary(n) for n in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "reciprocal", "square")
)


def reshape(input: Tensor, shape: Any) -> Tensor:
    return input.reshape(shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return input.flatten(start_dim, end_dim)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return input.transpose(dim0, dim1)


def t(input: Tensor) -> Tensor:
    return input.t()


def permute(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    if not args and "dims" not in kwargs:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    return input.permute(*args, *kwargs.values())


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return input.unsqueeze(dim)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    return input.squeeze(dim)


def clone(input: Tensor) -> Tensor:
    return input.clone()


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    # torch builds outer as a broadcast multiply, so its grad_fn is MulBackward0.
    return input.outer(vec2)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors along an existing axis (torch.cat, also torch.concat)."""
    if isinstance(tensors, Tensor):
        raise TypeError("cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    ts = list(tensors)
    if not ts:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(ts):
        if t.dim() == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    real = [(i, t) for i, t in enumerate(ts) if t.shape != (0,)]  # legacy empty inputs are skipped
    ref = real[0][1] if real else ts[0]
    d = ref._dim(dim)
    for i, t in real[1:]:
        if t.dim() != ref.dim():
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.dim()} and {t.dim()}")
        for k in range(ref.dim()):
            if k != d and t.shape[k] != ref.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {ref.shape[k]} but got "
                    f"size {t.shape[k]} for tensor number {i} in the list.")
    rt = D.result_type([(t.dtype, _prio(t)) for t in ts])
    return ops.CatBackward0.apply(*ts, _cast=rt.np, dim=d)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join equal-shaped tensors along a new axis."""
    ts = list(tensors)
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(ts[1:], 1):
        if t.shape != ts[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ts[0].shape)} at entry 0 "
                               f"and {list(t.shape)} at entry {i}")
    d = ts[0]._dim(dim, ts[0].dim() + 1)
    rt = D.result_type([(t.dtype, _prio(t)) for t in ts])
    return ops.StackBackward0.apply(*ts, _cast=rt.np, dim=d)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def equal(input: Tensor, other: Tensor) -> bool:
    return input.equal(other)


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    return input.allclose(other, rtol, atol, equal_nan)


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return input.argmax(dim, keepdim)


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return input.argmin(dim, keepdim)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """torch.max(x), torch.max(x, dim) -> (values, indices), torch.max(x, y) -> maximum."""
    return input.max(dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return input.min(dim, keepdim)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return input.maximum(other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return input.minimum(other)




def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, else ``other``; either may be a Python number."""
    from .tensor import _broadcast_error, _promote

    cond = _t(condition)
    if cond._dtype is not D.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype {cond._dtype._legacy[:-6]}")
    a, b = _operand(input), _operand(other)
    if a is NotImplemented or b is NotImplemented:
        bad = input if a is NotImplemented else other
        raise TypeError(f"where(): argument 'input' (position 2) must be Tensor, not {type(bad).__name__}")
    shape = cond._data.shape
    for t in (a, b):
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise _broadcast_error(shape, t._data.shape) from None
    rt = _promote(a, b)
    if a._scalar is not None and b._scalar is not None:
        rt = D.result_type([(a._dtype, 1), (b._dtype, 1)])  # two numbers: promoted as 0-d tensors
    return ops.WhereBackward0.apply(a, b, _cast=rt.np, condition=cond._data)
