"""Tensor methods of the indexing ops (gradviz.ops_index): gather, index_select, flip, roll, ...

``Tensor`` inherits them from ``_IndexMethods``. Each checks its arguments first, with torch's
exact error types and texts, then builds the NumPy index its op needs; no node exists before.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype as D
from . import ops_index as X
from ._lazy import _T, _tensor_arg

_REQUIRED: Any = object()


def _dims_arg(value: Any) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


class _IndexMethods:
    __slots__ = ()

    def gather(self, dim: int, index: Any, *, sparse_grad: bool = False) -> Any:
        index = _tensor_arg("gather", "index", 2, index)
        d = self._dim(dim)
        if index._dtype not in (D.int64, D.int32):
            raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        a_shape = self._data.shape or (1,)
        idx = index._data.astype(np.int64)
        if max(index._data.ndim, 1) != len(a_shape):
            raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
        i_shape = idx.shape or (1,)
        for k, (n_i, n_a) in enumerate(zip(i_shape, a_shape)):
            if k != d and n_i > n_a:
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {list(idx.shape)} to be no larger than "
                    f"self {list(self._data.shape)} apart from dimension {d}")
        full = _along(idx, i_shape, d, a_shape[d])
        if not idx.ndim:
            full = (idx,)  # a 0-d index (into a 0-d or 1-D input): a 0-d result
        return X.GatherBackward0.apply(self, index=full)

    def index_select(self, dim: int, index: Any) -> Any:
        index = _tensor_arg("index_select", "index", 2, index)
        d = self._dim(dim)
        if index._dtype not in (D.int64, D.int32):
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        if index._data.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        idx = index._data.reshape(-1).astype(np.int64)
        if not self._data.ndim:
            if idx.size != 1:
                raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
            if idx[0] != 0:
                raise IndexError("index out of range in self")
        elif ((idx < 0) | (idx >= self._data.shape[d])).any():
            raise IndexError("index out of range in self")
        return X.IndexSelectBackward0.apply(self, dim=d, index=idx)

    def masked_select(self, mask: Any) -> Any:
        mask = _tensor_arg("masked_select", "mask", 1, mask)
        if mask._dtype is not D.bool_:
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        try:
            np.broadcast_shapes(self._data.shape, mask._data.shape)
        except ValueError:
            raise _T()._broadcast_error(mask._data.shape, self._data.shape) from None  # torch names the mask a
        return X.MaskedSelectBackward0.apply(self, mask=mask._data)

    def flip(self, *dims: Any) -> Any:
        if not dims:
            raise TypeError('flip() missing 1 required positional arguments: "dims"')
        dims = _dims_arg(dims[0]) if len(dims) == 1 else dims
        ds = self._reduce_dims(dims) or ()
        index = tuple(slice(None, None, -1) if k in ds else slice(None) for k in range(self._data.ndim))
        return X.FlipBackward0.apply(self, index=index)

    def roll(self, shifts: Any = _REQUIRED, dims: Any = None) -> Any:
        if shifts is _REQUIRED:
            raise TypeError('roll() missing 1 required positional arguments: "shifts"')
        shifts = _dims_arg(shifts)
        dims = () if dims is None else _dims_arg(dims)
        if not dims and len(shifts) == 1:
            n = self._data.size
            perm = (np.arange(n) - int(shifts[0])) % n if n else np.arange(0)
            return X.RollBackward0.apply(self, perms=[(None, perm)])
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        perms = []
        for s, dim in zip(shifts, dims):
            d = self._dim(dim, scalar=False)
            n = self._data.shape[d]
            perms.append((d, (np.arange(n) - int(s)) % n if n else np.arange(0)))
        return X.RollBackward0.apply(self, perms=perms)

    def _triangle(self, op: Any, name: str, diagonal: int) -> Any:
        if self._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        rows, cols = self._data.shape[-2:]
        offset = np.arange(cols)[None, :] - np.arange(rows)[:, None]
        keep = offset <= diagonal if name == "tril" else offset >= diagonal
        return op.apply(self, keep=keep)

    def tril(self, diagonal: int = 0) -> Any:
        return self._triangle(X.TrilBackward0, "tril", diagonal)

    def triu(self, diagonal: int = 0) -> Any:
        return self._triangle(X.TriuBackward0, "triu", diagonal)

    def _diag_index(self, offset: int, d1: int, d2: int) -> tuple:
        """The diagonal's advanced index, where a[index] puts its axis, its length and start."""
        shp = self._data.shape
        r0, c0 = max(-offset, 0), max(offset, 0)
        length = max(0, min(shp[d1] - r0, shp[d2] - c0))
        index: list = [slice(None)] * len(shp)
        index[d1], index[d2] = np.arange(length) + r0, np.arange(length) + c0
        # NumPy puts the advanced axis where the two index arrays sit if they are adjacent, else first.
        move = min(d1, d2) if abs(d1 - d2) == 1 else 0
        return tuple(index), move, length, r0, c0

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
        d1, d2 = self._dim(dim1), self._dim(dim2)
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        index, move, length, r0, c0 = self._diag_index(offset, d1, d2)
        a = self._data
        start = a[tuple(slice(r0 if k == d1 else c0 if k == d2 else 0, None) for k in range(a.ndim))] \
            if length else a
        keep = [k for k in range(a.ndim) if k not in (d1, d2)]
        view = np.lib.stride_tricks.as_strided(
            start, tuple(a.shape[k] for k in keep) + (length,),
            tuple(a.strides[k] for k in keep) + (a.strides[d1] + a.strides[d2],))
        return X.DiagonalBackward0.apply(self, index=index, move=move, view=view)

    def diag(self, diagonal: int = 0) -> Any:
        nd = self._data.ndim
        if nd == 1:
            return X.DiagEmbedBackward0.apply(self, offset=diagonal)
        if nd != 2:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
        index, move, _, _, _ = self._diag_index(diagonal, 0, 1)
        return X.DiagonalBackward0_copy.apply(self, index=index, move=move, view=None)

    # -- shape helpers built on existing nodes (SelectBackward0, PermuteBackward0, RepeatBackward0, ViewBackward0)
    def select(self, dim: int, index: int) -> Any:
        if not self._data.ndim:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        d = self._dim(dim)
        n = self._data.shape[d]
        if not -n <= index < n:
            raise IndexError(f"select(): index {index} out of range for tensor of size {list(self._data.shape)} at "
                             f"dimension {d}")
        return self[(slice(None),) * d + (index,)]

    def movedim(self, source: Any, destination: Any) -> Any:
        src, dst = _dims_arg(source), _dims_arg(destination)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                               f"the same number of dims as destination ({list(dst)} dims)")
        n = self._data.ndim
        s, t = [self._dim(x) for x in src], [self._dim(x) for x in dst]
        for name, given, ds in (("source", src, s), ("destination", dst, t)):
            if len(set(ds)) != len(ds):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
        if not n:
            return self[...]  # torch: an alias of a 0-d tensor (AliasBackward0)
        order: list = [None] * n
        for a, b in zip(s, t):
            order[b] = a
        rest = iter(k for k in range(n) if k not in s)
        return self.permute([k if k is not None else next(rest) for k in order])

    moveaxis = movedim

    def tile(self, *dims: Any) -> Any:
        dims = _dims_arg(dims[0]) if len(dims) == 1 else dims
        lead = (1,) * max(self._data.ndim - len(dims), 0)  # fewer reps than dims: padded with 1s in front
        return self.repeat(lead + tuple(dims))

    def unflatten(self, dim: int, sizes: Any) -> Any:
        d = self._dim(dim)
        sizes = tuple(sizes)
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        n = self._data.shape[d]
        known = int(np.prod([s for s in sizes if s != -1]))
        if sizes.count(-1) == 1 and known and n % known == 0:
            sizes = tuple(n // known if s == -1 else s for s in sizes)
        elif -1 not in sizes and known != n:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
                               f"({n}) in the input tensor")
        shp = self._data.shape
        return self.view(shp[:d] + sizes + shp[d + 1:])


def _along(idx: np.ndarray, i_shape: tuple, d: int, size: int) -> tuple:
    """torch's bounds check of a gather/scatter index along dim ``d`` (of length ``size``), then one
    index array per axis: the index itself along dim, the position elsewhere."""
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        raise RuntimeError(f"index {idx[bad].flat[0]} is out of bounds for dimension {d} with size {size}")
    grids = np.meshgrid(*[np.arange(n) for n in i_shape], indexing="ij", sparse=True)
    return tuple(idx.reshape(i_shape) if k == d else grids[k] for k in range(len(i_shape)))
