"""Every differentiable op, one table: gradcheck in float64 on hypothesis inputs, and torch parity.

``CASES`` holds one or more rows per op class of ``Function.registry``. A row names the grad_fn
the expression must produce, the expression itself (written once, against the API gradviz and
torch share, so the same function runs on both) and a hypothesis strategy drawing float64
inputs (with broadcasting shapes for binary ops, 0-d where meaningful, domains kept away
from kinks and poles). ``ERRORS`` holds every op's error inputs, or the reason it has none.
Meta-tests fail when an op in the registry lacks a row or an error entry.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradviz
from gradviz.function import Function
from gradcheck import gradcheck

from hypothesis import settings as _settings

MAX_EXAMPLES = _settings.default.max_examples  # the suite profile (tests/conftest.py) sets it

# -- input strategies ---------------------------------------------------------------------------
SIDE = 3  # small shapes keep 200 examples per op affordable


@dataclass(frozen=True)
class Dom:
    """Where an input's values live: uniform on [lo, hi], or |x| in [lo, hi] with either sign.

    Hypothesis draws shapes, parameters and a seed; the values come from NumPy's generator with
    that seed. Drawing each element through hypothesis costs milliseconds per example on a
    loaded machine, and gradcheck needs ordinary values, not float edge cases.
    """

    lo: float = -3.0
    hi: float = 3.0
    two_sided: bool = False
    step: float = 0.0  # > 0: multiples of step (exact in float32 for dyadic steps)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        x = rng.uniform(self.lo, self.hi, size=shape)
        if self.two_sided:
            x = x * rng.choice([-1.0, 1.0], size=shape)
        if self.step:
            x = np.round(x / self.step) * self.step
        return np.asarray(x, dtype=np.float64)


def reals(lo: float = -3.0, hi: float = 3.0) -> Dom:
    return Dom(lo, hi)


def away(lo: float = 0.1, hi: float = 3.0) -> Dom:
    """|x| >= lo: clear of a pole or kink at 0 by far more than gradcheck's eps."""
    return Dom(lo, hi, two_sided=True)


def dyadic() -> Dom:
    # Multiples of 2**-10 within +-3: exact in float32 even after adding +-2**-12.
    return Dom(-3.0, 3.0, step=2.0 ** -10)


@functools.lru_cache(maxsize=None)
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes of up to SIDE per axis, and at most 2 per axis for 3-D (gradcheck's cost grows with size)."""
    small = hnp.array_shapes(min_dims=min_dims, max_dims=min(max_dims, 2), min_side=min_side, max_side=SIDE)
    if max_dims < 3:
        return small
    return st.one_of(small, hnp.array_shapes(min_dims=3, max_dims=max_dims, min_side=min_side, max_side=2))


SEEDS = st.integers(0, 2 ** 32 - 1)
BROADCASTING = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=SIDE)
BATCHES = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=2, max_side=2)


@functools.lru_cache(maxsize=None)
def array(shape: Any, dom: Dom | None = None) -> st.SearchStrategy[np.ndarray]:
    """A float64 array of the given shape (or shape strategy) with values from ``dom``.

    Cached: composites below ask for the same few strategies again and again, and hypothesis
    spends more time validating a fresh strategy object than drawing from it.
    """
    dom = dom if dom is not None else reals()
    shape_st = shape if isinstance(shape, st.SearchStrategy) else st.just(tuple(shape))
    return st.tuples(shape_st, SEEDS).map(lambda t: dom.sample(np.random.default_rng(t[1]), t[0]))


@dataclass
class Sample:
    arrays: tuple[np.ndarray, ...]
    kw: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # hypothesis prints failing examples with this
        return f"Sample({[a.tolist() for a in self.arrays]}, {self.kw})"


def unary(elements: Dom | None = None, min_dims: int = 0, max_dims: int = 3,
          **kw: st.SearchStrategy) -> st.SearchStrategy[Sample]:
    return st.builds(lambda a, **k: Sample((a,), k), array(shapes(min_dims, max_dims), elements),
                     **kw)


def inplace_binary(el_b: Dom | None = None, el_a: Dom | None = None) -> st.SearchStrategy[Sample]:
    """a and a b that broadcasts to a's shape (an in-place op cannot grow its tensor)."""
    @st.composite
    def draw(d: Any) -> Sample:
        a = d(array(shapes(), el_a))
        suffix = a.shape[a.ndim - d(st.integers(0, a.ndim)):]
        b_shape = tuple(1 if d(st.booleans()) else n for n in suffix)
        return Sample((a, d(array(b_shape, el_b))))
    return draw()


def binary(el_a: Dom | None = None, el_b: Dom | None = None,
           **kw: st.SearchStrategy) -> st.SearchStrategy[Sample]:
    """Two arrays of mutually broadcastable shapes (0-d included)."""
    @st.composite
    def draw(d: Any) -> Sample:
        sa, sb = d(BROADCASTING).input_shapes
        return Sample((d(array(sa, el_a)), d(array(sb, el_b))), {k: d(v) for k, v in kw.items()})
    return draw()


@st.composite
def with_dim(d: Any, elements: Dom | None = None, min_dims: int = 1,
             tuple_dims: bool = False) -> Sample:
    """One array plus a valid dim (or tuple of dims) and keepdim."""
    a = d(array(shapes(min_dims), elements))
    n = a.ndim
    if tuple_dims:
        dims = d(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        dim: Any = tuple(x - n if d(st.booleans()) else x for x in dims)
    else:
        dim = d(st.integers(-n, n - 1))
    return Sample((a,), {"dim": dim, "keepdim": d(st.booleans())})


@st.composite
def matrices(d: Any, kind: str) -> Sample:
    n, k, m, b = (d(st.integers(1, SIDE)) for _ in range(4))
    shapes_ = {"mm": ((n, k), (k, m)), "mv": ((n, k), (k,)), "dot": ((k,), (k,)), "bmm": ((b, n, k), (b, k, m)),
               "vecmat": ((k,), (k, m))}[kind]
    return Sample(tuple(d(array(s)) for s in shapes_))


@st.composite
def index_sample(d: Any, kind: str) -> Sample:
    a = d(array(shapes(1)))
    n = a.shape[0]
    if kind == "select":
        return Sample((a,), {"index": d(st.integers(-n, n - 1))})
    if kind == "select2":
        assume(a.ndim >= 2)
        return Sample((a,), {"index": (slice(None), d(st.integers(-a.shape[1], a.shape[1] - 1)))})
    if kind == "slice":
        start = d(st.integers(0, n - 1))
        return Sample((a,), {"index": slice(start, d(st.integers(start + 1, n)), d(st.integers(1, 2)))})
    if kind == "advanced":  # repeated indices must add up in the gradient
        return Sample((a,), {"index": d(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4))})
    raise AssertionError(kind)


@st.composite
def expand_sample(d: Any) -> Sample:
    shape = d(shapes(0, 2))
    target = tuple(d(st.integers(1, SIDE)) if s == 1 else s for s in shape)
    lead = tuple(d(st.lists(st.integers(1, SIDE), max_size=1)))
    return Sample((d(array(shape)),), {"size": lead + target})


@st.composite
def permute_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    return Sample((a,), {"dims": tuple(d(st.permutations(range(a.ndim))))})


@st.composite
def transpose_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    n = a.ndim
    return Sample((a,), {"d0": d(st.integers(-n, n - 1)), "d1": d(st.integers(-n, n - 1))})


@st.composite
def squeeze_sample(d: Any, kind: str) -> Sample:
    # Shapes with size-1 axes, so squeeze has something to remove.
    shape = d(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=2))
    a = d(array(shape))
    n = a.ndim
    if kind == "all":
        return Sample((a,))
    if kind == "dim":
        return Sample((a,), {"dim": d(st.integers(-n, n - 1))})
    return Sample((a,), {"dim": tuple(d(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True)))})


@st.composite
def setitem_sample(d: Any, kind: str, number: bool = False) -> Sample:
    """t[index] = v with a partial ("view"), whole ("full") or advanced index; v a tensor or a number."""
    a = d(array(shapes(1)))
    n = a.shape[0]
    if kind == "advanced":
        index: Any = d(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    elif kind == "full":
        index = d(st.sampled_from([slice(None), Ellipsis, slice(0, n)]))
    else:
        assume(n > 1 or a.ndim > 1)
        index = d(st.one_of(st.integers(-n, n - 1), st.just(slice(0, n - 1)) if n > 1 else st.just(0)))
    if number:
        return Sample((a,), {"index": index, "v": d(st.sampled_from([2.5, -1.0, 0.0]))})
    value_shape = a[index].shape
    # The value may broadcast into the slot: fewer axes, or size-1 axes.
    if value_shape and d(st.booleans()):
        value_shape = value_shape[1:]
    if value_shape and d(st.booleans()):
        value_shape = (1,) + value_shape[1:]
    return Sample((a, d(array(value_shape))), {"index": index})


def _no_ties(a: np.ndarray, gap: float = 1e-3) -> bool:
    flat = np.sort(a.reshape(-1))
    return flat.size < 2 or bool(np.min(np.diff(flat)) > gap)


@st.composite
def extreme_sample(d: Any, with_dim: bool) -> Sample:
    a = d(array(shapes(0 if not with_dim else 0)))
    assume(_no_ties(a))  # ties are kinks of max/min
    if not with_dim:
        return Sample((a,))
    n = max(a.ndim, 1)
    return Sample((a,), {"dim": d(st.integers(-n, n - 1)), "keepdim": d(st.booleans())})


@st.composite
def apart_pair(d: Any) -> Sample:
    """Broadcastable a, b never within 1e-3 of each other (a = b is maximum's kink)."""
    sample = d(binary())
    a, b = sample.arrays
    assume(bool(np.all(np.abs(a - b) > 1e-3)) if a.size and b.size else True)
    return sample


@st.composite
def norm_sample(d: Any) -> Sample:
    p = d(st.sampled_from([2, 1, 3, 1.5, math.inf, "fro"]))
    a = d(array(shapes(0), away(0.1)))
    if p == math.inf:  # a tie between largest |a| is a kink; keep the maximum unique
        flat = np.abs(a).reshape(-1)
        assume(flat.size < 2 or np.sort(flat)[-1] - np.sort(flat)[-2] > 1e-3)
    dim = None
    if a.ndim and d(st.booleans()) and p != math.inf:
        dim = d(st.integers(-a.ndim, a.ndim - 1))
    return Sample((a,), {"p": p, "dim": dim, "keepdim": d(st.booleans())})


# -- strategies for the issue-3 ops ------------------------------------------------------------------
@dataclass(frozen=True)
class OffGrid(Dom):
    """(n + offset + u)·scale with n an integer and |u| <= 0.4: clear of the jumps of floor/round."""

    offset: float = 0.0
    scale: float = 1.0

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        n = rng.integers(-3, 4, size=shape)
        return np.asarray((n + self.offset + rng.uniform(-0.4, 0.4, size=shape)) * self.scale, dtype=np.float64)


def _apart(x: np.ndarray, y: Any, gap: float = 1e-3) -> bool:
    return bool(np.all(np.abs(np.asarray(x) - np.asarray(y)) > gap))


@st.composite
def clamp_numbers(d: Any) -> Sample:
    a = d(array(shapes()))
    lo, hi = d(st.sampled_from([(-1.0, 1.0), (None, 0.5), (-0.5, None), (0.25, 2.0)]))
    assume(all(_apart(a, b) for b in (lo, hi) if b is not None))
    return Sample((a,), {"lo": lo, "hi": hi})


@st.composite
def clamp_tensors(d: Any, which: str = "both", crossed: bool = False) -> Sample:
    """a and tensor bounds of broadcasting shapes, each bound clear of a; hi = lo + w (or lo − w, crossed)."""
    sa, sb = d(BROADCASTING).input_shapes
    a, lo = d(array(sa)), d(array(sb))
    w = d(array(sb, reals(0.5, 2.0)))
    hi = lo - w if crossed else lo + w
    bounds = {"both": (lo, hi), "min": (lo,), "max": (hi,)}[which]
    assume(all(_apart(a, b) for b in bounds) if a.size and lo.size else True)
    return Sample((a, *bounds))


@st.composite
def mask_sample(d: Any, value_tensor: bool = False, inplace: bool = False) -> Sample:
    sa, sm = d(BROADCASTING).input_shapes
    if inplace:  # the mask must broadcast to a's own shape
        sm = sa[len(sa) - min(len(sm), len(sa)):]
        sm = tuple(1 if d(st.booleans()) else n for n in sm)
    a = d(array(sa))
    mask = np.random.default_rng(d(SEEDS)).random(sm) < 0.5
    if value_tensor:
        return Sample((a, d(array(()))), {"mask": mask})
    return Sample((a,), {"mask": mask, "value": d(st.sampled_from([0.0, -2.5, 1e3]))})


@st.composite
def var_sample(d: Any, with_dims: bool = True) -> Sample:
    a = d(array(shapes(0 if not with_dims else 1)))
    kw: dict = {}
    if with_dims:
        n = a.ndim
        dims = d(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
        kw["dim"] = tuple(x - n if d(st.booleans()) else x for x in dims)
        kw["keepdim"] = d(st.booleans())
        count = int(np.prod([a.shape[x] for x in dims]))
    else:
        count = a.size
    kw["correction"] = d(st.sampled_from([0, 1, 2]))
    assume(count - kw["correction"] > 0)
    return Sample((a,), kw)


@st.composite
def amax_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    assume(_no_ties(a))
    n = a.ndim
    dims = d(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    return Sample((a,), {"dim": tuple(x - n if d(st.booleans()) else x for x in dims), "keepdim": d(st.booleans())})


@st.composite
def repeat_sample(d: Any) -> Sample:
    a = d(array(shapes(0, 2)))
    extra = d(st.integers(0, 1))
    return Sample((a,), {"reps": tuple(d(st.integers(1, 2)) for _ in range(a.ndim + extra))})


@st.composite
def split_sample(d: Any, kind: str) -> Sample:
    a = d(array(shapes(1)))
    dim = d(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[dim]
    if kind == "sizes":
        cuts = sorted(d(st.lists(st.integers(0, n), max_size=2)))
        sizes = [y - x for x, y in zip([0] + cuts, cuts + [n])]
        return Sample((a,), {"arg": sizes, "dim": dim, "k": d(st.integers(0, len(sizes) - 1))})
    arg = d(st.integers(1, n + 1))
    count = {"split": -(-n // arg), "chunk": -(-n // -(-n // arg)), "unbind": n}[kind]
    return Sample((a,), {"arg": arg, "dim": dim, "k": d(st.integers(0, count - 1))})


@st.composite
def narrow_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    dim = d(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[dim]
    start = d(st.integers(-n, n - 1))
    length = d(st.integers(0, n - start % n))
    return Sample((a,), {"dim": dim, "start": start, "length": length})


@st.composite
def two_vectors(d: Any) -> Sample:
    return Sample((d(array((d(st.integers(1, SIDE)),))), d(array((d(st.integers(1, SIDE)),)))))


@st.composite
def expand_as_sample(d: Any) -> Sample:
    sample = d(expand_sample())
    return Sample(sample.arrays, {"shape": sample.kw["size"]})


# -- strategies for the indexing ops (gradviz.ops_index) ---------------------------------------------
@st.composite
def gather_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    dim = d(st.integers(-a.ndim, a.ndim - 1))
    shape = tuple(d(st.integers(1, SIDE)) if k == dim % a.ndim else d(st.integers(1, n)) for k, n in enumerate(a.shape))
    rng = np.random.default_rng(d(SEEDS))
    index = rng.integers(0, a.shape[dim], size=shape)  # repeats must add up in the gradient
    return Sample((a,), {"dim": dim, "index": index.tolist()})


@st.composite
def index_select_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    dim = d(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[dim]
    return Sample((a,), {"dim": dim, "index": d(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))})


@st.composite
def masked_select_sample(d: Any) -> Sample:
    sa, sm = d(BROADCASTING).input_shapes
    return Sample((d(array(sa)),), {"mask": (np.random.default_rng(d(SEEDS)).random(sm) < 0.5).tolist()})


@st.composite
def flip_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    n = a.ndim
    dims = d(st.lists(st.integers(0, n - 1), max_size=n, unique=True))
    return Sample((a,), {"dims": tuple(x - n if d(st.booleans()) else x for x in dims)})


@st.composite
def roll_sample(d: Any) -> Sample:
    a = d(array(shapes(0)))
    if a.ndim == 0 or d(st.booleans()):
        return Sample((a,), {"shifts": d(st.integers(-5, 5)), "dims": None})
    n = a.ndim
    dims = d(st.lists(st.integers(-n, n - 1), min_size=1, max_size=n))
    return Sample((a,), {"shifts": tuple(d(st.integers(-5, 5)) for _ in dims), "dims": tuple(dims)})


@st.composite
def diagonal_sample(d: Any) -> Sample:
    a = d(array(shapes(2)))
    n = a.ndim
    d1, d2 = d(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2, unique_by=lambda x: x % n))
    return Sample((a,), {"offset": d(st.integers(-3, 3)), "dim1": d1, "dim2": d2})


@st.composite
def movedim_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    n = a.ndim
    src = d(st.lists(st.integers(-n, n - 1), max_size=n, unique_by=lambda x: x % n))
    dst = d(st.lists(st.integers(-n, n - 1), min_size=len(src), max_size=len(src), unique_by=lambda x: x % n))
    return Sample((a,), {"src": tuple(src), "dst": tuple(dst)})


@st.composite
def unflatten_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    dim = d(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[dim]
    k = d(st.sampled_from([k for k in range(1, n + 1) if n % k == 0]))
    sizes = [k, n // k] + [1] * d(st.integers(0, 1))
    if d(st.booleans()):
        sizes[d(st.integers(0, len(sizes) - 1))] = -1
    return Sample((a,), {"dim": dim, "sizes": tuple(sizes)})


def _offset_sample(min_dims: int, max_dims: int = 3) -> st.SearchStrategy[Sample]:
    return unary(min_dims=min_dims, max_dims=max_dims, diagonal=st.integers(-3, 3))


def _pieces(method: str) -> Callable[..., Any]:
    def fn(T: Any, a: Any, arg: Any, dim: int, k: int) -> Any:
        pieces = getattr(a, method)(dim) if method == "unbind" else getattr(a, method)(arg, dim)
        return pieces[k]
    return fn


# -- strategies for the sorting ops (gradviz.ops_sort) ------------------------------------------------
@dataclass(frozen=True)
class Distinct(Dom):
    """Distinct values: a shuffled ladder of steps 0.5 with jitter of at most 0.1 (no ties, which are
    kinks of sort/topk/median, and gaps far wider than gradcheck's eps)."""

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        n = int(np.prod(shape))
        ladder = (rng.permutation(n) - n / 2) * 0.5 + rng.uniform(-0.1, 0.1, size=n)
        return np.asarray(ladder.reshape(shape), dtype=np.float64)


@st.composite
def order_sample(d: Any, kind: str) -> Sample:
    """Distinct values plus the arguments of sort / topk / kthvalue / median(dim)."""
    a = d(array(shapes(0), Distinct()))
    n = max(a.ndim, 1)
    dim = d(st.integers(-n, n - 1))
    size = a.shape[dim] if a.ndim else 1
    if kind == "sort":
        return Sample((a,), {"dim": dim, "descending": d(st.booleans())})
    if kind == "topk":
        return Sample((a,), {"k": d(st.integers(0, size)), "dim": dim, "largest": d(st.booleans())})
    if kind == "kthvalue":
        return Sample((a,), {"k": d(st.integers(1, size)), "dim": dim, "keepdim": d(st.booleans())})
    return Sample((a,), {"dim": dim, "keepdim": d(st.booleans())})


# -- strategies for trace / cross / dist (gradviz.ops_linalg) -------------------------------------------
@st.composite
def cross_sample(d: Any) -> Sample:
    """Two operands of equal rank that broadcast, with a length-3 axis at dim."""
    sa, sb = d(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=SIDE)).input_shapes
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    pos = d(st.integers(0, n))
    sa, sb = sa[:pos] + (3,) + sa[pos:], sb[:pos] + (3,) + sb[pos:]
    return Sample((d(array(sa)), d(array(sb))), {"dim": pos - (n + 1) if d(st.booleans()) else pos})


@st.composite
def dist_sample(d: Any) -> Sample:
    sample = d(apart_pair())  # a = b is the kink of |a − b|
    p = d(st.sampled_from([2, 1, 3, 1.5, math.inf]))  # p = 0: torch 2.13's own backward fails
    a, b = sample.arrays
    if p == math.inf:  # a tie between the largest |a − b| is a kink; keep the maximum unique
        flat = np.sort(np.abs(a - b).reshape(-1))
        assume(flat.size < 2 or flat[-1] - flat[-2] > 1e-3)
    return Sample(sample.arrays, {"p": p})


@st.composite
def tensordot_sample(d: Any) -> Sample:
    """a, b and dims (an int, or two lists in any order, negative or not); a contracted size of 1 on
    one side (torch sums that dim out first) now and then."""
    a = d(array(shapes(0, 3)))
    k = d(st.integers(0, min(a.ndim, 2)))
    nb = k + d(st.integers(0, 3 - k))
    if d(st.booleans()):  # dims=k: a's last k dims against b's first k
        da, db = list(range(a.ndim - k, a.ndim)), list(range(k))
        dims: Any = k
    else:
        da = d(st.permutations(range(a.ndim)))[:k]
        db = d(st.permutations(range(nb)))[:k]
        dims = ([x - a.ndim if d(st.booleans()) else x for x in da], [y - nb if d(st.booleans()) else y for y in db])
    sb = [d(st.integers(1, SIDE)) for _ in range(nb)]
    for x, y in zip(da, db):
        sb[y] = 1 if d(st.integers(0, 4)) == 0 else a.shape[x]
    return Sample((a, d(array(tuple(sb)))), {"dims": dims})


@st.composite
def kron_sample(d: Any) -> Sample:
    return Sample((d(array(shapes(0, 2))), d(array(shapes(0, 2)))))


@st.composite
def square_sample(d: Any) -> Sample:
    """Square matrices (batched or not) kept well away from singular: I·3 plus entries in [-1, 1]."""
    n = d(st.integers(1, SIDE))
    batch = tuple(d(st.lists(st.integers(1, 2), max_size=1)))
    return Sample((d(array(batch + (n, n), reals(-1.0, 1.0))) + 3.0 * np.eye(n),))


@st.composite
def diff_sample(d: Any) -> Sample:
    a = d(array(shapes(1)))
    dim = d(st.integers(-a.ndim, a.ndim - 1))
    kw: dict = {"n": d(st.integers(1, 3)), "dim": dim}
    arrays = [a]
    if d(st.booleans()):  # prepend and append (constants here) are concatenated first
        side = list(a.shape)
        side[dim] = d(st.integers(1, 2))
        kw["extra"] = d(array(tuple(side)))
    return Sample(tuple(arrays), kw)


def _diff(T: Any, a: Any, n: int, dim: int, extra: Any = None) -> Any:
    if extra is None:
        return a.diff(n, dim)
    e = T.tensor(extra, dtype=a.dtype)
    return T.diff(a, n=n, dim=dim, prepend=e, append=e * 2)


# -- the table ---------------------------------------------------------------------------------------
@dataclass
class OpCase:
    op: str | tuple[str, ...]             # grad_fn class(es) the expression's result may have
    fn: Callable[..., Any]                # fn(T, *tensors, **kw), T being gradviz or torch
    inputs: st.SearchStrategy[Sample]
    id: str = ""
    eps: float = 1e-6

    @property
    def ops(self) -> tuple[str, ...]:
        return self.op if isinstance(self.op, tuple) else (self.op,)


def _setitem(T: Any, a: Any, v: Any, index: Any) -> Any:
    y = a * 1
    y[index] = v
    return y


def _inplace(method: str, *args: Any) -> Callable[..., Any]:
    def fn(T: Any, a: Any, b: Any | None = None, **kw: Any) -> Any:
        y = a * 1
        getattr(y, method)(*(args if b is None else (b,)), **kw)
        return y
    return fn


@st.composite
def batched(d: Any) -> Sample:
    """Operands for matmul's folded and batched routes: one side >= 3-D, batch dims broadcasting."""
    n, k, m = (d(st.integers(1, SIDE)) for _ in range(3))
    batch_a, batch_b = d(BATCHES).input_shapes
    ra = d(st.sampled_from(["1d", "2d", "nd"]))
    rb = d(st.sampled_from(["1d", "2d", "nd"] if ra == "nd" else ["nd"]))
    sa = {"1d": (k,), "2d": (n, k), "nd": (*batch_a, n, k)}[ra]
    sb = {"1d": (k,), "2d": (k, m), "nd": (*batch_b, k, m)}[rb]
    # A transposed (non-contiguous) left operand, or constants on one side, take other routes.
    transposed = ra == "nd" and d(st.booleans())
    if transposed:
        sa = sa[:-2] + sa[:-3:-1]
    return Sample((d(array(sa)), d(array(sb))), {"transposed": transposed})


def _matmul(T: Any, a: Any, b: Any, transposed: bool) -> Any:
    return (a.transpose(-1, -2) if transposed else a) @ b


def _cat_sample() -> st.SearchStrategy[Sample]:
    @st.composite
    def draw(d: Any) -> Sample:
        shape = d(shapes(1))
        dim = d(st.integers(-len(shape), len(shape) - 1))
        arrays = []
        for _ in range(d(st.integers(1, 3))):
            s = list(shape)
            s[dim] = d(st.integers(1, SIDE))
            arrays.append(d(array(tuple(s))))
        return Sample(tuple(arrays), {"dim": dim})
    return draw()


def _stack_sample() -> st.SearchStrategy[Sample]:
    @st.composite
    def draw(d: Any) -> Sample:
        shape = d(shapes(0))
        count = d(st.integers(1, 3))
        return Sample(tuple(d(array(shape)) for _ in range(count)),
                      {"dim": d(st.integers(-len(shape) - 1, len(shape)))})
    return draw()


def ternary(el_a: Dom | None = None, el_b: Dom | None = None, el_c: Dom | None = None,
            **kw: st.SearchStrategy) -> st.SearchStrategy[Sample]:
    """Three arrays of mutually broadcastable shapes (lerp with a tensor weight, addcmul, addcdiv)."""
    @st.composite
    def draw(d: Any) -> Sample:
        shapes_ = d(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=2, max_side=SIDE)).input_shapes
        arrays = tuple(d(array(sh, el)) for sh, el in zip(shapes_, (el_a, el_b, el_c)))
        return Sample(arrays, {k: d(v) for k, v in kw.items()})
    return draw()


def _inplace3(method: str) -> Callable[..., Any]:
    def fn(T: Any, a: Any, b: Any, c: Any, **kw: Any) -> Any:
        y = a * 1
        getattr(y, method)(b, c, **kw)
        return y
    return fn


# gradviz.ops_math's unary functions: name -> (grad_fn, input domain)
MATH_UNARY = {
    "sinh": ("SinhBackward0", reals()), "cosh": ("CoshBackward0", reals()),
    "asin": ("AsinBackward0", reals(-0.9, 0.9)), "acos": ("AcosBackward0", reals(-0.9, 0.9)),
    "atan": ("AtanBackward0", reals()), "asinh": ("AsinhBackward0", reals()),
    "acosh": ("AcoshBackward0", reals(1.1, 3.0)), "atanh": ("AtanhBackward0", reals(-0.9, 0.9)),
    "erf": ("ErfBackward0", reals()), "erfc": ("ErfcBackward0", reals()), "expm1": ("Expm1Backward0", reals()),
    "log2": ("Log2Backward0", reals(0.1, 3.0)), "log10": ("Log10Backward0", reals(0.1, 3.0)),
    "exp2": ("Exp2Backward0", reals()),
}


def _math_unary_rows() -> list[OpCase]:
    rows = []
    for name, (op, dom) in MATH_UNARY.items():
        rows += [OpCase(op, lambda T, a, n=name: getattr(a, n)(), unary(dom), name),
                 OpCase(op, lambda T, a, n=name: getattr(T, n)(a), unary(dom), f"torch_{name}"),
                 *([] if name in NO_INPLACE_DERIVATIVE else [OpCase(op, _inplace(name + "_"), unary(dom), f"{name}_inplace")])]
    return rows


@st.composite
def mod_pair(d: Any) -> Sample:
    """a and b with every a/b clear of the integers, where fmod and remainder jump; b may be 0-d (broadcast)."""
    shape = d(shapes())
    b = d(array(shape, away(0.5, 2.0)))
    if d(st.booleans()):
        b = b.reshape(-1)[:1].reshape(())
    q = d(array(shape, OffGrid(offset=0.5)))
    return Sample((q * b, b))


# torch records asinh_, acosh_, atanh_ as XBackward1, whose backward raises (test_inplace_without_derivative).
NO_INPLACE_DERIVATIVE = ("asinh", "acosh", "atanh")
WEIGHTS = st.sampled_from([-0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5])
VALUES = st.sampled_from([-1.5, 0.5, 1, 2.0])


CASES: list[OpCase] = [
    # elementwise arithmetic
    OpCase("AddBackward0", lambda T, a, b: a + b, binary(), "add"),
    OpCase("AddBackward0", lambda T, a, b, alpha: a.add(b, alpha=alpha), binary(alpha=st.sampled_from([-1.5, 0.5, 2.0, 3.25])), "add_alpha"),
    OpCase("AddBackward0", lambda T, a: 1.5 + a, unary(), "radd_scalar"),
    OpCase("AddBackward0", _inplace("add_", 2.0), unary(), "add_inplace_scalar"),
    OpCase("AddBackward0", _inplace("add_"), inplace_binary(), "add_inplace"),
    OpCase("SubBackward0", lambda T, a, b: a - b, binary(), "sub"),
    OpCase("SubBackward0", lambda T, a, b, alpha: a.sub(b, alpha=alpha), binary(alpha=st.sampled_from([-1.5, 0.5, 2.0, 3.25])), "sub_alpha"),
    OpCase("SubBackward0", _inplace("sub_"), inplace_binary(), "sub_inplace"),
    OpCase("RsubBackward0", lambda T, a, b: b.__rsub__(a), binary(), "rsub_tensor"),
    OpCase("RsubBackward1", lambda T, a: 2.5 - a, unary(), "rsub_scalar"),
    OpCase("MulBackward0", lambda T, a, b: a * b, binary(), "mul"),
    OpCase("MulBackward0", lambda T, a: a * a, unary(), "mul_self"),
    OpCase("MulBackward0", lambda T, a: 2 / a, unary(away()), "rdiv_scalar"),
    OpCase("MulBackward0", _inplace("mul_"), inplace_binary(), "mul_inplace"),
    OpCase("DivBackward0", lambda T, a, b: a / b, binary(el_b=away()), "div"),
    OpCase("DivBackward0", _inplace("div_"), inplace_binary(away()), "div_inplace"),
    OpCase("NegBackward0", lambda T, a: -a, unary(), "neg"),
    OpCase("PowBackward0", lambda T, a, e: a ** e, unary(e=st.sampled_from([2, 3, 0, 1])), "pow_int"),
    OpCase("PowBackward0", lambda T, a, e: a ** e, unary(away(), e=st.sampled_from([-1, -2, -3])), "pow_negative"),
    OpCase("PowBackward0", lambda T, a, e: a ** e,
           unary(reals(0.2, 3), e=st.sampled_from([0.5, 1.7, -0.5, 2.5])), "pow_real"),
    OpCase("PowBackward0", lambda T, a: a.square(), unary(), "square"),
    OpCase("PowBackward1", lambda T, a, b: a ** b, binary(reals(0.2, 3), reals(-2, 2)), "pow_tensor"),
    OpCase("PowBackward2", lambda T, a, base: base ** a,
           unary(reals(-2, 2), base=st.sampled_from([2, 0.5, 3.0, 10])), "rpow_scalar"),
    OpCase("ReciprocalBackward0", lambda T, a: a.reciprocal(), unary(away()), "reciprocal"),
    # elementwise functions
    OpCase("ExpBackward0", lambda T, a: a.exp(), unary(), "exp"),
    OpCase("LogBackward0", lambda T, a: a.log(), unary(reals(0.1, 3)), "log"),
    OpCase("SqrtBackward0", lambda T, a: a.sqrt(), unary(reals(0.1, 3)), "sqrt"),
    OpCase("SinBackward0", lambda T, a: a.sin(), unary(), "sin"),
    OpCase("CosBackward0", lambda T, a: a.cos(), unary(), "cos"),
    OpCase("TanhBackward0", lambda T, a: a.tanh(), unary(), "tanh"),
    OpCase("SigmoidBackward0", lambda T, a: a.sigmoid(), unary(reals(-6, 6)), "sigmoid"),
    OpCase("ReluBackward0", lambda T, a: a.relu(), unary(away(0.01)), "relu"),
    OpCase("AbsBackward0", lambda T, a: a.abs(), unary(away(0.01)), "abs"),
    # reductions
    OpCase("SumBackward0", lambda T, a: a.sum(), unary(), "sum"),
    OpCase("SumBackward1", lambda T, a, dim, keepdim: a.sum(dim, keepdim), with_dim(), "sum_dim"),
    OpCase("SumBackward1", lambda T, a, dim, keepdim: a.sum(dim, keepdim), with_dim(tuple_dims=True), "sum_dims"),
    OpCase("MeanBackward0", lambda T, a: a.mean(), unary(), "mean"),
    OpCase("MeanBackward1", lambda T, a, dim, keepdim: a.mean(dim, keepdim), with_dim(), "mean_dim"),
    OpCase("MeanBackward1", lambda T, a, dim, keepdim: a.mean(dim, keepdim), with_dim(tuple_dims=True),
           "mean_dims"),
    OpCase("LinalgVectorNormBackward0", lambda T, a, p, dim, keepdim: a.norm(p, dim, keepdim), norm_sample(),
           "norm"),
    OpCase("MaxBackward1", lambda T, a: a.max(), extreme_sample(False), "max"),
    OpCase("MinBackward1", lambda T, a: T.min(a), extreme_sample(False), "min"),
    OpCase("MaxBackward0", lambda T, a, dim, keepdim: a.max(dim, keepdim).values, extreme_sample(True), "max_dim"),
    OpCase("MinBackward0", lambda T, a, dim, keepdim: T.min(a, dim, keepdim)[0], extreme_sample(True), "min_dim"),
    OpCase("MaximumBackward0", lambda T, a, b: T.maximum(a, b), apart_pair(), "maximum"),
    OpCase("MaximumBackward0", lambda T, a, b: T.max(a, b), apart_pair(), "max_of_two"),
    OpCase("MinimumBackward0", lambda T, a, b: T.minimum(a, b), apart_pair(), "minimum"),
    OpCase("WhereBackward0", lambda T, a, b: T.where(a > 0, a, b), binary(away()), "where"),
    OpCase("WhereBackward0", lambda T, a: T.where(a > 0, 0.5, a), unary(away()), "where_number"),
    OpCase("WhereBackward0", lambda T, a: a.where(a < 0, 2), unary(away()), "where_method"),
    # linear algebra
    OpCase("MmBackward0", lambda T, a, b: a @ b, matrices("mm"), "mm"),
    OpCase("MvBackward0", lambda T, a, b: a @ b, matrices("mv"), "mv"),
    OpCase("DotBackward0", lambda T, a, b: a @ b, matrices("dot"), "dot"),
    OpCase("BmmBackward0", lambda T, a, b: a.bmm(b), matrices("bmm"), "bmm"),
    OpCase("SqueezeBackward4", lambda T, a, b: a @ b, matrices("vecmat"), "vecmat"),
    # A transposed fold returns mT.contiguous(), which is the transpose itself when already contiguous.
    OpCase(("UnsafeViewBackward0", "CloneBackward0", "TransposeBackward0"), _matmul, batched(), "matmul_batched"),
    # shape ops
    OpCase("ViewBackward0", lambda T, a: a.view(-1), unary(), "view"),
    OpCase("ViewBackward0", lambda T, a: a.reshape(a.shape[::-1]), unary(), "reshape"),
    OpCase("ReshapeAliasBackward0", lambda T, a: a.transpose(0, 1).reshape(a.shape[1], a.shape[0], 1),
           st.builds(lambda a: Sample((a,)), array(st.tuples(st.integers(2, SIDE), st.integers(2, SIDE)))),
           "reshape_alias"),
    OpCase("UnsafeViewBackward0", lambda T, a: a.t().reshape(-1),
           st.builds(lambda a: Sample((a,)), array(st.tuples(st.integers(2, SIDE), st.integers(2, SIDE)))),
           "reshape_copy"),
    OpCase("PermuteBackward0", lambda T, a, dims: a.permute(dims), permute_sample(), "permute"),
    OpCase("PermuteBackward0", lambda T, a: a.T, unary(), "T"),
    OpCase("TransposeBackward0", lambda T, a, d0, d1: a.transpose(d0, d1), transpose_sample(), "transpose"),
    OpCase("TBackward0", lambda T, a: a.t(), unary(max_dims=2), "t"),
    OpCase("UnsqueezeBackward0", lambda T, a, dim: a.unsqueeze(dim), unary(dim=st.integers(-1, 0)), "unsqueeze"),
    OpCase("UnsqueezeBackward0", lambda T, a: a[:, None], unary(min_dims=1), "index_none"),
    OpCase("SqueezeBackward0", lambda T, a: a.squeeze(), squeeze_sample("all"), "squeeze"),
    OpCase("SqueezeBackward1", lambda T, a, dim: a.squeeze(dim), squeeze_sample("dim"), "squeeze_dim"),
    OpCase("SqueezeBackward2", lambda T, a, dim: a.squeeze(dim), squeeze_sample("dims"), "squeeze_dims"),
    OpCase("ExpandBackward0", lambda T, a, size: a.expand(size), expand_sample(), "expand"),
    OpCase("CloneBackward0", lambda T, a: a.clone(), unary(), "clone"),
    OpCase("ToCopyBackward0", lambda T, a: a.float(), unary(dyadic()), "to_float32", eps=2.0 ** -12),
    OpCase("CatBackward0", lambda T, *ts, dim: T.cat(ts, dim), _cat_sample(), "cat"),
    OpCase("StackBackward0", lambda T, *ts, dim: T.stack(ts, dim), _stack_sample(), "stack"),
    # indexing
    OpCase("SelectBackward0", lambda T, a, index: a[index], index_sample("select"), "select"),
    OpCase("SelectBackward0", lambda T, a, index: a[index], index_sample("select2"), "select_dim1"),
    OpCase("SliceBackward0", lambda T, a, index: a[index], index_sample("slice"), "slice"),
    OpCase("AliasBackward0", lambda T, a: a[...], unary(), "alias"),
    OpCase("IndexBackward0", lambda T, a, index: a[index], index_sample("advanced"), "index"),
    OpCase("IndexBackward0", lambda T, a: a[a > 0], unary(away(0.01), min_dims=1), "mask"),
    OpCase("CopySlices", _setitem, setitem_sample("view"), "setitem"),
    OpCase("CopySlices", lambda T, a, index, v: _setitem(T, a, v, index), setitem_sample("view", True),
           "setitem_number"),
    # A 0-d value is filled in rather than copied, as torch does.
    OpCase(("CopyBackwards", "FillBackward3"), _setitem, setitem_sample("full"), "setitem_full"),
    OpCase("CopyBackwards", _inplace("copy_"), inplace_binary(), "copy_"),
    OpCase("CopyBackwards", _inplace("copy_", 2.5), unary(), "copy_number"),
    OpCase("FillBackward3", lambda T, a, index, v: _setitem(T, a, v, index), setitem_sample("full", True),
           "setitem_full_number"),
    OpCase("IndexPutBackward0", _setitem, setitem_sample("advanced"), "index_put"),
    OpCase("IndexPutBackward0", lambda T, a, index, v: _setitem(T, a, v, index), setitem_sample("advanced", True),
           "index_put_number"),
    OpCase("ZeroBackward0", _inplace("zero_"), unary(), "zero_"),
    OpCase("FillBackward2", _inplace("fill_", 2.5), unary(), "fill_"),
    # -- issue 3: more elementwise ops ------------------------------------------------------------
    OpCase("Log1PBackward0", lambda T, a: a.log1p(), unary(reals(-0.5, 3)), "log1p"),
    OpCase("Log1PBackward0", lambda T, a: T.log1p(a), unary(reals(-0.5, 3)), "torch_log1p"),
    OpCase("RsqrtBackward0", lambda T, a: a.rsqrt(), unary(reals(0.1, 3)), "rsqrt"),
    OpCase("TanBackward0", lambda T, a: a.tan(), unary(reals(-1.2, 1.2)), "tan"),
    OpCase("SignBackward0", lambda T, a: a.sign(), unary(away(0.01)), "sign"),
    OpCase("FloorBackward0", lambda T, a: a.floor(), unary(OffGrid(offset=0.5)), "floor"),
    OpCase("CeilBackward0", lambda T, a: T.ceil(a), unary(OffGrid(offset=0.5)), "ceil"),
    OpCase("RoundBackward0", lambda T, a: a.round(), unary(OffGrid()), "round"),
    OpCase("RoundBackward1", lambda T, a: a.round(decimals=1), unary(OffGrid(scale=0.1)), "round_decimals"),
    OpCase("RoundBackward1", lambda T, a: T.round(a, decimals=-1), unary(OffGrid(scale=10.0)), "round_decimals_neg"),
    OpCase("ClampBackward1", lambda T, a, lo, hi: a.clamp(lo, hi), clamp_numbers(), "clamp"),
    OpCase("ClampBackward1", lambda T, a, lo, hi: T.clip(a, min=lo, max=hi), clamp_numbers(), "clip"),
    OpCase("ClampBackward0", lambda T, a, lo, hi: a.clamp(lo, hi), clamp_tensors(), "clamp_tensors"),
    OpCase("ClampBackward0", lambda T, a, lo, hi: T.clamp(a, lo, hi), clamp_tensors(crossed=True),
           "clamp_tensors_crossed"),
    OpCase("ClampBackward0", lambda T, a, lo: a.clamp(min=lo), clamp_tensors("min"), "clamp_tensor_min"),
    OpCase("ClampBackward0", lambda T, a, hi: a.clip(max=hi), clamp_tensors("max"), "clip_tensor_max"),
    OpCase("ClampMinBackward0", lambda T, a: a.clamp_min(0.5), unary(OffGrid(offset=0.0, scale=1.0)), "clamp_min"),
    OpCase("ClampMaxBackward0", lambda T, a: T.clamp_max(a, -0.5), unary(OffGrid(offset=0.0, scale=1.0)),
           "clamp_max"),
    OpCase("ClampMinBackward1", lambda T, a, b: a.clamp_min(b), apart_pair(), "clamp_min_tensor"),
    OpCase("ClampMaxBackward1", lambda T, a, b: T.clamp_max(a, b), apart_pair(), "clamp_max_tensor"),
    OpCase("MaskedFillBackward0", lambda T, a, mask, value: a.masked_fill(T.tensor(mask), value), mask_sample(),
           "masked_fill"),
    OpCase("MaskedFillBackward0", lambda T, a, mask, value: _inplace("masked_fill_", T.tensor(mask), value)(T, a),
           mask_sample(inplace=True), "masked_fill_inplace"),
    OpCase("MaskedFillBackward1", lambda T, a, v, mask: T.masked_fill(a, T.tensor(mask), v),
           mask_sample(value_tensor=True), "masked_fill_tensor"),
    OpCase("PowBackward0", _inplace("square_"), unary(), "square_inplace"),
    OpCase("PowBackward0", _inplace("pow_", 3), unary(), "pow_inplace"),
    OpCase("PowBackward1", _inplace("pow_"), inplace_binary(reals(-2, 2), reals(0.2, 3)), "pow_inplace_tensor"),
    # in-place forms of the unary ops: the op sees the old value, the tensor gets the new one
    OpCase("ExpBackward0", _inplace("exp_"), unary(), "exp_inplace"),
    OpCase("LogBackward0", _inplace("log_"), unary(reals(0.1, 3)), "log_inplace"),
    OpCase("Log1PBackward0", _inplace("log1p_"), unary(reals(-0.5, 3)), "log1p_inplace"),
    OpCase("SqrtBackward0", _inplace("sqrt_"), unary(reals(0.1, 3)), "sqrt_inplace"),
    OpCase("RsqrtBackward0", _inplace("rsqrt_"), unary(reals(0.1, 3)), "rsqrt_inplace"),
    OpCase("SinBackward0", _inplace("sin_"), unary(), "sin_inplace"),
    OpCase("CosBackward0", _inplace("cos_"), unary(), "cos_inplace"),
    OpCase("TanBackward0", _inplace("tan_"), unary(reals(-1.2, 1.2)), "tan_inplace"),
    OpCase("TanhBackward0", _inplace("tanh_"), unary(), "tanh_inplace"),
    OpCase("SigmoidBackward0", _inplace("sigmoid_"), unary(), "sigmoid_inplace"),
    OpCase("ReluBackward0", _inplace("relu_"), unary(away(0.01)), "relu_inplace"),
    OpCase("AbsBackward0", _inplace("abs_"), unary(away(0.01)), "abs_inplace"),
    OpCase("NegBackward0", _inplace("neg_"), unary(), "neg_inplace"),
    OpCase("ReciprocalBackward0", _inplace("reciprocal_"), unary(away()), "reciprocal_inplace"),
    OpCase("SignBackward0", _inplace("sign_"), unary(away(0.01)), "sign_inplace"),
    OpCase("FloorBackward0", _inplace("floor_"), unary(OffGrid(offset=0.5)), "floor_inplace"),
    OpCase("CeilBackward0", _inplace("ceil_"), unary(OffGrid(offset=0.5)), "ceil_inplace"),
    OpCase("RoundBackward0", _inplace("round_"), unary(OffGrid()), "round_inplace"),
    OpCase("ClampBackward1", _inplace("clamp_", -1.0, 1.0), unary(OffGrid(offset=0.5)), "clamp_inplace"),
    OpCase("ClampMinBackward0", _inplace("clamp_min_", 0.5), unary(OffGrid()), "clamp_min_inplace"),
    OpCase("ClampMaxBackward0", _inplace("clamp_max_", 0.5), unary(OffGrid()), "clamp_max_inplace"),
    OpCase("CumsumBackward0", _inplace("cumsum_", 0), unary(min_dims=1), "cumsum_inplace"),
    # -- issue 3: reductions ---------------------------------------------------------------------
    OpCase("ProdBackward0", lambda T, a: a.prod(), unary(away(0.3, 1.5)), "prod"),
    OpCase("ProdBackward0", lambda T, a: T.prod(a), unary(Dom(-2.0, 2.0, step=1.0)), "prod_zeros"),
    OpCase("ProdBackward1", lambda T, a, dim, keepdim: a.prod(dim, keepdim), with_dim(away(0.3, 1.5)), "prod_dim"),
    OpCase("ProdBackward1", lambda T, a, dim, keepdim: T.prod(a, dim, keepdim=keepdim),
           with_dim(Dom(-2.0, 2.0, step=1.0)), "prod_dim_zeros"),
    OpCase("AmaxBackward0", lambda T, a: a.amax(), extreme_sample(False), "amax"),
    OpCase("AmaxBackward0", lambda T, a, dim, keepdim: a.amax(dim, keepdim), amax_sample(), "amax_dims"),
    OpCase("AminBackward0", lambda T, a, dim, keepdim: T.amin(a, dim, keepdim), amax_sample(), "amin_dims"),
    OpCase("VarBackward0", lambda T, a, correction: a.var(correction=correction), var_sample(False), "var"),
    OpCase("VarBackward0", lambda T, a, dim, keepdim, correction: T.var(a, dim, keepdim=keepdim, correction=correction),
           var_sample(), "var_dims"),
    OpCase("VarBackward0", lambda T, a, dim, keepdim: a.var(dim, False, keepdim), with_dim(), "var_unbiased_false"),
    OpCase("StdBackward0", lambda T, a, correction: a.std(correction=correction), var_sample(False), "std"),
    OpCase("StdBackward0", lambda T, a, dim, keepdim, correction: a.std(dim, keepdim=keepdim, correction=correction),
           var_sample(), "std_dims"),
    OpCase("LogsumexpBackward0", lambda T, a, dim, keepdim: a.logsumexp(dim, keepdim), with_dim(tuple_dims=True),
           "logsumexp"),
    OpCase("LogsumexpBackward0", lambda T, a, dim: T.logsumexp(a, dim), unary(reals(-50, 50), min_dims=1, dim=st.just(-1)),
           "logsumexp_wide"),
    OpCase("CumsumBackward0", lambda T, a, dim, keepdim: a.cumsum(dim), with_dim(), "cumsum"),
    OpCase("CumsumBackward0", lambda T, a: T.cumsum(a, 0), unary(max_dims=0), "cumsum_0d"),
    # -- issue 3: shape ops ---------------------------------------------------------------------
    OpCase("RepeatBackward0", lambda T, a, reps: a.repeat(reps), repeat_sample(), "repeat"),
    OpCase("SplitBackward0", _pieces("split"), split_sample("split"), "split"),
    OpCase("SplitBackward0", _pieces("chunk"), split_sample("chunk"), "chunk"),
    OpCase("SplitWithSizesBackward0", _pieces("split"), split_sample("sizes"), "split_sizes"),
    OpCase("UnbindBackward0", _pieces("unbind"), split_sample("unbind"), "unbind"),
    OpCase("SliceBackward0", lambda T, a, dim, start, length: a.narrow(dim, start, length), narrow_sample(), "narrow"),
    OpCase("ExpandBackward0", lambda T, a, shape: a.expand_as(T.zeros(shape, dtype=a.dtype)), expand_as_sample(),
           "expand_as"),
    OpCase("MulBackward0", lambda T, a, b: T.outer(a, b), two_vectors(), "outer"),
    OpCase("CloneBackward0", lambda T, a: a.t().contiguous(),
           st.builds(lambda a: Sample((a,)), array(st.tuples(st.integers(2, SIDE), st.integers(2, SIDE)))),
           "contiguous"),
    # -- indexing ops (gradviz.ops_index) ------------------------------------------------------------
    OpCase("GatherBackward0", lambda T, a, dim, index: a.gather(dim, T.tensor(index)), gather_sample(), "gather"),
    OpCase("IndexSelectBackward0", lambda T, a, dim, index: T.index_select(a, dim, T.tensor(index)),
           index_select_sample(), "index_select"),
    OpCase("MaskedSelectBackward0", lambda T, a, mask: a.masked_select(T.tensor(mask, dtype=T.bool)),
           masked_select_sample(), "masked_select"),
    OpCase("FlipBackward0", lambda T, a, dims: a.flip(dims), flip_sample(), "flip"),
    OpCase("RollBackward0", lambda T, a, shifts, dims: T.roll(a, shifts, dims), roll_sample(), "roll"),
    OpCase("TrilBackward0", lambda T, a, diagonal: a.tril(diagonal), _offset_sample(2), "tril"),
    OpCase("TriuBackward0", lambda T, a, diagonal: T.triu(a, diagonal), _offset_sample(2), "triu"),
    OpCase("DiagEmbedBackward0", lambda T, a, diagonal: a.diag(diagonal), _offset_sample(1, 1), "diag_1d"),
    OpCase("DiagonalBackward0_copy", lambda T, a, diagonal: T.diag(a, diagonal), _offset_sample(2, 2), "diag_2d"),
    OpCase("DiagonalBackward0", lambda T, a, offset, dim1, dim2: a.diagonal(offset, dim1, dim2), diagonal_sample(),
           "diagonal"),
    OpCase("DiagonalBackward0", lambda T, a: T.diagonal(a), unary(min_dims=2, max_dims=2), "diagonal_default"),
    OpCase("SelectBackward0", lambda T, a, dim, keepdim: a.select(dim, -1), with_dim(), "select_method"),
    OpCase("PermuteBackward0", lambda T, a, src, dst: T.movedim(a, src, dst), movedim_sample(), "movedim"),
    OpCase("RepeatBackward0", lambda T, a, reps: T.tile(a, reps[1:]), repeat_sample(), "tile"),
    OpCase("ViewBackward0", lambda T, a, dim, sizes: a.unflatten(dim, sizes), unflatten_sample(), "unflatten"),

    # -- sorting and order statistics (gradviz.ops_sort) ------------------------------------------------
    OpCase("SortBackward0", lambda T, a, dim, descending: a.sort(dim, descending).values, order_sample("sort"),
           "sort"),
    OpCase("SortBackward0", lambda T, a, dim, descending: T.sort(a, dim, descending=descending)[0],
           order_sample("sort"), "torch_sort"),
    OpCase("SortBackward1", lambda T, a, dim, descending: a.sort(dim=dim, descending=descending, stable=True).values,
           order_sample("sort"), "sort_stable"),
    OpCase("TopkBackward0", lambda T, a, k, dim, largest: a.topk(k, dim, largest).values, order_sample("topk"), "topk"),
    OpCase("TopkBackward0", lambda T, a, k, dim, largest: T.topk(a, k, dim=dim, largest=largest, sorted=True)[0],
           order_sample("topk"), "torch_topk"),
    OpCase("KthvalueBackward0", lambda T, a, k, dim, keepdim: a.kthvalue(k, dim, keepdim).values,
           order_sample("kthvalue"), "kthvalue"),
    OpCase("MedianBackward0", lambda T, a: a.median(), unary(Distinct()), "median"),
    OpCase("MedianBackward1", lambda T, a, dim, keepdim: a.median(dim, keepdim).values, order_sample("median"),
           "median_dim"),
    OpCase("MedianBackward1", lambda T, a, dim, keepdim: T.median(a, dim, keepdim=keepdim)[0],
           order_sample("median"), "torch_median_dim"),
    OpCase("CumprodBackward0", lambda T, a, dim, keepdim: a.cumprod(dim), with_dim(away(0.3, 1.5)), "cumprod"),
    # Integers in [-2, 2]: rows with one zero, several zeros, none (torch's rule is exact at zeros).
    OpCase("CumprodBackward0", lambda T, a, dim, keepdim: T.cumprod(a, dim), with_dim(Dom(-2.0, 2.0, step=1.0)),
           "cumprod_zeros"),
    OpCase("CumprodBackward0", lambda T, a: T.cumprod(a, 0), unary(max_dims=0), "cumprod_0d"),

    # -- trace, cross, dist (gradviz.ops_linalg) ---------------------------------------------------------
    OpCase("TraceBackward0", lambda T, a: a.trace(), unary(min_dims=2, max_dims=2), "trace"),
    OpCase("TraceBackward0", lambda T, a: T.trace(a), unary(min_dims=2, max_dims=2), "torch_trace"),
    OpCase("LinalgCrossBackward0", lambda T, a, b, dim: T.cross(a, b, dim=dim), cross_sample(), "cross"),
    OpCase("LinalgCrossBackward0", lambda T, a, b, dim: a.cross(b, dim), cross_sample(), "cross_method"),
    OpCase("DistBackward0", lambda T, a, b, p: T.dist(a, b, p), dist_sample(), "dist"),
    OpCase("DistBackward0", lambda T, a, b, p: a.dist(b, p=p), dist_sample(), "dist_method"),

    # tensordot and kron are built from other ops, as in torch: the rows check the graph they record
    OpCase("ViewBackward0", lambda T, a, b, dims: T.tensordot(a, b, dims), tensordot_sample(), "tensordot"),
    OpCase("UnsafeViewBackward0", lambda T, a, b: T.kron(a, b), kron_sample(), "kron"),
    OpCase("UnsafeViewBackward0", lambda T, a, b: a.kron(b), kron_sample(), "kron_method"),

    OpCase("LinalgDetBackward0", lambda T, a: a.det(), square_sample(), "det"),
    OpCase("LinalgDetBackward0", lambda T, a: T.det(a), square_sample(), "torch_det"),
    OpCase("LinalgInvExBackward0", lambda T, a: a.inverse(), square_sample(), "inverse"),
    OpCase("LinalgInvExBackward0", lambda T, a: T.inverse(a), square_sample(), "torch_inverse"),
    # diff is built from narrow and sub (or cat first, or a copy for n = 0), as in torch
    OpCase("SubBackward0", _diff, diff_sample(), "diff"),
    OpCase("CopyBackwards", lambda T, a: T.diff(a, n=0), unary(min_dims=1), "diff_0"),
    # matrix_power is built from matmul (and inverse, clone, copy_) in torch's order
    OpCase(("MmBackward0", "UnsafeViewBackward0", "CloneBackward0", "CopyBackwards", "LinalgInvExBackward0"),
           lambda T, a, n: a.matrix_power(n), st.builds(lambda s, n: Sample(s.arrays, {"n": n}), square_sample(),
                                                        st.integers(-3, 6)), "matrix_power"),
    # gradviz.ops_math
    *_math_unary_rows(),
    OpCase("Atan2Backward0", lambda T, a, b: T.atan2(a, b), binary(away(), away()), "atan2"),
    OpCase("Atan2Backward0", lambda T, a, b: a.arctan2(b), binary(away(), away()), "arctan2_method"),
    OpCase("Atan2Backward0", _inplace("atan2_"), inplace_binary(away(), away()), "atan2_inplace"),
    OpCase("HypotBackward0", lambda T, a, b: T.hypot(a, b), binary(away(), away()), "hypot"),
    OpCase("HypotBackward0", _inplace("hypot_"), inplace_binary(away(), away()), "hypot_inplace"),
    OpCase("LerpBackward0", lambda T, a, b, weight: T.lerp(a, b, weight), binary(weight=WEIGHTS), "lerp"),
    OpCase("LerpBackward0", lambda T, a, b: (a * 1).lerp_(b, 0.75), inplace_binary(), "lerp_inplace"),
    OpCase("LerpBackward1", lambda T, a, b, w: a.lerp(b, w), ternary(), "lerp_tensor"),
    OpCase("LerpBackward1", lambda T, a, b, w: (a * 1).lerp_(b, w),
           st.builds(lambda sh, s1, s2, s3: Sample(tuple(reals().sample(np.random.default_rng(s), sh) for s in (s1, s2, s3))),
                     shapes(), SEEDS, SEEDS, SEEDS), "lerp_tensor_inplace"),
    OpCase("AddcmulBackward0", lambda T, a, b, c, value: T.addcmul(a, b, c, value=value), ternary(value=VALUES),
           "addcmul"),
    OpCase("AddcmulBackward0", lambda T, a, b, c: a.addcmul(b, c), ternary(), "addcmul_method"),
    OpCase("AddcdivBackward0", lambda T, a, b, c, value: T.addcdiv(a, b, c, value=value),
           ternary(el_c=away(0.5, 3.0), value=VALUES), "addcdiv"),
    OpCase("AddcdivBackward0", lambda T, a, b, c: a.addcdiv(b, c), ternary(el_c=away(0.5, 3.0)), "addcdiv_method"),
    OpCase("NanToNumBackward0", lambda T, a: T.nan_to_num(a), unary(), "nan_to_num"),
    OpCase("NanToNumBackward0", lambda T, a: a.nan_to_num(nan=1.0, posinf=2.0, neginf=-2.0), unary(), "nan_to_num_args"),
    OpCase("NanToNumBackward0", _inplace("nan_to_num_"), unary(), "nan_to_num_inplace"),
    OpCase("TruncBackward0", lambda T, a: a.trunc(), unary(OffGrid(offset=0.5)), "trunc"),
    OpCase("TruncBackward0", lambda T, a: T.fix(a), unary(OffGrid(offset=0.5)), "fix"),
    OpCase("TruncBackward0", _inplace("trunc_"), unary(OffGrid(offset=0.5)), "trunc_inplace"),
    OpCase("FracBackward0", lambda T, a: T.frac(a), unary(OffGrid(offset=0.5)), "frac"),
    OpCase("FracBackward0", _inplace("frac_"), unary(OffGrid(offset=0.5)), "frac_inplace"),
    OpCase("FmodBackward0", lambda T, a: T.fmod(a, 2.0), unary(OffGrid(offset=0.5, scale=2.0)), "fmod"),
    OpCase("FmodBackward0", lambda T, a: (a * 1).fmod_(-1.5), unary(OffGrid(offset=0.5, scale=1.5)), "fmod_inplace"),
    OpCase("FmodBackward1", lambda T, a, b: a.fmod(b), mod_pair(), "fmod_tensor"),
    OpCase("RemainderBackward0", lambda T, a: T.remainder(a, -1.5), unary(OffGrid(offset=0.5, scale=1.5)), "remainder"),
    OpCase("RemainderBackward0", lambda T, a: (a * 1).remainder_(2.0), unary(OffGrid(offset=0.5, scale=2.0)),
           "remainder_inplace"),
    OpCase("RemainderBackward1", lambda T, a, b: T.remainder(a, b), mod_pair(), "remainder_tensor"),
]

# gradviz/_factory_methods.py: type_as is `to`, the broadcasting functions record expand (and view), as in torch
@st.composite
def _lead_sample(d: Any) -> Sample:
    """An array and a shape it broadcasts to with one more leading dim, so broadcast_tensors must expand it."""
    sample = d(expand_sample())
    return Sample(sample.arrays, {"shape": (d(st.integers(1, 2)),) + sample.kw["size"]})


CASES += [
    OpCase("ToCopyBackward0", lambda T, a: a.type_as(T.zeros((), dtype=T.float32)), unary(dyadic()), "type_as",
           eps=2.0 ** -12),
    OpCase("ExpandBackward0", lambda T, a, size: T.broadcast_to(a, size), expand_sample(), "broadcast_to"),
    OpCase("ExpandBackward0", lambda T, a, size: a.broadcast_to(size), expand_sample(), "broadcast_to_method"),
    OpCase("ExpandBackward0", lambda T, a, shape: T.broadcast_tensors(a, T.zeros(shape, dtype=a.dtype))[0],
           _lead_sample(), "broadcast_tensors"),
    OpCase("ExpandBackward0", lambda T, a, b: T.meshgrid(a, b, indexing="ij")[0], two_vectors(), "meshgrid_ij"),
    OpCase("ExpandBackward0", lambda T, a, b: T.meshgrid(a, b, indexing="xy")[1], two_vectors(), "meshgrid_xy"),
]
CASE_IDS = [c.id for c in CASES]


# -- error inputs -----------------------------------------------------------------------------------
@dataclass
class ErrorInput:
    fn: Callable[[Any], Any]  # fn(T) performs the failing call
    exc: type
    msg: str                  # recorded from torch 2.13 (test_error_inputs_torch re-checks it)


def _ones(T: Any, *shape: int, **kw: Any) -> Any:
    return T.ones(*shape, requires_grad=True, **kw)


def _bcast(op: Callable[[Any, Any], Any], sa: int = 3, sb: int = 4) -> ErrorInput:
    return ErrorInput(lambda T: op(_ones(T, sa), _ones(T, sb)), RuntimeError,
                      f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton dimension 0")


def _dim_error(fn: Callable[[Any], Any], lo: int, hi: int, got: int) -> ErrorInput:
    return ErrorInput(fn, IndexError, f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {got})")


def _LEAF(fn: Callable[[Any], Any]) -> ErrorInput:  # noqa: N802
    return ErrorInput(fn, RuntimeError, "a leaf Variable that requires grad is being used in an in-place operation.")


def _CAST(fn: Callable[[Any], Any]) -> ErrorInput:  # noqa: N802
    return ErrorInput(fn, RuntimeError, "result type Float can't be cast to the desired output type Long")


def _unary_inplace_errors(method: str) -> list[ErrorInput]:
    """A float-valued op in place on an integer tensor, and in place on a leaf that requires grad."""
    return [_CAST(lambda T: getattr(T.tensor([1, 2]), method)()), _LEAF(lambda T: getattr(_ones(T, 3), method)())]


ERRORS: dict[str, list[ErrorInput] | str] = {
    "AddBackward0": [_bcast(lambda a, b: a + b)],
    "SubBackward0": [_bcast(lambda a, b: a - b)],
    "RsubBackward0": [_bcast(lambda a, b: b.__rsub__(a))],
    "RsubBackward1": [ErrorInput(lambda T: 2 - T.tensor([True]), RuntimeError,
                                  "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                                  "trying to invert a mask, use the `~` or `logical_not()` operator instead.")],
    "MulBackward0": [_bcast(lambda a, b: a * b)],
    "DivBackward0": [_bcast(lambda a, b: a / b)],
    "NegBackward0": [ErrorInput(lambda T: -T.tensor([True, False]), RuntimeError,
                                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                                "invert a mask, use the `~` or `logical_not()` operator instead.")],
    "PowBackward0": [ErrorInput(lambda T: T.tensor([1, 2]) ** -1, RuntimeError,
                                "Integers to negative integer powers are not allowed.")],
    "PowBackward1": [_bcast(lambda a, b: a ** b)],
    "PowBackward2": "a Python number to the power of a tensor of any shape",
    "ReciprocalBackward0": _unary_inplace_errors("reciprocal_"),
    "ExpBackward0": _unary_inplace_errors("exp_"),
    "LogBackward0": _unary_inplace_errors("log_"),
    "SqrtBackward0": _unary_inplace_errors("sqrt_"),
    "SinBackward0": _unary_inplace_errors("sin_"),
    "CosBackward0": _unary_inplace_errors("cos_"),
    "TanhBackward0": _unary_inplace_errors("tanh_"),
    "SigmoidBackward0": _unary_inplace_errors("sigmoid_"),
    "ReluBackward0": [ErrorInput(lambda T: T.tensor([True]).relu(), RuntimeError,
                                 "Boolean inputs not supported for relu")],
    "AbsBackward0": [ErrorInput(lambda T: T.tensor([True]).abs(), NotImplementedError,
                                "\"abs_cpu\" not implemented for 'Bool'")],
    "SumBackward0": [ErrorInput(lambda T: _ones(T, 3).sum(dtype=T.int64), RuntimeError,
                                "Autograd not support dtype: Long")],
    "SumBackward1": [_dim_error(lambda T: _ones(T, 3).sum(dim=2), -1, 0, 2),
                     _dim_error(lambda T: _ones(T, 2, 3).sum((0, -3)), -2, 1, -3)],
    "MeanBackward0": [ErrorInput(lambda T: T.tensor([1, 2]).mean(), RuntimeError,
                                 "mean(): could not infer output dtype. Input dtype must be either a floating point "
                                 "or complex dtype. Got: Long")],
    "MeanBackward1": [_dim_error(lambda T: _ones(T, 2, 3).mean(dim=-3), -2, 1, -3)],
    "LinalgVectorNormBackward0": [_dim_error(lambda T: _ones(T, 3).norm(dim=1), -1, 0, 1)],
    "MaxBackward1": [ErrorInput(lambda T: _ones(T, 0).max(), RuntimeError,
                                "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                                "reduction dim with the 'dim' argument.")],
    "MinBackward1": [ErrorInput(lambda T: _ones(T, 0).min(), RuntimeError,
                                "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                                "reduction dim with the 'dim' argument.")],
    "MaxBackward0": [ErrorInput(lambda T: _ones(T, 0).max(0), IndexError,
                                "max(): Expected reduction dim 0 to have non-zero size."),
                     _dim_error(lambda T: _ones(T, 3).max(1), -1, 0, 1)],
    "MinBackward0": [_dim_error(lambda T: _ones(T, 2, 3).min(dim=-3), -2, 1, -3)],
    "MaximumBackward0": [_bcast(lambda a, b: a.maximum(b))],
    "MinimumBackward0": [_bcast(lambda a, b: a.minimum(b))],
    "WhereBackward0": [ErrorInput(lambda T: T.where(_ones(T, 3), _ones(T, 3), 0.0), RuntimeError,
                                  "where expected condition to be a boolean tensor, but got a tensor with dtype Float"),
                       ErrorInput(lambda T: T.where(_ones(T, 3) > 0, _ones(T, 3), _ones(T, 4)), RuntimeError,
                                  "The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
                                  "dimension 0")],
    "MmBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).mm(_ones(T, 2, 3)), RuntimeError,
                               "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
                    ErrorInput(lambda T: _ones(T, 3).mm(_ones(T, 3, 3)), RuntimeError, "self must be a matrix"),
                    ErrorInput(lambda T: _ones(T, 2, 3).mm(_ones(T, 3)), RuntimeError, "mat2 must be a matrix")],
    "MvBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).mv(_ones(T, 2)), RuntimeError,
                               "size mismatch, got input (2), mat (2x3), vec (2)"),
                    ErrorInput(lambda T: _ones(T, 2, 3).mv(_ones(T, 3, 3)), RuntimeError,
                               "vector + matrix @ vector expected, got 1, 2, 2")],
    "DotBackward0": [ErrorInput(lambda T: _ones(T, 3).dot(_ones(T, 2)), RuntimeError,
                                "inconsistent tensor size, expected tensor [3] and src [2] to have the same number of "
                                "elements, but got 3 and 2 elements respectively"),
                     ErrorInput(lambda T: _ones(T, 2, 2).dot(_ones(T, 2)), RuntimeError,
                                "1D tensors expected, but got 2D and 1D tensors")],
    "BmmBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).bmm(_ones(T, 2, 3)), RuntimeError,
                                "batch1 must be a 3D tensor"),
                     ErrorInput(lambda T: _ones(T, 2, 3, 3).bmm(_ones(T, 3, 3, 3)), RuntimeError,
                                "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3].")],
    "SqueezeBackward4": [ErrorInput(lambda T: _ones(T, 4) @ _ones(T, 2, 3), RuntimeError,
                                    "mat1 and mat2 shapes cannot be multiplied (1x4 and 2x3)")],
    "UnsafeViewBackward0": [ErrorInput(lambda T: _ones(T, 2, 2, 3) @ _ones(T, 3, 3, 2), RuntimeError,
                                       "The size of tensor a (2) must match the size of tensor b (3) at non-singleton "
                                       "dimension 0"),
                            ErrorInput(lambda T: _ones(T, 2, 3).T.reshape(4), RuntimeError,
                                       "shape '[4]' is invalid for input of size 6")],
    "ViewBackward0": [ErrorInput(lambda T: _ones(T, 6).view(4, 2), RuntimeError,
                                 "shape '[4, 2]' is invalid for input of size 6"),
                      ErrorInput(lambda T: _ones(T, 6).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
                      ErrorInput(lambda T: _ones(T, 6).view(-2, 3), RuntimeError,
                                 "invalid shape dimension -2 at index 0 of shape [-2, 3]")],
    "ReshapeAliasBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).T.reshape(4, 2), RuntimeError,
                                         "shape '[4, 2]' is invalid for input of size 6")],
    "PermuteBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).permute(0), RuntimeError,
                                    "permute(sparse_coo): number of dimensions in the tensor input does not match the "
                                    "length of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to "
                                    "len(dims) = 1"),
                         ErrorInput(lambda T: _ones(T, 2, 3).permute(0, 0), RuntimeError,
                                    "permute(): duplicate dims are not allowed.")],
    "TransposeBackward0": [_dim_error(lambda T: _ones(T, 2, 3).transpose(0, 2), -2, 1, 2)],
    "TBackward0": [ErrorInput(lambda T: _ones(T, 2, 2, 2).t(), RuntimeError,
                              "t() expects a tensor with <= 2 dimensions, but self is 3D")],
    "UnsqueezeBackward0": [_dim_error(lambda T: _ones(T, 2, 3).unsqueeze(4), -3, 2, 4)],
    "SqueezeBackward0": "squeezes any tensor (one without size-1 axes is returned as a view)",
    "SqueezeBackward1": [_dim_error(lambda T: _ones(T, 2, 3).squeeze(3), -2, 1, 3)],
    "SqueezeBackward2": [_dim_error(lambda T: _ones(T, 2, 3).squeeze((0, 2)), -2, 1, 2)],
    "ExpandBackward0": [ErrorInput(lambda T: _ones(T, 3).expand(2, 4), RuntimeError,
                                   "The expanded size of the tensor (4) must match the existing size (3) at "
                                   "non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]"),
                        ErrorInput(lambda T: _ones(T, 2, 3).expand(3), RuntimeError,
                                   "expand(torch.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must "
                                   "be greater or equal to the number of dimensions in the tensor (2)"),
                        ErrorInput(lambda T: _ones(T, 3).expand(-1, 3), RuntimeError,
                                   "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                                   "dimension 0")],
    "CloneBackward0": "copies any tensor",
    "ToCopyBackward0": "converts any tensor between the supported dtypes",
    "CatBackward0": [ErrorInput(lambda T: T.cat([_ones(T, 2, 3), _ones(T, 2, 4)]), RuntimeError,
                                "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for "
                                "tensor number 1 in the list."),
                     ErrorInput(lambda T: T.cat([_ones(T, 3), _ones(T, 2, 3)]), RuntimeError,
                                "Tensors must have same number of dimensions: got 1 and 2"),
                     ErrorInput(lambda T: T.cat([]), ValueError, "torch.cat(): expected a non-empty list of Tensors"),
                     ErrorInput(lambda T: T.cat([T.tensor(1.0)]), RuntimeError,
                                "zero-dimensional tensor (at position 0) cannot be concatenated")],
    "StackBackward0": [ErrorInput(lambda T: T.stack([_ones(T, 3), _ones(T, 4)]), RuntimeError,
                                  "stack expects each tensor to be equal size, but got [3] at entry 0 and [4] at "
                                  "entry 1"),
                       ErrorInput(lambda T: T.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
                       _dim_error(lambda T: T.stack([_ones(T, 3)], dim=3), -2, 1, 3)],
    "SelectBackward0": [ErrorInput(lambda T: _ones(T, 3)[5], IndexError,
                                   "index 5 is out of bounds for dimension 0 with size 3"),
                        ErrorInput(lambda T: _ones(T, 2, 3)[:, 3], IndexError,
                                   "index 3 is out of bounds for dimension 1 with size 3"),
                        ErrorInput(lambda T: _ones(T, 3)[0, 0], IndexError, "too many indices for tensor of dimension 1"),
                        ErrorInput(lambda T: _ones(T, 3)[1.0], IndexError,
                                   "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                                   "valid indices (got float)")],
    "SliceBackward0": [ErrorInput(lambda T: _ones(T, 3)[::-1], ValueError, "step must be greater than zero")],
    "AliasBackward0": "x[...] of any tensor",
    "IndexBackward0": [ErrorInput(lambda T: _ones(T, 3)[[0, 5]], IndexError,
                                  "index 5 is out of bounds for dimension 0 with size 3"),
                       ErrorInput(lambda T: _ones(T, 3)[T.tensor([True, False])], IndexError,
                                  "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor "
                                  "[3] at index 0")],
    "CopySlices": [ErrorInput(lambda T: _setitem(T, _ones(T, 3), _ones(T, 3), slice(0, 2)), RuntimeError,
                              "The expanded size of the tensor (2) must match the existing size (3) at non-singleton "
                              "dimension 0.  Target sizes: [2].  Tensor sizes: [3]")],
    "IndexPutBackward0": [ErrorInput(lambda T: _setitem(T, _ones(T, 3), _ones(T, 3), [0, 1]), RuntimeError,
                                     "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result "
                                     "of shape [2]"),
                          ErrorInput(lambda T: _setitem(T, _ones(T, 3), 1.0, [5]), IndexError,
                                     "index 5 is out of bounds for dimension 0 with size 3")],
    "CopyBackwards": [ErrorInput(lambda T: _setitem(T, _ones(T, 3), _ones(T, 2), slice(None)), RuntimeError,
                                 "The expanded size of the tensor (3) must match the existing size (2) at "
                                 "non-singleton dimension 0.  Target sizes: [3].  Tensor sizes: [2]"),
                      ErrorInput(lambda T: (_ones(T, 3) * 1).copy_(_ones(T, 2)), RuntimeError,
                                 "The size of tensor a (3) must match the size of tensor b (2) at non-singleton "
                                 "dimension 0"),
                      ErrorInput(lambda T: (_ones(T, 3) * 1).copy_(_ones(T, 2, 3)), RuntimeError,
                                 "output with shape [3] doesn't match the broadcast shape [2, 3]"),
                      _LEAF(lambda T: _ones(T, 3).copy_(T.zeros(3))),
                      ErrorInput(lambda T: _ones(T, 3).copy_([1.0, 2.0, 3.0]), TypeError,
                                 "copy_(): argument 'other' (position 1) must be Tensor, not list"),
                      ErrorInput(lambda T: (lambda a: a[1:].copy_(a[:3]))(T.arange(4.0)), RuntimeError,
                                 "unsupported operation: some elements of the input tensor and the written-to tensor "
                                 "refer to a single memory location. Please clone() the tensor before performing the "
                                 "operation.")],
    "FillBackward3": "a number written over a whole tensor of any shape",
    "ZeroBackward0": [ErrorInput(lambda T: _ones(T, 3).zero_(), RuntimeError,
                                 "a leaf Variable that requires grad is being used in an in-place operation.")],
    "FillBackward2": [ErrorInput(lambda T: (_ones(T, 3) * 1).fill_(T.ones(2)), RuntimeError,
                                 "fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions.")],
    # -- issue 3 ops --------------------------------------------------------------------------------
    "Log1PBackward0": _unary_inplace_errors("log1p_"),
    "RsqrtBackward0": _unary_inplace_errors("rsqrt_"),
    "TanBackward0": _unary_inplace_errors("tan_"),
    "SignBackward0": [_LEAF(lambda T: _ones(T, 3).sign_())],
    "FloorBackward0": [ErrorInput(lambda T: T.tensor([True]).floor(), NotImplementedError,
                                  "\"floor_vml_cpu\" not implemented for 'Bool'"), _LEAF(lambda T: _ones(T, 3).floor_())],
    "CeilBackward0": [ErrorInput(lambda T: T.tensor([True]).ceil(), NotImplementedError,
                                 "\"ceil_vml_cpu\" not implemented for 'Bool'")],
    "RoundBackward0": [ErrorInput(lambda T: T.tensor([True]).round(), NotImplementedError,
                                  "\"round_vml_cpu\" not implemented for 'Bool'")],
    "RoundBackward1": [ErrorInput(lambda T: T.tensor([1, 2]).round(decimals=1), NotImplementedError,
                                  "\"round_cpu\" not implemented for 'Long'"),
                       ErrorInput(lambda T: T.tensor([1, 2], dtype=T.int32).round(decimals=2), NotImplementedError,
                                  "\"round_cpu\" not implemented for 'Int'")],
    "ClampBackward1": [ErrorInput(lambda T: _ones(T, 3).clamp(), RuntimeError,
                                  "torch.clamp: At least one of 'min' or 'max' must not be None"),
                       ErrorInput(lambda T: T.clip(_ones(T, 3)), RuntimeError,
                                  "torch.clamp: At least one of 'min' or 'max' must not be None"),
                       _LEAF(lambda T: _ones(T, 3).clamp_(0, 1)),
                       # number bounds: torch names the C++ type in clamp_'s cast error ...
                       ErrorInput(lambda T: T.tensor([1, 2, 3]).clamp_(0.5, 1.5), RuntimeError,
                                  "result type Float can't be cast to the desired output type long int"),
                       ErrorInput(lambda T: T.tensor([1, 2], dtype=T.int32).clip_(0.5, 1e40), RuntimeError,
                                  "result type Float can't be cast to the desired output type int"),
                       ErrorInput(lambda T: T.tensor([True]).clamp_(0, 1), RuntimeError,
                                  "result type Long can't be cast to the desired output type bool"),
                       # ... and refuses a bound the computation's type can't hold
                       ErrorInput(lambda T: _ones(T, 3).clamp(1e40), RuntimeError,
                                  "value cannot be converted to type float without overflow"),
                       ErrorInput(lambda T: T.tensor([1], dtype=T.int8).clamp(max=2**40), RuntimeError,
                                  "value cannot be converted to type int8_t without overflow"),
                       ErrorInput(lambda T: T.ones(2, dtype=T.float16).clamp_(-1e10), RuntimeError,
                                  "value cannot be converted to type c10::Half without overflow")],
    "ClampBackward0": [_bcast(lambda a, b: a.clamp(b)),
                       ErrorInput(lambda T: _ones(T, 3).clamp(_ones(T, 3), 2), TypeError,
                                  "clamp() received an invalid combination of arguments - got (Tensor, int), but "
                                  "expected one of:\n * (Tensor min = None, Tensor max = None)\n      didn't match "
                                  "because some of the arguments have invalid types: (!Tensor!, !int!)\n * (Number min = "
                                  "None, Number max = None)\n      didn't match because some of the arguments have "
                                  "invalid types: (!Tensor!, !int!)\n"),
                       ErrorInput(lambda T: (_ones(T, 3) * 1).clamp_(_ones(T, 2, 3)), RuntimeError,
                                  "output with shape [3] doesn't match the broadcast shape [2, 3]")],
    "ClampMinBackward0": [_LEAF(lambda T: _ones(T, 3).clamp_min_(0.5)),
                          ErrorInput(lambda T: T.tensor([1, 2], dtype=T.int16).clamp_min_(0.5), RuntimeError,
                                     "result type Float can't be cast to the desired output type short int"),
                          ErrorInput(lambda T: _ones(T, 3).clamp_min(-1e39), RuntimeError,
                                     "value cannot be converted to type float without overflow")],
    "ClampMaxBackward0": [_LEAF(lambda T: T.clamp_max_(_ones(T, 3), 0.5)),
                          ErrorInput(lambda T: T.tensor([1, 2], dtype=T.uint8).clamp_max_(0.5), RuntimeError,
                                     "result type Float can't be cast to the desired output type unsigned char")],
    "ClampMinBackward1": [_bcast(lambda a, b: a.clamp_min(b))],
    "ClampMaxBackward1": [_bcast(lambda a, b: a.clamp_max(b))],
    "MaskedFillBackward0": [
        ErrorInput(lambda T: _ones(T, 3).masked_fill(T.ones(3), 0.0), RuntimeError,
                   "masked_fill_ only supports boolean masks, but got mask with dtype float"),
        ErrorInput(lambda T: _ones(T, 3).masked_fill(T.ones(3, dtype=T.long), 0.0), RuntimeError,
                   "masked_fill_ only supports boolean masks, but got mask with dtype long int"),
        ErrorInput(lambda T: _ones(T, 3).masked_fill(T.ones(4, dtype=T.bool), 0.0), RuntimeError,
                   "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 0"),
        ErrorInput(lambda T: (_ones(T, 3) * 1).masked_fill_(T.ones(2, 3, dtype=T.bool), 0.0), RuntimeError,
                   "output with shape [3] doesn't match the broadcast shape [2, 3]"),
        # a value the tensor's type can't hold (inf and nan can be held; uint8 wraps down to -255)
        ErrorInput(lambda T: T.ones(3).masked_fill(T.ones(3, dtype=T.bool), 1e40), RuntimeError,
                   "value cannot be converted to type float without overflow"),
        ErrorInput(lambda T: (_ones(T, 3) * 1).masked_fill_(T.ones(3, dtype=T.bool), -3.4028235e38), RuntimeError,
                   "value cannot be converted to type float without overflow"),
        ErrorInput(lambda T: T.ones(3, dtype=T.float16).masked_fill(T.ones(3, dtype=T.bool), 65520.0), RuntimeError,
                   "value cannot be converted to type c10::Half without overflow"),
        ErrorInput(lambda T: T.ones(3, dtype=T.int32).masked_fill(T.ones(3, dtype=T.bool), 2**40), RuntimeError,
                   "value cannot be converted to type int without overflow"),
        ErrorInput(lambda T: T.ones(3, dtype=T.uint8).masked_fill(T.ones(3, dtype=T.bool), -256), RuntimeError,
                   "value cannot be converted to type uint8_t without overflow"),
        ErrorInput(lambda T: T.ones(3, dtype=T.int64).masked_fill(T.ones(3, dtype=T.bool), 2**63), RuntimeError,
                   "value cannot be converted to type int64_t without overflow"),
        ErrorInput(lambda T: T.ones(3, dtype=T.int64).masked_fill(T.ones(3, dtype=T.bool), 2**70), OverflowError,
                   "int too big to convert")],
    "MaskedFillBackward1": [ErrorInput(lambda T: _ones(T, 3).masked_fill(T.ones(3, dtype=T.bool), T.ones(3)),
                                       RuntimeError, "masked_fill_ only supports a 0-dimensional value tensor, but got "
                                       "tensor with 1 dimension(s)."),
                            ErrorInput(lambda T: T.ones(3, dtype=T.int32).masked_fill(T.ones(3, dtype=T.bool),
                                                                                       T.tensor(1e30)),
                                       RuntimeError, "value cannot be converted to type int without overflow")],
    "ProdBackward0": [ErrorInput(lambda T: _ones(T, 3).prod(dtype=T.int64), RuntimeError,
                                 "Autograd not support dtype: Long")],
    "ProdBackward1": [_dim_error(lambda T: _ones(T, 3).prod(1), -1, 0, 1)],
    "AmaxBackward0": [ErrorInput(lambda T: _ones(T, 0).amax(), RuntimeError,
                                 "amax(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                                 "reduction dim with the 'dim' argument."),
                      ErrorInput(lambda T: _ones(T, 0, 3).amax(0), IndexError,
                                 "amax(): Expected reduction dim 0 to have non-zero size."),
                      ErrorInput(lambda T: _ones(T, 2, 3).amax((0, 0)), RuntimeError,
                                 "dim 0 appears multiple times in the list of dims"),
                      _dim_error(lambda T: _ones(T, 2, 3).amax(2), -2, 1, 2)],
    "AminBackward0": [_dim_error(lambda T: _ones(T, 2, 3).amin((0, -3)), -2, 1, -3)],
    "VarBackward0": [ErrorInput(lambda T: T.tensor([1, 2]).var(), RuntimeError,
                                "std and var only support floating point and complex dtypes"),
                     _dim_error(lambda T: _ones(T, 2, 3).var(2), -2, 1, 2)],
    "StdBackward0": [ErrorInput(lambda T: T.std(T.tensor([1, 2])), RuntimeError,
                                "std and var only support floating point and complex dtypes"),
                     _dim_error(lambda T: _ones(T, 2, 3).std((0, 2)), -2, 1, 2)],
    "LogsumexpBackward0": [_dim_error(lambda T: _ones(T, 3).logsumexp(1), -1, 0, 1),
                           ErrorInput(lambda T: _ones(T, 3).logsumexp(), TypeError,
                                      'logsumexp() missing 1 required positional arguments: "dim"')],
    "CumsumBackward0": [_dim_error(lambda T: _ones(T, 3).cumsum(1), -1, 0, 1),
                        ErrorInput(lambda T: _ones(T, 3).cumsum(), TypeError,
                                   'cumsum() missing 1 required positional arguments: "dim"'),
                        ErrorInput(lambda T: _ones(T, 3).cumsum(0, dtype=T.int64), RuntimeError,
                                   "Autograd not support dtype: Long")],
    "RepeatBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).repeat(2), RuntimeError,
                                   "Number of dimensions of repeat dims can not be smaller than number of dimensions "
                                   "of tensor"),
                        ErrorInput(lambda T: _ones(T, 2, 3).repeat(2, -1), RuntimeError,
                                   "Trying to create tensor with negative dimension -3: [4, -3]")],
    "SplitBackward0": [ErrorInput(lambda T: _ones(T, 4).split(-1), RuntimeError,
                                  "split expects split_size be non-negative, but got split_size=-1"),
                       ErrorInput(lambda T: _ones(T, 4).split(0), RuntimeError,
                                  "split_size can only be 0 if dimension size is 0, but got dimension size of 4"),
                       ErrorInput(lambda T: T.tensor(1.0).split(1), RuntimeError,
                                  "split expects at least a 1-dimensional tensor"),
                       _dim_error(lambda T: T.split(_ones(T, 4), 2, 1), -1, 0, 1),
                       ErrorInput(lambda T: _ones(T, 4).chunk(0), RuntimeError,
                                  "chunk expects `chunks` to be greater than 0, got: 0"),
                       ErrorInput(lambda T: T.tensor(1.0).chunk(1), RuntimeError,
                                  "chunk expects at least a 1-dimensional tensor"),
                       _dim_error(lambda T: T.chunk(_ones(T, 4), 2, 1), -1, 0, 1)],
    "SplitWithSizesBackward0": [
        ErrorInput(lambda T: _ones(T, 4).split([1, 2]), RuntimeError,
                   "split_with_sizes expects split_sizes to sum exactly to 4 (input tensor's size at dimension 0), but "
                   "got split_sizes=[1, 2]"),
        ErrorInput(lambda T: _ones(T, 4).split([5, -1]), RuntimeError,
                   "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[5, -1]")],
    "UnbindBackward0": [ErrorInput(lambda T: T.tensor(1.0).unbind(), IndexError,
                                   "Dimension specified as 0 but tensor has no dimensions"),
                        _dim_error(lambda T: T.unbind(_ones(T, 4), 1), -1, 0, 1)],
    "GatherBackward0": [
        ErrorInput(lambda T: _ones(T, 3, 4).gather(0, T.tensor([[3]])), RuntimeError,
                   "index 3 is out of bounds for dimension 0 with size 3"),
        ErrorInput(lambda T: _ones(T, 3, 4).gather(1, T.tensor([[-1]])), RuntimeError,
                   "index -1 is out of bounds for dimension 1 with size 4"),
        ErrorInput(lambda T: _ones(T, 3, 4).gather(0, T.tensor([[0.0]])), RuntimeError,
                   "gather(): Expected dtype int32/int64 for index"),
        ErrorInput(lambda T: _ones(T, 3, 4).gather(0, T.tensor([0])), RuntimeError,
                   "Index tensor must have the same number of dimensions as input tensor"),
        ErrorInput(lambda T: _ones(T, 3, 4).gather(1, T.zeros(4, 1, dtype=T.long)), RuntimeError,
                   "Size does not match at dimension 0 expected index [4, 1] to be no larger than self [3, 4] apart "
                   "from dimension 1"),
        ErrorInput(lambda T: _ones(T, 3, 4).gather(0, [0]), TypeError,
                   "gather(): argument 'index' (position 2) must be Tensor, not list"),
        _dim_error(lambda T: _ones(T, 3, 4).gather(2, T.tensor([[0]])), -2, 1, 2)],
    "IndexSelectBackward0": [
        ErrorInput(lambda T: _ones(T, 3, 4).index_select(0, T.tensor([3])), IndexError, "index out of range in self"),
        ErrorInput(lambda T: _ones(T, 3, 4).index_select(0, T.tensor([-1])), IndexError, "index out of range in self"),
        ErrorInput(lambda T: _ones(T, 3, 4).index_select(0, T.tensor([0.0])), RuntimeError,
                   "index_select(): Expected dtype int32 or int64 for index"),
        ErrorInput(lambda T: _ones(T, 3, 4).index_select(0, T.tensor([[0]])), IndexError,
                   "index_select(): Index is supposed to be a vector"),
        ErrorInput(lambda T: T.tensor(2.0).index_select(0, T.tensor([0, 0])), RuntimeError,
                   "index_select(): Index to scalar can have only 1 value, got 2 value(s)"),
        ErrorInput(lambda T: _ones(T, 3).index_select(0, [0]), TypeError,
                   "index_select(): argument 'index' (position 2) must be Tensor, not list"),
        _dim_error(lambda T: _ones(T, 3, 4).index_select(2, T.tensor([0])), -2, 1, 2)],
    "MaskedSelectBackward0": [
        ErrorInput(lambda T: _ones(T, 3, 4).masked_select(T.tensor([1, 0, 1, 0])), RuntimeError,
                   "masked_select: expected BoolTensor for mask"),
        ErrorInput(lambda T: _ones(T, 3, 4).masked_select(T.tensor([True, False])), RuntimeError,
                   "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 1"),
        ErrorInput(lambda T: _ones(T, 3).masked_select([True]), TypeError,
                   "masked_select(): argument 'mask' (position 1) must be Tensor, not list")],
    "FlipBackward0": [_dim_error(lambda T: _ones(T, 3, 4).flip(2), -2, 1, 2),
                      ErrorInput(lambda T: _ones(T, 3, 4).flip(0, 0), RuntimeError,
                                 "dim 0 appears multiple times in the list of dims"),
                      ErrorInput(lambda T: _ones(T, 3, 4).flip(), TypeError,
                                 'flip() missing 1 required positional arguments: "dims"')],
    "RollBackward0": [ErrorInput(lambda T: _ones(T, 3, 4).roll((1, 2), (0,)), RuntimeError,
                                 "shifts and dimensions must align. shifts: 2, dims:1"),
                      _dim_error(lambda T: _ones(T, 3, 4).roll(1, 2), -2, 1, 2),
                      ErrorInput(lambda T: _ones(T, 3, 4).roll(), TypeError,
                                 'roll() missing 1 required positional arguments: "shifts"')],
    "TrilBackward0": [ErrorInput(lambda T: _ones(T, 4).tril(), RuntimeError,
                                 "tril: input tensor must have at least 2 dimensions")],
    "TriuBackward0": [ErrorInput(lambda T: T.triu(T.tensor(1.0)), RuntimeError,
                                 "triu: input tensor must have at least 2 dimensions")],
    "DiagEmbedBackward0": [ErrorInput(lambda T: T.tensor(1.0, requires_grad=True).diag(), RuntimeError,
                                      "diag(): Supports 1D or 2D tensors. Got 0D")],
    "DiagonalBackward0_copy": [ErrorInput(lambda T: _ones(T, 2, 2, 2).diag(), RuntimeError,
                                          "diag(): Supports 1D or 2D tensors. Got 3D")],
    "DiagonalBackward0": [ErrorInput(lambda T: _ones(T, 3, 4).diagonal(0, 0, 0), RuntimeError,
                                     "diagonal dimensions cannot be identical 0, 0"),
                          _dim_error(lambda T: _ones(T, 4).diagonal(), -1, 0, 1),
                          _dim_error(lambda T: T.diagonal(_ones(T, 3, 4), 0, 0, 2), -2, 1, 2)],
    "SortBackward0": [_dim_error(lambda T: _ones(T, 2, 3).sort(2), -2, 1, 2),
                      ErrorInput(lambda T: _ones(T, 3).sort(descending=1), TypeError,
                                 "sort() received an invalid combination of arguments - got (descending=int, ), but "
                                 "expected one of:\n * (*, bool stable, int dim = -1, bool descending = False)\n * "
                                 "(int dim = -1, bool descending = False)\n")],
    "SortBackward1": [_dim_error(lambda T: T.sort(_ones(T, 2, 3), dim=-3, stable=True), -2, 1, -3),
                      _dim_error(lambda T: T.tensor(1.0, requires_grad=True).sort(dim=1, stable=True), -1, 0, 1)],
    "TopkBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).topk(4), RuntimeError, "selected index k out of range"),
                      ErrorInput(lambda T: _ones(T, 2, 3).topk(-1), RuntimeError, "selected index k out of range"),
                      ErrorInput(lambda T: T.tensor(1.0, requires_grad=True).topk(2), RuntimeError,
                                 "selected index k out of range"),
                      _dim_error(lambda T: _ones(T, 2, 3).topk(1, 2), -2, 1, 2),
                      ErrorInput(lambda T: T.tensor([True, False]).topk(1), RuntimeError,
                                 "topk does not support bool dtypes on CPU"),
                      ErrorInput(lambda T: _ones(T, 3).topk(1.5), TypeError,
                                 "topk(): argument 'k' (position 1) must be int, not float")],
    "KthvalueBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).kthvalue(0), RuntimeError,
                                     "kthvalue(): selected number k out of range for dimension 1"),
                          ErrorInput(lambda T: _ones(T, 2, 3).kthvalue(3, 0), RuntimeError,
                                     "kthvalue(): selected number k out of range for dimension 0"),
                          ErrorInput(lambda T: T.tensor(1.0, requires_grad=True).kthvalue(2), RuntimeError,
                                     "kthvalue(): selected number k out of range for dimension 0"),
                          ErrorInput(lambda T: _ones(T, 2, 0).kthvalue(1), IndexError,
                                     "kthvalue(): Expected reduction dim 1 to have non-zero size."),
                          _dim_error(lambda T: T.kthvalue(_ones(T, 2, 3), 1, 2), -2, 1, 2),
                          ErrorInput(lambda T: T.tensor([True]).kthvalue(1), NotImplementedError,
                                     "\"kthvalue_cpu\" not implemented for 'Bool'")],
    "MedianBackward0": [ErrorInput(lambda T: T.tensor([True]).median(), NotImplementedError,
                                   "\"median_cpu\" not implemented for 'Bool'")],
    "MedianBackward1": [_dim_error(lambda T: _ones(T, 2, 3).median(2), -2, 1, 2),
                        ErrorInput(lambda T: _ones(T, 2, 0).median(1), IndexError,
                                   "median(): Expected reduction dim 1 to have non-zero size."),
                        ErrorInput(lambda T: _ones(T, 3).median(dim=None), TypeError,
                                   "median(): argument 'dim' must be int, not NoneType"),
                        ErrorInput(lambda T: T.tensor([True, False]).median(0), NotImplementedError,
                                   "\"median_out\" not implemented for 'Bool'")],
    "CumprodBackward0": [_dim_error(lambda T: _ones(T, 3).cumprod(1), -1, 0, 1),
                         ErrorInput(lambda T: _ones(T, 3).cumprod(), TypeError,
                                    'cumprod() missing 1 required positional arguments: "dim"'),
                         ErrorInput(lambda T: T.cumprod(_ones(T, 3), 0, dtype=T.int64), RuntimeError,
                                    "Autograd not support dtype: Long")],
    "TraceBackward0": [ErrorInput(lambda T: _ones(T, 3).trace(), RuntimeError,
                                  "trace: expected a matrix, but got tensor with dim 1"),
                       ErrorInput(lambda T: T.trace(_ones(T, 2, 3, 4)), RuntimeError,
                                  "trace: expected a matrix, but got tensor with dim 3"),
                       ErrorInput(lambda T: T.tensor([[True]]).trace(), NotImplementedError,
                                  "\"trace\" not implemented for 'Bool'")],
    "LinalgCrossBackward0": [ErrorInput(lambda T: T.cross(_ones(T, 3, 2), _ones(T, 3, 2), dim=1), RuntimeError,
                                        "linalg.cross: inputs dimension 1 must have length 3. Got 2 and 2"),
                             ErrorInput(lambda T: T.cross(_ones(T, 2, 3), _ones(T, 4, 1, 3), dim=-1), RuntimeError,
                                        "linalg.cross: inputs must have the same number of dimensions."),
                             _dim_error(lambda T: _ones(T, 3, 3).cross(_ones(T, 3, 3), 2), -2, 1, 2),
                             ErrorInput(lambda T: T.cross(_ones(T, 3, 3), _ones(T, 2, 3), dim=1), RuntimeError,
                                        "The size of tensor a (3) must match the size of tensor b (2) at "
                                        "non-singleton dimension 0")],
    "DistBackward0": [_bcast(lambda a, b: a.dist(b)),
                      ErrorInput(lambda T: T.dist(T.tensor([1, 2]), T.tensor([1, 2])), RuntimeError,
                                 "norm(): input dtype should be either floating point or complex. Got Long instead."),
                      ErrorInput(lambda T: T.dist(_ones(T, 3), _ones(T, 3), "fro"), TypeError,
                                 "dist(): argument 'p' (position 3) must be Number, not str")],
    "LinalgDetBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).det(), RuntimeError,
                                      "linalg.det: A must be batches of square matrices, but they are 2 by 3 matrices"),
                           ErrorInput(lambda T: T.det(_ones(T, 3)), RuntimeError,
                                      "linalg.det: The input tensor A must have at least 2 dimensions."),
                           ErrorInput(lambda T: T.ones(2, 2, dtype=T.long).det(), RuntimeError,
                                      "linalg.det: Expected a floating point or complex tensor as input. Got Long")],
    "LinalgInvExBackward0": [ErrorInput(lambda T: _ones(T, 2, 3).inverse(), RuntimeError,
                                        "linalg.inv: A must be batches of square matrices, but they are 2 by 3 "
                                        "matrices"),
                             ErrorInput(lambda T: T.inverse(_ones(T, 3)), RuntimeError,
                                        "linalg.inv: The input tensor A must have at least 2 dimensions."),
                             ErrorInput(lambda T: T.ones(2, 2, dtype=T.long).inverse(), RuntimeError,
                                        "linalg.inv: Expected a floating point or complex tensor as input. Got Long")],
    # gradviz.ops_math
    **{op: _unary_inplace_errors(name + "_") for name, (op, _) in MATH_UNARY.items()},
    "Atan2Backward0": [_bcast(lambda a, b: a.atan2(b)),
                       ErrorInput(lambda T: _ones(T, 3).atan2(2.0), TypeError,
                                  "atan2(): argument 'other' (position 1) must be Tensor, not float"),
                       ErrorInput(lambda T: T.atan2(_ones(T, 3), 2.0), TypeError,
                                  "atan2(): argument 'other' (position 2) must be Tensor, not float"),
                       ErrorInput(lambda T: T.tensor([1, 2]).atan2_(T.tensor([1, 2])), RuntimeError,
                                  "result type Float can't be cast to the desired output type Long"),
                       ErrorInput(lambda T: T.ones(3).atan2_(T.ones(2, 3)), RuntimeError,
                                  "output with shape [3] doesn't match the broadcast shape [2, 3]")],
    "HypotBackward0": [_bcast(lambda a, b: a.hypot(b)),
                       ErrorInput(lambda T: T.hypot(T.tensor([1, 2]), T.tensor([1, 2])), NotImplementedError,
                                  "\"hypot_cpu\" not implemented for 'Long'"),
                       ErrorInput(lambda T: T.tensor([True]).hypot(T.tensor([False])), NotImplementedError,
                                  "\"hypot_cpu\" not implemented for 'Bool'"),
                       ErrorInput(lambda T: _ones(T, 3).hypot(2.0), TypeError,
                                  "hypot(): argument 'other' (position 1) must be Tensor, not float")],
    "LerpBackward0": [_bcast(lambda a, b: a.lerp(b, 0.5)),
                      ErrorInput(lambda T: T.lerp(T.tensor([1, 2]), T.tensor([1, 2]), 0.5), NotImplementedError,
                                 "\"lerp_kernel_scalar\" not implemented for 'Long'"),
                      ErrorInput(lambda T: T.lerp(T.ones(2), T.tensor([1, 2]), 0.5), RuntimeError,
                                 "expected dtype float for `end` but got dtype long int"),
                      ErrorInput(lambda T: T.ones(2).lerp(T.ones(2, dtype=T.float64), 0.5), RuntimeError,
                                 "expected dtype float for `end` but got dtype double"),
                      ErrorInput(lambda T: T.tensor([True]).lerp_(T.tensor([True]), 0.5), NotImplementedError,
                                 "\"lerp_kernel_scalar\" not implemented for 'Bool'"),
                      _LEAF(lambda T: _ones(T, 3).lerp_(T.ones(3), 0.5))],
    "LerpBackward1": [_bcast(lambda a, b: a.lerp(a, b)),
                      ErrorInput(lambda T: T.lerp(T.tensor([1, 2]), T.tensor([1, 2]), T.tensor([1, 2])),
                                 NotImplementedError, "\"lerp_kernel_tensor\" not implemented for 'Long'"),
                      ErrorInput(lambda T: T.lerp(T.ones(2), T.ones(2), T.tensor([1, 2])), RuntimeError,
                                 "expected dtype float for `weight` but got dtype long int")],
    "AddcmulBackward0": [_bcast(lambda a, b: a.addcmul(a, b)),
                         ErrorInput(lambda T: T.addcmul(T.tensor([True]), T.tensor([True]), T.tensor([True])),
                                    NotImplementedError, "\"addcmul_cpu_out\" not implemented for 'Bool'"),
                         ErrorInput(lambda T: T.addcmul(_ones(T, 3), 2.0, _ones(T, 3)), TypeError,
                                    "addcmul(): argument 'tensor1' (position 2) must be Tensor, not float"),
                         ErrorInput(lambda T: T.tensor([1, 2]).addcmul_(T.ones(2), T.ones(2)), RuntimeError,
                                    "result type Float can't be cast to the desired output type Long")],
    "NanToNumBackward0": [_LEAF(lambda T: _ones(T, 3).nan_to_num_())],
    "TruncBackward0": [ErrorInput(lambda T: T.tensor([True]).trunc(), NotImplementedError,
                                  "\"trunc_vml_cpu\" not implemented for 'Bool'"), _LEAF(lambda T: _ones(T, 3).trunc_())],
    "FracBackward0": [ErrorInput(lambda T: T.frac(T.tensor([1, 2])), NotImplementedError,
                                 "\"frac_cpu\" not implemented for 'Long'"),
                      ErrorInput(lambda T: T.tensor([True]).frac(), NotImplementedError,
                                 "\"frac_cpu\" not implemented for 'Bool'"), _LEAF(lambda T: _ones(T, 3).frac_())],
    "FmodBackward0": [ErrorInput(lambda T: T.fmod(T.tensor([True]), True), NotImplementedError,
                                 "\"fmod_cpu\" not implemented for 'Bool'"),
                      ErrorInput(lambda T: T.fmod(T.tensor([3, 4]), 0), RuntimeError, "ZeroDivisionError"),
                      _LEAF(lambda T: _ones(T, 3).fmod_(2.0))],
    "FmodBackward1": [_bcast(lambda a, b: a.fmod(b)),
                      ErrorInput(lambda T: T.tensor([3, 4]).fmod(T.tensor([1, 0])), RuntimeError, "ZeroDivisionError"),
                      ErrorInput(lambda T: T.ones(3).fmod_(T.ones(2, 3)), RuntimeError,
                                 "output with shape [3] doesn't match the broadcast shape [2, 3]")],
    "RemainderBackward0": [ErrorInput(lambda T: T.tensor([True]).remainder(True), NotImplementedError,
                                      "\"remainder_cpu\" not implemented for 'Bool'"),
                           ErrorInput(lambda T: T.tensor([3, 4]).remainder(0), RuntimeError, "ZeroDivisionError"),
                           _LEAF(lambda T: _ones(T, 3).remainder_(2.0))],
    "RemainderBackward1": [_bcast(lambda a, b: a.remainder(b)),
                           ErrorInput(lambda T: T.remainder(T.tensor([3]), T.tensor([0])), RuntimeError,
                                      "ZeroDivisionError")],
    "AddcdivBackward0": [_bcast(lambda a, b: a.addcdiv(b, a)),
                         ErrorInput(lambda T: T.addcdiv(T.ones(2), T.tensor([1, 2]), T.tensor([1, 2])), RuntimeError,
                                    "Integer division with addcdiv is no longer supported, and in a future  release "
                                    "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
                                    "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
                                    ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
                                    "float inputs. The future addcdiv behavior is just the latter implementation: "
                                    "(input + value * tensor1 / tensor2), for all dtypes."),
                         ErrorInput(lambda T: T.addcdiv(_ones(T, 3), _ones(T, 3), 2.0), TypeError,
                                    "addcdiv(): argument 'tensor2' (position 3) must be Tensor, not float")],
}
# select, movedim, tile and unflatten record existing nodes; their own argument errors join those nodes' entries.
ERRORS["SelectBackward0"] = ERRORS["SelectBackward0"] + [
    ErrorInput(lambda T: _ones(T, 3, 4).select(0, 3), IndexError,
               "select(): index 3 out of range for tensor of size [3, 4] at dimension 0"),
    ErrorInput(lambda T: _ones(T, 3, 4).select(1, -5), IndexError,
               "select(): index -5 out of range for tensor of size [3, 4] at dimension 1"),
    ErrorInput(lambda T: T.tensor(1.0).select(0, 0), IndexError, "select() cannot be applied to a 0-dim tensor."),
    _dim_error(lambda T: T.select(_ones(T, 3, 4), 2, 0), -2, 1, 2)]
ERRORS["PermuteBackward0"] = ERRORS["PermuteBackward0"] + [
    ErrorInput(lambda T: _ones(T, 3, 4).movedim((0, 0), (1, 0)), RuntimeError, "movedim: repeated dim in `source` ([0, 0])"),
    ErrorInput(lambda T: T.movedim(_ones(T, 3, 4), (0, 1), (1, 1)), RuntimeError,
               "movedim: repeated dim in `destination` ([1, 1])"),
    ErrorInput(lambda T: _ones(T, 3, 4).movedim((0, 1), (1,)), RuntimeError,
               "movedim: Invalid source or destination dims: source ([0, 1] dims) should contain the same number of "
               "dims as destination ([1] dims)"),
    _dim_error(lambda T: _ones(T, 3, 4).moveaxis(2, 0), -2, 1, 2)]
ERRORS["RepeatBackward0"] = ERRORS["RepeatBackward0"] + [
    ErrorInput(lambda T: _ones(T, 3, 4).tile((-1,)), RuntimeError, "Trying to create tensor with negative dimension -4: [3, -4]")]
ERRORS["ViewBackward0"] = ERRORS["ViewBackward0"] + [
    ErrorInput(lambda T: _ones(T, 3, 4).unflatten(1, (3, 2)), RuntimeError,
               "unflatten: Provided sizes [3, 2] don't multiply up to the size of dim 1 (4) in the input tensor"),
    ErrorInput(lambda T: T.unflatten(_ones(T, 3, 4), 1, ()), RuntimeError, "unflatten: sizes must be non-empty"),
    _dim_error(lambda T: _ones(T, 3, 4).unflatten(2, (2, 2)), -2, 1, 2)]
# broadcast_to is expand: its errors join ExpandBackward0's (the other new functions' are in test_factory_methods.py)
ERRORS["ExpandBackward0"] = ERRORS["ExpandBackward0"] + [
    ErrorInput(lambda T: T.broadcast_to(_ones(T, 3), (2, 4)), RuntimeError,
               "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  "
               "Target sizes: [2, 4].  Tensor sizes: [3]"),
    ErrorInput(lambda T: _ones(T, 3).broadcast_to(()), RuntimeError,
               "expand(torch.FloatTensor{[3]}, size=[]): the number of sizes provided (0) must be greater or equal to "
               "the number of dimensions in the tensor (1)"),
    ErrorInput(lambda T: T.broadcast_to(_ones(T, 3), 3), TypeError,
               "broadcast_to(): argument 'size' (position 2) must be tuple of ints, not int"),
    ErrorInput(lambda T: T.broadcast_to([1.0], (3,)), TypeError,
               "broadcast_to(): argument 'input' (position 1) must be Tensor, not list")]
# -- scatter ops (gradviz.ops_scatter): strategies, rows and error inputs, kept together --------------------
@st.composite
def scatter_sample(d: Any, unique: bool = True, with_src: bool = True) -> Sample:
    """a, an index no larger than a apart from dim (and src of index's shape), dim.

    unique: no position written twice. scatter's src gradient is torch's grad.gather(dim, index)
    for every written element, so with repeats only the last write has the numerical gradient.
    """
    a = d(array(shapes(1)))
    dim = d(st.integers(-a.ndim, a.ndim - 1))
    axis = dim % a.ndim
    n = a.shape[axis]
    shape = tuple(d(st.integers(1, n if unique else SIDE)) if k == axis else d(st.integers(1, m))
                  for k, m in enumerate(a.shape))
    rng = np.random.default_rng(d(SEEDS))
    if unique:
        # A random permutation of 0..n-1 along dim for every position of the other axes, cut to size.
        full = np.broadcast_to(np.arange(n).reshape([n if k == axis else 1 for k in range(a.ndim)]),
                               tuple(n if k == axis else m for k, m in enumerate(shape)))
        index = np.take(rng.permuted(full, axis=axis), np.arange(shape[axis]), axis=axis)
    else:
        index = rng.integers(0, n, size=shape)  # repeats must add up in scatter_add's gradient
    arrays = (a, d(array(shape))) if with_src else (a,)
    kw = {"dim": dim, "index": index.tolist()}
    if not with_src:
        kw["value"] = d(st.sampled_from([-1.5, 0.0, 2.0]))
    return Sample(arrays, kw)


def _scatter_inplace(method: str) -> Callable[..., Any]:
    def fn(T: Any, a: Any, *src: Any, dim: int, index: Any, value: Any = None) -> Any:
        y = a * 1
        getattr(y, method)(dim, T.tensor(index), *(src or (value,)))
        return y
    return fn


CASES += [
    OpCase("ScatterBackward0", lambda T, a, src, dim, index: a.scatter(dim, T.tensor(index), src), scatter_sample(),
           "scatter"),
    OpCase("ScatterBackward0", lambda T, a, src, dim, index: T.scatter(a, dim, T.tensor(index), src), scatter_sample(),
           "torch_scatter"),
    OpCase("ScatterBackward0", _scatter_inplace("scatter_"), scatter_sample(), "scatter_inplace"),
    OpCase("ScatterBackward1", lambda T, a, dim, index, value: a.scatter(dim, T.tensor(index), value),
           scatter_sample(False, False), "scatter_value"),
    OpCase("ScatterBackward1", lambda T, a, dim, index, value: T.scatter(a, dim, T.tensor(index), value=value),
           scatter_sample(False, False), "torch_scatter_value"),
    OpCase("ScatterBackward1", _scatter_inplace("scatter_"), scatter_sample(False, False), "scatter_value_inplace"),
    OpCase("ScatterAddBackward0", lambda T, a, src, dim, index: a.scatter_add(dim, T.tensor(index), src),
           scatter_sample(False), "scatter_add"),
    OpCase("ScatterAddBackward0", lambda T, a, src, dim, index: T.scatter_add(a, dim, T.tensor(index), src),
           scatter_sample(False), "torch_scatter_add"),
    OpCase("ScatterAddBackward0", _scatter_inplace("scatter_add_"), scatter_sample(False), "scatter_add_inplace"),
]
CASE_IDS = [c.id for c in CASES]


def _scatter_errors(name: str) -> list[ErrorInput]:
    """The argument errors scatter and scatter_add share (recorded from torch 2.13)."""
    def call(a: Any, *args: Any) -> Any:
        return getattr(a, name)(*args)
    return [
        ErrorInput(lambda T: call(_ones(T, 3, 4), 0, T.tensor([[3]]), _ones(T, 3, 4)), RuntimeError,
                   "index 3 is out of bounds for dimension 0 with size 3"),
        ErrorInput(lambda T: call(_ones(T, 3, 4), 1, T.tensor([[-1]]), _ones(T, 3, 4)), RuntimeError,
                   "index -1 is out of bounds for dimension 1 with size 4"),
        ErrorInput(lambda T: call(_ones(T, 3, 4), 0, T.tensor([[0.0]]), _ones(T, 3, 4)), RuntimeError,
                   "scatter(): Expected dtype int32/int64 for index"),
        ErrorInput(lambda T: call(_ones(T, 3, 4), 0, T.tensor([[0]]), _ones(T, 1, 1, dtype=T.float64)), RuntimeError,
                   "scatter(): Expected self.dtype to be equal to src.dtype"),
        ErrorInput(lambda T: call(_ones(T, 3, 4), 0, T.tensor([0]), _ones(T, 3, 4)), RuntimeError,
                   "Index tensor must have the same number of dimensions as self tensor"),
        ErrorInput(lambda T: call(_ones(T, 3, 4), 0, T.tensor([[0]]), _ones(T, 1, 1, 1)), RuntimeError,
                   "Index tensor must have the same number of dimensions as src tensor"),
        _dim_error(lambda T: call(_ones(T, 3, 4), 0, T.tensor([[0]]), _ones(T, 5)), -1, 0, 1),
        ErrorInput(lambda T: call(_ones(T, 3, 4), 1, T.zeros(4, 1, dtype=T.long), _ones(T, 3, 4)), RuntimeError,
                   "Expected index [4, 1] to be no larger than self [3, 4] apart from dimension 1 and to be no larger "
                   "size than src [3, 4]"),
        ErrorInput(lambda T: call(_ones(T, 3, 4), 0, T.zeros(1, 4, dtype=T.long), _ones(T, 1, 2)), RuntimeError,
                   "Expected index [1, 4] to be no larger than self [3, 4] apart from dimension 0 and to be no larger "
                   "size than src [1, 2]"),
        _dim_error(lambda T: call(_ones(T, 3, 4), 2, T.tensor([[0]]), _ones(T, 3, 4)), -2, 1, 2),
        _LEAF(lambda T: getattr(_ones(T, 3), name + "_")(0, T.tensor([0]), _ones(T, 1))),
        ErrorInput(lambda T: getattr(T.zeros(3), name + "_")(0, T.tensor([0]), _ones(T, 1, dtype=T.float64)),
                   RuntimeError, "scatter(): Expected self.dtype to be equal to src.dtype"),
    ]


ERRORS["ScatterBackward0"] = _scatter_errors("scatter") + [
    ErrorInput(lambda T: _ones(T, 3, 4).scatter(0, T.tensor([[0]])), TypeError,
               "scatter() received an invalid combination of arguments - got (int, Tensor), but expected one of:\n"
               " * (int dim, Tensor index, Tensor src)\n * (int dim, Tensor index, Tensor src, *, str reduce)\n"
               " * (int dim, Tensor index, Number value)\n * (int dim, Tensor index, Number value, *, str reduce)\n"),
    ErrorInput(lambda T: _ones(T, 3, 4).scatter(0, [0], _ones(T, 3, 4)), TypeError,
               "scatter() received an invalid combination of arguments - got (int, list, Tensor), but expected one "
               "of:\n * (int dim, Tensor index, Tensor src)\n      didn't match because some of the arguments have "
               "invalid types: (int, !list of [int]!, Tensor)\n * (int dim, Tensor index, Tensor src, *, str reduce)\n"
               " * (int dim, Tensor index, Number value)\n      didn't match because some of the arguments have invalid "
               "types: (int, !list of [int]!, !Tensor!)\n * (int dim, Tensor index, Number value, *, str reduce)\n"),
    ErrorInput(lambda T: T.scatter(_ones(T, 3, 4), 0, T.tensor([[0]]), "x"), TypeError,
               "scatter() received an invalid combination of arguments - got (Tensor, int, Tensor, str), but expected "
               "one of:\n * (Tensor input, int dim, Tensor index, Tensor src, *, Tensor out = None)\n"
               " * (Tensor input, int dim, Tensor index, Tensor src, *, str reduce, Tensor out = None)\n"
               " * (Tensor input, int dim, Tensor index, Number value, *, Tensor out = None)\n"
               " * (Tensor input, int dim, Tensor index, Number value, *, str reduce, Tensor out = None)\n"),
]
ERRORS["ScatterBackward1"] = [
    ErrorInput(lambda T: _ones(T, 3, 4).scatter(1, T.zeros(4, 1, dtype=T.long), 2.0), RuntimeError,
               "Expected index [4, 1] to be no larger than self [3, 4] apart from dimension 1"),
    ErrorInput(lambda T: T.scatter(_ones(T, 3, 4), 0, T.tensor([[3]]), 2.0), RuntimeError,
               "index 3 is out of bounds for dimension 0 with size 3"),
    ErrorInput(lambda T: _ones(T, 3, 4).scatter(0, T.tensor([[0.0]]), 2.0), RuntimeError,
               "scatter(): Expected dtype int32/int64 for index"),
    ErrorInput(lambda T: _ones(T, 3).scatter(0, T.tensor([[0]]), 2.0), RuntimeError,
               "Index tensor must have the same number of dimensions as self tensor"),
    _dim_error(lambda T: _ones(T, 3, 4).scatter(-3, T.tensor([[0]]), 2.0), -2, 1, -3),
    _LEAF(lambda T: _ones(T, 3).scatter_(0, T.tensor([0.0]), 2.0)),
]
ERRORS["ScatterAddBackward0"] = _scatter_errors("scatter_add") + [
    ErrorInput(lambda T: _ones(T, 3, 4).scatter_add(0, T.tensor([[0]]), 2.0), TypeError,
               "scatter_add(): argument 'src' (position 3) must be Tensor, not float"),
    ErrorInput(lambda T: T.scatter_add(_ones(T, 3, 4), 0, [0], _ones(T, 3, 4)), TypeError,
               "scatter_add(): argument 'index' (position 3) must be Tensor, not list"),
    ErrorInput(lambda T: _ones(T, 3, 4).scatter_add(0, [0], _ones(T, 3, 4)), TypeError,
               "scatter_add(): argument 'index' (position 2) must be Tensor, not list"),
]
# take_along_dim and repeat_interleave record existing nodes (gather, index_select, view), as torch does
@st.composite
def take_along_sample(d: Any) -> Sample:
    """a, indices that broadcast with a apart from dim (either side may be 1), dim (or None: flat indices)."""
    a = d(array(shapes(1)))
    rng = np.random.default_rng(d(SEEDS))
    if d(st.booleans()):
        index = rng.integers(0, a.size, size=d(shapes(0, 2)))
        return Sample((a,), {"index": index.tolist(), "dim": None})
    dim = d(st.integers(-a.ndim, a.ndim - 1))
    axis = dim % a.ndim
    shape = tuple(d(st.integers(1, SIDE)) if k == axis or n == 1 else d(st.sampled_from([1, n]))
                  for k, n in enumerate(a.shape))
    return Sample((a,), {"index": rng.integers(0, a.shape[axis], size=shape).tolist(), "dim": dim})


@st.composite
def repeat_interleave_sample(d: Any, tensor: bool) -> Sample:
    a = d(array(shapes(0 if not tensor else 1)))
    dim = None if not a.ndim or d(st.booleans()) else d(st.integers(-a.ndim, a.ndim - 1))
    n = a.size if dim is None else a.shape[dim]
    if not tensor:
        repeats: Any = d(st.integers(0, 3))
    else:
        repeats = d(st.lists(st.integers(0, 3), min_size=1, max_size=1) | st.lists(st.integers(0, 3), min_size=n,
                                                                                     max_size=n))
    return Sample((a,), {"repeats": repeats, "dim": dim})


CASES += [
    OpCase("GatherBackward0", lambda T, a, index, dim: T.take_along_dim(a, T.tensor(index), dim), take_along_sample(),
           "take_along_dim"),
    OpCase("GatherBackward0", lambda T, a, index, dim: a.take_along_dim(T.tensor(index), dim=dim), take_along_sample(),
           "take_along_dim_method"),
    OpCase("ViewBackward0", lambda T, a, repeats, dim: a.repeat_interleave(repeats, dim),
           repeat_interleave_sample(False), "repeat_interleave"),
    OpCase("ViewBackward0", lambda T, a, repeats, dim: T.repeat_interleave(a, repeats, dim=dim),
           repeat_interleave_sample(False), "torch_repeat_interleave"),
    OpCase("IndexSelectBackward0", lambda T, a, repeats, dim: a.repeat_interleave(T.tensor(repeats), dim),
           repeat_interleave_sample(True), "repeat_interleave_tensor"),
    OpCase("IndexSelectBackward0", lambda T, a, repeats, dim: T.repeat_interleave(a, T.tensor(repeats), dim=dim),
           repeat_interleave_sample(True), "torch_repeat_interleave_tensor"),
]
CASE_IDS = [c.id for c in CASES]
ERRORS["GatherBackward0"] = ERRORS["GatherBackward0"] + [
    ErrorInput(lambda T: T.take_along_dim(_ones(T, 3, 4), T.tensor([[0]]).unsqueeze(0), 0), RuntimeError,
               "torch.take_along_dim(): input and indices should have the same number of dimensions, but got 2 "
               "dimensions for input, and 3 dimensions for indices"),
    ErrorInput(lambda T: T.take_along_dim(_ones(T, 3, 4), T.tensor([[0]], dtype=T.int32), 1), RuntimeError,
               "torch.take_along_dim(): dtype of indices should be Long but got Int"),
    ErrorInput(lambda T: T.take_along_dim(_ones(T, 3, 4), T.zeros(2, 1, dtype=T.long), 1), RuntimeError,
               "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
    ErrorInput(lambda T: T.take_along_dim(T.tensor(2.0, requires_grad=True), T.tensor(0), 0), IndexError,
               "Dimension specified as 0 but tensor has no dimensions"),
    ErrorInput(lambda T: _ones(T, 3, 4).take_along_dim(T.tensor([[12]])), RuntimeError,
               "index 12 is out of bounds for dimension 0 with size 12"),
    ErrorInput(lambda T: T.take_along_dim(_ones(T, 3, 4), [0], 1), TypeError,
               "take_along_dim(): argument 'indices' (position 2) must be Tensor, not list"),
    ErrorInput(lambda T: _ones(T, 3, 4).take_along_dim([0], 1), TypeError,
               "take_along_dim(): argument 'indices' (position 1) must be Tensor, not list"),
    _dim_error(lambda T: T.take_along_dim(_ones(T, 3, 4), T.tensor([[0]]), -3), -2, 1, -3)]
ERRORS["IndexSelectBackward0"] = ERRORS["IndexSelectBackward0"] + [
    ErrorInput(lambda T: _ones(T, 3, 4).repeat_interleave(T.tensor([1, 2]), 0), RuntimeError,
               "repeats must have the same size as input along dim, but got repeats.size(0) = 2 and input.size(0) = 3"),
    ErrorInput(lambda T: _ones(T, 3, 4).repeat_interleave(T.tensor([1, -2, 1]), 0), RuntimeError,
               "repeats can not be negative"),
    ErrorInput(lambda T: _ones(T, 3, 4).repeat_interleave(T.tensor([1.0, 2.0, 0.0]), 0), NotImplementedError,
               "\"repeat_interleave_cpu\" not implemented for 'Float'"),
    ErrorInput(lambda T: _ones(T, 3, 4).repeat_interleave(T.tensor([[1, 2, 0]]), 0), RuntimeError,
               "repeats must be 0-dim or 1-dim tensor"),
    ErrorInput(lambda T: _ones(T, 3, 4).repeat_interleave(T.tensor([1, 2, 0]), 0, output_size=4), RuntimeError,
               "allocated size does not match required size"),
    ErrorInput(lambda T: T.tensor(2.0, requires_grad=True).repeat_interleave(T.tensor([3]), 0), IndexError,
               "Dimension specified as 0 but tensor has no dimensions"),
    ErrorInput(lambda T: T.repeat_interleave(T.tensor([[1, 0, 2]])), RuntimeError,
               "repeat_interleave only accept 1D vector as repeat")]
ERRORS["ViewBackward0"] = ERRORS["ViewBackward0"] + [
    ErrorInput(lambda T: _ones(T, 3, 4).repeat_interleave(-1, 0), RuntimeError, "Repeats must be non-negative"),
    ErrorInput(lambda T: _ones(T, 3, 4).repeat_interleave(2, 0, output_size=5), RuntimeError,
               "repeat_interleave: Invalid output_size, expected 6 but got 5"),
    ErrorInput(lambda T: _ones(T, 3, 4).repeat_interleave(2.0, 0), TypeError,
               "repeat_interleave() received an invalid combination of arguments - got (float, int), but expected one "
               "of:\n * (Tensor repeats, int dim = None, *, int output_size = None)\n"
               " * (int repeats, int dim = None, *, int output_size = None)\n"),
    ErrorInput(lambda T: _ones(T, 3, 4).repeat_interleave(), TypeError,
               "repeat_interleave() received an invalid combination of arguments - got (), but expected one of:\n"
               " * (Tensor repeats, int dim = None, *, int output_size = None)\n"
               " * (int repeats, int dim = None, *, int output_size = None)\n"),
    ErrorInput(lambda T: T.repeat_interleave(_ones(T, 3), 2.0), TypeError,
               "repeat_interleave() received an invalid combination of arguments - got (Tensor, float), but expected "
               "one of:\n * (Tensor input, Tensor repeats, int dim = None, *, int output_size = None)\n"
               " * (Tensor repeats, *, int output_size = None)\n"
               " * (Tensor input, int repeats, int dim = None, *, int output_size = None)\n"),
    _dim_error(lambda T: _ones(T, 3, 4).repeat_interleave(2, 2), -2, 1, 2),
    _dim_error(lambda T: T.tensor(2.0, requires_grad=True).repeat_interleave(3, 0), -1, 0, 1)]
# einsum records diagonal/unsqueeze/permute/sum/mul/reshape/bmm as torch does (torch has no einsum node):
# the row accepts the last step's node; test_matches_torch compares the whole graph with torch's.
EINSUM_EQUATIONS = ("ij,jk->ik", "bij,bjk->bik", "ij->ji", "ii->", "ij->", "i,j->ij", "ii->i", "ij,ij->", "ij,j->i",
                    "ij,kj->ik", "ij,jk", "ijk->kji", "bhqd,bhkd->bhqk", "ij,jk,kl->il", "iij->j", "ij,jk->k")


@st.composite
def einsum_sample(d: Any) -> Sample:
    """An equation and operands whose label sizes agree (1 to SIDE; a size 1 may broadcast against more)."""
    eq = d(st.sampled_from(EINSUM_EQUATIONS))
    terms = eq.split("->")[0].split(",")
    labels = sorted(set("".join(terms)))
    size = {c: d(st.integers(1, SIDE if len(labels) <= 3 else 2)) for c in labels}
    rng = np.random.default_rng(d(SEEDS))
    arrays = []
    for term in terms:
        shape = tuple(size[c] for c in term)
        if len(set(term)) == len(term):  # repeated labels must keep their size; others may be 1 (broadcast)
            shape = tuple(1 if n > 1 and d(st.integers(0, 5)) == 0 else n for n in shape)
        arrays.append(reals().sample(rng, shape))
    return Sample(tuple(arrays), {"equation": eq})


CASES += [
    OpCase(("ViewBackward0", "PermuteBackward0", "SumBackward1", "MulBackward0"),
           lambda T, *ops, equation: T.einsum(equation, *ops), einsum_sample(), "einsum"),
    OpCase(("ViewBackward0", "PermuteBackward0", "SumBackward1", "MulBackward0"),
           lambda T, *ops, equation: T.einsum(equation, list(ops)), einsum_sample(), "einsum_list"),
]
CASE_IDS = [c.id for c in CASES]
ERRORS["ViewBackward0"] = ERRORS["ViewBackward0"] + [
    ErrorInput(lambda T: T.einsum("ij,jk", _ones(T, 2, 3)), RuntimeError,
               "einsum(): fewer operands were provided than specified in the equation"),
    ErrorInput(lambda T: T.einsum("ij", _ones(T, 2, 3), _ones(T, 2, 3)), RuntimeError,
               "einsum(): more operands were provided than specified in the equation"),
    ErrorInput(lambda T: T.einsum("ijk", _ones(T, 2, 3)), RuntimeError,
               "einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) "
               "for operand 0 and no ellipsis was given"),
    ErrorInput(lambda T: T.einsum("ij->k", _ones(T, 2, 3)), RuntimeError,
               "einsum(): output subscript k does not appear in the equation for any input operand"),
    ErrorInput(lambda T: T.einsum("ij->ii", _ones(T, 2, 3)), RuntimeError,
               "einsum(): output subscript i appears more than once in the output"),
    ErrorInput(lambda T: T.einsum("i1->i", _ones(T, 2, 3)), RuntimeError,
               "einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]"),
    ErrorInput(lambda T: T.einsum("ii->i", _ones(T, 2, 3)), RuntimeError,
               "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    ErrorInput(lambda T: T.einsum("ij,jk->ik", _ones(T, 2, 3), _ones(T, 2, 3)), RuntimeError,
               "einsum(): subscript j has size 2 for operand 1 which does not broadcast with previously seen size 3"),
    ErrorInput(lambda T: T.einsum("ij,jk->ik", _ones(T, 2, 3), _ones(T, 3, 2, dtype=T.float64)), RuntimeError,
               "expected scalar type Float but found Double"),
    ErrorInput(lambda T: T.einsum("ij,jk->ik", _ones(T, 2, 3), [1]), TypeError,
               "expected Tensor as element 1 in argument 1, but got list"),
    ErrorInput(lambda T: T.einsum("ij"), ValueError,
               "einsum(): must specify the equation string and at least one operand, or at least one operand and its "
               "subscripts list")]

# -- cummax / cummin (gradviz.ops_select); nonzero, argwhere and unique make no differentiable node ------
@st.composite
def running_sample(d: Any) -> Sample:
    """Distinct values (a tie is a kink of the running extreme) and a dim, 0-d inputs included."""
    a = d(array(shapes(0), Distinct()))
    n = max(a.ndim, 1)
    return Sample((a,), {"dim": d(st.integers(-n, n - 1))})


CASES += [
    OpCase("CummaxBackward0", lambda T, a, dim: a.cummax(dim).values, running_sample(), "cummax"),
    OpCase("CummaxBackward0", lambda T, a, dim: T.cummax(a, dim=dim)[0], running_sample(), "torch_cummax"),
    OpCase("CumminBackward0", lambda T, a, dim: a.cummin(dim)[0], running_sample(), "cummin"),
    OpCase("CumminBackward0", lambda T, a, dim: T.cummin(a, dim).values, running_sample(), "torch_cummin"),
]
CASE_IDS = [c.id for c in CASES]
for _name in ("cummax", "cummin"):
    ERRORS[_name.capitalize() + "Backward0"] = [
        _dim_error(lambda T, n=_name: getattr(_ones(T, 2, 3), n)(2), -2, 1, 2),
        ErrorInput(lambda T, n=_name: getattr(_ones(T, 2), n)(), TypeError,
                   f'{_name}() missing 1 required positional arguments: "dim"'),
        ErrorInput(lambda T, n=_name: getattr(T, n)(_ones(T, 2)), TypeError,
                   f'{_name}() missing 1 required positional arguments: "dim"'),
        ErrorInput(lambda T, n=_name: getattr(_ones(T, 2), n)(dim=1.5), TypeError,
                   f"{_name}(): argument 'dim' must be int, not float"),
        ErrorInput(lambda T, n=_name: getattr(T.tensor(1.0, requires_grad=True), n)(1), IndexError,
                   f"{_name}(): Expected reduction dim -1 or 0 for scalar but got 1"),
        ErrorInput(lambda T, n=_name: getattr(_ones(T, 2), n)(0, 1), TypeError,
                   f"{_name}() takes 1 positional argument but 2 were given"),
        ErrorInput(lambda T, n=_name: getattr(T, n)(_ones(T, 2), 0, 1), TypeError,
                   f"{_name}() takes 2 positional arguments but 3 were given"),
        ErrorInput(lambda T, n=_name: getattr(T, n)([1.0], 0), TypeError,
                   f"{_name}(): argument 'input' (position 1) must be Tensor, not list"),
    ]
# -- in-place shape ops (gradviz.ops_inplace_shape): the tensor's own shape changes, torch's ...Backward1 nodes --
def _reshape_inplace(method: str, *names: str) -> Callable[..., Any]:
    def fn(T: Any, a: Any, **kw: Any) -> Any:
        y = a * 1
        getattr(y, method)(*(kw[n] for n in names))
        return y
    return fn


CASES += [
    OpCase("TBackward1", _reshape_inplace("t_"), unary(max_dims=2), "t_inplace"),
    OpCase("TransposeBackward1", _reshape_inplace("transpose_", "d0", "d1"), transpose_sample(), "transpose_inplace"),
    OpCase("TransposeBackward1", _reshape_inplace("swapdims_", "d0", "d1"), transpose_sample(), "swapdims_inplace"),
    OpCase("TransposeBackward1", _reshape_inplace("swapaxes_", "d0", "d1"), transpose_sample(), "swapaxes_inplace"),
    OpCase("UnsqueezeBackward1", _reshape_inplace("unsqueeze_", "dim"), unary(dim=st.integers(-1, 0)),
           "unsqueeze_inplace"),
    OpCase("SqueezeBackward3", _reshape_inplace("squeeze_"), squeeze_sample("all"), "squeeze_inplace"),
    OpCase("SqueezeBackward4", _reshape_inplace("squeeze_", "dim"), squeeze_sample("dim"), "squeeze_dim_inplace"),
    OpCase("SqueezeBackward5", _reshape_inplace("squeeze_", "dim"), squeeze_sample("dims"), "squeeze_dims_inplace"),
]
CASE_IDS = [c.id for c in CASES]
ERRORS["TBackward1"] = [
    ErrorInput(lambda T: (_ones(T, 2, 2, 2) * 1).t_(), RuntimeError,
               "t_() expects a tensor with <= 2 dimensions, but self is 3D"),
    _LEAF(lambda T: _ones(T, 2, 2, 2).t_())]  # torch refuses the leaf before it looks at the shape
ERRORS["TransposeBackward1"] = [
    _dim_error(lambda T: (_ones(T, 2, 3) * 1).transpose_(0, 2), -2, 1, 2),
    _dim_error(lambda T: (_ones(T, 2, 3) * 1).swapaxes_(-3, 0), -2, 1, -3),
    ErrorInput(lambda T: (_ones(T, 2, 3) * 1).swapdims_(), TypeError,
               'swapdims_() missing 2 required positional argument: "dim0", "dim1"'),
    ErrorInput(lambda T: (_ones(T, 2, 3) * 1).transpose_(0), TypeError,
               'transpose_() missing 1 required positional arguments: "dim1"'),
    _LEAF(lambda T: _ones(T, 2, 3).transpose_(0, 1))]
ERRORS["UnsqueezeBackward1"] = [_dim_error(lambda T: (_ones(T, 2, 3) * 1).unsqueeze_(3), -3, 2, 3),
                                _LEAF(lambda T: _ones(T, 2, 3).unsqueeze_(0))]
ERRORS["SqueezeBackward3"] = [_LEAF(lambda T: _ones(T, 1, 3).squeeze_())]
ERRORS["SqueezeBackward5"] = [
    _dim_error(lambda T: (_ones(T, 1, 3) * 1).squeeze_((0, 2)), -2, 1, 2),
    ErrorInput(lambda T: (_ones(T, 1, 3) * 1).squeeze_((0, -2)), RuntimeError,
               "dim 0 appears multiple times in the list of dims"),
    _LEAF(lambda T: _ones(T, 1, 3).squeeze_((0,)))]
# -- index_fill (gradviz.ops_index_fill): a number or a 0-d tensor written into slices along dim --------------
@st.composite
def index_fill_sample(d: Any, tensor_value: bool) -> Sample:
    """a (0-d allowed), dim, an int64 index (repeats and negatives allowed, maybe 0-d), a value."""
    a = d(array(shapes(0)))
    n = a.ndim
    dim = d(st.integers(-max(n, 1), max(n, 1) - 1))
    size = (a.shape or (1,))[dim]
    # torch's IndexFillBackward1 fails in backward on a negative index and on an empty index into a 0-d
    # tensor (index_select errors); gradviz computes those gradients, so only the number rows draw them.
    index = d(st.lists(st.integers(0, size - 1), min_size=int(tensor_value), max_size=3))
    index = [i - size if not tensor_value and d(st.booleans()) else i for i in index]
    if len(index) == 1 and d(st.booleans()):
        index = index[0]  # a 0-d index tensor
    arrays = (a, d(array(()))) if tensor_value else (a,)
    kw = {"dim": dim, "index": index}
    if not tensor_value:
        kw["value"] = d(st.sampled_from([-1.5, 0.0, 2, True]))
    return Sample(arrays, kw)


def _index_fill_inplace(T: Any, a: Any, *value: Any, dim: int, index: Any, **kw: Any) -> Any:
    y = a * 1
    y.index_fill_(dim, T.tensor(index, dtype=T.long), *(value or (kw["value"],)))
    return y


CASES += [
    OpCase("IndexFillBackward0", lambda T, a, dim, index, value: a.index_fill(dim, T.tensor(index, dtype=T.long), value),
           index_fill_sample(False), "index_fill"),
    OpCase("IndexFillBackward0", lambda T, a, dim, index, value: T.index_fill(a, dim, T.tensor(index, dtype=T.long), value),
           index_fill_sample(False), "torch_index_fill"),
    OpCase("IndexFillBackward0", _index_fill_inplace, index_fill_sample(False), "index_fill_inplace"),
    OpCase("IndexFillBackward1", lambda T, a, v, dim, index: a.index_fill(dim, T.tensor(index, dtype=T.long), v),
           index_fill_sample(True), "index_fill_tensor"),
    OpCase("IndexFillBackward1", _index_fill_inplace, index_fill_sample(True), "index_fill_tensor_inplace"),
]
CASE_IDS = [c.id for c in CASES]
ERRORS["IndexFillBackward0"] = [  # recorded from torch 2.13 (test_error_inputs_torch re-checks them)
    ErrorInput(lambda T: _ones(T, 3, 4).index_fill(0, T.tensor([0.0]), 1), IndexError,
               "index_fill_(): Expected dtype int64 for index."),
    ErrorInput(lambda T: _ones(T, 3, 4).index_fill(0, T.tensor([0], dtype=T.int32), 1), IndexError,
               "index_fill_(): Expected dtype int64 for index."),
    ErrorInput(lambda T: _ones(T, 3).index_fill(5, T.tensor([0.0]), 1), IndexError,
               "index_fill_(): Expected dtype int64 for index."),
    ErrorInput(lambda T: _ones(T, 3).index_fill(0, T.tensor([[5]]), 1), RuntimeError, "Index has to be a vector/scalar"),
    ErrorInput(lambda T: _ones(T, 3, 4).index_fill(0, T.tensor([3]), 1), IndexError,
               "index 3 is out of bounds for dimension 0 with size 3"),
    ErrorInput(lambda T: _ones(T, 3, 4).index_fill(1, T.tensor([0, -5]), 1), IndexError,
               "index -5 is out of bounds for dimension 1 with size 4"),
    ErrorInput(lambda T: T.tensor(1.0, requires_grad=True).index_fill(0, T.tensor([1]), 1), IndexError,
               "index 1 is out of bounds for dimension 0 with size 1"),
    _dim_error(lambda T: _ones(T, 3).index_fill(3, T.tensor([5]), 1), -1, 0, 3),
    ErrorInput(lambda T: _ones(T, 3).index_fill(0, T.tensor([1]), 1j), RuntimeError,
               "index_fill_(): Converting complex Scalar to non-complex type is not supported"),
    ErrorInput(lambda T: _ones(T, 3).index_fill(0, [0], 1), TypeError,
               "index_fill() received an invalid combination of arguments - got (int, list, int), but expected one "
               "of:\n * (int dim, Tensor index, Tensor value)\n      didn't match because some of the arguments have "
               "invalid types: (int, !list of [int]!, !int!)\n * (int dim, Tensor index, Number value)\n      didn't "
               "match because some of the arguments have invalid types: (int, !list of [int]!, !int!)\n"),
    ErrorInput(lambda T: _ones(T, 3).index_fill(0, T.tensor([0]), "x"), TypeError,
               "index_fill() received an invalid combination of arguments - got (int, Tensor, str), but expected one "
               "of:\n * (int dim, Tensor index, Tensor value)\n      didn't match because some of the arguments have "
               "invalid types: (int, Tensor, !str!)\n * (int dim, Tensor index, Number value)\n      didn't match "
               "because some of the arguments have invalid types: (int, Tensor, !str!)\n"),
    ErrorInput(lambda T: T.index_fill(_ones(T, 3), 0, [0], 1), TypeError,
               "index_fill() received an invalid combination of arguments - got (Tensor, int, list, int), but expected "
               "one of:\n * (Tensor input, int dim, Tensor index, Tensor value)\n      didn't match because some of "
               "the arguments have invalid types: (Tensor, int, !list of [int]!, !int!)\n * (Tensor input, int dim, "
               "Tensor index, Number value)\n      didn't match because some of the arguments have invalid types: "
               "(Tensor, int, !list of [int]!, !int!)\n"),
    ErrorInput(lambda T: (_ones(T, 3) * 1).index_fill_(0.5, T.tensor([0]), 1), TypeError,
               "index_fill_() received an invalid combination of arguments - got (float, Tensor, int), but expected "
               "one of:\n * (int dim, Tensor index, Tensor value)\n      didn't match because some of the arguments "
               "have invalid types: (!float!, Tensor, !int!)\n * (int dim, Tensor index, Number value)\n      didn't "
               "match because some of the arguments have invalid types: (!float!, Tensor, !int!)\n"),
    _LEAF(lambda T: _ones(T, 3).index_fill_(0, T.tensor([0.0]), 1)),  # the leaf is refused before the index
    _LEAF(lambda T: _ones(T, 3).index_fill_(7, T.tensor([9]), 1)),
    ErrorInput(lambda T: _ones(T, 3).index_fill_(0, T.tensor([0]), None), TypeError,  # the parser before the leaf
               "index_fill_() received an invalid combination of arguments - got (int, Tensor, NoneType), but expected "
               "one of:\n * (int dim, Tensor index, Tensor value)\n      didn't match because some of the arguments "
               "have invalid types: (int, Tensor, !NoneType!)\n * (int dim, Tensor index, Number value)\n      didn't "
               "match because some of the arguments have invalid types: (int, Tensor, !NoneType!)\n"),
]
ERRORS["IndexFillBackward1"] = [
    ErrorInput(lambda T: _ones(T, 3).index_fill(0, T.tensor([0.0]), T.tensor([1.0])), RuntimeError,
               "index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s)."),
    ErrorInput(lambda T: _ones(T, 3).index_fill(4, T.tensor([0]), T.tensor([1.0])), RuntimeError,
               "index_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s)."),
    ErrorInput(lambda T: T.ones(3, dtype=T.long).index_fill(0, T.tensor([1]), T.tensor(1.0, requires_grad=True)), RuntimeError,
               "Autograd not support dtype: Long"),
    ErrorInput(lambda T: _ones(T, 3).index_fill(0, T.tensor([3]), T.tensor(1.0, requires_grad=True)), IndexError,
               "index 3 is out of bounds for dimension 0 with size 3"),
    _LEAF(lambda T: _ones(T, 3).index_fill_(0, T.tensor([0]), T.tensor(1.0))),
]
ERROR_INPUTS = [(op, i, e) for op, entry in ERRORS.items() if not isinstance(entry, str) for i, e in enumerate(entry)]


# -- meta-tests: the table covers the registry ---------------------------------------------------------
# The engine core's ops live in gradviz.ops (and ops_elementwise, ops_reduce, ops_shape); torch.nn's (softmax, losses, ...) in gradviz.nn._ops,
# with their own table in tests/test_nn.py. Any op defined elsewhere must join one of the two.
CORE_MODULES = (gradviz.ops, gradviz.ops_elementwise, gradviz.ops_reduce, gradviz.ops_shape, gradviz.ops_index,
                gradviz.ops_sort, gradviz.ops_linalg, gradviz.ops_math, gradviz.ops_scatter, gradviz.ops_select,
                gradviz.ops_inplace_shape, gradviz.ops_index_fill)
CORE_OPS = {name for name, cls in Function.registry.items() if any(vars(m).get(name) is cls for m in CORE_MODULES)}


def _nn_ops() -> set[str]:
    import gradviz.nn._ops as nn_ops
    import gradviz.nn._ops_act as nn_ops_act
    import gradviz.nn._ops_loss as nn_ops_loss

    modules = (nn_ops, nn_ops_act, nn_ops_loss)
    return {name for name, cls in Function.registry.items() if any(vars(m).get(name) is cls for m in modules)}


def test_every_op_has_a_gradcheck_row() -> None:
    covered = {name for c in CASES for name in c.ops}
    missing = sorted(CORE_OPS - covered)
    assert not missing, f"ops without a row in CASES: {missing}"


def test_every_op_has_error_inputs_or_a_reason() -> None:
    missing = sorted(CORE_OPS - set(ERRORS))
    assert not missing, f"ops without an ERRORS entry: {missing}"
    unknown = sorted(set(ERRORS) - CORE_OPS)
    assert not unknown, f"ERRORS names ops that do not exist: {unknown}"


def test_every_registered_op_belongs_to_a_table() -> None:
    stray = sorted(set(Function.registry) - CORE_OPS - _nn_ops())
    assert not stray, f"ops defined outside gradviz.ops* and gradviz.nn._ops: {stray}"


def test_case_ids_unique() -> None:
    assert len(CASE_IDS) == len(set(CASE_IDS))


# -- gradcheck -----------------------------------------------------------------------------------------
ROWS_BY_OP: dict[str, list[OpCase]] = {}
for _c in CASES:
    ROWS_BY_OP.setdefault(_c.ops[0], []).append(_c)


@pytest.mark.parametrize("op", sorted(ROWS_BY_OP))
def test_gradcheck(op: str) -> None:
    """MAX_EXAMPLES hypothesis examples per op, shared among the op's rows."""
    rows = ROWS_BY_OP[op]
    strategy = st.one_of(*[st.tuples(st.just(row), row.inputs) for row in rows])

    @settings(max_examples=MAX_EXAMPLES)
    @given(strategy)
    def check(drawn: tuple[OpCase, Sample]) -> None:
        case, sample = drawn
        fn = lambda *ts: case.fn(gradviz, *ts, **sample.kw)  # noqa: E731
        out = fn(*(gradviz.tensor(a, requires_grad=True) for a in sample.arrays))
        assert type(out.grad_fn).__name__ in case.ops, case.id
        gradcheck(fn, *sample.arrays, eps=case.eps)

    check()


@pytest.mark.parametrize("op,i,err", ERROR_INPUTS, ids=[f"{op}-{i}" for op, i, _ in ERROR_INPUTS])
def test_error_inputs(op: str, i: int, err: ErrorInput) -> None:
    with pytest.raises(Exception) as info:
        err.fn(gradviz)
    assert type(info.value) is err.exc
    assert str(info.value) == err.msg


# -- torch parity ----------------------------------------------------------------------------------------
def _graph_names(t: Any) -> list[tuple[int, str]]:
    """(depth, class name) of every node reachable through next_functions, depth first, in order."""
    out: list[tuple[int, str]] = []
    stack = [(t.grad_fn, 0)]
    while stack:
        node, depth = stack.pop()
        out.append((depth, "None" if node is None else type(node).__name__))
        if node is not None:
            stack.extend((fn, depth + 1) for fn, _ in reversed(node.next_functions))
    return out


TORCH_EXAMPLES = max(5, MAX_EXAMPLES // 20)  # per row and dtype; gradcheck above carries the bulk


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
# torch deprecates x.T on tensors that are not 2-D (the "T" row draws 0-d to 3-D); gradviz warns the
# same way, which test_tensor checks. Here only values and gradients are compared.
@pytest.mark.filterwarnings("ignore:.*`x.T`:UserWarning", "ignore:Tensor.T is deprecated on 0-D:UserWarning")
def test_matches_torch(case: OpCase) -> None:
    """Forward values, gradients, grad_fn graph and second-backward behaviour, in float64 and float32."""
    torch = pytest.importorskip("torch")

    @settings(max_examples=TORCH_EXAMPLES)
    @given(case.inputs, st.sampled_from(["float64", "float32"]))
    def check(sample: Sample, dtype: str) -> None:
        results = []
        for T in (gradviz, torch):
            leaves = [T.tensor(a, dtype=getattr(T, dtype), requires_grad=True) for a in sample.arrays]
            out = case.fn(T, *leaves, **sample.kw)
            names = _graph_names(out)
            weights = T.tensor(np.linspace(-1.0, 2.0, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype)
            loss = (out * weights).sum()
            loss.backward()
            try:
                loss.backward()
                second = "ok"
            except RuntimeError as e:
                second = str(e)
            grads = [None if leaf.grad is None else leaf.grad.numpy() for leaf in leaves]
            results.append((out.detach().numpy(), out.dtype, names, grads, second))
        (gv_out, gv_dt, gv_names, gv_grads, gv_second), (t_out, t_dt, t_names, t_grads, t_second) = results
        assert str(gv_dt) == str(t_dt)
        assert gv_names == t_names
        rtol = 1e-10 if dtype == "float64" else 2e-5
        np.testing.assert_allclose(gv_out, t_out, rtol=rtol, atol=rtol)
        for g, t in zip(gv_grads, t_grads):
            assert (g is None) == (t is None)
            if g is not None:
                # Two backward passes: the second adds the same again, or raises in both.
                np.testing.assert_allclose(g, t, rtol=rtol, atol=rtol * 10)
        assert gv_second == t_second

    check()


@pytest.mark.torch
@pytest.mark.parametrize("op,i,err", ERROR_INPUTS, ids=[f"{op}-{i}" for op, i, _ in ERROR_INPUTS])
def test_error_inputs_torch(op: str, i: int, err: ErrorInput) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as info:
        err.fn(torch)
    assert type(info.value) is err.exc
    assert str(info.value) == err.msg


@pytest.mark.torch
@pytest.mark.parametrize("name", NO_INPLACE_DERIVATIVE)
def test_inplace_without_derivative(name: str) -> None:
    """asinh_/acosh_/atanh_ on a tensor in a graph: torch's node name, value, and its backward's refusal."""
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        x = T.tensor([0.5, 1.5, 2.0], dtype=T.float64, requires_grad=True)
        y = getattr(x * 0.5 + 0.75, name + "_")()
        with pytest.raises(NotImplementedError) as info:
            y.sum().backward()
        results.append((type(y.grad_fn).__name__, repr(y), str(info.value), x.grad))
    assert results[0] == results[1]


# -- ops_math: how close to torch's bits ---------------------------------------------------------------
# Largest difference in ulp between gradviz and torch 2.13 over 20,000 uniform values per function and
# dtype, measured by running both (3 seeds) when these ops were added; 0 means bit for bit. NumPy's
# float64 arcsin/arccos/arctan/log2/log10 give torch's bits; the other kernels differ from torch's
# vectorised (SLEEF) ones by a few ulp. float32 is computed in float64 and rounded once.
MATH_ULPS = {  # name: (domain, max ulp float64, max ulp float32)
    "sinh": ((-5, 5), 1, 1), "cosh": ((-5, 5), 1, 1), "asin": ((-1, 1), 0, 1), "acos": ((-1, 1), 0, 1),
    "atan": ((-10, 10), 0, 1), "asinh": ((-10, 10), 1, 1), "acosh": ((1, 10), 2, 2), "atanh": ((-1, 1), 1, 1),
    "erf": ((-4, 4), 1, 1), "erfc": ((-4, 8), 3, 1), "expm1": ((-5, 5), 1, 1), "log2": ((0, 100), 0, 1),
    "log10": ((0, 100), 0, 1), "exp2": ((-50, 50), 1, 1),
}


def _ulps(a: np.ndarray, b: np.ndarray) -> int:
    ints = np.int64 if a.dtype == np.float64 else np.int32
    return int(np.abs(a.view(ints).astype(np.int64) - b.view(ints).astype(np.int64)).max())


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(MATH_ULPS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_math_unary_bits_vs_torch(name: str, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    (lo, hi), ulp64, ulp32 = MATH_ULPS[name]
    x = np.random.default_rng(7).uniform(lo, hi, 20000)
    ours = getattr(gradviz, name)(gradviz.tensor(x, dtype=getattr(gradviz, dtype))).numpy()
    ref = getattr(torch, name)(torch.tensor(x, dtype=getattr(torch, dtype))).numpy()
    assert _ulps(ours, ref) <= (ulp64 if dtype == "float64" else ulp32)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_math_binary_bits_vs_torch(dtype: str) -> None:
    """atan2 and float64 hypot within 1 ulp; float32 hypot, lerp, addcmul and addcdiv bit for bit in both
    dtypes (torch fuses the multiply-add of lerp and addcmul: float64 gets it from an emulated fma)."""
    torch = pytest.importorskip("torch")
    a, b, c = np.random.default_rng(8).uniform(-5, 5, (3, 20000))
    w = c / 5
    results = []
    for T in (gradviz, torch):
        t = [T.tensor(v, dtype=getattr(T, dtype)) for v in (a, b, c, w)]
        results.append({"atan2": T.atan2(t[0], t[1]), "hypot": T.hypot(t[0], t[1]), "lerp": T.lerp(t[0], t[1], 0.3),
                        "lerp_w": T.lerp(t[0], t[1], t[3]), "addcmul": T.addcmul(t[0], t[1], t[2], value=0.7),
                        "addcdiv": T.addcdiv(t[0], t[1], t[2], value=0.7)})
    ours, ref = ({k: v.numpy() for k, v in r.items()} for r in results)
    assert _ulps(ours["atan2"], ref["atan2"]) <= 1
    assert _ulps(ours["hypot"], ref["hypot"]) <= (1 if dtype == "float64" else 0)
    for k in ("lerp", "lerp_w", "addcmul", "addcdiv"):
        assert _ulps(ours[k], ref[k]) == 0, k


@pytest.mark.torch
def test_float64_fused_multiply_add_bits_vs_torch() -> None:
    """float64 addcmul and lerp over magnitudes from 1e-300 to 1e300, zeros of both signs, inf and NaN:
    bit for bit with torch's fma (subnormal results excepted: the emulation may round those twice)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    n = 4000
    scales = np.array([1.0, 1e-3, 1e3, 1e-150, 1e150, 1e-300, 1e154, 1e-160])
    a, b, c = (rng.normal(size=n) * rng.choice(scales, n) for _ in range(3))
    a[rng.random(n) < 0.05] = 0.0
    a[rng.random(n) < 0.05] = -0.0
    b[rng.random(n) < 0.01] = np.inf
    c[rng.random(n) < 0.01] = np.nan
    w = rng.uniform(-1.5, 1.5, n)
    out = []
    for T in (gradviz, torch):
        ta, tb, tc, tw = (T.tensor(v, dtype=T.float64) for v in (a, b, c, w))
        out.append([T.addcmul(ta, tb, tc, value=v).numpy() for v in (1, 0.7, -3)]
                   + [T.lerp(ta, tb, tw).numpy(), T.lerp(ta, tb, 0.3).numpy(), T.lerp(ta, tb, 0.8).numpy()])
    for ours, ref in zip(*out):
        same = (ours.view(np.int64) == ref.view(np.int64)) | (np.isnan(ours) & np.isnan(ref))
        assert np.all(same | (np.abs(ref) < np.finfo(np.float64).tiny))


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(MATH_ULPS))
def test_math_unary_integer_and_bool_inputs_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    for values in ([1, 2, 3], [True, False]):
        ours, ref = getattr(gradviz, name)(gradviz.tensor(values)), getattr(torch, name)(torch.tensor(values))
        assert str(ours.dtype) == str(ref.dtype) == "torch.float32"
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=2e-7, equal_nan=True)


@pytest.mark.torch
def test_nan_to_num_special_values_match_torch() -> None:
    """Values and gradients at NaN and ±inf (gradcheck draws finite values only), float32 and float64."""
    torch = pytest.importorskip("torch")
    vals = [1.5, math.nan, math.inf, -math.inf, -0.0]
    for dtype in ("float32", "float64"):
        results = []
        for T in (gradviz, torch):
            x = T.tensor(vals, dtype=getattr(T, dtype), requires_grad=True)
            outs = [x.nan_to_num(), T.nan_to_num(x, nan=2.0, posinf=3.0), x.nan_to_num(neginf=-7.0)]
            sum(o.sum() for o in outs).backward()
            results.append(([repr(o) for o in outs], x.grad.numpy().tolist()))
        assert results[0] == results[1]


# -- ops_math's functions without a gradient: results and errors as torch's ------------------------------
_SPECIAL = [1.5, -0.0, math.nan, math.inf, -math.inf, 1e10, -2.0, 0.0]
NO_GRAD_CALLS: dict[str, Callable[[Any], Any]] = {
    "isnan": lambda T: [T.isnan(T.tensor(_SPECIAL)), T.tensor([1, 2]).isnan(), T.tensor([True]).isnan()],
    "isinf": lambda T: [T.isinf(T.tensor(_SPECIAL, dtype=T.float64)), T.tensor([1, 2]).isinf()],
    "isfinite": lambda T: [T.tensor(_SPECIAL).isfinite(), T.isfinite(T.tensor([True, False]))],
    "logical_not": lambda T: [T.logical_not(T.tensor(_SPECIAL)), T.tensor([0, 3]).logical_not()],
    "logical_and": lambda T: [T.logical_and(T.tensor(_SPECIAL), T.tensor(0.0)),
                              T.tensor([[0, 3]]).logical_and(T.tensor([[True], [False]]))],
    "logical_or": lambda T: [T.logical_or(T.tensor([0.0, 2.0]), T.tensor([0, 0])),
                             T.tensor([0, 3]).logical_or(T.tensor([[True], [False]]))],
    "logical_xor": lambda T: [T.logical_xor(T.tensor(_SPECIAL), T.tensor(_SPECIAL[::-1])),
                              T.tensor([True, False]).logical_xor(T.tensor([1, 1]))],
    "bitwise_not": lambda T: [T.bitwise_not(T.tensor([0, -3, 7])), T.tensor([True, False]).bitwise_not(),
                              T.tensor([0, 200], dtype=T.uint8).bitwise_not()],
    "logical_not_": lambda T: [T.tensor([0.0, 2.0]).logical_not_(), T.tensor([0, 3]).logical_not_()],
    "logical_and_": lambda T: [T.tensor([0.0, 2.0, 3.0]).logical_and_(T.tensor([1, 0, 5])),
                               T.tensor([[True, False]]).logical_and_(T.tensor([True]))],
    "logical_or_": lambda T: [T.tensor([0, 3]).logical_or_(T.tensor([0.0, 0.0]))],
    "logical_xor_": lambda T: [T.tensor([1, 0]).logical_xor_(T.tensor([1.5, 0.0]))],
    "bitwise_not_": lambda T: [T.tensor([0, -3]).bitwise_not_(), T.tensor([True, False]).bitwise_not_()],
    "any": lambda T: [T.any(T.tensor(_SPECIAL)), T.tensor([[0.0, 1.0], [0.0, 0.0]]).any(dim=1),
                      T.tensor([[0, 1], [0, 0]]).any(0, keepdim=True), T.zeros(2, 3).any(dim=(0, -1)),
                      T.tensor([1, 0], dtype=T.uint8).any(), T.tensor(2.0).any(dim=0), T.zeros(0).any()],
    "all": lambda T: [T.all(T.tensor(_SPECIAL)), T.tensor([[0.0, 1.0], [2.0, 3.0]]).all(dim=-1, keepdim=True),
                      T.ones(2, 3).all(dim=(1,)), T.tensor([1, 2], dtype=T.uint8).all(dim=0), T.zeros(0).all()],
    "isclose": lambda T: [T.isclose(T.tensor(_SPECIAL), T.tensor(_SPECIAL[::-1])),
                          T.isclose(T.tensor(_SPECIAL), T.tensor(_SPECIAL), equal_nan=True),
                          T.tensor([1e10, 1.0, 1.0]).isclose(T.tensor([1.00001e10, 1.0001, 1.00001])),
                          T.isclose(T.tensor([1.0, 2.0]), T.tensor([1.05, 2.5]), rtol=0.1, atol=0.01),
                          T.isclose(T.tensor([[1.0], [math.inf]]), T.tensor([1.0, math.inf]), rtol=0, atol=0),
                          T.isclose(T.tensor([3, 4]), T.tensor([3, 5]), atol=1)],
}
NO_GRAD_ERRORS: list[Callable[[Any], Any]] = [
    lambda T: T.isnan(2.0),
    lambda T: T.logical_and(T.ones(3), 2),
    lambda T: T.ones(3).logical_or(True),
    lambda T: T.logical_xor(T.ones(3), T.ones(4)),
    lambda T: T.ones(2).bitwise_not(),
    lambda T: T.ones(2, 3).any(dim=2),
    lambda T: T.ones(2, 3).all(dim=(0, 0)),
    lambda T: T.tensor(1.0).any(dim=1),
    lambda T: T.isclose(T.ones(2), 2.0),
    lambda T: T.isclose(T.ones(2), T.ones(2, dtype=T.float64)),
    lambda T: T.isclose(T.tensor([1, 2]), T.ones(2)),
    lambda T: T.isclose(T.ones(2), T.ones(2), rtol=-1),
    lambda T: T.isclose(T.ones(2), T.ones(2), atol=-0.5),
    lambda T: T.isclose(T.ones(2), T.ones(3)),
]


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(NO_GRAD_CALLS))
def test_no_grad_math_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    x = torch.ones(1, requires_grad=True)  # noqa: F841 - results are plain tensors even beside grad-requiring ones
    ours = [repr(t) for t in NO_GRAD_CALLS[name](gradviz)]
    ref = [repr(t) for t in NO_GRAD_CALLS[name](torch)]
    assert ours == ref
    if name.startswith("bitwise_not") or name.endswith("_"):
        return  # bitwise_not takes integers and bools only, which never require grad; in-place forms below
    t = getattr(gradviz, name)(gradviz.ones(2, requires_grad=True), *(
        (gradviz.ones(2),) if name in ("logical_and", "logical_or", "logical_xor", "isclose") else ()))
    assert t.grad_fn is None and not t.requires_grad


@pytest.mark.torch
@pytest.mark.parametrize("i", range(len(NO_GRAD_ERRORS)))
def test_no_grad_math_errors_match_torch(i: int) -> None:
    torch = pytest.importorskip("torch")
    caught = []
    for T in (gradviz, torch):
        with pytest.raises(Exception) as info:
            NO_GRAD_ERRORS[i](T)
        caught.append((type(info.value), str(info.value)))
    assert caught[0] == caught[1]


# floor_divide, a // b and a number % tensor: torch records a derivative-less NotImplemented node.
FLOOR_DIVIDE_CALLS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "floor_divide": lambda T, x, y: T.floor_divide(x, y),
    "floor_divide_number": lambda T, x, y: x.floor_divide(-1.5),
    "floordiv": lambda T, x, y: x // y,
    "floordiv_number": lambda T, x, y: x // 2,
    "rfloordiv": lambda T, x, y: 3 // x,
    "rmod": lambda T, x, y: 3.5 % x,
    "remainder_of_number": lambda T, x, y: T.remainder(-2.5, x),
    "mod": lambda T, x, y: x % y,
    "floor_divide_inplace": lambda T, x, y: (x * 1).floor_divide_(y),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(FLOOR_DIVIDE_CALLS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_floor_divide_matches_torch(name: str, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    vals = [[5.5, -5.5, 0.25, -7.0], [2.0, -2.0, 3.0, 0.5]]
    results = []
    for T in (gradviz, torch):
        x = T.tensor(vals[0], dtype=getattr(T, dtype), requires_grad=True)
        y = T.tensor(vals[1], dtype=getattr(T, dtype), requires_grad=True)
        out = FLOOR_DIVIDE_CALLS[name](T, x, y)
        try:
            out.sum().backward()
            err = None
        except RuntimeError as e:
            err = str(e)
        results.append((repr(out), _graph_names(out), err))
    assert results[0] == results[1]


FLOOR_DIVIDE_VALUES: list[Callable[[Any], Any]] = [
    lambda T: T.floor_divide(T.tensor([5, -5, 7, -7]), T.tensor([2, 2, -3, -3])),
    lambda T: T.floor_divide(T.tensor([5, -5]), 2.5),
    lambda T: T.tensor([[1.0, -1.0, 0.0, math.inf, -math.inf, math.nan]]) // T.tensor([[0.0], [-0.0], [math.inf]]),
    lambda T: 7 // T.tensor([2, -3, 4]),
    lambda T: -7 % T.tensor([2.0, -3.0, 4.0]),
    lambda T: T.tensor([1, 2], dtype=T.uint8) // T.tensor([2, 1], dtype=T.uint8),
]
FLOOR_DIVIDE_ERRORS: list[Callable[[Any], Any]] = [
    lambda T: T.floor_divide(T.tensor([True]), T.tensor([True])),
    lambda T: T.tensor([3, 4]) // 0,
    lambda T: 3 // T.tensor([1, 0]),
    lambda T: 3 % T.tensor([1, 0]),
    lambda T: T.floor_divide(T.ones(3), "a"),
    lambda T: T.ones(3) // T.ones(4),
    lambda T: T.ones(3).floor_divide_(T.ones(2, 3)),
    lambda T: T.ones(3, requires_grad=True).floor_divide_(2.0),
]


@pytest.mark.torch
@pytest.mark.parametrize("i", range(len(FLOOR_DIVIDE_VALUES)))
def test_floor_divide_values_match_torch(i: int) -> None:
    torch = pytest.importorskip("torch")
    assert repr(FLOOR_DIVIDE_VALUES[i](gradviz)) == repr(FLOOR_DIVIDE_VALUES[i](torch))


@pytest.mark.torch
@pytest.mark.parametrize("i", range(len(FLOOR_DIVIDE_ERRORS)))
def test_floor_divide_errors_match_torch(i: int) -> None:
    torch = pytest.importorskip("torch")
    caught = []
    for T in (gradviz, torch):
        with pytest.raises(Exception) as info:
            FLOOR_DIVIDE_ERRORS[i](T)
        caught.append((type(info.value), str(info.value)))
    assert caught[0] == caught[1]


@pytest.mark.torch
@pytest.mark.parametrize("name", ["logical_not_", "logical_and_", "logical_or_", "logical_xor_"])
def test_logical_inplace_is_a_plain_write_as_in_torch(name: str) -> None:
    """torch writes logical_*_ without autograd: a grad-requiring tensor keeps its grad_fn (a leaf is not refused)."""
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        x = T.tensor([0.0, 2.0, -1.0], requires_grad=True)
        y = x * 1
        args = () if name == "logical_not_" else (T.tensor([1.0, 0.0, 1.0]),)
        out = getattr(y, name)(*args)
        leaf = getattr(x, name)(*args)
        results.append((out is y, repr(y), _graph_names(y), repr(leaf)))
    assert results[0] == results[1]


# -- integer and bool operands of %, fmod, ** and the bitwise operators, values vs torch ------------------
def _int_operands(T: Any) -> dict:
    return {"I": T.tensor([-7, -3, -2, -1, 0, 1, 2, 3, 7]), "D": T.tensor([-3, -2, 2, 3, -3, -2, 2, 3, 5]),
            "B": T.tensor([True, False, True, True, False, True, False, True, True]),
            "ONES": T.ones(9, dtype=T.bool), "E": T.tensor([-3, -2, -1, 0, 1, 2, -1, -2, 3]),
            "BASE": T.tensor([-2, -1, 0, 1, 2, 3, 1, -1, 0])}


INTEGER_VALUES = {
    "int % int": lambda T, o: o["I"] % o["D"], "int % 2": lambda T, o: o["I"] % 2, "int % -2": lambda T, o: o["I"] % -2,
    "int % 2.5": lambda T, o: o["I"] % 2.5, "bool % int": lambda T, o: o["B"] % o["D"],
    "int % bool": lambda T, o: o["I"] % o["ONES"], "bool % 2": lambda T, o: o["B"] % 2,
    "5 % int": lambda T, o: 5 % o["D"], "True % int": lambda T, o: True % o["D"],
    "int32 remainder": lambda T, o: o["I"].int().remainder(3), "uint8 remainder": lambda T, o: T.tensor(
        [5, 7], dtype=T.uint8).remainder(3), "torch.remainder(5, int)": lambda T, o: T.remainder(5, o["D"]),
    "fmod int": lambda T, o: o["I"].fmod(o["D"]), "fmod -2": lambda T, o: o["I"].fmod(-2),
    "fmod bool": lambda T, o: o["B"].fmod(o["D"]), "fmod int32": lambda T, o: o["I"].int().fmod(3),
    "int ** int": lambda T, o: o["BASE"] ** o["E"], "int ** int, broadcast": lambda T, o: o["BASE"][:, None] ** o["E"],
    "2 ** int": lambda T, o: 2 ** o["E"], "-1 ** int": lambda T, o: (-1) ** o["E"], "0 ** int": lambda T, o: 0 ** o["E"],
    "1 ** int": lambda T, o: 1 ** o["E"], "False ** int": lambda T, o: False ** o["E"],
    "bool ** int": lambda T, o: o["B"] ** o["E"], "int ** 0-d": lambda T, o: o["BASE"] ** T.tensor(-1),
    "int.pow(int)": lambda T, o: o["BASE"].pow(o["E"]), "torch.pow(2, int)": lambda T, o: T.pow(2, o["E"]),
    "int32 ** int32": lambda T, o: o["BASE"].int() ** o["E"].int(),
    "int8 ** int8": lambda T, o: o["BASE"].to(T.int8) ** o["E"].to(T.int8),
    "int & int": lambda T, o: o["I"] & o["D"], "int | bool": lambda T, o: o["I"] | o["B"],
    "bool ^ bool": lambda T, o: o["B"] ^ o["ONES"], "1 & int": lambda T, o: 1 & o["I"],
    "True ^ int": lambda T, o: True ^ o["I"], "6 | bool": lambda T, o: 6 | o["B"],
    "int.bitwise_and(3)": lambda T, o: o["I"].bitwise_and(3), "bool.bitwise_or(bool)": lambda T, o: o["B"].bitwise_or(
        o["ONES"]), "int.bitwise_xor(int), broadcast": lambda T, o: o["I"][:, None].bitwise_xor(o["D"]),
    "int < float, broadcast": lambda T, o: o["I"][:, None] < o["D"].float(),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(INTEGER_VALUES))
def test_integer_and_bool_operator_values_match_torch(name: str) -> None:
    """% and fmod of integers and bools (sign rules, dtypes), integers to negative integer powers (torch's
    truncated values: 1, ±1 or 0), and the bitwise operators with a number on either side."""
    torch = pytest.importorskip("torch")
    ours, ref = (INTEGER_VALUES[name](T, _int_operands(T)) for T in (gradviz, torch))
    assert repr(ours) == repr(ref)
    assert ours.grad_fn is None and ref.grad_fn is None
