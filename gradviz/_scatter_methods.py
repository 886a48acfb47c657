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
from ._index_methods import _along

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
        full = _along(idx, i_shape, d, shape1[d])
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


def _repeat_interleave_type_error(args: list) -> TypeError:
    T = _T()
    got = ", ".join("list" if isinstance(a, list) else T._type_name_of(a) if not isinstance(a, T.Tensor) else "Tensor"
                    for a in args)
    return TypeError(f"repeat_interleave() received an invalid combination of arguments - got ({got}), but expected "
                     "one of:\n * (Tensor repeats, int dim = None, *, int output_size = None)\n"
                     " * (int repeats, int dim = None, *, int output_size = None)\n")


def _repeat_index(repeats: Any, n: int, output_size: Any) -> Any:
    """The index_select index that repeats each of n slices repeats[i] times (a repeats tensor)."""
    T = _T()
    if repeats._data.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if repeats._dtype not in (D.int64, D.int32):
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{T._SHORT[repeats._dtype.name]}'")
    reps = repeats._data.reshape(-1)
    if reps.size == 1:
        reps = np.broadcast_to(reps, (n,))  # one count for every slice
    elif reps.size != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{reps.size} and input.size(0) = {n}")
    if (reps < 0).any():
        raise RuntimeError("repeats can not be negative")
    if output_size is not None and output_size != int(reps.sum()):
        raise RuntimeError("allocated size does not match required size")
    return T.Tensor._wrap(np.repeat(np.arange(n, dtype=np.int64), reps))


class _RepeatMethods:
    """take_along_dim and repeat_interleave: built from existing nodes, in the order torch records them."""

    __slots__ = ()

    def _take_along_dim(self, indices: Any, dim: Any, pos: int) -> Any:
        T = _T()
        if not isinstance(indices, T.Tensor):
            raise TypeError(f"take_along_dim(): argument 'indices' (position {pos}) must be Tensor, not "
                            f"{T._type_name_of(indices)}")
        if dim is None:
            # torch: self.view(-1).gather(0, indices.view(-1)) (view: a non-contiguous input fails as in torch)
            return self.view(-1).gather(0, indices.view(-1))
        if indices._data.ndim != self._data.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                               f"but got {self._data.ndim} dimensions for input, and {indices._data.ndim} dimensions "
                               f"for indices")
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = self._dim(dim)
        if indices._dtype is not D.int64:
            raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                               f"{T._SHORT[indices._dtype.name]}")
        # Both broadcast to a common shape apart from dim, where each keeps its own size.
        sa = tuple(1 if k == d else n for k, n in enumerate(self._data.shape))
        si = tuple(1 if k == d else n for k, n in enumerate(indices._data.shape))
        try:
            common = np.broadcast_shapes(sa, si)
        except ValueError:
            raise T._broadcast_error(sa, si) from None
        a_shape = tuple(self._data.shape[d] if k == d else n for k, n in enumerate(common))
        i_shape = tuple(indices._data.shape[d] if k == d else n for k, n in enumerate(common))
        index = T.Tensor._wrap(np.broadcast_to(indices._data, i_shape))
        return self.expand(a_shape).gather(d, index)

    def take_along_dim(self, indices: Any, dim: Any = None) -> Any:
        return self._take_along_dim(indices, dim, 1)

    def repeat_interleave(self, *args: Any, dim: Any = None, output_size: Any = None, **kw: Any) -> Any:
        T = _T()
        if "repeats" in kw:
            args = (kw.pop("repeats"),) + args
        if len(args) == 2 and dim is None:
            args, dim = args[:1], args[1]
        if kw or len(args) != 1 or not isinstance(args[0], (int, T.Tensor)) or isinstance(args[0], bool) \
                or not (dim is None or isinstance(dim, int)):
            raise _repeat_interleave_type_error(list(args) + ([] if dim is None else [dim]))
        repeats = args[0]
        x = self.flatten() if dim is None else self  # torch flattens (no node for a 1-D input)
        d = 0 if dim is None else self._dim(dim)
        if isinstance(repeats, T.Tensor):
            if not x._data.ndim:
                raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
            n = x._data.shape[d]
            return x.index_select(d, _repeat_index(repeats, n, output_size))
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        if not x._data.ndim:
            x._dim(d + 1)  # torch unsqueezes after dim: a 0-d input with dim=0 fails there
        shape = x._data.shape
        if output_size is not None and output_size != shape[d] * repeats:
            raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {shape[d] * repeats} but got "
                               f"{output_size}")
        # torch: unsqueeze after dim, expand that axis to repeats, copy, and merge it into dim
        grown = shape[:d + 1] + (repeats,) + shape[d + 1:]
        out_shape = shape[:d] + (shape[d] * repeats,) + shape[d + 1:]
        return x.unsqueeze(d + 1).expand(grown).clone().view(out_shape)


def take_along_dim(input: Any, indices: Any, dim: Any = None) -> Any:  # noqa: A002
    return input._take_along_dim(indices, dim, 2)


def repeat_interleave(input: Any, repeats: Any = _NONE, dim: Any = None, *, output_size: Any = None) -> Any:  # noqa: A002
    T = _T()
    if repeats is _NONE:
        # torch.repeat_interleave(repeats): the index that repeats each position, an integer tensor
        if input._data.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if input._dtype not in (D.int64, D.int32):
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{T._SHORT[input._dtype.name]}'")
        reps = input._data
        if (reps < 0).any():
            raise RuntimeError("repeats can not be negative")
        if output_size is not None and output_size != int(reps.sum()):
            raise RuntimeError("allocated size does not match required size")
        return T.Tensor._wrap(np.repeat(np.arange(reps.size, dtype=reps.dtype), reps))
    if isinstance(repeats, bool) or not isinstance(repeats, (int, T.Tensor)) or not (dim is None or isinstance(dim, int)):
        got = [input, repeats] + ([] if dim is None else [dim])
        names = ", ".join("Tensor" if isinstance(x, T.Tensor) else T._type_name_of(x) for x in got)
        raise TypeError(f"repeat_interleave() received an invalid combination of arguments - got ({names}), but "
                        "expected one of:\n * (Tensor input, Tensor repeats, int dim = None, *, int output_size = None)\n"
                        " * (Tensor repeats, *, int output_size = None)\n"
                        " * (Tensor input, int repeats, int dim = None, *, int output_size = None)\n")
    return input.repeat_interleave(repeats, dim, output_size=output_size)
