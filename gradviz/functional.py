"""Function forms of tensor methods: torch.add(x, y), torch.matmul(a, b), torch.exp(x), ..."""
from __future__ import annotations

from typing import Any

from .tensor import Tensor, _operand


def _t(x: Any) -> Tensor:
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


def permute(input: Tensor, dims: Any) -> Tensor:
    return input.permute(dims)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return input.unsqueeze(dim)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    return input.squeeze(dim)


def clone(input: Tensor) -> Tensor:
    return input.clone()


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    # torch builds outer as a broadcast multiply, so its grad_fn is MulBackward0.
    return input.unsqueeze(1) * vec2.unsqueeze(0)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def equal(input: Tensor, other: Tensor) -> bool:
    return input.equal(other)


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    return input.allclose(other, rtol, atol, equal_nan)


def argmax(input: Tensor) -> Tensor:
    return input.argmax()


def argmin(input: Tensor) -> Tensor:
    return input.argmin()


def max(input: Tensor, other: Tensor | None = None) -> Tensor:
    return input.max()


def min(input: Tensor, other: Tensor | None = None) -> Tensor:
    return input.min()


