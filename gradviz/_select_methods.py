"""Tensor methods nonzero, argwhere, cummax, cummin and unique, and their torch.<name> forms.

``Tensor`` inherits them from ``_SelectMethods``. Arguments are checked first, with torch's
exact error types and texts, and the picked elements are found before any node is created.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops_select as O
from ._lazy import _T, _tensor_arg
from ._tensor_methods import _REQUIRED


def _long(a: Any) -> Any:
    return _T().Tensor._wrap(np.asarray(a, dtype=np.int64))


def _bool_arg(op: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}(): argument '{name}' must be bool, not {_T()._type_name_of(value)}")


def _int_dim(op: str, dim: Any, pos: int | None = None) -> None:
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        where = f" (position {pos})" if pos is not None else ""
        raise TypeError(f"{op}(): argument 'dim'{where} must be int, not {_T()._type_name_of(dim)}")


class _SelectMethods:
    __slots__ = ()

    def nonzero(self, *args: Any, as_tuple: Any = False) -> Any:
        """Indices of the non-zero elements: an (n, ndim) long tensor, or one index tensor per dim."""
        if args:  # torch's parser words it this way for the method
            raise TypeError(f"nonzero() takes from 1 to 0 positional arguments but {len(args)} were given")
        _bool_arg("nonzero", "as_tuple", as_tuple)
        a = self._data
        if as_tuple:
            # A 0-d input counts as one element (torch): one index tensor, [0] or [].
            return tuple(_long(i) for i in np.nonzero(a.reshape(-1) if not a.ndim else a))
        if not a.ndim:
            return _long(np.zeros((int(a != 0), 0)))
        return _long(np.argwhere(a))

    def argwhere(self, *args: Any) -> Any:
        if args:
            raise TypeError(f"TensorBase.argwhere() takes no arguments ({len(args)} given)")
        return self.nonzero()

    def _running(self, op: Any, name: str, args: tuple, dim: Any, largest: bool) -> Any:
        if args:
            raise TypeError(f"{name}() takes 1 positional argument but {len(args) + 1} were given")
        if dim is _REQUIRED:
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        _int_dim(name, dim)
        if not self._data.ndim and dim not in (0, -1):
            raise IndexError(f"{name}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
        d = self._dim(dim)
        a = self._data
        idx = O.running_extreme(a, d, largest) if a.ndim else np.zeros((), dtype=np.int64)
        values = op.apply(self, dim=d, indices=idx)
        return _T()._RETURN_TYPES[name](values, _long(idx))

    def cummax(self, dim: Any = _REQUIRED, *args: Any) -> Any:
        """(values, indices): the running max along dim, and where each came from (CummaxBackward0)."""
        return self._running(O.CummaxBackward0, "cummax", args, dim, True)

    def cummin(self, dim: Any = _REQUIRED, *args: Any) -> Any:
        return self._running(O.CumminBackward0, "cummin", args, dim, False)

    def unique(self, sorted: Any = True, return_inverse: Any = False, return_counts: Any = False,  # noqa: A002
               dim: Any = None) -> Any:
        """The distinct values, sorted (torch sorts on CPU whatever ``sorted`` says); optionally the
        index of each input element in them and each value's count. No derivative, as in torch."""
        if dim is not None:
            return self._unique_dim(dim, return_inverse, return_counts)
        for name, v in (("sorted", sorted), ("return_inverse", return_inverse), ("return_counts", return_counts)):
            _bool_arg("_unique2", name, v)
        a = self._data
        # NaNs stay apart (NaN != NaN), as in torch.
        values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
        out = O.Unique2Backward0.apply(self, values=values)
        return _finish(out, inverse.reshape(a.shape), counts, return_inverse, return_counts)

    def _unique_dim(self, dim: Any, return_inverse: Any, return_counts: Any) -> Any:
        _int_dim("unique_dim", dim, 2)
        d = self._dim(dim, scalar=False)
        a = self._data
        if a.size == 0 and a.shape[d] != 0:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
        # Slices along dim compared as wholes, in lexicographic order (torch's unique_dim).
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=d, equal_nan=False)
        out = O.UniqueDimBackward0.apply(self, values=values)
        return _finish(out, inverse.reshape(-1), counts, return_inverse, return_counts)


def _finish(out: Any, inverse: np.ndarray, counts: np.ndarray, return_inverse: Any, return_counts: Any) -> Any:
    extra = ([_long(inverse)] if return_inverse else []) + ([_long(counts)] if return_counts else [])
    return (out, *extra) if extra else out


def nonzero(input: Any, *args: Any, as_tuple: Any = False) -> Any:  # noqa: A002 - torch's names
    _tensor_arg("nonzero", "input", 1, input)
    if args:
        raise TypeError(f"nonzero() takes 1 positional argument but {len(args) + 1} were given")
    return input.nonzero(as_tuple=as_tuple)


def argwhere(input: Any, *args: Any) -> Any:  # noqa: A002
    _tensor_arg("argwhere", "input", 1, input)
    if args:
        raise TypeError(f"argwhere() takes 1 positional argument but {len(args) + 1} were given")
    return input.nonzero()


def cummax(input: Any, dim: Any = _REQUIRED, *args: Any) -> Any:  # noqa: A002
    _tensor_arg("cummax", "input", 1, input)
    if args:
        raise TypeError(f"cummax() takes 2 positional arguments but {len(args) + 2} were given")
    return input.cummax(dim)


def cummin(input: Any, dim: Any = _REQUIRED, *args: Any) -> Any:  # noqa: A002
    _tensor_arg("cummin", "input", 1, input)
    if args:
        raise TypeError(f"cummin() takes 2 positional arguments but {len(args) + 2} were given")
    return input.cummin(dim)


def unique(input: Any, sorted: Any = True, return_inverse: Any = False, return_counts: Any = False,  # noqa: A002
           dim: Any = None) -> Any:
    _tensor_arg("_unique2", "input", 1, input)
    return input.unique(sorted, return_inverse, return_counts, dim)
