"""How ``a @ b`` is routed: PyTorch's matmul cases (1-D, 2-D, batched, broadcast batch) as the
nodes torch builds for each, and the shape checks that run before any node is built."""
from __future__ import annotations

import numpy as np

from . import _dtype as D
from . import ops
from .tensor import _CPP, _SHORT, Tensor, _broadcast_error


# Shape-level checks, so matmul can validate a whole composite route before building any node.
def _check_mm(sa: tuple, sb: tuple, da: D.dtype, db: D.dtype) -> None:
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
    if da is not db:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_CPP[da.name]} != {_CPP[db.name]}")
    if da is D.bool_:  # torch's CPU kernels have no bool matrix product; checked after shapes and dtypes
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _check_mv(sa: tuple, sv: tuple, da: D.dtype, dv: D.dtype) -> None:
    if sa[1] != sv[0]:
        raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sv[0]})")
    if da is not dv:
        v, m = _SHORT[dv.name], _SHORT[da.name]
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {v}, {m}, and {v}")
    if da is D.bool_:
        raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")


def _check_bmm(sa: tuple, sb: tuple, da: D.dtype, db: D.dtype) -> None:
    if (sa[0], sa[2]) != (sb[0], sb[1]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, {sa[2]}] but "
                           f"got: [{sb[0]}, {sb[1]}].")
    if da is D.bool_:  # bmm dispatches on batch1's dtype before comparing it with batch2's
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if da is not db:
        raise RuntimeError(f"expected scalar type {_SHORT[da.name]} but found {_SHORT[db.name]}")


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    """torch.matmul: by ranks, dot, mv, mm, a folded mm/mv or a batched bmm, as torch 2.13 does.

    The route decides which grad_fn nodes the result's graph shows, so it follows torch's.
    """
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return a.dot(b)
    if da == 2 and db == 1:
        return a.mv(b)
    if da == 1 and db == 2:
        _check_mm((1,) + a._data.shape, b._data.shape, a._dtype, b._dtype)
        return ops.SqueezeBackward4.apply(a.unsqueeze(0).mm(b), dims=(0,))
    if da == 2 and db == 2:
        return a.mm(b)
    squeeze_a = squeeze_b = False
    if da == 3 and db == 3:
        # A batch of one that needs a gradient is squeezed, so the fold below can use one mm.
        ba, bb = a._data.shape[0], b._data.shape[0]
        squeeze_a = ba == 1 and bb != 1 and a._requires_grad
        squeeze_b = bb == 1 and ba != 1 and b._requires_grad
    sa = a._data.shape[1:] if squeeze_a else a._data.shape
    sb = b._data.shape[1:] if squeeze_b else b._data.shape
    fold = _should_fold(a, b, sa, sb)
    _check_matmul(sa, sb, a._dtype, b._dtype, fold)  # before any node exists
    a = a.squeeze(0) if squeeze_a else a
    b = b.squeeze(0) if squeeze_b else b
    return _folded_matmul(a, b) if fold else _batched_matmul(a, b)


def _should_fold(a: Tensor, b: Tensor, sa: tuple, sb: tuple) -> bool:
    # Fold the bigger operand's batch into matrix rows when that costs no copy, or when the
    # smaller one needs a gradient (torch's rule, which avoids a large expanded gradient).
    a_larger = len(sa) >= len(sb)
    big, small = (a, b) if a_larger else (b, a)
    big_shape, small_ndim = (sa, len(sb)) if a_larger else (sb, len(sa))
    if not (len(big_shape) >= 3 and small_ndim <= 2):
        return False
    if small._requires_grad:
        return True
    if len(sa) == 2:
        return False
    if int(np.prod(big_shape)) == 0:
        return True
    # A squeezed operand is never the bigger one here, so its strides are the tensor's own.
    strides = big.stride()
    shape = big_shape
    if not a_larger:
        shape, strides = shape[:-2] + shape[:-3:-1], strides[:-2] + strides[:-3:-1]
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(len(shape) - 2))


def _check_matmul(sa: tuple, sb: tuple, da: D.dtype, db: D.dtype, fold: bool) -> None:
    """Raise the error the chosen route's mm, mv or bmm would raise."""
    if fold:
        transpose = len(sb) > len(sa)
        s1 = sb[:-2] + sb[:-3:-1] if transpose else sa
        s2 = (sa[::-1] if len(sa) == 2 else sa) if transpose else sb
        d1, d2 = (db, da) if transpose else (da, db)
        folded = (int(np.prod(s1[:-1])), s1[-1])
        if len(s2) == 2:
            _check_mm(folded, s2, d1, d2)
        else:
            _check_mv(folded, s2, d1, d2)
        return
    n = sa[-2] if len(sa) > 1 else 1
    m2 = sb[-2] if len(sb) > 1 else sb[0]
    p = sb[-1] if len(sb) > 1 else 1
    batch_a, batch_b = sa[:max(len(sa) - 2, 0)], sb[:max(len(sb) - 2, 0)]
    try:
        batch = np.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise _broadcast_error(batch_a, batch_b) from None
    nb = int(np.prod(batch))
    _check_bmm((nb, n, sa[-1]), (nb, m2, p), da, db)


def _folded_matmul(a: Tensor, b: Tensor) -> Tensor:
    transpose = b._data.ndim > a._data.ndim
    t1 = b.mT if transpose else a
    t2 = (a.t() if a._data.ndim == 2 else a) if transpose else b
    lead = t1._data.shape[:-1]
    folded = t1.reshape(int(np.prod(lead)), t1._data.shape[-1])
    if t2._data.ndim == 2:
        out = ops.UnsafeViewBackward0.apply(folded.mm(t2), shape=lead + (t2._data.shape[1],))
        return out.mT.contiguous() if transpose else out
    return ops.UnsafeViewBackward0.apply(folded.mv(t2), shape=lead)


def _batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    da, db = a._data.ndim, b._data.ndim
    n = a._data.shape[-2] if da > 1 else 1
    m1 = a._data.shape[-1]
    m2 = b._data.shape[-2] if db > 1 else b._data.shape[0]
    p = b._data.shape[-1] if db > 1 else 1
    batch = tuple(np.broadcast_shapes(a._data.shape[:max(da - 2, 0)], b._data.shape[:max(db - 2, 0)]))
    nb = int(np.prod(batch))
    a3 = a.expand(*batch, n, m1).reshape(nb, n, m1)
    if db == 1:
        b3 = b.expand(*batch, m2).reshape(nb, m2, 1)
        out = a3.bmm(b3).squeeze(-1)
    else:
        out = a3.bmm(b.expand(*batch, m2, p).reshape(nb, m2, p))
    shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    return ops.UnsafeViewBackward0.apply(out, shape=shape)
