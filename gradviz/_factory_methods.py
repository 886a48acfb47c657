"""Tensor.new_zeros ... new_tensor, type_as, broadcast_to, and torch.broadcast_* / meshgrid.

``Tensor`` inherits the methods from ``_FactoryMethods``. None of these needs a node class of
its own: the new_* factories make leaves, type_as is ``to``, and the broadcasting functions are
expand (and view, for meshgrid), which is what torch records too.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _dtype as D
from ._lazy import _T, _broadcast, _tensor_arg
from ._size import Size
from ._tensor_methods import _REQUIRED, _check_fits

_NUMBER = (bool, int, float, np.bool_, np.number)
_MESHGRID_WARNING = ("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument. "
                     "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4215.)")
_warned = {"meshgrid": False}  # torch gives that warning once per process (TORCH_WARN_ONCE)


def _C() -> Any:
    # creation.py imports tensor.py, which imports this module: look the factories up late.
    from . import creation

    return creation


def _missing(fn: str, arg: str) -> TypeError:
    return TypeError(f'{fn}() missing 1 required positional arguments: "{arg}"')


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _size_arg(fn: str, size: tuple, varargs: bool = True) -> tuple[int, ...]:
    """torch's parsing of an ``IntArrayRef size`` argument: ints, one sequence of ints, or (for *size) several ints."""
    T = _T()
    if varargs and len(size) == 1 and (_is_int(size[0]) or isinstance(size[0], T.Tensor)):
        one = size[0]
        if isinstance(one, T.Tensor) and (one._data.ndim or one._dtype.is_floating_point or one._dtype is D.bool_):
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not Tensor")
        size = (int(one),)
    else:
        seq = size[0] if len(size) == 1 else size
        if not isinstance(seq, (tuple, list)):
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {T._type_name_of(seq)}")
        for k, s in enumerate(seq):
            if not _is_int(s):
                raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos {k + 1} with error "
                                f"\"type must be tuple of ints,but got {T._type_name_of(s)}\"")
        size = tuple(seq)
    return _C()._size(size)


class _FactoryMethods:
    __slots__ = ()

    def _new(self, fn: str, size: tuple, fill: Any, dtype: Any, requires_grad: bool, varargs: bool = True,
             size_kw: Any = None) -> Any:
        if size_kw is not None and not size:
            size = (size_kw,)
        if not size:
            raise _missing(fn, "size")
        shape = _size_arg(fn, size, varargs)
        dt = D.as_dtype(dtype) if dtype is not None else self._dtype
        return _C()._finish(np.full(shape, fill, dtype=dt.np), requires_grad)

    def new_zeros(self, *args: Any, size: Any = None, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False, layout: Any = None, pin_memory: bool = False) -> Any:
        return self._new("new_zeros", args, 0, dtype, requires_grad, size_kw=size)

    def new_ones(self, *args: Any, size: Any = None, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False, layout: Any = None, pin_memory: bool = False) -> Any:
        return self._new("new_ones", args, 1, dtype, requires_grad, size_kw=size)

    def new_empty(self, *args: Any, size: Any = None, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False, layout: Any = None, pin_memory: bool = False) -> Any:
        # Zero-filled like gradviz.empty: only the shape, dtype and flags are torch's.
        return self._new("new_empty", args, 0, dtype, requires_grad, size_kw=size)

    def new_full(self, size: Any = _REQUIRED, fill_value: Any = _REQUIRED, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False, layout: Any = None, pin_memory: bool = False) -> Any:
        if size is _REQUIRED:
            both = fill_value is _REQUIRED  # torch's wording, singular "argument" included
            raise TypeError('new_full() missing 2 required positional argument: "size", "fill_value"' if both
                            else 'new_full() missing 1 required positional arguments: "size"')
        T = _T()
        shape = _size_arg("new_full", (size,), varargs=False)  # no *size form: a lone int is rejected
        if fill_value is _REQUIRED:
            raise _missing("new_full", "fill_value")
        if isinstance(fill_value, T.Tensor) and fill_value._data.ndim == 0:
            fill_value = fill_value.item()
        if not isinstance(fill_value, _NUMBER):
            raise TypeError(f"new_full(): argument 'fill_value' (position 2) must be Number, not "
                            f"{T._type_name_of(fill_value)}")
        dt = D.as_dtype(dtype) if dtype is not None else self._dtype
        _check_fits(fill_value, dt)
        return self._new("new_full", (shape,), fill_value, dt, requires_grad, varargs=False)

    def new_tensor(self, data: Any = _REQUIRED, *, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False, layout: Any = None, pin_memory: bool = False) -> Any:
        if data is _REQUIRED:
            raise _missing("new_tensor", "data")
        C, T = _C(), _T()
        dt = D.as_dtype(dtype) if dtype is not None else self._dtype
        if isinstance(data, T.Tensor):
            warnings.warn(
                "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                "sourceTensor.detach().clone().requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                UserWarning, stacklevel=2)
            arr = data._data.astype(dt.np)  # a copy, detached from data's graph
        else:
            if isinstance(data, (list, tuple)):
                data = C._flatten(data)
            arr = C._infer(data, dt.np).astype(dt.np, copy=False)
        return C._finish(arr if arr.flags.c_contiguous else arr.copy(order="C"), requires_grad)

    def type_as(self, other: Any = _REQUIRED) -> Any:
        if other is _REQUIRED:
            raise _missing("type_as", "other")
        return self.to(_tensor_arg("type_as", "other", 1, other)._dtype)

    def broadcast_to(self, *args: Any, size: Any = None) -> Any:
        return self.expand(*(args or (size,)))


# -- torch.<name> functions -------------------------------------------------------------------------------
def broadcast_to(input: Any, size: Any) -> Any:  # noqa: A002 - torch's names
    T = _T()
    _tensor_arg("broadcast_to", "input", 1, input)
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            f"broadcast_to(): argument 'size' (position 2) must be tuple of ints, not {T._type_name_of(size)}")
    return input.expand(tuple(size))


def _tensor_list(tensors: tuple) -> tuple:
    T = _T()
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    for i, t in enumerate(tensors):
        if not isinstance(t, T.Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {T._type_name_of(t)}")
    return tensors


def broadcast_tensors(*tensors: Any) -> tuple:
    T = _T()
    for i, t in enumerate(tensors):  # torch takes no single list here: a list is element 0's wrong type
        if not isinstance(t, T.Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {T._type_name_of(t)}")
    if not tensors:
        return ()
    shape = _broadcast(*tensors)
    # A tensor already of the common shape comes back itself, as in torch (no ExpandBackward0).
    return tuple(t if t._data.shape == shape else t.expand(shape) for t in tensors)


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape all ``shapes`` broadcast to, without making tensors; torch's checks and texts."""
    given = []
    for s in shapes:
        if s is None:  # torch skips None
            continue
        if isinstance(s, int):
            s = (s,)
        elif not isinstance(s, Sequence):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a list of ints, got {s}")
        given.append(s)
    out = [1] * max((len(s) for s in given), default=0)
    for idx, s in enumerate(given):
        for i in range(-1, -len(s) - 1, -1):
            n = s[i]
            if n == 1 or n == out[i]:
                continue
            if out[i] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at {i}! Mismatching argument at "
                                   f"index {idx} had {s!r}; but expected shape should be broadcastable to {out}")
            if n < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            out[i] = n
    for k, n in enumerate(out):
        if not isinstance(n, int):
            raise TypeError(f"torch.Size() takes an iterable of 'int' (item {k} is '{type(n).__name__}')")
    return Size(int(n) for n in out)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Grids from 0-d/1-d tensors: each is viewed along its own axis and expanded, as torch records it."""
    tensors = _tensor_list(tensors)
    if indexing is None:
        if not _warned["meshgrid"]:
            _warned["meshgrid"] = True
            warnings.warn(_MESHGRID_WARNING, UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            # torch appends the tensor in its C++ print form, which gradviz does not reproduce.
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    if any(t._dtype is not tensors[0]._dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        order[0], order[1] = 1, 0  # "xy" is "ij" with the first two inputs (and outputs) swapped
    ts = [tensors[k] for k in order]
    shape = tuple(t._data.size for t in ts)
    grids = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        grids.append(t.view(view).expand(shape))
    return tuple(grids[k] for k in order)


__all__ = ["broadcast_shapes", "broadcast_tensors", "broadcast_to", "meshgrid"]
