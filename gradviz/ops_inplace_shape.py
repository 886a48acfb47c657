"""The nodes torch records for the in-place shape ops: t_, transpose_, squeeze_, unsqueeze_.

They change only a tensor's metadata (its shape and strides), so their gradients are those of
the out-of-place ops; torch gives them their own names (TBackward1, ...), kept here. The
Tensor methods live in gradviz._inplace_methods. (squeeze_(dim) records SqueezeBackward4,
already in gradviz.ops for matmul's use.)
"""
from __future__ import annotations

from .ops import TBackward0, TransposeBackward0, UnsqueezeBackward0, _Squeeze


class TBackward1(TBackward0):
    """a.t_(): a becomes aᵀ (same memory)"""


class TransposeBackward1(TransposeBackward0):
    """a.transpose_(dim0, dim1): a gets two axes swapped (same memory)"""


class SqueezeBackward3(_Squeeze):
    """a.squeeze_(): a loses its axes of size 1"""


class SqueezeBackward5(_Squeeze):
    """a.squeeze_(dims): a loses the given axes of size 1"""


class UnsqueezeBackward1(UnsqueezeBackward0):
    """a.unsqueeze_(dim): a gets a new axis of size 1"""
