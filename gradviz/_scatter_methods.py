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


def _scatter_type_error(args: list, kw: str | None, func: bool) -> TypeError:
    """torch's text when no overload of scatter(dim, index, src|value) matches the arguments.

    The method form marks the bad arguments of each 3-argument overload; the torch.scatter
    form (func) lists its overloads only (as torch 2.13 prints them).
    """
    T = _T()
    got = [_type_desc(a) if not isinstance(a, list) else "list" for a in args]
    if kw is not None:
        got[-1] = f"{kw}={got[-1]}"
    lines = []
    for kind, name, has_reduce in _SCATTER_OVERLOADS:
        if func:
            lines.append(f" * (Tensor input, int dim, Tensor index, {kind} {name}, *, "
                         f"{'str reduce, ' if has_reduce else ''}Tensor out = None)\n")
            continue
        lines.append(f" * (int dim, Tensor index, {kind} {name}" + (", *, str reduce)\n" if has_reduce else ")\n"))
        if has_reduce or len(args) != 3 or (kw is not None and kw != name):
            continue
        dim, index, third = args
        ok = (isinstance(dim, int), isinstance(index, T.Tensor),
              isinstance(third, T.Tensor) if kind == "Tensor" else _is_number(third))
        marked = [_type_desc(a) if good else f"!{_type_desc(a)}!" for a, good in zip(args, ok)]
        if kw is not None:
            marked[-1] = f"{kw}={marked[-1]}"
        lines.append(f"      didn't match because some of the arguments have invalid types: ({', '.join(marked)})\n")
    return TypeError(f"scatter() received an invalid combination of arguments - got ({', '.join(got)}), but "
                     f"expected one of:\n{''.join(lines)}")


def _scatter_form(dim: Any, index: Any, src: Any, value: Any, func: bool, input: Any = None) -> tuple:  # noqa: A002
    """(src tensor or None, number value or None) for scatter's arguments, or torch's TypeError."""
    T = _T()
    # A third positional argument is src if a Tensor, value if a number (torch's two overloads).
    third, kw = (src, None) if value is _NONE else (value, "value")
    is_src = isinstance(third, T.Tensor) and kw is None
    is_value = _is_number(third) or (kw == "value" and isinstance(third, T.Tensor) and not third._data.ndim)
    if not isinstance(dim, int) or not isinstance(index, T.Tensor) or not (is_src or is_value):
        args = [a for a in (dim, index, third) if a is not _NONE]
        raise _scatter_type_error(([input] if func else []) + args, kw, func)
    if is_src:
        return third, None
    return None, third.item() if isinstance(third, T.Tensor) else third


class _ScatterMethods:
    __slots__ = ()

    def _scatter_index(self, dim: int, index: Any, src: Any) -> tuple:
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
            # A 0-d src counts as 1-D; torch's message for a 1-D src under a deeper index is its IndexError.
            n_src = src._data.ndim
            if max(n_src, 1) > len(i_shape) or (n_src == 0 and len(i_shape) > 1):
                raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
            if n_src < len(i_shape):
                src._dim(n_src)  # torch asks src for a dim it lacks
        s_shape = None if src is None else (src._data.shape or (1,))
        if idx.size and any((k != d and n_i > n_a) or (s_shape is not None and n_i > s_shape[k])
                            for k, (n_i, n_a) in enumerate(zip(i_shape, shape1))):
            tail = "" if src is None else f" and to be no larger size than src {list(src._data.shape)}"
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
        if reduce is not None:
            raise NotImplementedError("gradviz: scatter(reduce=...) is not implemented")
        src, value = _scatter_form(dim, index, src, value, False)
        return self._scatter(dim, index, src, value)

    def _scatter(self, dim: int, index: Any, src: Any, value: Any) -> Any:
        if src is not None:
            full, block, shape1 = self._scatter_index(dim, index, src)
            return S.ScatterBackward0.apply(self, src, index=full, block=block, shape1=shape1,
                                            src_shape1=src._data.shape or (1,))
        full, _, shape1 = self._scatter_index(dim, index, None)
        return S.ScatterBackward1.apply(self, index=full, value=value, shape1=shape1)

    def _scatter_add(self, dim: int, index: Any, src: Any, first: int) -> Any:
        T = _T()
        for pos, name, v in ((first, "index", index), (first + 1, "src", src)):
            if not isinstance(v, T.Tensor):
                raise TypeError(f"scatter_add(): argument '{name}' (position {pos}) must be Tensor, not "
                                f"{T._type_name_of(v)}")
        full, block, shape1 = self._scatter_index(dim, index, src)
        return S.ScatterAddBackward0.apply(self, src, index=full, block=block, shape1=shape1,
                                           src_shape1=src._data.shape or (1,))

    def scatter_add(self, dim: int, index: Any, src: Any) -> Any:
        return self._scatter_add(dim, index, src, 2)

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
    if reduce is not None:
        raise NotImplementedError("gradviz: scatter(reduce=...) is not implemented")
    src, value = _scatter_form(dim, index, src, value, True, input)
    return input._scatter(dim, index, src, value)


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Any:  # noqa: A002
    return input._scatter_add(dim, index, src, 3)
