"""PyTorch's CPU float32/float64 ``sum`` reproduced bit for bit with NumPy.

Why: floating-point addition is not associative, so the printed value of a sum depends on the order in
which the elements are added.  NumPy uses pairwise summation; PyTorch's CPU kernel uses a different
"cascade" order, so about half of all float32 sums differed in the last bit and printed losses such as
``41.2949`` vs torch's ``41.2950``.  This module re-implements that order (learned from reading
ATen's SumKernel.cpp and the TensorIterator reduction driver; no code was copied):

* The reduction is driven by a TensorIterator: size-1 dims vanish, reduced dims are ordered first
  (innermost), each group sorted by input stride, then adjacent dims that are contiguous with each
  other are merged.  The kernel sees a 2-D loop (dims 0 and 1); further dims are outer loops whose
  partial results are accumulated into the output with ``out += partial`` in iteration order.
* ``row_sum`` splits a row into 4 interleaved accumulators ("ilp"), each summed by ``multi_row_sum``:
  chunks of ``2**p`` elements (``p = max(4, ceil(log2(n)) // 4)``) are added sequentially and
  propagated through up to 4 levels of accumulators, which are added together at the end.
* A row that is contiguous and at least one SIMD vector long is summed as vectors (``lanes`` floats
  each) with ``row_sum``; the scalar tail is added sequentially, then the vector's lanes in order.
* A reduction over a strided dim whose neighbouring outputs are contiguous sums columns: groups of
  ``4*lanes`` (or 4 for the scalar path) columns with plain ``multi_row_sum``, the rest with
  ``row_sum``.
* Inputs of at least ``GRAIN_SIZE`` elements are split between threads: a full reduction is split
  into equal linear chunks whose sums are then added; otherwise one output dim is split, which
  changes the column grouping above when that dim is the kernel's column dim.

``LANES`` is the float32 SIMD width of the kernel torch actually runs (float64 uses half).  It is 8 on
x86 whether torch reports 'AVX2' or 'AVX512': the sum kernel is registered without an AVX-512 build, so
an AVX-512 CPU runs the AVX2 one (measured: 8-lane order matches torch 2.13 bit for bit on an AVX-512
machine, 16 lanes does not).  torch's portable DEFAULT build also uses 32-byte vectors (8 floats).  Other
architectures (e.g. aarch64 NEON) are unverified and also get 8.  ``NUM_THREADS`` mirrors
``torch.get_num_threads()``'s default (OMP_NUM_THREADS, else the CPUs available to this process; torch
counts physical cores, which differs on hyper-threaded machines).  Both are module attributes so tests
and users can override them.  Layouts this model does not cover fall back to NumPy (see ``sum``).
"""
from __future__ import annotations

import functools
import os

import numpy as np

GRAIN_SIZE = 32768  # at::internal::GRAIN_SIZE: below this many elements a reduction runs serially


def _detect_threads() -> int:
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


LANES = 8  # float32 lanes per SIMD vector in torch's CPU sum kernel (see module docstring)
NUM_THREADS = _detect_threads()


# -- kernels: x has shape (B, n, W); every (B, W) lane is summed independently over axis 1 ----------
def _seq(x: np.ndarray) -> np.ndarray:
    """Strictly left-to-right sum over axis 1 (what a C `acc += v` loop does).

    np.add.accumulate is sequential by definition.  np.add.reduce is too as long as the reduced axis is
    not the innermost loop of NumPy's iterator (pairwise summation only applies to that inner loop):
    the iterator puts the operand's smallest-stride axis innermost, so a kept axis with a smaller stride
    than the reduced one makes the rows be added one after another, each over all lanes at once (checked
    bitwise against np.add.accumulate).  Neither starts from torch's 0, which only changes the sign of a
    zero result, and every path of ``_sum`` finally adds its result to 0 (torch's zero-filled output).
    """
    b, n = x.shape[0], x.shape[1]
    if n == 0:
        return np.zeros((b,) + x.shape[2:], x.dtype)
    if n == 1:
        return x[:, 0]
    sn = x.strides[1]  # strides are never negative here (see _iter_dims)
    if x.ndim == 3:
        inner = (x.shape[2] > 1 and x.strides[2] < sn) or (x.shape[0] > 1 and x.strides[0] < sn)
    else:
        inner = any(st < sn for i, (st, m) in enumerate(zip(x.strides, x.shape)) if m > 1 and i != 1)
    if inner and (x.ndim != 3 or x.shape[0] <= 4 or x.shape[2] >= 128):
        return np.add.reduce(x, axis=1)
    if inner and x.strides[2] < x.strides[0]:
        # many short lanes: NumPy's per-inner-loop overhead dominates, a reordered copy is cheaper
        return np.add.reduce(np.ascontiguousarray(x.swapaxes(0, 1)), axis=0)
    if x.size <= 8192 or x.size == n:  # one (unvectorised) call: beats a copy for small inputs, and a
        # single lane has no other axis to keep the reduced one out of NumPy's (pairwise) inner loop
        return np.add.accumulate(x, axis=1)[:, -1]
    # make the reduced axis the outermost of a contiguous copy
    return np.add.reduce(np.ascontiguousarray(x.swapaxes(0, 1)), axis=0)


def _cascade(x: np.ndarray) -> np.ndarray:
    """multi_row_sum: chunked sums propagated through 4 accumulator levels."""
    n = x.shape[1]
    power = max(4, (int(n - 1).bit_length() if n > 1 else 0) // 4)
    step = 1 << power
    nchunks = n // step
    if not nchunks:  # only the level-0 accumulator is used
        return _seq(x)
    b, w = x.shape[0], x.shape[2:]
    chunks = _seq(x[:, : nchunks * step].reshape((b * nchunks, step) + w)).reshape((b, nchunks) + w)
    # level 1 collects `step` chunk sums, level 2 `step` level-1 sums; level 3 is never emptied.
    g1 = nchunks // step
    if not g1:  # the common case (fewer than step*step rows): acc0 (the rest) + the chunk sums
        tot = _seq(chunks)
        return _seq(x[:, nchunks * step:]) + tot if nchunks * step < n else tot
    lvl1 = _seq(chunks[:, : g1 * step].reshape((b * g1, step) + w)).reshape((b, g1) + w)
    g2 = g1 // step
    lvl2 = _seq(lvl1[:, : g2 * step].reshape((b * g2, step) + w)).reshape((b, g2) + w)
    return _chain(x[:, nchunks * step:], chunks[:, g1 * step:], lvl1[:, g2 * step:], lvl2)


def _chain(*levels: np.ndarray) -> np.ndarray:
    """((acc0 + acc1) + acc2) + acc3 where acc_i is the sequential sum of levels[i] (B, n_i, W).

    An empty level is an accumulator that stayed 0 and is skipped: a zero addend never changes a nonzero
    sum, and every path of ``_sum`` ends by adding its result to 0 (torch's zero-filled output), which
    makes any zero result +0 whatever the signs of the zeros before.
    """
    res = None
    for lv in levels:
        if not lv.shape[1]:
            continue
        acc = _seq(lv)
        res = acc if res is None else res + acc
    if res is None:
        return np.zeros((levels[0].shape[0],) + levels[0].shape[2:], levels[0].dtype)
    return res


def _row_sum(x: np.ndarray) -> np.ndarray:
    """row_sum: 4 interleaved cascade accumulators, tail into the first, then combined in order."""
    b, n, w = x.shape[0], x.shape[1], x.shape[2:]
    q = n // 4
    if not q:  # the accumulators stay 0: only the tail counts (zero addends: see _chain)
        return _seq(x)
    part = _cascade(x[:, : 4 * q].reshape((b, q, 4) + w).reshape((b, q) + (4 * w[0],)))
    part = part.reshape((b, 4) + w)
    r = n - 4 * q
    if not r:
        return _seq(part)
    # the tail joins accumulator 0, then accumulators 1..3 are added to it
    buf = np.empty((b, 4 + r) + w, x.dtype)
    buf[:, :1] = part[:, :1]
    buf[:, 1:1 + r] = x[:, 4 * q:]
    buf[:, 1 + r:] = part[:, 1:]
    return _seq(buf)


def _inner_vec(rows: np.ndarray, lanes: int) -> np.ndarray:
    """vectorized_inner_sum of contiguous rows (B, n) -> (B,)."""
    b, n = rows.shape
    nvec = n // lanes
    vacc = _row_sum(rows[:, : nvec * lanes].reshape(b, nvec, lanes))
    # scalar tail first, then the vector's lanes in order
    t = n - nvec * lanes
    if t:
        buf = np.empty((b, t + lanes), rows.dtype)
        buf[:, :t] = rows[:, nvec * lanes:]
        buf[:, t:] = vacc
        vacc = buf
    return np.add.accumulate(vacc, axis=1)[:, -1]


def _full_contig(x: np.ndarray, lanes: int):
    """The serial full sum of a contiguous 1-D array: _serial's result, with as few NumPy calls as possible.

    Same order as _inner_vec on one row, but empty accumulators are skipped instead of added as zeros:
    the sign of a zero addend never changes a nonzero sum, and the final ``+ 0`` (torch's store into its
    zero-filled output) turns any zero result into +0 either way.  Needs ``lanes >= 2`` so that
    np.add.reduce over axis 0 of (k, lanes) rows runs row after row (see _seq).
    """
    n = x.shape[0]
    if n < lanes:  # torch's scalar path: row_sum with 4 accumulators over x[j::4], the tail into acc0
        q = n // 4
        if not q:
            return np.add.accumulate(x)[-1] + x.dtype.type(0)
        part = np.add.reduce(x[: 4 * q].reshape(q, 4), axis=0)
        vals = np.empty(n - 4 * q + 4, x.dtype)
        vals[0] = part[0]
        vals[1:n - 4 * q + 1] = x[4 * q:]
        vals[n - 4 * q + 1:] = part[1:]
        return np.add.accumulate(vals)[-1] + x.dtype.type(0)
    nvec = n // lanes
    q, r, t = nvec // 4, nvec % 4, n - nvec * lanes
    vacc = None
    if q:
        part = _cascade(x[: 4 * q * lanes].reshape(1, q, 4 * lanes)).reshape(4, lanes)
        if r:  # tail vectors go into accumulator 0, then accumulators 1..3 follow
            buf = np.empty((4 + r, lanes), x.dtype)
            buf[0] = part[0]
            buf[1:1 + r] = x[4 * q * lanes: nvec * lanes].reshape(r, lanes)
            buf[1 + r:] = part[1:]
            part = buf
        vacc = np.add.reduce(part, axis=0)
    elif r:
        vacc = np.add.reduce(x[: nvec * lanes].reshape(r, lanes), axis=0)
    if vacc is None:
        vals = x
    elif t:  # scalar tail first, then the vector's lanes in order
        vals = np.empty(t + lanes, x.dtype)
        vals[:t] = x[nvec * lanes:]
        vals[t:] = vacc
    else:
        vals = vacc
    return np.add.accumulate(vals)[-1] + x.dtype.type(0)


def _columns(block: np.ndarray, group: int) -> np.ndarray:
    """Column sums of (B, n, C): the first C//group*group columns by multi_row_sum, the rest by row_sum."""
    c = block.shape[2]
    full = c // group * group
    if full == c:
        return _cascade(block)
    if not full:
        return _row_sum(block)
    out = np.empty((block.shape[0], c), block.dtype)
    if full:
        out[:, :full] = _cascade(block[:, :, :full])
    if full < c:
        out[:, full:] = _row_sum(block[:, :, full:])
    return out


def _kernel2d(v: np.ndarray, s0: int, s1: int, in0: int, in1: int, lanes: int) -> np.ndarray:
    """Per 2-D loop call: v is (B, s1, s0) (dim 0 reduced); returns the (B, s1) row/column results."""
    es = v.itemsize
    if in0 == es and s0 >= lanes:
        b = v.shape[0]
        return _inner_vec(v.reshape(b * s1, s0), lanes).reshape(b, s1)
    if in1 == es and s1 >= lanes:
        return _columns(v.swapaxes(1, 2), 4 * lanes)
    if in0 < in1:
        return _row_sum(v.reshape(-1, s0)[:, :, None])[:, 0].reshape(v.shape[0], s1)
    return _columns(v.swapaxes(1, 2), 4)


# -- the TensorIterator model -------------------------------------------------------------------
def _iter_dims(a: np.ndarray, axes: frozenset[int]):
    """(size, in_stride, out_stride, reduced, axes) per iterator dim, innermost first, or None if unsupported.

    ``axes`` are the array axes merged into that dim, outermost first.  Cached: the analysis only depends
    on the layout, and redoing it cost more than the sum itself for small arrays.
    """
    return _iter_dims_cached(a.shape, a.strides, axes)


@functools.lru_cache(maxsize=512)
def _iter_dims_cached(shape, strides, axes):
    ndim = len(shape)
    out_shape = [1 if d in axes else n for d, n in enumerate(shape)]
    ostr, acc = [0] * ndim, 1
    for d in reversed(range(ndim)):
        ostr[d] = 0 if d in axes else acc
        acc *= out_shape[d]
    dims = [(shape[d], strides[d], ostr[d], d in axes, (d,)) for d in reversed(range(ndim)) if shape[d] != 1]
    if any(d[1] < 0 for d in dims):
        return None

    def cmp(x, y):  # TensorIterator's reorder comparator: 1 = x goes after y
        if x[3] != y[3]:
            return -1 if x[3] else 1
        for sx, sy in ((x[2], y[2]), (x[1], y[1])):
            if sx == 0 or sy == 0:
                continue
            if sx != sy:
                return -1 if sx < sy else 1
        return 0

    for i in range(1, len(dims)):  # insertion sort that stops at ambiguous comparisons, as ATen does
        j = i
        for k in range(i - 1, -1, -1):
            c = cmp(dims[k], dims[j])
            if c > 0:
                dims[k], dims[j] = dims[j], dims[k]
                j = k
            elif c < 0:
                break
    merged: list[tuple] = []
    for d in dims:
        if merged:
            p = merged[-1]
            if p[3] == d[3] and d[1] == p[0] * p[1] and d[2] == p[0] * p[2]:
                merged[-1] = (p[0] * d[0], p[1], p[2], p[3], d[4] + p[4])
                continue
        merged.append(d)
    return tuple(merged)


def _view(a: np.ndarray, dims) -> np.ndarray:
    """Strided view with the iterator dims, outermost first."""
    if len(dims) == 1 and a.flags.c_contiguous:
        return a.reshape(-1)
    if len(dims[0]) > 4:  # dims of this array: a transpose then a reshape that merges dims (no copy)
        perm, shape = _perm(dims, a.ndim)
        return a.transpose(perm).reshape(shape)
    rev = dims[::-1]
    return np.lib.stride_tricks.as_strided(a, shape=[d[0] for d in rev], strides=[d[1] for d in rev],
                                           writeable=False)


@functools.lru_cache(maxsize=512)
def _perm(dims, ndim):
    order = [ax for d in dims[::-1] for ax in d[4]]
    return tuple(ax for ax in range(ndim) if ax not in order) + tuple(order), tuple(d[0] for d in dims[::-1])


def _serial(a: np.ndarray, dims, lanes: int, split_cols=None) -> np.ndarray:
    """Run the 2-D loop over every outer index; returns results over the non-reduced dims (outermost first)."""
    s0, in0 = dims[0][0], dims[0][1]
    s1, in1 = (dims[1][0], dims[1][1]) if len(dims) > 1 else (1, 0)
    v = _view(a, dims)
    outer = v.shape[:-2] if len(dims) > 1 else ()
    v3 = v.reshape((-1, s1, s0)) if len(dims) > 1 else v.reshape(1, 1, s0)
    if split_cols is None:
        p = _kernel2d(v3, s0, s1, in0, in1, lanes)
    else:  # a thread's column range is its own 2-D loop, so the column grouping restarts there
        p = np.concatenate([_kernel2d(v3[:, b:e], s0, e - b, in0, in1, lanes) for b, e in split_cols], axis=1)
    p = p.reshape(tuple(outer) + (s1,))
    red = [d[3] for d in dims[1:]][::-1] or [True]  # flags of p's axes, outermost first (d1 last)
    keep = [i for i, r in enumerate(red) if not r]
    gone = [i for i, r in enumerate(red) if r]
    q = p.transpose(keep + gone)
    q = q.reshape(q.shape[: len(keep)] + (-1,))
    if q.shape[-1] == 1:  # one partial per output: torch stores 0 + partial
        return q[..., 0] + q.dtype.type(0)
    # out = 0; out += each partial: the leading 0 makes an all-negative-zero sum +0
    return (_seq(q.reshape((-1, q.shape[-1]))[:, :, None])[:, 0] + q.dtype.type(0)).reshape(q.shape[:-1])


def sum(a: np.ndarray, axes=None, keepdims: bool = False, *, lanes: int | None = None,
        threads: int | None = None) -> np.ndarray:
    """torch.sum of a float32/float64 array over ``axes`` (None = all), bit-exact with torch's CPU kernel.

    Falls back to ``np.sum`` (NumPy's pairwise order: may differ from torch in the last bit) for other
    dtypes, empty arrays, negative strides, layouts whose iterator order is ambiguous, multi-threaded
    full reductions of inputs that do not collapse to one dimension (non-contiguous inputs), and
    broadcast views (zero strides).
    """
    key = axes if axes is None or isinstance(axes, (int, np.integer)) else tuple(axes)
    axes, out_shape = _norm_axes(a.shape, key, bool(keepdims))
    try:
        res = _sum(a, axes, lanes, threads)
    except ValueError:
        # The thread-split model has a known gap for some >2-D layouts when more than two threads
        # are assumed; a last-bit difference from torch is better than a failing sum.
        res = None
    if res is None:
        return np.sum(a, axis=tuple(sorted(axes)), keepdims=keepdims)
    return res.reshape(out_shape)


@functools.lru_cache(maxsize=512)
def _norm_axes(shape, axes, keepdims):
    """(reduced axes as a frozenset, result shape); cached since it runs on every call."""
    ndim = len(shape)
    if axes is None:
        axes = tuple(range(ndim))
    axes = frozenset(d % ndim for d in ((axes,) if isinstance(axes, (int, np.integer)) else axes)) if ndim else frozenset()
    out_shape = tuple(1 if d in axes else n for d, n in enumerate(shape)) if keepdims else \
        tuple(n for d, n in enumerate(shape) if d not in axes)
    return axes, out_shape


def _sum(a: np.ndarray, axes, lanes, threads):
    if a.dtype not in (np.float32, np.float64) or a.size == 0:
        return None
    lanes = (LANES if lanes is None else lanes) * 4 // a.itemsize
    threads = NUM_THREADS if threads is None else threads
    dims = _iter_dims(a, axes)
    if dims is None:
        return None
    if not dims or not dims[0][3]:  # nothing left to reduce: torch adds each element to a zero output
        return a + a.dtype.type(0)
    for d in dims:
        if d[1] == 0 or (d[1] % a.itemsize):
            return None
    n = a.size
    full_contig = len(dims) == 1 and dims[0][1] == a.itemsize and lanes >= 2
    if n < GRAIN_SIZE or threads == 1:
        if full_contig:  # the common case (a loss): a shorter path with the same order
            return _full_contig(_view(a, dims), lanes)
        es = a.itemsize
        if len(dims) == 2 and dims[0][3] and not dims[1][3]:  # one 2-D loop call; outputs contiguous
            (s0, in0, _, _, _), (s1, in1, _, _, _) = dims
            if in0 == es and s0 >= lanes:  # sum over the last dim: contiguous rows
                return _inner_vec(_view(a, dims), lanes) + a.dtype.type(0)
            if in1 == es and in0 == s1 * es and lanes >= 2:  # sum over dim 0 (a bias gradient): columns
                block = _view(a, dims).T[None]
                return _columns(block, 4 * lanes if s1 >= lanes else 4)[0] + a.dtype.type(0)
        return _serial(a, dims, lanes)
    if all(d[3] for d in dims):  # two-pass: each thread sums a linear chunk into its own slot
        if len(dims) != 1:
            return None
        tasks = min(threads, -(-n // GRAIN_SIZE))
        chunk = -(-n // tasks)
        flat = _view(a, dims)
        buf = np.zeros(threads, a.dtype)
        for t in range(tasks):
            part = flat[t * chunk:(t + 1) * chunk]
            buf[t] += _full_contig(part, lanes) if full_contig else \
                _serial(part, [(part.shape[0], part.strides[0], 0, True)], lanes)
        return _full_contig(buf, lanes) if lanes >= 2 else _serial(buf, [(threads, a.itemsize, 0, True)], lanes)
    # parallel_dim_reduction: split the outermost non-reduced dim with >= threads entries
    best = len(dims) - 1
    split = best
    for i in range(len(dims) - 1, -1, -1):
        if dims[i][3]:
            break
        if dims[i][0] >= threads:
            split = i
            break
        if dims[i][0] > dims[best][0]:
            best = split = i
    if split != 1:
        return _serial(a, dims, lanes)
    cols = dims[1][0]
    tasks = min(threads, cols)
    chunk = -(-cols // tasks)
    ranges = []
    for t in range(tasks):
        b, e = t * chunk, min((t + 1) * chunk, cols)
        if dims[1][1] == a.itemsize:  # whole 128-byte lines per thread
            m = 128 // a.itemsize
            b, e = b - b % m, (e if e == cols else e - e % m)
        if b < e:
            ranges.append((b, e))
    if len(dims) == 2 and dims[1][1] == a.itemsize and dims[0][1] == cols * a.itemsize and lanes >= 2:
        # sum over dim 0 (a bias gradient): each thread's columns, as in the serial shortcut above
        block = _view(a, dims).T[None]
        out = np.empty(cols, a.dtype)
        for b, e in ranges:
            out[b:e] = _columns(block[:, :, b:e], 4 * lanes if e - b >= lanes else 4)[0]
        return out + a.dtype.type(0)
    return _serial(a, dims, lanes, split_cols=ranges)
