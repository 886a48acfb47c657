"""In-place Tensor methods beyond the arithmetic ones: t_, transpose_, squeeze_, unsqueeze_; index_fill(_).

``Tensor`` inherits them from ``_InplaceMethods``. A shape op in place changes only the tensor's
metadata: the tensor now shows the same memory with another shape (a NumPy view of its old
array), its version goes up by one and, when autograd tracks it, its grad_fn becomes the op's
node (torch's ``...Backward1`` names, gradviz.ops_inplace_shape) whose input is the old grad_fn.
A view stays a view of the same base and the base itself is untouched, as in torch.
Arguments are checked (torch's errors) before anything changes.
"""
from __future__ import annotations

import weakref
from typing import Any

from . import _dtype as D
from . import grad_mode
from ._lazy import _T
from . import ops_index_fill as F
from . import ops_inplace_shape as S
from .ops import SqueezeBackward4

_REQUIRED: Any = object()


def _missing(name: str, args: list) -> TypeError:
    # torch's argument parser text, with its grammar: "2 required positional argument", "1 ... arguments".
    plural = "" if len(args) > 1 else "s"
    quoted = ", ".join(f'"{a}"' for a in args)
    return TypeError(f"{name}() missing {len(args)} required positional argument{plural}: {quoted}")


class _InplaceMethods:
    __slots__ = ()

    def _reshape_in_place(self, op: Any, **params: Any) -> Any:
        # The caller ran _check_inplace first: torch refuses a leaf before it reads the arguments.
        if grad_mode._state.enabled and self._requires_grad:
            out = op.apply(self, **params)
            node = out.grad_fn
            self.grad_fn = node
            node._out_ref = weakref.ref(self)
        else:
            # torch keeps the grad_fn (even a non-leaf's) when the change is not recorded.
            with grad_mode.no_grad():
                out = op.apply(self, **params)
        self._data = out._data
        self._version_counter.value += 1
        return self

    def t_(self) -> Any:
        self._check_inplace()
        n = self._data.ndim
        if n > 2:
            raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {n}D")
        return self._reshape_in_place(S.TBackward1, dims=tuple(range(n))[::-1])

    def _swap_in_place(self, name: str, names: tuple, dim0: Any, dim1: Any) -> Any:
        missing = [n for n, d in zip(names, (dim0, dim1)) if d is _REQUIRED]
        if missing:
            raise _missing(name, missing)
        self._check_inplace()
        d0, d1 = self._dim(dim0), self._dim(dim1)
        dims = list(range(self._data.ndim))
        if dims:
            dims[d0], dims[d1] = dims[d1], dims[d0]
        return self._reshape_in_place(S.TransposeBackward1, dims=tuple(dims))

    def transpose_(self, dim0: Any = _REQUIRED, dim1: Any = _REQUIRED) -> Any:
        return self._swap_in_place("transpose_", ("dim0", "dim1"), dim0, dim1)

    def swapdims_(self, dim0: Any = _REQUIRED, dim1: Any = _REQUIRED) -> Any:
        return self._swap_in_place("swapdims_", ("dim0", "dim1"), dim0, dim1)

    def swapaxes_(self, axis0: Any = _REQUIRED, axis1: Any = _REQUIRED) -> Any:
        return self._swap_in_place("swapaxes_", ("axis0", "axis1"), axis0, axis1)

    def unsqueeze_(self, dim: Any = _REQUIRED) -> Any:
        if dim is _REQUIRED:
            raise _missing("unsqueeze_", ["dim"])
        self._check_inplace()
        d = self._dim(dim, self._data.ndim + 1)
        return self._reshape_in_place(S.UnsqueezeBackward1, dim=d)

    def squeeze_(self, dim: Any = None) -> Any:
        self._check_inplace()
        n = self._data.ndim
        if dim is None:
            return self._reshape_in_place(S.SqueezeBackward3, dims=tuple(range(n)))
        if isinstance(dim, int):
            d = self._dim(dim)  # a 0-d tensor takes dim 0 or -1 (and has nothing to squeeze)
            return self._reshape_in_place(SqueezeBackward4, dims=(d,) if n else ())
        dims = self._dims(dim)
        for k, d in enumerate(dims):
            if d in dims[:k]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return self._reshape_in_place(S.SqueezeBackward5, dims=dims if n else ())

    # -- index_fill (gradviz.ops_index_fill) ------------------------------------------------------------------
    def _index_fill_args(self, name: str, dim: Any, index: Any, value: Any, func: bool) -> tuple:
        """(dim, normalised index array, value) after torch's checks, in torch's order."""
        T = _T().Tensor
        _index_fill_parse(name, [self] if func else [], dim, index, value)
        if isinstance(value, T) and value._data.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        if index._dtype is not D.int64:
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        if index._data.ndim > 1:
            raise RuntimeError("Index has to be a vector/scalar")
        d = self._dim(dim)
        n = (self._data.shape or (1,))[d]
        idx = index._data.reshape(-1)
        bad = (idx < -n) | (idx >= n)
        if bad.any():
            raise IndexError(f"index {idx[bad][0]} is out of bounds for dimension {d} with size {n}")
        if isinstance(value, complex):
            raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is not supported")
        if isinstance(value, T) and value._requires_grad and grad_mode._state.enabled and \
                not self._dtype.is_floating_point:
            raise RuntimeError(f"Autograd not support dtype: {D.SHORT_NAMES[self._dtype.name]}")
        return d, idx % n if n else idx, value

    def index_fill(self, dim: Any, index: Any, value: Any) -> Any:
        d, idx, value = self._index_fill_args("index_fill", dim, index, value, False)
        return _index_fill(self, d, idx, value)

    def index_fill_(self, dim: Any, index: Any, value: Any) -> Any:
        T = _T().Tensor
        _index_fill_parse("index_fill_", [], dim, index, value)  # the argument parser comes before the leaf check
        value_grad = isinstance(value, T) and value._requires_grad
        self._check_inplace(value_grad)
        d, idx, value = self._index_fill_args("index_fill_", dim, index, value, False)
        if grad_mode._state.enabled and (self._requires_grad or value_grad):
            return self._inplace_result(_index_fill(self, d, idx, value))
        with grad_mode.no_grad():
            out = _index_fill(self.detach(), d, idx, value.detach() if isinstance(value, T) else value)
        return self._inplace_result(out)


def _index_fill(t: Any, d: int, idx: Any, value: Any) -> Any:
    if isinstance(value, _T().Tensor):
        return F.IndexFillBackward1.apply(t, value, dim=d, index=idx)
    return F.IndexFillBackward0.apply(t, dim=d, index=idx, value=value)


def _index_fill_parse(name: str, lead: list, dim: Any, index: Any, value: Any) -> None:
    from ._scatter_methods import _is_number

    T = _T().Tensor
    if not isinstance(dim, int) or not isinstance(index, T) or not (isinstance(value, (T, complex)) or
                                                                    _is_number(value)):
        raise _index_fill_type_error(name, lead, [dim, index, value], T)


def _index_fill_type_error(name: str, lead: list, args: list, T: Any) -> TypeError:
    # torch's parser text: the value is marked wrong in both overloads unless it is a Tensor (then only
    # in the Number one), as torch 2.13 prints it.
    from ._scatter_methods import _type_desc

    dim, index, value = args
    head = [_type_desc(a) for a in lead]
    got = ", ".join(head + [_type_desc(a) if not isinstance(a, list) else "list" for a in args])
    lines = []
    for kind in ("Tensor", "Number"):
        sig = "Tensor input, " if lead else ""
        lines.append(f" * ({sig}int dim, Tensor index, {kind} value)\n")
        marks = [not isinstance(dim, int), not isinstance(index, T), not (kind == "Tensor" and isinstance(value, T))]
        marked = head + [f"!{_type_desc(a)}!" if bad else _type_desc(a) for a, bad in zip(args, marks)]
        lines.append(f"      didn't match because some of the arguments have invalid types: ({', '.join(marked)})\n")
    return TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                     + "".join(lines))


def index_fill(input: Any, dim: Any, index: Any, value: Any) -> Any:  # noqa: A002 - torch's name
    """torch.index_fill(input, dim, index, value): the out-of-place method as a function."""
    d, idx, value = input._index_fill_args("index_fill", dim, index, value, True)
    return _index_fill(input, d, idx, value)
