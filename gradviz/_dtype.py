"""dtypes as PyTorch names them, and PyTorch's type-promotion rules."""
from __future__ import annotations

import numpy as np


class dtype:
    """A tensor element type; prints as ``torch.float32`` like PyTorch's."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category", "_legacy")

    def __init__(self, name: str, np_dtype: type, category: int, legacy: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self._category = category  # 0 bool, 1 integer, 2 floating: the promotion ladder
        self.is_floating_point = category == 2
        self.is_signed = name != "bool"
        self.itemsize = self.np.itemsize
        self._legacy = legacy  # "FloatTensor": the name used in version-counter errors

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # pickles as the module-level constant


bool_ = dtype("bool", np.bool_, 0, "BoolTensor")
uint8 = dtype("uint8", np.uint8, 1, "ByteTensor")
int8 = dtype("int8", np.int8, 1, "CharTensor")
int16 = dtype("int16", np.int16, 1, "ShortTensor")
int32 = dtype("int32", np.int32, 1, "IntTensor")
int64 = dtype("int64", np.int64, 1, "LongTensor")
float16 = dtype("float16", np.float16, 2, "HalfTensor")
float32 = dtype("float32", np.float32, 2, "FloatTensor")
float64 = dtype("float64", np.float64, 2, "DoubleTensor")
uint8.is_signed = False

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}

# The default dtype for Python floats; torch.set_default_dtype is not offered.
default_float = float32


def from_numpy(np_dtype: np.dtype) -> dtype:
    """Map a NumPy dtype onto ours; anything without a counterpart is rejected."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def as_dtype(d: object) -> dtype:
    """Accept our dtype, a Python type (float, int, bool) or a NumPy dtype."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    return from_numpy(np.dtype(d))


def promote(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both promote to (torch.promote_types)."""
    if a is b:
        return a
    if a._category != b._category:
        return a if a._category > b._category else b
    if a.is_floating_point:
        return a if a.itemsize >= b.itemsize else b
    if a is uint8 or b is uint8:  # uint8 with a signed int of the same width widens
        other = b if a is uint8 else a
        return int16 if other.itemsize == 1 else other
    return a if a.itemsize >= b.itemsize else b


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # A lower-priority group only matters when it is of a higher category
    # (e.g. int tensor * float scalar -> float), never within one category.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote(higher, lower)
    return higher


def result_type(operands: list[tuple[dtype, int]]) -> dtype:
    """Result dtype for (dtype, priority) operands.

    Priority 2 = tensor with dim > 0, 1 = 0-d tensor, 0 = wrapped Python
    number (whose dtype is already float32/int64/bool). Mirrors
    c10's ResultTypeState: each group promotes within itself, then
    groups combine from highest priority down.
    """
    groups: list[dtype | None] = [None, None, None]
    for d, prio in operands:
        g = groups[prio]
        groups[prio] = d if g is None else promote(g, d)
    out = _combine(groups[2], _combine(groups[1], groups[0]))
    assert out is not None
    return out


def scalar_dtype(value: object) -> dtype:
    """The dtype a wrapped Python number takes part in promotion with."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    return default_float


# How torch names a dtype in error texts: its scalar-type name ("expected scalar type Float") and
# its C++ type ("value cannot be converted to type float", "... long int").
SHORT_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
               "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
CPP_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "bool": "bool",
             "float16": "c10::Half", "int16": "short int", "int8": "signed char", "uint8": "unsigned char"}
