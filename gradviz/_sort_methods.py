"""Tensor methods sort, argsort, topk, kthvalue, median and cumprod, and their torch.<name> forms.

``Tensor`` inherits them from ``_SortMethods``. Arguments are checked first, with torch's
exact error types and texts, and the order is computed before any node is created.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype as D
from . import ops_sort as O
from ._lazy import _T
from ._tensor_methods import _REQUIRED

_UNSET: Any = object()  # an argument not given at all (torch picks another overload when it is)


def _wrap_indices(idx: np.ndarray) -> Any:
    return _T().Tensor._wrap(np.asarray(idx, dtype=np.int64))


class _SortMethods:
    __slots__ = ()

    def _sorted_indices(self, dim: Any, descending: bool) -> tuple[int, np.ndarray]:
        d = self._dim(dim)
        a = self._data
        if a.ndim == 0:
            return 0, np.zeros(1, dtype=np.int64)
        return d, O.order(a, d, bool(descending))

    def sort(self, dim: Any = -1, descending: bool = False, *, stable: Any = _UNSET) -> Any:
        if not isinstance(descending, (bool, np.bool_)):
            raise TypeError(f"sort() received an invalid combination of arguments - got (descending="
                            f"{type(descending).__name__}, ), but expected one of:\n * (*, bool stable, int dim = -1, "
                            "bool descending = False)\n * (int dim = -1, bool descending = False)\n")
        d, idx = self._sorted_indices(dim, descending)
        op = O.SortBackward0 if stable is _UNSET else O.SortBackward1  # torch's two overloads
        values = op.apply(self, dim=d, indices=idx)
        return _T()._RETURN_TYPES["sort"](values, _wrap_indices(idx.reshape(values._data.shape)))

    def argsort(self, dim: Any = -1, descending: bool = False, *, stable: bool = False) -> Any:
        d, idx = self._sorted_indices(dim, descending)
        return _wrap_indices(idx.reshape(self._data.shape))

    def topk(self, k: Any, dim: Any = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
            raise TypeError(f"topk(): argument 'k' (position 1) must be int, not {type(k).__name__}")
        d = self._dim(dim)
        a = self._data
        n = a.shape[d] if a.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError("selected index k out of range")
        if self._dtype is D.bool_:
            raise RuntimeError("topk does not support bool dtypes on CPU")
        # sorted=False lets torch return the k elements in any order; gradviz keeps them sorted.
        if a.ndim == 0:  # torch hands back the element for k = 0 as well
            idx = np.zeros(1, dtype=np.int64)
        else:
            idx = np.take(O.order(a, d, bool(largest)), np.arange(k), axis=d)
        values = O.TopkBackward0.apply(self, dim=d, indices=idx)
        return _T()._RETURN_TYPES["topk"](values, _wrap_indices(idx.reshape(values._data.shape)))

    def _row_pick(self, name: str, dim: Any, keepdim: bool, op: Any, pick: Any) -> Any:
        """(values, indices) of the element ``pick(sorted indices, row size, ...)`` chooses along dim."""
        d = self._dim(dim)
        a = self._data
        if a.ndim and a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        data = a if a.ndim else a.reshape(1)
        idx = pick(data, d)
        values = op.apply(self, dim=d, keepdim=keepdim, indices=idx)
        indices = idx if keepdim or not a.ndim else np.squeeze(idx, d)
        return _T()._RETURN_TYPES[name](values, _wrap_indices(indices.reshape(values._data.shape)))

    def kthvalue(self, k: int, dim: Any = -1, keepdim: bool = False) -> Any:
        if self._dtype is D.bool_ and self._data.ndim:  # a 0-d input skips torch's kernel
            raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
        d = self._dim(dim)
        a = self._data
        n = a.shape[d] if a.ndim else 1

        def pick(data: np.ndarray, axis: int) -> np.ndarray:
            return np.take(O.order(data, axis, False), [k - 1], axis=axis)

        if n and not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
        return self._row_pick("kthvalue", d, keepdim, O.KthvalueBackward0, pick)

    def median(self, dim: Any = _UNSET, keepdim: bool = False) -> Any:
        if dim is _UNSET:
            if self._dtype is D.bool_:
                raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
            return O.MedianBackward0.apply(self)
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"median(): argument 'dim' must be int, not {type(dim).__name__}")
        if self._dtype is D.bool_:
            raise NotImplementedError("\"median_out\" not implemented for 'Bool'")

        def pick(data: np.ndarray, axis: int) -> np.ndarray:
            n = data.shape[axis]
            idx = np.take(O.order(data, axis, False), [(n - 1) // 2], axis=axis)
            if data.dtype.kind == "f":
                # A row with a NaN has median NaN, at the row's first NaN (torch's choice).
                nan = np.isnan(data)
                idx = np.where(nan.any(axis, keepdims=True), np.argmax(nan, axis, keepdims=True), idx)
            return idx

        return self._row_pick("median", dim, keepdim, O.MedianBackward1, pick)

    def cumprod(self, dim: Any = _REQUIRED, *, dtype: Any = None) -> Any:
        if dim is _REQUIRED:
            raise TypeError('cumprod() missing 1 required positional arguments: "dim"')
        self._grad_dtype_check(dtype)
        d = self._dim(dim)
        np_dt = dtype.np if dtype is not None else (np.int64 if not self._dtype.is_floating_point else None)
        return O.CumprodBackward0.apply(self, dim=d, dtype=np_dt)


def _method(name: str) -> Any:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 - torch's name
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...): the same as input.{name}(...)."
    return fn


# torch.sort(x, ...) and friends: the same as x.sort(...).
sort, argsort, topk, kthvalue, median, cumprod = (
    _method(n) for n in ("sort", "argsort", "topk", "kthvalue", "median", "cumprod"))
