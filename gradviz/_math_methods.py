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


def _T() -> Any:
    return sys.modules[__package__ + ".tensor"]


def _need_tensor(fn: str, arg: str, pos: int, x: Any) -> None:
    T = _T()
    if not isinstance(x, T.Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' ({'position ' + str(pos)}) must be Tensor, not {T._type_name_of(x)}")


def _broadcast(*ts: Any) -> tuple[int, ...]:
    T = _T()
    shape = ts[0]._data.shape
    for t in ts[1:]:
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise T._broadcast_error(shape, t._data.shape) from None
    return shape


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
        _need_tensor("atan2", "other", 1, other)
        _broadcast(self, other)
        rt = _result_type(self, other)
        rt = rt if rt.is_floating_point else D.float32
        return M.Atan2Backward0.apply(self, other, _cast=rt.np)

    def hypot(self, other: Any) -> Any:
        _need_tensor("hypot", "other", 1, other)
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
        if not self._dtype.is_floating_point:
            kernel = "lerp_kernel_tensor" if w_tensor else "lerp_kernel_scalar"
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_SHORT[self._dtype.name]}'")
        for name, t in (("end", end), ("weight", weight if w_tensor else None)):
            if t is not None and t._dtype is not self._dtype:
                raise RuntimeError(f"expected dtype {_CPP[self._dtype.name]} for `{name}` but got dtype "
                                   f"{_CPP[t._dtype.name]}")
        if w_tensor:
            _broadcast(self, end, weight)
            return M.LerpBackward1.apply(self, end, weight)
        _broadcast(self, end)
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
        others = (end, weight) if isinstance(weight, T.Tensor) else (end,)
        if not self._dtype.is_floating_point:
            self.lerp(end, weight)  # raises torch's dtype error before the in-place checks
        return _binary_inplace(self, others, "lerp", weight)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        return _binary_inplace(self, (tensor1, tensor2), "addcmul", value=value)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        return _binary_inplace(self, (tensor1, tensor2), "addcdiv", value=value)


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
    _need_tensor(name, "tensor1", 2, b)
    _need_tensor(name, "tensor2", 3, c)
    if name == "addcdiv" and not b._dtype.is_floating_point and not c._dtype.is_floating_point:
        raise RuntimeError(_ADDCDIV_INT)
    _broadcast(a, b, c)
    rt = _result_type(a, b, c)
    if rt is D.bool_:
        raise NotImplementedError(f"\"{name}_cpu_out\" not implemented for 'Bool'")
    if not rt.is_floating_point:
        value = int(value)  # torch converts the number to the integer result type
    return op.apply(a, b, c, _cast=rt.np, value=value)


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
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, ...): the same as input.{name}(...)."
    return fn


def _binary_function(name: str, arg: str) -> Any:
    def fn(input: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
        _need_tensor(name, "input", 1, input)
        _need_tensor(name, arg, 2, other)
        return getattr(input, name)(other, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}(input, {arg}, ...): the same as input.{name}({arg}, ...)."
    return fn


__all__ = [*_UNARY, *(n + "_" for n in _UNARY), *_ALIASES, *(n + "_" for n in _ALIASES if n != "arctan2"),
           "atan2", "hypot", "lerp", "addcmul", "addcdiv"]
_module = sys.modules[__name__]
for _name in __all__:
    _target = _ALIASES.get(_name.rstrip("_"), _name.rstrip("_")) + ("_" if _name.endswith("_") else "")
    if _target in ("atan2", "hypot"):
        setattr(_module, _name, _binary_function(_target, "other"))
    elif _target == "lerp":
        setattr(_module, _name, _function("lerp"))
    else:
        setattr(_module, _name, _function(_target))
