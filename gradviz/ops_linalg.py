"""Linear-algebra ops beyond matmul: trace, cross and dist.

Arguments are checked (torch's errors) by the functions at the bottom before a node is made.
Backward bodies use only operators, gradviz._bmath and this module's dual helpers, so they also
run on Tensors (create_graph=True). Broadcasting of two operands is undone centrally.
"""
from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np

import gradviz._bmath as bm

from . import _dtype as D
from ._lazy import _T
from .function import Function
from .ops import LinalgVectorNormBackward0

_NUMBER = (bool, int, float, np.bool_, np.number)


class TraceBackward0(Function):
    """z = Σᵢ aᵢᵢ"""

    label, formula = "trace", "∂z/∂a = I   (ones on the diagonal)"

    @staticmethod
    def forward(ctx, a):
        ctx.eye = np.eye(*a.shape, dtype=bool)  # where the gradient goes: a constant of the node
        return np.asarray(np.trace(a), dtype=a.dtype if a.dtype.kind == "f" else np.int64)

    @staticmethod
    def backward(ctx, g):
        return (bm.where(ctx.eye, g, 0),)


def _cross(x: Any, y: Any, axis: int) -> Any:
    """x × y along axis (length 3), by components, for arrays and Tensors alike."""
    x0, x1, x2 = (bm.take(x, i, axis) for i in range(3))
    y0, y1, y2 = (bm.take(y, i, axis) for i in range(3))
    return bm.stack([x1 * y2 - x2 * y1, x2 * y0 - x0 * y2, x0 * y1 - x1 * y0], axis)


class LinalgCrossBackward0(Function):
    """z = a × b along dim"""

    label, formula, saves_tensors = "cross", "∂L/∂a = b × g,  ∂L/∂b = g × a", True
    saved_names = ("self", "other")
    saved_for = (1, 0)  # a serves only b's gradient, and b only a's

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.dim = dim
        ctx.save_for_backward(a, b)
        return np.cross(a, b, axisa=dim, axisb=dim, axisc=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        d = ctx.dim
        return (_cross(b, g, d) if b is not None else None), (_cross(g, a, d) if a is not None else None)


_norm_rule = LinalgVectorNormBackward0.backward  # dist's gradient is the norm's, of a − b


class DistBackward0(Function):
    """z = ‖a − b‖ₚ"""

    label, formula, saves_tensors = "dist", "∂z/∂a = ∂‖d‖ₚ/∂d,  ∂z/∂b = −∂‖d‖ₚ/∂d   (d = a − b)", True
    saved_names = ("self", "other", "result")

    @staticmethod
    def forward(ctx, a, b, p):
        ctx.p = p
        d = a - b
        z = LinalgVectorNormBackward0.forward(SimpleNamespace(save_for_backward=lambda *t: None), d, p, None, False)
        ctx.save_for_backward(a, b, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, b, z = ctx.saved_tensors
        d = a - b
        norm_ctx = SimpleNamespace(saved_tensors=(d, z), p=ctx.p, dim=None, keepdim=False, shape=tuple(d.shape))
        (gd,) = _norm_rule(norm_ctx, g)
        return gd, -gd



def _inv(x: Any) -> Any:
    """x⁻¹ (batched): NumPy for arrays, the recorded LinalgInvExBackward0 for Tensors."""
    return np.linalg.inv(x) if bm._is_array(x) else LinalgInvExBackward0.apply(x)


class LinalgDetBackward0(Function):
    """z = det A"""

    label, formula, saves_tensors = "det", "∂z/∂A = z · A⁻ᵀ", True
    saved_names = ("A", "result")

    @staticmethod
    def forward(ctx, a):
        z = np.asarray(np.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, z)
        return z

    @staticmethod
    def backward(ctx, g):
        a, z = ctx.saved_tensors
        scale = bm.reshape(g * z, tuple(z.shape) + (1, 1))
        return (scale * bm.swapaxes(_inv(a), -1, -2),)


class LinalgInvExBackward0(Function):
    """Z = A⁻¹"""

    label, formula, saves_tensors = "inverse", "∂L/∂A = −Zᵀ · g · Zᵀ", True
    saved_names = ("inverse",)

    @staticmethod
    def forward(ctx, a):
        z = np.linalg.inv(a).astype(a.dtype, copy=False)
        # LAPACK hands back each matrix column-major; torch keeps that layout, and a later reshape
        # (a view or a copy) depends on it, so the result has it here too.
        z = np.swapaxes(np.ascontiguousarray(np.swapaxes(z, -1, -2)), -1, -2)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        zt = bm.swapaxes(z, -1, -2)
        return (-(zt @ g @ zt),)


# -- the checked entry points (Tensor methods and torch.* functions) ---------------------------------
def trace(input: Any) -> Any:  # noqa: A002 - torch's names
    if input._dtype is D.bool_:  # torch checks the dtype before the rank
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return TraceBackward0.apply(input)


_CROSS_WARNING = ("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                  "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree with "
                  "that of linalg.cross in a future release. (Triggered internally at /__w/pytorch/pytorch/aten/src/"
                  "ATen/native/Cross.cpp:63.)")


_warned = [False]  # torch gives the deprecation warning once per process (TORCH_WARN_ONCE)


def cross(input: Any, other: Any, dim: Any = None, *, _stacklevel: int = 2) -> Any:  # noqa: A002
    T = _T()
    a, b = input, other
    if a._data.ndim != b._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if dim is None:
        if not _warned[0]:
            _warned[0] = True
            warnings.warn(_CROSS_WARNING, UserWarning, stacklevel=_stacklevel)
        sizes = [i for i, n in enumerate(a._data.shape) if n == 3]
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes[0]
    d = a._dim(dim)
    na, nb = a._data.shape[d], b._data.shape[d]
    if na != 3 or nb != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {d} must have length 3. Got {na} and {nb}")
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise T._broadcast_error(a._data.shape, b._data.shape) from None
    rt = D.result_type([(t._dtype, T._prio(t)) for t in (a, b)])
    return LinalgCrossBackward0.apply(a, b, _cast=rt.np, dim=d)


def dist(input: Any, other: Any, p: Any = 2) -> Any:  # noqa: A002
    T = _T()
    if not isinstance(p, _NUMBER):
        raise TypeError(f"dist(): argument 'p' (position 3) must be Number, not {type(p).__name__}")
    a, b = input, other
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise T._broadcast_error(a._data.shape, b._data.shape) from None
    rt = D.result_type([(t._dtype, T._prio(t)) for t in (a, b)])
    if not rt.is_floating_point:
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{D.SHORT_NAMES[rt.name]} instead.")
    return DistBackward0.apply(a, b, _cast=rt.np, p=float(p))



class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError (its class is torch._C._LinAlgError): a singular matrix."""


_LinAlgError.__module__ = "torch._C"


def _square_check(name: str, a: Any, floating: bool = True) -> None:
    if a._data.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    n, m = a._data.shape[-2:]
    if n != m:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are {n} by {m} matrices")
    if floating and not a._dtype.is_floating_point:
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as input. Got "
                           f"{D.SHORT_NAMES[a._dtype.name]}")


def _first_zero_pivot(m: np.ndarray) -> int:
    """LAPACK getrf's info: the 1-based index of the first exactly zero pivot of LU with partial pivoting
    (0: none)."""
    u = np.array(m, dtype=np.float64)
    n = u.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1:] -= np.outer(u[k + 1:, k] / u[k, k], u[k])
    return 0


def det(input: Any) -> Any:  # noqa: A002
    _square_check("det", input)
    return LinalgDetBackward0.apply(input)


def inverse(input: Any) -> Any:  # noqa: A002
    _square_check("inv", input)
    a = input._data
    try:
        np.linalg.inv(a)
    except np.linalg.LinAlgError:
        batch = a.reshape(-1, *a.shape[-2:])
        for i, m in enumerate(batch):
            pivot = _first_zero_pivot(m)
            if pivot:
                where = f"(Batch element {i}): " if a.ndim > 2 else ""
                raise _LinAlgError(f"linalg.inv: {where}The diagonal element {pivot} is zero, the "
                                   "inversion could not be completed because the input matrix is singular.") from None
        raise
    return LinalgInvExBackward0.apply(input)


def tensordot(a: Any, b: Any, dims: Any = 2, out: Any = None) -> Any:
    """Σ over the paired dims of a and b; built from permute, reshape and mm as torch builds it, so
    the graph shows the same nodes (a size-1 contracted dim is summed out first, as torch does)."""
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a._data.ndim or dims > b._data.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(-dims, 0)), list(range(dims))
    else:
        lists = [d.tolist() if hasattr(d, "tolist") else d for d in dims]
        if any(isinstance(d, (int, np.integer)) for d in lists):
            raise TypeError("tensordot(): argument 'dims_self' (position 3) must be tuple of ints, not int")
        da, db = ([int(x) for x in d] for d in lists)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    t1, t2 = a, b
    csize = 1
    for x, y in zip(da, db):
        s1, s2 = a._data.shape[a._dim(x)], b._data.shape[b._dim(y)]
        if s2 == 1:  # a broadcast dim is summed right away
            t1 = t1.sum(x, True)
        elif s1 == 1:
            t2 = t2.sum(y, True)
        else:
            if s1 != s2:
                raise RuntimeError(f"contracted dimensions need to match, but first has size {s1} in dim {x} and "
                                   f"second has size {s2} in dim {y}")
            csize *= s1
    c1, c2 = {a._dim(x) for x in da}, {b._dim(y) for y in db}
    for c, dl, t in ((c1, da, a), (c2, db, b)):
        if len(c) != len(dl):
            dup = next(t._dim(x) for i, x in enumerate(dl) if t._dim(x) in [t._dim(z) for z in dl[:i]])
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    free1 = [i for i in range(a._data.ndim) if i not in c1]
    free2 = [i for i in range(b._data.ndim) if i not in c2]
    size1 = int(np.prod([t1._data.shape[i] for i in free1]))
    size2 = int(np.prod([t2._data.shape[i] for i in free2]))
    rsizes = [t1._data.shape[i] for i in free1] + [t2._data.shape[i] for i in free2]
    if size1 == 1 and size2 == 1:  # torch takes a dot product of the flattened operands then
        v1 = t1.permute(free1 + [a._dim(x) for x in da]).flatten()
        v2 = t2.permute([b._dim(y) for y in db] + free2).flatten()
        return v1.dot(v2).reshape(rsizes)
    m1 = t1.permute(free1 + [a._dim(x) for x in da]).reshape(size1, csize)
    m2 = t2.permute([b._dim(y) for y in db] + free2).reshape(csize, size2)
    return m1.mm(m2).reshape(rsizes)


def kron(a: Any, b: Any) -> Any:
    """The Kronecker product, as torch computes it: both operands viewed with interleaved 1s, multiplied
    (broadcasting), and the product viewed as the result (UnsafeView, Mul, UnsafeView in the graph)."""
    from . import ops

    n = max(a._data.ndim, b._data.ndim)
    sa = (1,) * (n - a._data.ndim) + a._data.shape
    sb = (1,) * (n - b._data.ndim) + b._data.shape
    va = ops.UnsafeViewBackward0.apply(a, shape=tuple(x for s in sa for x in (s, 1)))
    vb = ops.UnsafeViewBackward0.apply(b, shape=tuple(x for s in sb for x in (1, s)))
    prod = va * vb
    return ops.UnsafeViewBackward0.apply(prod, shape=tuple(x * y for x, y in zip(sa, sb)))



def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Any:  # noqa: A002
    """n-th forward difference along dim, as torch computes it: narrow(1:) − narrow(:-1), n times
    (XOR for bool), after prepend/append are concatenated; n = 0 gives a copy."""
    from .creation import zeros_like
    from .functional import cat

    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    for t in (prepend, append):
        if t is not None and t._data.ndim != input._data.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    d = input._dim(dim)
    x = input
    if n and (prepend is not None or append is not None):
        x = cat([t for t in (prepend, input, append) if t is not None], d)
    if n == 0:
        return zeros_like(x).copy_(x)
    size = x._data.shape[d]
    out_len = size - 1
    for _ in range(min(n, size)):
        hi, lo = x.narrow(d, 1, out_len), x.narrow(d, 0, out_len)
        x = hi ^ lo if x._dtype is D.bool_ else hi - lo
        out_len -= 1
    return x



def matrix_power(input: Any, n: int) -> Any:  # noqa: A002
    """Aⁿ by repeated squaring with matmul, in torch's order (so the graph matches): n = 0 a copy of
    I into a clone, n = 1 a clone, n < 0 the inverse's power, n = 3 (A·A)·A."""
    from .creation import eye

    _square_check("matrix_power", input, floating=False)
    a = input
    if n == 0:
        return a.clone().copy_(eye(a._data.shape[-1], dtype=a.dtype))
    if n < 0:
        a, n = inverse(a), -n
        if n == 1:
            return a
    elif n == 1:
        return a.clone()
    if n == 2:
        return a @ a
    if n == 3:
        return (a @ a) @ a
    z = result = None
    while n > 0:
        z = a if z is None else z @ z
        if n & 1:
            result = z if result is None else result @ z
        n >>= 1
    return result


class _LinalgMethods:
    """Tensor.trace / cross / dist (Tensor inherits them)."""

    __slots__ = ()

    def trace(self) -> Any:
        return trace(self)

    def cross(self, other: Any, dim: Any = None) -> Any:
        return cross(self, other, dim, _stacklevel=3)

    def dist(self, other: Any, p: Any = 2) -> Any:
        return dist(self, other, p)

    def kron(self, other: Any) -> Any:
        return kron(self, other)

    def det(self) -> Any:
        return det(self)

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Any:
        return diff(self, n, dim, prepend, append)

    def inverse(self) -> Any:
        return inverse(self)

    def matrix_power(self, n: int) -> Any:
        return matrix_power(self, n)
