"""nn.Parameter: a leaf tensor that a Module registers as one of its learnable weights."""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor subclass: always a leaf, ``requires_grad=True`` unless asked otherwise.

    It shares storage with the tensor it is built from (like ``detach()``); results of ops on a
    Parameter are plain Tensors, because the engine builds every op result with ``Tensor._wrap``.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> "Parameter":
        if data is None:
            arr = np.empty(0, dtype=np.float32)
            counter = None
        else:
            if not isinstance(data, Tensor):
                raise TypeError(
                    f"Parameter.__new__ expected a Tensor as data, but got {type(data).__name__}")
            arr, counter = data._data, data._version_counter
        p = object.__new__(cls)
        Tensor._init(p, arr)
        if counter is not None:
            p._version_counter = counter  # an alias of data, as detach() is
        if requires_grad and not p._dtype.is_floating_point:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        p._requires_grad = bool(requires_grad)
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild_parameter, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo: dict) -> "Parameter":
        if id(self) in memo:
            return memo[id(self)]
        p = _rebuild_parameter(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            p._grad = copy.deepcopy(self._grad, memo)
        memo[id(self)] = p
        return p


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._wrap(data), requires_grad)


# type(p) prints <class 'torch.nn.parameter.Parameter'>, as Tensor prints as torch.Tensor.
Parameter.__module__ = "torch.nn.parameter"
