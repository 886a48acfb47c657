"""More Tensor methods (issue 3): elementwise, reductions, shape ops and in-place forms.

``Tensor`` inherits them from ``_MoreMethods`` so tensor.py stays small. Arguments are checked
first, with torch's exact error types and texts, before any node is created.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from . import _dtype as D
from . import grad_mode
from . import ops_elementwise as E
from . import ops_reduce as R
from . import ops_shape as S
from ._lazy import _T

_NUMBER = (bool, int, float, np.bool_, np.number)
_SHORT = D.SHORT_NAMES
_CPP = D.CPP_NAMES
# c10's names in "value cannot be converted to type X without overflow"
_OVERFLOW_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int8": "int8_t",
                   "int16": "int16_t", "int32": "int", "int64": "int64_t", "uint8": "uint8_t"}


def _check_fits(value: Any, dtype: Any) -> None:
    """torch's check that a number converts to ``dtype`` without overflow (masked_fill, clamp bounds).

    inf and nan pass for floating types; uint8 takes -255..255 (negative values wrap), as in c10.
    """
    if value is None or isinstance(value, (bool, np.bool_, complex)) or dtype.name not in _OVERFLOW_NAMES:
        return
    if isinstance(value, (int, np.integer)) and not -2**63 <= int(value) < 2**64:
        raise OverflowError("int too big to convert")  # rejected by torch's argument parser
    kind = np.dtype(dtype.np)
    if kind.kind == "f":
        f = float(value)
        bad = math.isfinite(f) and abs(f) > float(np.finfo(kind).max)
    else:
        info = np.iinfo(kind)
        lo = -int(info.max) if info.min == 0 else int(info.min)
        bad = not lo <= value <= int(info.max)
    if bad:
        raise RuntimeError(f"value cannot be converted to type {_OVERFLOW_NAMES[dtype.name]} without overflow")


_DOF = ("{}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor (input numel "
        "divided by output numel). (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
        "ReduceOps.cpp:1861.)")


def _shape_text(shape: tuple) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


_REQUIRED: Any = object()  # lets a missing argument raise torch's text rather than Python's


class _Missing:
    """An absent optional tensor argument (clamp's max): a (None, 0) edge, as torch shows it."""

    __slots__ = ("_data",)
    _requires_grad = False
    grad_fn = None
    _scalar = None

    def __init__(self, np_dtype: np.dtype) -> None:
        self._data = np.zeros((), dtype=np_dtype)

    def _edge(self) -> tuple[None, int]:
        return (None, 0)


class _MoreMethods:
    __slots__ = ()

    # -- helpers ---------------------------------------------------------------------------
    def _float_apply(self, op: Any, **params: Any) -> Any:
        return op.apply(self, _cast=_T()._float_of(self), **params)

    def _no_bool(self, kernel: str) -> None:
        if self._dtype is D.bool_:
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")

    def _reduce_dims(self, dim: Any) -> tuple[int, ...] | None:
        """dim as a tuple of non-negative axes; None, () and [] mean all axes. torch's errors."""
        if dim is None:
            return None
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if not dims:
            return None
        out = tuple(self._dim(d) for d in dims)
        for i, d in enumerate(out):
            if d in out[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return out

    def _in_place(self, make: Any, *others: Any) -> Any:
        """Write ``make(self)`` into this tensor, recording it as torch records the `_` form.

        The op sees a private copy of the old value (torch's original_self), so a rule that
        saved its input still finds it after the write; the graph edge stays the same.
        """
        T = _T()
        other_grad = any(getattr(o, "_requires_grad", False) for o in others)
        self._check_inplace(other_grad)
        for o in others:
            self._check_inplace_other(o)
        if grad_mode._state.enabled and (self._requires_grad or other_grad):
            src = T.Tensor._wrap(self._data.copy(), self.grad_fn) if self._requires_grad else \
                T.Tensor._wrap(self._data.copy())
            return self._inplace_result(make(src))
        with grad_mode.no_grad():
            out = make(self.detach())
        return self._inplace_result(out)

    # -- copy_ -------------------------------------------------------------------------------
    def copy_(self, other: Any, non_blocking: bool = False) -> Any:
        """Write ``other`` (broadcast to this shape, converted to this dtype) into this tensor.

        Recorded as CopyBackwards when either side requires grad: zero gradient to the old value,
        the gradient summed back to other's shape (and converted to its dtype) to other. Under
        no_grad it is a plain write, so ``with no_grad(): p.copy_(w)`` on a parameter works and
        leaves p.grad alone.
        """
        T = _T()
        if isinstance(other, _NUMBER):
            other = T._operand(other)
        elif not isinstance(other, T.Tensor):
            raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {T._type_name_of(other)}")
        if not isinstance(non_blocking, bool):
            raise TypeError(f"copy_(): argument 'non_blocking' must be bool, not {T._type_name_of(non_blocking)}")
        self._check_inplace(other._requires_grad)  # torch: the leaf error comes before the shape error
        self._check_inplace_other(other)
        dst, src = self._data, other._data
        if np.may_share_memory(dst, src) and not (
                src.shape == dst.shape and src.strides == dst.strides and
                src.__array_interface__["data"][0] == dst.__array_interface__["data"][0]) and \
                np.shares_memory(dst, src):
            # The same elements at other places (a shifted slice, a transpose, a broadcast element):
            # torch refuses rather than read values it has already overwritten.
            raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to tensor "
                               "refer to a single memory location. Please clone() the tensor before performing "
                               "the operation.")
        # An integer or bool tensor never requires grad: copying a grad-requiring float into it is a plain write.
        if (grad_mode._state.enabled and (self._requires_grad or other._requires_grad)
                and self._dtype.is_floating_point):
            from . import ops

            return self._inplace_result(ops.CopyBackwards.apply(self, other))
        np.copyto(dst, src, casting="unsafe")  # broadcasts src; a full self-copy is a no-op, as in torch
        self._version_counter.value += 1
        return self

    # -- elementwise -----------------------------------------------------------------------
    def log1p(self) -> Any:
        return self._float_apply(E.Log1PBackward0)

    def rsqrt(self) -> Any:
        return self._float_apply(E.RsqrtBackward0)

    def tan(self) -> Any:
        return self._float_apply(E.TanBackward0)

    def sign(self) -> Any:
        return E.SignBackward0.apply(self)

    def floor(self) -> Any:
        self._no_bool("floor_vml_cpu")
        return E.FloorBackward0.apply(self)

    def ceil(self) -> Any:
        self._no_bool("ceil_vml_cpu")
        return E.CeilBackward0.apply(self)

    def round(self, *, decimals: int | None = None) -> Any:
        if decimals is None:  # an explicit decimals=0 is torch's other overload (RoundBackward1)
            self._no_bool("round_vml_cpu")
            return E.RoundBackward0.apply(self)
        if not self._dtype.is_floating_point:
            raise NotImplementedError(f"\"round_cpu\" not implemented for '{_SHORT[self._dtype.name]}'")
        return E.RoundBackward1.apply(self, decimals=int(decimals))

    def clamp(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002 - torch's names
        T = _T()
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        lo_t, hi_t = isinstance(min, T.Tensor), isinstance(max, T.Tensor)
        if lo_t or hi_t:
            if (min is not None and not lo_t) or (max is not None and not hi_t):
                raise TypeError(_clamp_mixed_error(min, max))
            given = [t for t in (min, max) if t is not None]
            rt = D.result_type([(t._dtype, T._prio(t)) for t in (self, *given)])
            shape = self._data.shape
            for t in given:
                try:
                    shape = np.broadcast_shapes(shape, t._data.shape)
                except ValueError:
                    raise T._broadcast_error(shape, t._data.shape) from None
            lo = min if lo_t else _Missing(rt.np)
            hi = max if hi_t else _Missing(rt.np)
            return E.ClampBackward0.apply(self, lo, hi, _cast=rt.np, has_min=lo_t, has_max=hi_t)
        rt = self._scalar_result_type(min, max)
        _check_fits(min, rt)
        _check_fits(max, rt)
        return E.ClampBackward1.apply(self, _cast=rt.np, min=min, max=max)

    clip = clamp

    def _scalar_result_type(self, *numbers: Any) -> Any:
        T = _T()
        return D.result_type([(self._dtype, T._prio(self))] + [(D.scalar_dtype(n), 0) for n in numbers
                                                                 if n is not None])

    def clamp_min(self, min: Any) -> Any:  # noqa: A002
        T = _T()
        if isinstance(min, T.Tensor):
            return T._binary(E.ClampMinBackward1, self, min)
        rt = self._scalar_result_type(min)
        _check_fits(min, rt)
        return E.ClampMinBackward0.apply(self, _cast=rt.np, min=min)

    def clamp_max(self, max: Any) -> Any:  # noqa: A002
        T = _T()
        if isinstance(max, T.Tensor):
            return T._binary(E.ClampMaxBackward1, self, max)
        rt = self._scalar_result_type(max)
        _check_fits(max, rt)
        return E.ClampMaxBackward0.apply(self, _cast=rt.np, max=max)

    def masked_fill(self, mask: Any, value: Any) -> Any:
        T = _T()
        if mask._dtype is not D.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {_CPP[mask._dtype.name]}")
        if isinstance(value, T.Tensor) and value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        try:
            np.broadcast_shapes(self._data.shape, mask._data.shape)
        except ValueError:
            raise T._broadcast_error(mask._data.shape, self._data.shape) from None
        if isinstance(value, T.Tensor):
            _check_fits(value._data.item(), self._dtype)
            return E.MaskedFillBackward1.apply(self, value, mask=mask._data)
        _check_fits(value, self._dtype)
        return E.MaskedFillBackward0.apply(self, mask=mask._data, value=value)

    def outer(self, vec2: Any) -> Any:
        for name, t in (("self", self), ("vec2", vec2)):
            if t._data.ndim != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
        # torch computes outer as self.reshape(-1, 1) * vec2, so its graph shows View and Mul.
        return self.reshape(-1, 1) * vec2

    # -- in-place forms ----------------------------------------------------------------------
    def exp_(self) -> Any:
        return self._in_place(lambda s: s.exp())

    def log_(self) -> Any:
        return self._in_place(lambda s: s.log())

    def log1p_(self) -> Any:
        return self._in_place(lambda s: s.log1p())

    def sqrt_(self) -> Any:
        return self._in_place(lambda s: s.sqrt())

    def rsqrt_(self) -> Any:
        return self._in_place(lambda s: s.rsqrt())

    def sin_(self) -> Any:
        return self._in_place(lambda s: s.sin())

    def cos_(self) -> Any:
        return self._in_place(lambda s: s.cos())

    def tan_(self) -> Any:
        return self._in_place(lambda s: s.tan())

    def tanh_(self) -> Any:
        return self._in_place(lambda s: s.tanh())

    def sigmoid_(self) -> Any:
        return self._in_place(lambda s: s.sigmoid())

    def abs_(self) -> Any:
        return self._in_place(lambda s: s.abs())

    def neg_(self) -> Any:
        return self._in_place(lambda s: -s)

    negative_ = neg_

    def reciprocal_(self) -> Any:
        return self._in_place(lambda s: s.reciprocal())

    def square_(self) -> Any:
        return self._in_place(lambda s: s.pow(2))

    def sign_(self) -> Any:
        return self._in_place(lambda s: s.sign())

    def floor_(self) -> Any:
        return self._in_place(lambda s: s.floor())

    def ceil_(self) -> Any:
        return self._in_place(lambda s: s.ceil())

    def round_(self, *, decimals: int | None = None) -> Any:
        return self._in_place(lambda s: s.round(decimals=decimals))

    def pow_(self, exponent: Any) -> Any:
        T = _T()
        if isinstance(exponent, _NUMBER):
            return self._in_place(lambda s: s.pow(exponent))
        o = T._operand(exponent)
        if o is NotImplemented:
            raise TypeError(f"pow_(): argument 'exponent' (position 1) must be Number, not {T._type_name_of(exponent)}")
        return self._in_place(lambda s: s.pow(o), o)

    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        T = _T()
        bounds = [b for b in (min, max) if isinstance(b, T.Tensor)]
        if not bounds:
            self._check_scalar_inplace(min, max)
        return self._in_place(lambda s: s.clamp(min, max), *bounds)

    def _check_scalar_inplace(self, *numbers: Any) -> None:
        # With number bounds torch checks the cast before anything else, naming the C++ type.
        rt = self._scalar_result_type(*numbers)
        T = _T()
        if rt is not self._dtype and not T._can_cast(rt, self._dtype):
            raise RuntimeError(f"result type {T._SHORT[rt.name]} can't be cast to the desired output type "
                               f"{_CPP[self._dtype.name]}")

    clip_ = clamp_

    def clamp_min_(self, min: Any) -> Any:  # noqa: A002
        T = _T()
        if not isinstance(min, T.Tensor):
            self._check_scalar_inplace(min)
        return self._in_place(lambda s: s.clamp_min(min), *([min] if isinstance(min, T.Tensor) else []))

    def clamp_max_(self, max: Any) -> Any:  # noqa: A002
        T = _T()
        if not isinstance(max, T.Tensor):
            self._check_scalar_inplace(max)
        return self._in_place(lambda s: s.clamp_max(max), *([max] if isinstance(max, T.Tensor) else []))

    def masked_fill_(self, mask: Any, value: Any) -> Any:
        T = _T()
        others = [mask] + ([value] if isinstance(value, T.Tensor) else [])
        if mask._dtype is not D.bool_:  # checked before the shape, as torch does
            self.masked_fill(mask, value)
        return self._in_place(lambda s: s.masked_fill(mask, value), *others)

    def cumsum_(self, dim: int, *, dtype: Any = None) -> Any:
        return self._in_place(lambda s: s.cumsum(dim, dtype=dtype))

    # -- reductions ----------------------------------------------------------------------------
    def _grad_dtype_check(self, dtype: Any) -> None:
        # A result that would require grad must have a floating dtype.
        if dtype is not None and not dtype.is_floating_point and grad_mode._state.enabled and self._requires_grad:
            raise RuntimeError(f"Autograd not support dtype: {_SHORT[dtype.name]}")

    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
        self._grad_dtype_check(dtype)
        np_dt = dtype.np if dtype is not None else (np.int64 if not self._dtype.is_floating_point else None)
        if dim is None:
            return R.ProdBackward0.apply(self, dtype=np_dt)
        return R.ProdBackward1.apply(self, dims=(self._dim(dim),), keepdim=keepdim, dtype=np_dt)

    def _amax_like(self, op: Any, name: str, dim: Any, keepdim: bool) -> Any:
        dims = self._reduce_dims(dim)
        if self._data.size == 0:
            if dims is None:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                                   "the reduction dim with the 'dim' argument.")
            for d in dims:
                if self._data.ndim and self._data.shape[d] == 0:
                    raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        return op.apply(self, dims=dims, keepdim=keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Any:
        return self._amax_like(R.AmaxBackward0, "amax", dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Any:
        return self._amax_like(R.AminBackward0, "amin", dim, keepdim)

    def _arg_extreme(self, kernel: Any, name: str, dim: Any, keepdim: bool) -> Any:
        if self._dtype is D.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        T = _T()
        a = self._data
        if dim is None:
            if a.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            idx = np.asarray(kernel(a), dtype=np.int64)
            return T.Tensor._wrap(idx.reshape((1,) * a.ndim) if keepdim else idx)
        d = self._dim(dim)
        if a.ndim == 0:
            return T.Tensor._wrap(np.zeros((), dtype=np.int64))
        if a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        return T.Tensor._wrap(np.asarray(kernel(a, axis=d, keepdims=keepdim), dtype=np.int64))

    def argmax(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._arg_extreme(np.argmax, "argmax", dim, keepdim)

    def argmin(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._arg_extreme(np.argmin, "argmin", dim, keepdim)

    def _var_like(self, op: Any, name: str, dim: Any, unbiased: Any, keepdim: bool, correction: Any) -> Any:
        if isinstance(dim, bool):  # var(True): the legacy `unbiased` overload
            dim, unbiased = None, dim
        if not self._dtype.is_floating_point:
            raise RuntimeError("std and var only support floating point and complex dtypes")
        dims = self._reduce_dims(dim)
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        n = self._data.size if dims is None else math.prod(self._data.shape[d] for d in dims) if self._data.ndim else 1
        if n - correction <= 0:
            warnings.warn(_DOF.format(name), UserWarning, stacklevel=3)
        return op.apply(self, dims=dims, correction=correction, keepdim=keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None) -> Any:
        return self._var_like(R.VarBackward0, "var", dim, unbiased, keepdim, correction)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *, correction: Any = None) -> Any:
        return self._var_like(R.StdBackward0, "std", dim, unbiased, keepdim, correction)

    def logsumexp(self, dim: Any = _REQUIRED, keepdim: bool = False) -> Any:
        if dim is _REQUIRED:
            raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
        dims = self._reduce_dims(dim)
        return R.LogsumexpBackward0.apply(self, _cast=_T()._float_of(self), dims=dims, keepdim=keepdim)

    def cumsum(self, dim: Any = _REQUIRED, *, dtype: Any = None) -> Any:
        if dim is _REQUIRED:
            raise TypeError('cumsum() missing 1 required positional arguments: "dim"')
        self._grad_dtype_check(dtype)
        d = self._dim(dim)
        np_dt = dtype.np if dtype is not None else (np.int64 if not self._dtype.is_floating_point else None)
        return R.CumsumBackward0.apply(self, dim=d, dtype=np_dt)

    # -- shape -------------------------------------------------------------------------------------
    def repeat(self, *sizes: Any) -> Any:
        if not sizes:
            raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        reps = tuple(int(s) for s in sizes)
        shp = self._data.shape
        if len(reps) < len(shp):
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                               "tensor")
        padded = (1,) * (len(reps) - len(shp)) + shp
        out = tuple(r * s for r, s in zip(reps, padded))
        for n in out:
            if n < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {_shape_text(out)}")
        return S.RepeatBackward0.apply(self, reps=reps)

    def _pieces(self, op: Any, dim: int, sizes: list[int]) -> tuple:
        lead = (slice(None),) * dim
        index, start = [], 0
        for n in sizes:
            index.append(lead + (slice(start, start + n),))
            start += n
        return op.split(self, dim, index)

    def split(self, split_size: Any, dim: int = 0) -> tuple:
        if self._data.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        d = self._dim(dim)
        n = self._data.shape[d]
        if isinstance(split_size, (list, tuple)):
            sizes = [int(s) for s in split_size]
            if any(s < 0 for s in sizes):
                raise RuntimeError("split_with_sizes expects split_sizes have only non-negative entries, but got "
                                   f"split_sizes={_shape_text(sizes)}")
            if sum(sizes) != n:
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                                   f"at dimension {d}), but got split_sizes={_shape_text(sizes)}")
            return self._pieces(S.SplitWithSizesBackward0, d, sizes)
        s = int(split_size)
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
        if s == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        count = max(-(-n // s), 1) if s else 1
        sizes = [min(s, n - k * s) for k in range(count)]
        return self._pieces(S.SplitBackward0, d, sizes)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        if self._data.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        d = self._dim(dim)
        n = self._data.shape[d]
        if n == 0:  # torch hands back `chunks` empty pieces here, through split_with_sizes
            return self._pieces(S.SplitWithSizesBackward0, d, [0] * chunks)
        return self.split(-(-n // chunks), d)

    def unbind(self, dim: int = 0) -> tuple:
        if self._data.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        d = self._dim(dim)
        lead = (slice(None),) * d
        return S.UnbindBackward0.split(self, d, [lead + (k,) for k in range(self._data.shape[d])])

    def narrow(self, dim: int, start: Any, length: int) -> Any:
        if self._data.ndim == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        d = self._dim(dim)
        n = self._data.shape[d]
        start = int(start)
        if not -n <= start <= n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
        if start < 0:
            start += n
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        if start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
        return self[(slice(None),) * d + (slice(start, start + length),)]


def _clamp_mixed_error(lo: Any, hi: Any) -> str:
    """torch's argument-parser text when clamp gets a tensor and a number together."""
    def kind(x: Any) -> str:
        return "Tensor" if type(x).__name__ == "Tensor" else type(x).__name__

    return ("clamp() received an invalid combination of arguments - got (" + ", ".join(kind(x) for x in (lo, hi))
            + "), but expected one of:\n * (Tensor min = None, Tensor max = None)\n      didn't match because some "
            "of the arguments have invalid types: (" + ", ".join(f"!{kind(x)}!" for x in (lo, hi)) + ")\n * (Number "
            "min = None, Number max = None)\n      didn't match because some of the arguments have invalid types: ("
            + ", ".join(f"!{kind(x)}!" for x in (lo, hi)) + ")\n")
