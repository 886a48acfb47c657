"""Helpers shared by the method mixins: a late look-up of gradviz.tensor, the Tensor-argument check,
the broadcast shape of several tensors."""
from __future__ import annotations

import sys
from typing import Any

import numpy as np


def _T() -> Any:
    # The module gradviz.tensor (its helpers); `gradviz.tensor` the attribute is the factory
    # function, and tensor.py imports the mixins before it defines Tensor, so look it up late.
    return sys.modules[__package__ + ".tensor"]


def _tensor_arg(op: str, name: str, pos: int, value: Any) -> Any:
    """``value`` if it is a Tensor, else torch's argument-parser TypeError for ``op``'s argument ``name``."""
    T = _T()
    if not isinstance(value, T.Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {T._type_name_of(value)}")
    return value


def _broadcast(*ts: Any) -> tuple[int, ...]:
    """The shape the tensors broadcast to, or torch's error naming the first clash."""
    T = _T()
    shape = ts[0]._data.shape
    for t in ts[1:]:
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            raise T._broadcast_error(shape, t._data.shape) from None
    return shape
