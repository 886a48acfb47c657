"""Indexing: reading ``t[index]`` (which node torch builds) and writing ``t[index] = v``."""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .tensor import Tensor


def _assign(t: Tensor, idx: Any, advanced: bool, v: Any, number: bool) -> Tensor:
    """The recorded form of t[idx] = v, with the nodes torch builds for it.

    A write to all of t is a copy (CopyBackwards) or, for a number or 0-d value, a fill (FillBackward3);
    through a view it is CopySlices; with advanced indices IndexPutBackward0. A value of
    another shape is first viewed without its leading 1s (and expanded, for the first two).
    """
    target = t._data[idx].shape
    shape = v._data.shape
    fill = number or not shape  # numbers and 0-d tensors are filled in, not copied
    stripped = shape[next((i for i, n in enumerate(shape) if n != 1), len(shape)):]
    if advanced:
        if not fill and stripped != shape:
            v = v.view(stripped)
        return ops.IndexPutBackward0.apply(t, v, index=idx)
    if not fill and shape != target:
        v = v.view(stripped).expand(target)
    if _makes_view(t, idx, False):
        return ops.CopySlices.apply(t, v, index=idx)
    if fill:
        return ops.FillBackward3.apply(t, v)
    return ops.CopyBackwards.apply(t, v)


def _check_assignable(value: tuple, target: tuple, advanced: bool) -> None:
    """t[index] = v needs v to broadcast to t[index]'s shape; torch's texts otherwise."""
    ok = len(value) <= len(target) and all(v in (1, t) for v, t in zip(value[::-1], target[::-1]))
    if ok:
        return
    if advanced:
        raise RuntimeError(f"shape mismatch: value tensor of shape [{', '.join(map(str, value))}] cannot be "
                           f"broadcast to indexing result of shape [{', '.join(map(str, target))}]")
    if len(value) <= len(target):
        lead = len(target) - len(value)
        for i in range(len(target) - 1, lead - 1, -1):
            if value[i - lead] not in (1, target[i]):
                raise RuntimeError(
                    f"The expanded size of the tensor ({target[i]}) must match the existing size ({value[i - lead]}) at "
                    f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, target))}].  Tensor sizes: "
                    f"[{', '.join(map(str, value))}]")


def _makes_view(t: Tensor, idx: Any, advanced: bool) -> bool:
    """Whether torch's setitem writes through a view (not for full slices, `...` or advanced indices)."""
    if advanced:
        return False
    items = idx if isinstance(idx, tuple) else (idx,)
    dim = 0
    for it in items:
        if it is Ellipsis:
            dim = t._data.ndim - sum(1 for x in items if x is not None and x is not Ellipsis) + dim
            continue
        if not isinstance(it, slice) or it.indices(t._data.shape[dim]) != (0, t._data.shape[dim], 1):
            return True
        dim += 1
    return False


_SEQ_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in pytorch 2.9; "
    "use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor index, "
    "x[torch.tensor(seq)], which will result either in an error or a different result (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/python_variable_indexing.cpp:349.)")
_ZERO_DIM_INT = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
                 "convert a 0-dim tensor to a number")


def _is_scalar_bool(it: Any) -> bool:
    """True/False, or a 0-d bool tensor: torch adds a dimension of size 1 (or 0) instead of consuming one."""
    return isinstance(it, bool) or (isinstance(it, Tensor) and it._data.ndim == 0 and it._data.dtype == np.bool_)


def normalize_index(t: Tensor, index: Any) -> Any:
    """torch's reading of an index before any indexing: list-as-tuple, and the 0-dim tensor rules."""
    # torch (still, with a deprecation warning) reads a short list holding a sequence, tensor, slice, None or
    # `...` as a tuple of indices: x[[[0], [1]]] is x[[0], [1]]. Other lists are one integer/bool index.
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(it, (Sequence, np.ndarray, Tensor, slice)) or it is None or it is Ellipsis for it in index):
        from ._anomaly import user_stacklevel

        warnings.warn(_SEQ_WARNING, UserWarning, stacklevel=user_stacklevel())
        index = tuple(index)
    if t._data.ndim == 0:
        # A 0-dim tensor has no dimension to index: only None, `...` and scalar bools are allowed.
        if isinstance(index, (int, np.integer)) and not isinstance(index, (bool, np.bool_)):
            if index == 0:
                raise IndexError(_ZERO_DIM_INT)
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size 0")
        if isinstance(index, slice):
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        items = index if isinstance(index, tuple) else (index,)
        if not all(it is None or it is Ellipsis or _is_scalar_bool(it) for it in items):
            raise IndexError("too many indices for tensor of dimension 0")
    return index


def _parse_index(t: Tensor, index: Any, setting: bool = False) -> tuple[Any, bool, type, list, list]:
    """Convert an index to NumPy's form and pick the grad_fn torch would name; torch's errors.

    Scalar bools (True, a 0-d bool tensor) make reading an advanced index (IndexBackward0), but torch's
    setitem writes through a view for them (CopySlices), so with ``setting`` they don't count as advanced.
    With ``setting``, errors of masks and of index tensors are returned (in that order), for the caller
    to raise after its own checks, as torch's index_put_ does.
    """
    items = index if isinstance(index, tuple) else (index,)
    conv = []
    advanced = False
    scalar_bool = False
    for it in items:
        if _is_scalar_bool(it):
            scalar_bool = True
            conv.append(np.asarray(it._data if isinstance(it, Tensor) else it))
            continue
        if isinstance(it, Tensor):
            it = it._data
        if isinstance(it, (list, tuple, np.ndarray)):  # a tuple inside the index is one index tensor
            advanced = True
            arr = np.asarray(it)
            # torch reads an empty list as an empty long tensor
            it = arr if isinstance(it, np.ndarray) or arr.size else arr.astype(np.int64)
            if it.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(it, str):
            raise TypeError("new(): invalid data type 'str'")
        elif isinstance(it, slice):
            if it.step is not None and it.step < 0:
                raise ValueError("step must be greater than zero")
        elif it is not None and it is not Ellipsis and not isinstance(it, (int, np.integer)):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             f"valid indices (got {type(it).__name__})")
        conv.append(it)
    # torch counts the indices first (a mask uses as many dimensions as it has).
    used = sum(x.ndim if isinstance(x, np.ndarray) and x.dtype == bool else 1
               for x in conv if x is not None and x is not Ellipsis)
    if used > t._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {t._data.ndim}")
    # Check indices against their dimension, with torch's messages. Integers are checked while slicing,
    # before anything else; masks and index tensors by index_put_, which setitem runs after its leaf checks.
    masks: list[IndexError] = []
    bounds: list[IndexError] = []
    dim = 0
    for it in conv:
        if it is None:
            continue
        if it is Ellipsis:
            dim = dim + t._data.ndim - used
            continue
        if isinstance(it, np.ndarray) and it.dtype == bool:
            for k, n in enumerate(it.shape):
                if t._data.shape[dim + k] != n:
                    masks.append(IndexError(
                        f"The shape of the mask [{', '.join(map(str, it.shape))}] at index {k} does not match the "
                        f"shape of the indexed tensor [{', '.join(map(str, t._data.shape))}] at index {dim + k}"))
                    break
            dim += it.ndim
            continue
        size = t._data.shape[dim]
        if isinstance(it, np.ndarray) and it.size:
            bad = it[(it < -size) | (it >= size)]
            if bad.size:
                bounds.append(IndexError(
                    f"index {bad.reshape(-1)[0]} is out of bounds for dimension {dim} with size {size}"))
        elif isinstance(it, (int, np.integer)):
            if not -size <= it < size:
                raise IndexError(f"index {it} is out of bounds for dimension {dim} with size {size}")
        dim += 1
    if not setting and (masks or bounds):
        raise (masks + bounds)[0]
    idx = tuple(conv) if isinstance(index, tuple) else conv[0]
    if scalar_bool and not setting:
        advanced = True
    if advanced:
        return idx, True, ops.IndexBackward0, masks, bounds
    if all(x is Ellipsis for x in conv):
        return idx, False, ops.AliasBackward0, masks, bounds
    last = conv[-1]
    if isinstance(last, (int, np.integer)) and not isinstance(last, bool):
        return idx, False, ops.SelectBackward0, masks, bounds
    return idx, False, ops.SliceBackward0, masks, bounds
