"""Tensor methods and torch.<name> functions for gradviz.ops_math (sinh ... addcdiv).

``Tensor`` inherits the methods from ``_MathMethods``. Arguments are checked first, with
torch's exact error types and texts, before any node is created.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from . import _dtype as D
from . import ops_math as M
from ._lazy import _T, _broadcast, _tensor_arg

_SHORT = D.SHORT_NAMES
_CPP = D.CPP_NAMES
_NUMBER = (bool, int, float, np.bool_, np.number)

_UNARY = {
    "sinh": M.SinhBackward0, "cosh": M.CoshBackward0, "asin": M.AsinBackward0, "acos": M.AcosBackward0,
    "atan": M.AtanBackward0, "asinh": M.AsinhBackward0, "acosh": M.AcoshBackward0, "atanh": M.AtanhBackward0,
    "erf": M.ErfBackward0, "erfc": M.ErfcBackward0, "expm1": M.Expm1Backward0, "log2": M.Log2Backward0,
    "log10": M.Log10Backward0, "exp2": M.Exp2Backward0,
}
_INPLACE_NODES = {"asinh": M.AsinhBackward1, "acosh": M.AcoshBackward1, "atanh": M.AtanhBackward1}
# torch's other spellings of the same functions
_ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh",
            "arctanh": "atanh", "arctan2": "atan2"}

_ADDCDIV_INT = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true "
    "division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * "
    "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
    "for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / "
    "tensor2), for all dtypes.")


def _result_type(*ts: Any) -> Any:
    T = _T()
    return D.result_type([(t._dtype, T._prio(t)) for t in ts])


def _unary_method(name: str, op: Any) -> Any:
    def method(self: Any) -> Any:
        return op.apply(self, _cast=_T()._float_of(self))

    inplace_op = _INPLACE_NODES.get(name)

    def method_(self: Any) -> Any:
        if inplace_op is not None:  # torch records these as XBackward1, which has no derivative
            return self._in_place(lambda s: inplace_op.apply(s, _cast=_T()._float_of(s)))
        return self._in_place(lambda s: getattr(s, name)())

    method.__name__ = method.__qualname__ = name
    method_.__name__ = method_.__qualname__ = name + "_"
    return method, method_


class _MathMethods:
    __slots__ = ()

    def atan2(self, other: Any) -> Any:
        _tensor_arg("atan2", "other", 1, other)
        _broadcast(self, other)
        rt = _result_type(self, other)
        rt = rt if rt.is_floating_point else D.float32
        return M.Atan2Backward0.apply(self, other, _cast=rt.np)

    def hypot(self, other: Any) -> Any:
        _tensor_arg("hypot", "other", 1, other)
        _broadcast(self, other)
        rt = _result_type(self, other)
        if not rt.is_floating_point:
            raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{_SHORT[rt.name]}'")
        return M.HypotBackward0.apply(self, other, _cast=rt.np)

    def lerp(self, end: Any, weight: Any) -> Any:
        T = _T()
        w_tensor = isinstance(weight, T.Tensor)
        if not isinstance(end, T.Tensor) or not (w_tensor or isinstance(weight, _NUMBER)):
            raise TypeError(_lerp_signature_error(end, weight))
        # torch's order: the dtypes must agree, then the shapes broadcast, then the kernel needs floats
        for name, t in (("end", end), ("weight", weight if w_tensor else None)):
            if t is not None and t._dtype is not self._dtype:
                raise RuntimeError(f"expected dtype {_CPP[self._dtype.name]} for `{name}` but got dtype "
                                   f"{_CPP[t._dtype.name]}")
        _broadcast(self, end, *((weight,) if w_tensor else ()))
        if not self._dtype.is_floating_point:
            kernel = "lerp_kernel_tensor" if w_tensor else "lerp_kernel_scalar"
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_SHORT[self._dtype.name]}'")
        if w_tensor:
            return M.LerpBackward1.apply(self, end, weight)
        return M.LerpBackward0.apply(self, end, weight=float(weight))

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        return _addc(self, tensor1, tensor2, value, "addcmul", M.AddcmulBackward0)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        return _addc(self, tensor1, tensor2, value, "addcdiv", M.AddcdivBackward0)

    def atan2_(self, other: Any) -> Any:
        return _binary_inplace(self, other, "atan2")

    def hypot_(self, other: Any) -> Any:
        return _binary_inplace(self, other, "hypot")

    def lerp_(self, end: Any, weight: Any) -> Any:
        T = _T()
        if not self._dtype.is_floating_point:
            self.lerp(end, weight)  # raises torch's dtype error before the in-place checks
        if isinstance(weight, T.Tensor):
            return _binary_inplace(self, (end, weight), "lerp")
        return _binary_inplace(self, end, "lerp", weight)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        return _binary_inplace(self, (tensor1, tensor2), "addcmul", value=value)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        return _binary_inplace(self, (tensor1, tensor2), "addcdiv", value=value)

    # -- nan_to_num, trunc, frac, fmod, remainder ----------------------------------------------
    def nan_to_num(self, nan: float | None = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any:
        if not self._dtype.is_floating_point:
            return _T().Tensor._wrap(self._data.copy())  # integers have no NaN or infinity
        info = np.finfo(self._data.dtype)
        return M.NanToNumBackward0.apply(self, nan=0.0 if nan is None else nan,
                                         posinf=info.max if posinf is None else posinf,
                                         neginf=info.min if neginf is None else neginf)

    def nan_to_num_(self, nan: float | None = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any:
        return self._in_place(lambda s: s.nan_to_num(nan, posinf, neginf))

    def trunc(self) -> Any:
        self._no_bool("trunc_vml_cpu")
        return M.TruncBackward0.apply(self)

    fix = trunc

    def trunc_(self) -> Any:
        return self._in_place(lambda s: s.trunc())

    fix_ = trunc_

    def frac(self) -> Any:
        if not self._dtype.is_floating_point:
            raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_SHORT[self._dtype.name]}'")
        return M.FracBackward0.apply(self)

    def frac_(self) -> Any:
        return self._in_place(lambda s: s.frac())

    def fmod(self, other: Any) -> Any:
        return _mod(self, other, "fmod", M.FmodBackward0, M.FmodBackward1)

    def remainder(self, other: Any) -> Any:
        return _mod(self, other, "remainder", M.RemainderBackward0, M.RemainderBackward1)

    def floor_divide(self, other: Any) -> Any:
        T = _T()
        if not isinstance(other, (T.Tensor, *_NUMBER)):
            raise TypeError(_floor_divide_signature_error(other))
        return _not_differentiable(self, other, np.floor_divide, "floor_divide", "div_floor_cpu")

    def floor_divide_(self, other: Any) -> Any:
        T = _T()
        if not isinstance(other, (T.Tensor, *_NUMBER)):
            raise TypeError(_floor_divide_signature_error(other).replace("floor_divide(", "floor_divide_(", 1))
        return _binary_inplace(self, other, "_floor_divide_recorded_in_place")

    def _floor_divide_recorded_in_place(self, other: Any) -> Any:
        # The node of the in-place form names aten::floor_divide_ in its refusal, as torch's does.
        return _not_differentiable(self, other, np.floor_divide, "floor_divide_", "div_floor_cpu")

    def __rfloordiv__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBER):
            return NotImplemented
        return _not_differentiable(self, other, np.floor_divide, "floor_divide", "div_floor_cpu", reflected=True)

    def __rmod__(self, other: Any) -> Any:
        if not isinstance(other, _NUMBER):
            return NotImplemented
        return _not_differentiable(self, other, M.remainder, "remainder", "remainder_cpu", reflected=True)

    def fmod_(self, other: Any) -> Any:
        return _binary_inplace(self, other, "fmod")

    def remainder_(self, other: Any) -> Any:
        return _binary_inplace(self, other, "remainder")

    # -- not differentiable: tests, logic, reductions to bool ----------------------------------
    def isnan(self) -> Any:
        return _T().Tensor._wrap(np.isnan(self._data) if self._data.dtype.kind == "f"
                                 else np.zeros(self._data.shape, dtype=np.bool_))

    def isinf(self) -> Any:
        return _T().Tensor._wrap(np.isinf(self._data) if self._data.dtype.kind == "f"
                                 else np.zeros(self._data.shape, dtype=np.bool_))

    def isfinite(self) -> Any:
        return _T().Tensor._wrap(np.isfinite(self._data) if self._data.dtype.kind == "f"
                                 else np.ones(self._data.shape, dtype=np.bool_))

    def logical_not(self) -> Any:
        return _T().Tensor._wrap(np.logical_not(self._data))

    def logical_and(self, other: Any) -> Any:
        return _logical(self, other, "logical_and", np.logical_and, 1)

    def logical_or(self, other: Any) -> Any:
        return _logical(self, other, "logical_or", np.logical_or, 1)

    def logical_xor(self, other: Any) -> Any:
        return _logical(self, other, "logical_xor", np.logical_xor, 1)

    # torch writes these in place without autograd: no node, no leaf check, the grad_fn stays.
    def logical_not_(self) -> Any:
        return _write(self, np.logical_not(self._data))

    def logical_and_(self, other: Any) -> Any:
        return _write(self, self.logical_and(other)._data)

    def logical_or_(self, other: Any) -> Any:
        return _write(self, self.logical_or(other)._data)

    def logical_xor_(self, other: Any) -> Any:
        return _write(self, self.logical_xor(other)._data)

    def bitwise_not_(self) -> Any:
        return _write(self, self.bitwise_not()._data)

    def bitwise_not(self) -> Any:
        if self._dtype.is_floating_point:
            raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{_SHORT[self._dtype.name]}'")
        return _T().Tensor._wrap(np.invert(self._data))

    def bitwise_and(self, other: Any) -> Any:
        return _bitwise(self, other, "bitwise_and", self.__and__)

    def bitwise_or(self, other: Any) -> Any:
        return _bitwise(self, other, "bitwise_or", self.__or__)

    def bitwise_xor(self, other: Any) -> Any:
        return _bitwise(self, other, "bitwise_xor", self.__xor__)

    # In place, as torch's &=, |= and ^= are: the same tensor object, its version bumped once.
    def bitwise_and_(self, other: Any) -> Any:
        return _bitwise_inplace(self, other, "bitwise_and_", self.__and__)

    def bitwise_or_(self, other: Any) -> Any:
        return _bitwise_inplace(self, other, "bitwise_or_", self.__or__)

    def bitwise_xor_(self, other: Any) -> Any:
        return _bitwise_inplace(self, other, "bitwise_xor_", self.__xor__)

    def __iand__(self, other: Any) -> Any:
        return NotImplemented if _T()._operand(other) is NotImplemented else self.bitwise_and_(other)

    def __ior__(self, other: Any) -> Any:
        return NotImplemented if _T()._operand(other) is NotImplemented else self.bitwise_or_(other)

    def __ixor__(self, other: Any) -> Any:
        return NotImplemented if _T()._operand(other) is NotImplemented else self.bitwise_xor_(other)

    def any(self, dim: Any = None, keepdim: bool = False) -> Any:
        return _truth(self, dim, keepdim, np.any)

    def all(self, dim: Any = None, keepdim: bool = False) -> Any:
        return _truth(self, dim, keepdim, np.all)

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Any:
        _tensor_arg("isclose", "other", 1, other)
        if other._dtype is not self._dtype:
            raise RuntimeError(f"{_SHORT[self._dtype.name]} did not match {_SHORT[other._dtype.name]}")
        for name, v in (("rtol", rtol), ("atol", atol)):
            if v < 0:
                raise RuntimeError(f"{name} must be greater than or equal to zero, but got {v:g}")
        _broadcast(self, other)
        a, b = self._data, other._data
        close = a == b
        if equal_nan and a.dtype.kind == "f":
            close = close | (np.isnan(a) & np.isnan(b))
        # torch's tolerance test, in the tensors' own precision (integers in the default float)
        ft = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
        af, bf = a.astype(ft), b.astype(ft)
        with np.errstate(all="ignore"):  # inf − inf is NaN, which fails the test, as in torch
            actual = np.abs(af - bf)
            allowed = ft.type(atol) + np.abs(ft.type(rtol) * bf)
            close = close | (np.isfinite(actual) & (actual <= allowed))
        return _T().Tensor._wrap(np.asarray(close))


for _name, _op in _UNARY.items():
    _m, _m_ = _unary_method(_name, _op)
    setattr(_MathMethods, _name, _m)
    setattr(_MathMethods, _name + "_", _m_)
for _alias, _name in _ALIASES.items():
    setattr(_MathMethods, _alias, getattr(_MathMethods, _name))
    setattr(_MathMethods, _alias + "_", getattr(_MathMethods, _name + "_"))


def _lerp_signature_error(end: Any, weight: Any) -> str:
    T = _T()
    got = ", ".join(T._type_name_of(x) if not isinstance(x, T.Tensor) else "Tensor" for x in (end, weight))
    return (f"lerp() received an invalid combination of arguments - got ({got}), but expected one of:\n"
            " * (Tensor end, Tensor weight)\n * (Tensor end, Number weight)\n")


def _addc(a: Any, b: Any, c: Any, value: Any, name: str, op: Any) -> Any:
    _tensor_arg(name, "tensor1", 2, b)
    _tensor_arg(name, "tensor2", 3, c)
    if name == "addcdiv" and not b._dtype.is_floating_point and not c._dtype.is_floating_point:
        raise RuntimeError(_ADDCDIV_INT)
    _broadcast(a, b, c)
    rt = _result_type(a, b, c)
    if rt is D.bool_:
        raise NotImplementedError(f"\"{name}_cpu_out\" not implemented for 'Bool'")
    if not rt.is_floating_point:
        value = int(value)  # torch converts the number to the integer result type
    return op.apply(a, b, c, _cast=rt.np, value=value)


def _bitwise(a: Any, other: Any, name: str, operator: Any) -> Any:
    """The named form of &, | and ^: the same checks, but a bad operand is a TypeError, not NotImplemented."""
    if not isinstance(other, (_T().Tensor, *_NUMBER)):
        bad = _T()._type_name_of(other)
        raise TypeError(f"{name}() received an invalid combination of arguments - got ({bad}), but expected one of:\n"
                        f" * (Tensor other)\n      didn't match because some of the arguments have invalid types: "
                        f"(!{bad}!)\n * (Number other)\n      didn't match because some of the arguments have "
                        f"invalid types: (!{bad}!)\n")
    return operator(other)


def _bitwise_inplace(a: Any, other: Any, name: str, operator: Any) -> Any:
    """&=, |=, ^=: torch's checks (in-place, shape, dtype of the result), then the write."""
    T = _T()
    a._check_inplace()
    o = T._operand(other)
    if o is not NotImplemented:
        a._check_inplace_other(o)
    result = _bitwise(a, other, name, operator)
    if result._dtype is not a._dtype and not T._can_cast(result._dtype, a._dtype):
        raise RuntimeError(f"result type {_SHORT[result._dtype.name]} can't be cast to the desired output type "
                           f"{_SHORT[a._dtype.name]}")
    return _write(a, result._data)


def _logical(a: Any, other: Any, name: str, fn: Any, pos: int) -> Any:
    _tensor_arg(name, "other", pos, other)
    _broadcast(a, other)
    return _T().Tensor._wrap(np.asarray(fn(a._data, other._data)))


def _write(self: Any, values: np.ndarray) -> Any:
    if values.shape != self._data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the "
                           f"broadcast shape [{', '.join(map(str, values.shape))}]")
    np.copyto(self._data, values, casting="unsafe")
    self._version_counter.value += 1
    return self


def _truth(a: Any, dim: Any, keepdim: bool, fn: Any) -> Any:
    dims = a._reduce_dims(dim)
    data = a._data
    axis = None if dims is None or data.ndim == 0 else dims
    out = np.asarray(fn(data, axis=axis, keepdims=keepdim and data.ndim > 0))
    # torch keeps uint8 for uint8 inputs (a legacy rule); every other dtype gives bool
    return _T().Tensor._wrap(out.astype(np.uint8) if data.dtype == np.uint8 else out)


def _not_differentiable(a: Any, other: Any, kernel: Any, aten: str, cpu_kernel: str, reflected: bool = False) -> Any:
    """a // other, or other % a / other // a for a number other: torch's derivative-less NotImplemented node."""
    T = _T()
    o = T._operand(other)
    if isinstance(other, T.Tensor):
        _broadcast(a, other)
    rt = T._promote(a, o)
    if rt is D.bool_:
        raise NotImplementedError(f"\"{cpu_kernel}\" not implemented for 'Bool'")
    divisor = a._data if reflected else o._data
    if not rt.is_floating_point and np.any(divisor == 0):
        raise RuntimeError("ZeroDivisionError")  # torch's integer kernels refuse a zero divisor
    if isinstance(other, T.Tensor):
        return M.NotImplementedNode.apply(a, other, _cast=rt.np, kernel=kernel, aten=aten)
    # A number makes no edge: torch's node has the tensor as its only input.
    return M.NotImplementedNode.apply(a, _cast=rt.np, kernel=kernel, aten=aten, number=o._scalar, reflected=reflected)


def _floor_divide_signature_error(other: Any) -> str:
    T = _T()
    return ("floor_divide() received an invalid combination of arguments - got (Tensor, "
            f"{T._type_name_of(other)}), but expected one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Tensor input, Number other)\n      didn't match because some of the arguments have invalid types: "
            f"(Tensor, !{T._type_name_of(other)}!)\n")


def _mod(a: Any, other: Any, name: str, op_number: Any, op_tensor: Any) -> Any:
    T = _T()
    if isinstance(other, T.Tensor):
        _broadcast(a, other)
        rt = _result_type(a, other)
        divisor = other._data
    elif isinstance(other, _NUMBER):
        rt = a._scalar_result_type(other)
        divisor = other
    else:
        raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not {T._type_name_of(other)}")
    if rt is D.bool_:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    if not rt.is_floating_point and np.any(np.asarray(divisor) == 0):
        raise RuntimeError("ZeroDivisionError")  # torch's integer kernels refuse a zero divisor
    if isinstance(other, T.Tensor):
        return op_tensor.apply(a, other, _cast=rt.np)
    return op_number.apply(a, _cast=rt.np, other=other)


def _binary_inplace(self: Any, others: Any, name: str, *args: Any, **kw: Any) -> Any:
    others = others if isinstance(others, tuple) else (others,)
    T = _T()
    tensors = tuple(o for o in others if isinstance(o, T.Tensor))
    out_shape = _broadcast(self, *tensors) if len(tensors) == len(others) else self._data.shape
    if out_shape != self._data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the "
                           f"broadcast shape [{', '.join(map(str, out_shape))}]")
    return self._in_place(lambda s: getattr(s, name)(*others, *args, **kw), *tensors)


def _function(name: str) -> Any:
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:
        _tensor_arg(name, "input", 1, input)
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...): the same as input.{name}(...)."
    return fn


def _remainder_function(input: Any, other: Any) -> Any:
    """torch.remainder(input, other): input may also be a number (then no gradient, as in torch)."""
    T = _T()
    if isinstance(input, _NUMBER) and isinstance(other, T.Tensor):
        return other.__rmod__(input)
    _tensor_arg("remainder", "input", 1, input)
    return input.remainder(other)


_remainder_function.__name__ = _remainder_function.__qualname__ = "remainder"


def _binary_function(name: str, arg: str) -> Any:
    def fn(input: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
        _tensor_arg(name, "input", 1, input)
        _tensor_arg(name, arg, 2, other)
        return getattr(input, name)(other, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, {arg}, ...): the same as input.{name}({arg}, ...)."
    return fn


__all__ = [*_UNARY, *(n + "_" for n in _UNARY), *_ALIASES, *(n + "_" for n in _ALIASES if n != "arctan2"),
           "atan2", "hypot", "lerp", "addcmul", "addcdiv", "nan_to_num", "nan_to_num_", "trunc", "trunc_", "fix",
           "fix_", "frac", "frac_", "fmod", "remainder", "isnan", "isinf", "isfinite", "logical_not", "logical_and",
           "logical_or", "logical_xor", "bitwise_not", "any", "all", "isclose", "floor_divide"]
_module = sys.modules[__name__]
for _name in __all__:
    _target = _ALIASES.get(_name.rstrip("_"), _name.rstrip("_")) + ("_" if _name.endswith("_") else "")
    if _target in ("atan2", "hypot", "logical_and", "logical_or", "logical_xor", "isclose"):
        setattr(_module, _name, _binary_function(_target, "other"))
    elif _target == "lerp":
        setattr(_module, _name, _function("lerp"))
    elif _target == "remainder":
        setattr(_module, _name, _remainder_function)
    else:
        setattr(_module, _name, _function(_target))
