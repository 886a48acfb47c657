"""Tensor methods and torch functions of the scatter ops (gradviz.ops_scatter), take_along_dim, repeat_interleave.

``Tensor`` inherits the methods from ``_ScatterMethods``. Each checks its arguments first, in
torch's order and with torch's exact error types and texts, then builds the NumPy index its
op needs; no node exists before. take_along_dim and repeat_interleave record existing nodes
(gather, index_select, view/expand/clone), as torch does.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import _dtype as D
from . import grad_mode
from . import ops_scatter as S

_NUMBER = (bool, int, float, np.bool_, np.number)
_NONE: Any = object()

# torch's overloads of scatter, for its "invalid combination of arguments" TypeError.
_SCATTER_OVERLOADS = (("Tensor", "src", False), ("Tensor", "src", True), ("Number", "value", False),
                      ("Number", "value", True))


def _T() -> Any:
    return sys.modules[__package__ + ".tensor"]


def _type_desc(x: Any) -> str:
    """How torch's argument parser names a value's type in its error messages."""
    T = _T()
    if isinstance(x, T.Tensor):
        return "Tensor"
    if isinstance(x, (list, tuple)) and x:
        return f"{type(x).__name__} of [{', '.join(dict.fromkeys(_type_desc(v) for v in x))}]"
    return T._type_name_of(x)


def _is_number(x: Any) -> bool:
    return isinstance(x, _NUMBER) and not isinstance(x, complex)


def _scatter_type_error(dim: Any, index: Any, third: Any, kw: str | None) -> TypeError:
    """torch's text when no overload of scatter(dim, index, src|value) matches the arguments."""
    T = _T()
    args = [dim, index] + ([] if third is _NONE else [third])
    names = [_type_desc(a) for a in args]
    if kw is not None:
        names[-1] = f"{kw}={names[-1]}"
    lines = []
    for kind, name, has_reduce in _SCATTER_OVERLOADS:
        sig = f"(int dim, Tensor index, {kind} {name}" + (", *, str reduce)" if has_reduce else ")")
        lines.append(f" * {sig}\n")
        if has_reduce or third is _NONE or (kw is not None and kw != name):
            continue
        ok = (isinstance(dim, int), isinstance(index, T.Tensor),
              isinstance(third, T.Tensor) if kind == "Tensor" else _is_number(third))
        marked = [n if good else f"!{n}!" for n, good in zip(names, ok)]
        lines.append(f"      didn't match because some of the arguments have invalid types: ({', '.join(marked)})\n")
    return TypeError(f"scatter() received an invalid combination of arguments - got ({', '.join(names)}), but "
                     f"expected one of:\n{''.join(lines)}")


class _ScatterMethods:
    __slots__ = ()

    def _scatter_index(self, op: str, dim: int, index: Any, src: Any) -> tuple:
        """Check dim, index (and src) as torch does; the full advanced index and src's covered block."""
        d = self._dim(dim)
        if index._dtype not in (D.int64, D.int32):
            raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
        if src is not None and src._dtype is not self._dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        shape1 = self._data.shape or (1,)
        idx = index._data.astype(np.int64)
        i_shape = idx.shape or (1,)
        if len(i_shape) != len(shape1):
            raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
        if src is not None:
            n_src = src._data.ndim
            if n_src == 0 or n_src > len(i_shape):
                raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
            if n_src < len(i_shape):
                src._dim(n_src)  # torch asks src for a dim it lacks: its IndexError
        s_shape = None if src is None else src._data.shape
        if idx.size and any((k != d and n_i > n_a) or (s_shape is not None and n_i > s_shape[k])
                            for k, (n_i, n_a) in enumerate(zip(i_shape, shape1))):
            tail = "" if src is None else f" and to be no larger size than src {list(s_shape)}"
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(self._data.shape)} "
                               f"apart from dimension {d}{tail}")
        bad = (idx < 0) | (idx >= shape1[d])
        if bad.any():
            raise RuntimeError(f"index {idx[bad].flat[0]} is out of bounds for dimension {d} with size {shape1[d]}")
        # One index array per axis: the index itself along dim, the position elsewhere.
        grids = np.meshgrid(*[np.arange(n) for n in i_shape], indexing="ij", sparse=True)
        full = tuple(idx.reshape(i_shape) if k == d else grids[k] for k in range(len(i_shape)))
        block = tuple(slice(0, n) for n in i_shape)
        return full, block, shape1

    def scatter(self, dim: Any = _NONE, index: Any = _NONE, src: Any = _NONE, value: Any = _NONE, *,
                reduce: Any = None) -> Any:
        T = _T()
        # A third positional argument is src if a Tensor, value if a number (torch's two overloads).
        third, kw = (src, None) if value is _NONE else (value, "value")
        if reduce is not None:
            raise NotImplementedError("gradviz: scatter(reduce=...) is not implemented")
        is_src = isinstance(third, T.Tensor) and kw is None
        is_value = _is_number(third) or (kw == "value" and isinstance(third, T.Tensor) and not third._data.ndim)
        if not isinstance(dim, int) or not isinstance(index, T.Tensor) or not (is_src or is_value):
            raise _scatter_type_error(dim, index, third, kw)
        if is_src:
            full, block, shape1 = self._scatter_index("scatter", dim, index, third)
            return S.ScatterBackward0.apply(self, third, index=full, block=block, shape1=shape1,
                                            src_shape1=third._data.shape or (1,))
        value = third.item() if isinstance(third, T.Tensor) else third
        full, _, shape1 = self._scatter_index("scatter", dim, index, None)
        return S.ScatterBackward1.apply(self, index=full, value=value, shape1=shape1)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Any:
        T = _T()
        for pos, name, v in ((2, "index", index), (3, "src", src)):
            if not isinstance(v, T.Tensor):
                raise TypeError(f"scatter_add(): argument '{name}' (position {pos}) must be Tensor, not "
                                f"{T._type_name_of(v)}")
        full, block, shape1 = self._scatter_index("scatter_add", dim, index, src)
        return S.ScatterAddBackward0.apply(self, src, index=full, block=block, shape1=shape1,
                                           src_shape1=src._data.shape or (1,))

    def _scatter_in_place(self, make: Any, src: Any) -> Any:
        """Write ``make(self)`` into this tensor, as torch records scatter_/scatter_add_.

        Like _in_place, but src need not broadcast to self (only index's block of it is read).
        """
        T = _T()
        src_grad = isinstance(src, T.Tensor) and src._requires_grad
        self._check_inplace(src_grad)
        if grad_mode._state.enabled and (self._requires_grad or src_grad):
            # The op sees a private copy of the old value (torch's original_self); same graph edge.
            old = T.Tensor._wrap(self._data.copy(), self.grad_fn if self._requires_grad else None)
            return self._inplace_result(make(old))
        with grad_mode.no_grad():
            out = make(self.detach())
        return self._inplace_result(out)

    def scatter_(self, dim: Any = _NONE, index: Any = _NONE, src: Any = _NONE, value: Any = _NONE, *,
                 reduce: Any = None) -> Any:
        other = value if src is _NONE else src
        return self._scatter_in_place(
            lambda s: s.scatter(dim, index, src, value, reduce=reduce), other)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Any:
        return self._scatter_in_place(lambda s: s.scatter_add(dim, index, src), src)


def scatter(input: Any, dim: Any = _NONE, index: Any = _NONE, src: Any = _NONE, value: Any = _NONE, *,  # noqa: A002
            reduce: Any = None) -> Any:
    return input.scatter(dim, index, src, value, reduce=reduce)


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Any:  # noqa: A002
    return input.scatter_add(dim, index, src)
