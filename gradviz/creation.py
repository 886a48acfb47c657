"""Tensor factories: tensor, zeros, ones, full, arange, linspace, eye, rand*, and their *_like forms."""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from . import _dtype as D
from . import _random
from .tensor import Tensor

_FLOAT_REQUIRED = "Only Tensors of floating point and complex dtype can require gradients"


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr)
    if requires_grad:
        if not t._dtype.is_floating_point:
            raise RuntimeError(_FLOAT_REQUIRED)
        t._requires_grad = True
    return t


def _size(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = tuple(int(s) for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, shape))}]")
    return shape


def _np(dtype: Any, default: D.dtype = D.float32) -> np.dtype:
    return (D.as_dtype(dtype) if dtype is not None else default).np


def _infer(data: Any, target: np.dtype | None = None) -> np.ndarray:
    """Python data -> array with torch's inference: floats give float32, ints int64, bools bool.

    With ``target``, Python numbers convert straight to that dtype (``tensor(0.1, dtype=float64)``
    keeps every bit of 0.1, as in torch, instead of passing through float32 first).
    """
    if isinstance(data, np.ndarray):
        D.from_numpy(data.dtype)  # rejects object and other unsupported dtypes
        return np.array(data)
    if isinstance(data, np.generic):
        return np.array(data)
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    shape = _sizes(data)
    dt = _scalar_type(data)
    if not math.prod(shape):
        return np.zeros(shape, dtype=dt.np)  # torch checks no further once a size is 0
    _check_structure(data, shape, dt)
    try:
        return np.array(data, dtype=dt.np if target is None else target).reshape(shape)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None


def _sizes(data: Any) -> tuple[int, ...]:
    # Like torch, the shape is read from the first element at each depth.
    shape = []
    seq = data
    while isinstance(seq, (list, tuple)):
        shape.append(len(seq))
        if not seq:
            break
        seq = seq[0]
    if isinstance(seq, str):
        raise ValueError("too many dimensions 'str'")
    return tuple(shape)


def _scalar_type(data: Any) -> D.dtype:
    """The promoted dtype of every number in nested lists (Python floats count as float32)."""
    out = None
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
            continue
        if isinstance(x, str):
            raise TypeError("new(): invalid data type 'str'")
        if isinstance(x, np.generic):
            d = D.from_numpy(x.dtype)
        elif isinstance(x, (bool, int, float)):
            d = D.scalar_dtype(x)
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
        out = d if out is None else D.promote(out, d)
    return out if out is not None else D.default_float


def _check_structure(data: Any, shape: tuple[int, ...], dt: D.dtype) -> None:
    """Every nested list must have the first one's shape; torch's messages otherwise."""
    stack = [(data, 0)]
    while stack:
        seq, depth = stack.pop()
        if depth == len(shape):
            if isinstance(seq, (list, tuple)):
                raise TypeError(f"must be real number, not {type(seq).__name__}" if dt.is_floating_point
                                else f"'{type(seq).__name__}' object cannot be interpreted as an integer")
            continue
        if not isinstance(seq, (list, tuple)):
            raise TypeError("not a sequence")
        if len(seq) != shape[depth]:
            raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} (got {len(seq)})")
        stack.extend((x, depth + 1) for x in seq)


def _flatten(data: Any) -> Any:
    # Tensors inside lists count as their single value, with their dtype (as a NumPy scalar).
    if isinstance(data, Tensor):
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data._data.reshape(()).copy()[()]
    if isinstance(data, (list, tuple)):
        return [_flatten(x) for x in data]
    return data


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning, stacklevel=2)
    if isinstance(data, (list, tuple)):
        data = _flatten(data)
    target = D.as_dtype(dtype).np if dtype is not None else None
    arr = _infer(data, target)
    if target is not None:
        arr = arr.astype(target, copy=False)
    # Not np.ascontiguousarray: it turns a 0-d array into shape (1,).
    return _finish(arr if arr.flags.c_contiguous else arr.copy(order="C"), requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or D.as_dtype(dtype) is data._dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or D.as_dtype(dtype).np == data.dtype):
        return Tensor._wrap(data)
    return tensor(data, dtype=dtype)


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``arr``."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    D.from_numpy(arr.dtype)
    return Tensor._wrap(arr)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(_size(size), dtype=_np(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(_size(size), dtype=_np(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    # Zero-filled rather than uninitialised: a classroom should never see garbage values.
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = D.scalar_dtype(fill_value)
    return _finish(np.full(_size((size,)), fill_value, dtype=_np(dtype)), requires_grad)


def _like(t: Tensor, dtype: Any) -> tuple[tuple[int, ...], Any]:
    return t._data.shape, (dtype if dtype is not None else t._dtype)


def zeros_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return zeros(shape, dtype=dt, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return ones(shape, dtype=dt, requires_grad=requires_grad)


def empty_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return empty(shape, dtype=dt, requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return full(shape, fill_value, dtype=dt, requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return rand(shape, dtype=dt, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return randn(shape, dtype=dt, requires_grad=requires_grad)


def randint_like(t: Tensor, low: int = 0, high: Any = None, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
    """Integers in [low, high) in t's shape and (unless given) dtype: torch.randint_like(t, high) or (t, low, high)."""
    if high is None:
        low, high = 0, low
    shape, dt = _like(t, dtype)
    return randint(low, high, shape, dtype=dt, requires_grad=requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    args = (start, end, step)
    if dtype is None:
        dtype = D.default_float if any(isinstance(a, float) for a in args) else D.int64
    dt = D.as_dtype(dtype)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if not dt.is_floating_point:
        # Then torch converts the bounds and step to the integer type (toward zero): with
        # dtype=long, arange(0.5, 3.7) is [0, 1, 2], and a step of 0.5 becomes 0.
        start, end, step = (int(v) for v in args)
        if step == 0:
            raise ValueError("step must be nonzero")
    n = max(math.ceil((end - start) / step), 0)
    if not dt.is_floating_point:
        return _finish((start + np.arange(n, dtype=np.int64) * step).astype(dt.np), requires_grad)
    return _finish(_arange_values(float(start), float(step), n, dt.np), requires_grad)


def _arange_values(start: float, step: float, n: int, np_dtype: np.dtype) -> np.ndarray:
    """torch's CPU arange bit for bit: its kernel works in double with fused multiply-adds and,
    in chunks of two SIMD vectors, computes lane j as (start + step*b) + j*step from the chunk's
    first index b; the leftover tail is start + step*i. (One parallel chunk: up to 32768 values;
    beyond that torch's result depends on its thread count.)"""
    lanes = 4 if np_dtype == np.float64 else 8  # SIMD vector sizes torch's kernel uses
    i = np.arange(n)
    first = (i - i % lanes).astype(np.float64)
    full = n - n % (2 * lanes)
    starts, steps = np.full(n, start), np.full(n, step)
    base = _random._fma64(steps, first, starts)
    if np_dtype != np.float64:
        base = base.astype(np_dtype).astype(np.float64)  # the vector base passes through the output type
    vec = _random._fma64((i % lanes).astype(np.float64), steps, base)
    tail = _random._fma64(steps, i.astype(np.float64), starts)
    return np.where(i < full, vec, tail).astype(np_dtype)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """torch's CPU linspace bit for bit: the first half start + step*i and the second half
    end - step*(steps-1-i), each a fused multiply-add in the output type (double for integers)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = D.as_dtype(dtype) if dtype is not None else D.default_float
    if steps == 1:
        return _finish(np.full((1,), start, dtype=dt.np), requires_grad)
    i = np.arange(steps)
    if dt.np == np.float32:
        s, e = np.float32(start), np.float32(end)
        step = np.float32((e - s) / np.float32(steps - 1))
        fma: Any = _random._fma32
        ks = i.astype(np.float32)
    else:
        s, e = np.float64(start), np.float64(end)
        step = (e - s) / np.float64(steps - 1)
        fma = _random._fma64
        ks = i.astype(np.float64)
    lo = fma(np.full(steps, step), ks, np.full(steps, s))
    hi = fma(np.full(steps, -step), ks[::-1], np.full(steps, e))
    out = np.where(i < steps // 2, lo, hi)
    return _finish(out.astype(dt.np), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    return _finish(np.eye(n, m if m is not None else n, dtype=_np(dtype)), requires_grad)


def _gen(generator: Any) -> _random.Generator:
    return generator if generator is not None else _random.default_generator


def rand(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1), bit-identical to torch after the same manual_seed."""
    return _finish(_gen(generator).rand(_size(size), _np(dtype)), requires_grad)


def randn(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples, bit-identical to torch after the same manual_seed."""
    return _finish(_gen(generator).normal(_size(size), _np(dtype), 0.0, 1.0), requires_grad)


def normal(mean: float, std: float, size: Any, *, generator: Any = None, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    return _finish(_gen(generator).normal(_size((size,)), _np(dtype), mean, std), requires_grad)


def randint(low: int, high: Any = None, size: Any = None, *, generator: Any = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    if size is None:
        low, high, size = 0, low, high
    elif high is None or isinstance(high, (tuple, list)):
        low, high, size = 0, low, high if size is None else size
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    arr = _gen(generator).randint(low, high, _size((size,)), _np(dtype, D.int64))
    return _finish(arr, requires_grad)


def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    return _finish(_gen(generator).randperm(n, _np(dtype, D.int64)), requires_grad)


def bernoulli(p: Tensor, *, generator: Any = None) -> Tensor:
    return Tensor._wrap(_gen(generator).bernoulli_tensor(p._data).astype(p._data.dtype))


def manual_seed(seed: int) -> _random.Generator:
    """Seed the default generator; returns it, as torch does."""
    return _random.default_generator.manual_seed(seed)


def initial_seed() -> int:
    return _random.default_generator.initial_seed()


def seed() -> int:
    return _random.default_generator.seed()


def get_rng_state() -> Any:
    return _random.default_generator.get_state()


def set_rng_state(state: Any) -> None:
    _random.default_generator.set_state(state)
