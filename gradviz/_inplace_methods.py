"""In-place Tensor methods beyond the arithmetic ones: the shape ops t_, transpose_, squeeze_, unsqueeze_.

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

from . import grad_mode
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
