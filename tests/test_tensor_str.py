"""Tensor printing must match PyTorch 2.13 character for character.

The first part needs no torch: its expected strings are outputs of torch 2.13
recorded verbatim (each of them is also re-checked against a live torch in the
differential part below, when torch is installed).  The second part builds the
same data in NumPy and torch and compares ``format_tensor`` with ``repr``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz import _dtype as D
from gradviz import _tensor_str as ts
from gradviz._tensor_str import format_tensor, get_printoptions, set_printoptions

DTYPES = {"float32": D.float32, "float64": D.float64, "int64": D.int64, "int32": D.int32, "bool": D.bool_,
          "float16": D.float16, "int16": D.int16, "int8": D.int8, "uint8": D.uint8}


@pytest.fixture(autouse=True)
def _reset_gradviz_options():
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


def fmt(values, dtype=D.float32, grad=None):
    return format_tensor(np.asarray(values, dtype=dtype.np), dtype, grad)


# ---------------------------------------------------------------------------
# Golden strings: output of torch 2.13.0 (recorded from the reference build).
# ---------------------------------------------------------------------------
NAN, INF = float("nan"), float("inf")

GOLDEN = [
    # (values, dtype, grad suffix, print options, torch 2.13 repr)
    ([1.0, 2.0, 3.0], D.float32, None, {}, "tensor([1., 2., 3.])"),
    ([1.5, 2.25, -3.0], D.float32, None, {}, "tensor([ 1.5000,  2.2500, -3.0000])"),
    ([-1 / 3, 10.0], D.float32, None, {}, "tensor([-0.3333, 10.0000])"),
    (3.14159, D.float32, None, {}, "tensor(3.1416)"),
    (2.0, D.float32, None, {}, "tensor(2.)"),
    (5, D.int64, None, {}, "tensor(5)"),
    (True, D.bool_, None, {}, "tensor(True)"),
    ([1, -20, 300], D.int64, None, {}, "tensor([  1, -20, 300])"),
    ([True, False], D.bool_, None, {}, "tensor([ True, False])"),
    ([1, 2], D.int32, None, {}, "tensor([1, 2], dtype=torch.int32)"),
    ([1.0, 2.0], D.float64, "requires_grad=True", {},
     "tensor([1., 2.], dtype=torch.float64, requires_grad=True)"),
    ([1.0, 1.0, 1.0], D.float32, "requires_grad=True", {}, "tensor([1., 1., 1.], requires_grad=True)"),
    (6.0, D.float32, "grad_fn=<SumBackward0>", {}, "tensor(6., grad_fn=<SumBackward0>)"),
    (np.exp(np.array([2.0, 3.0], np.float32)), D.float32, "grad_fn=<ExpBackward0>", {},
     "tensor([ 7.3891, 20.0855], grad_fn=<ExpBackward0>)"),
    ([1e-5, 1.0], D.float32, None, {}, "tensor([1.0000e-05, 1.0000e+00])"),
    ([0.001, 2.0], D.float32, None, {}, "tensor([1.0000e-03, 2.0000e+00])"),
    ([0.01, 5.0], D.float32, None, {}, "tensor([0.0100, 5.0000])"),
    ([0.0001, 0.1], D.float32, None, {}, "tensor([1.0000e-04, 1.0000e-01])"),
    ([1e-4], D.float64, None, {}, "tensor([0.0001], dtype=torch.float64)"),
    ([1e8], D.float32, None, {}, "tensor([100000000.])"),
    ([1e10], D.float32, None, {}, "tensor([1.0000e+10])"),
    ([0.0, 0.0, 1e-10], D.float32, None, {}, "tensor([0.0000e+00, 0.0000e+00, 1.0000e-10])"),
    ([NAN, 1.0, INF], D.float32, None, {}, "tensor([nan, 1., inf])"),
    ([NAN, 1.5, -INF], D.float32, None, {}, "tensor([   nan, 1.5000,   -inf])"),
    (1234.5678, D.float32, None, {}, "tensor(1234.5677)"),
    (np.arange(1001.0), D.float32, None, {}, "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])"),
    (np.zeros(0), D.float32, None, {}, "tensor([])"),
    (np.zeros((0, 3)), D.float32, None, {}, "tensor([], size=(0, 3))"),
    (np.zeros(0), D.int64, None, {}, "tensor([], dtype=torch.int64)"),
    ([1.12345, 2.5], D.float32, None, {"precision": 2}, "tensor([1.12, 2.50])"),
    ([1e-5, 1.0], D.float32, None, {"sci_mode": False}, "tensor([0.0000, 1.0000])"),
    (np.arange(10), D.int64, None, {"threshold": 5}, "tensor([0, 1, 2,  ..., 7, 8, 9])"),
    # multi-line examples
    (np.arange(8.0).reshape(2, 2, 2), D.float32, None, {},
     "tensor([[[0., 1.],\n"
     "         [2., 3.]],\n"
     "\n"
     "        [[4., 5.],\n"
     "         [6., 7.]]])"),
    ([[1.5, -2.0], [30.25, 4.0]], D.float32, None, {},
     "tensor([[ 1.5000, -2.0000],\n"
     "        [30.2500,  4.0000]])"),
    (np.linspace(0, 1, 8, dtype=np.float32), D.float32, "grad_fn=<MulBackward0>", {},
     "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000],\n"
     "       grad_fn=<MulBackward0>)"),
    (np.arange(2000.0, dtype=np.float32) / 1000, D.float32, None, {},
     "tensor([0.0000e+00, 1.0000e-03, 2.0000e-03,  ..., 1.9970e+00, 1.9980e+00,\n"
     "        1.9990e+00])"),
    (np.arange(2000).reshape(40, 50), D.int64, None, {},
     "tensor([[   0,    1,    2,  ...,   47,   48,   49],\n"
     "        [  50,   51,   52,  ...,   97,   98,   99],\n"
     "        [ 100,  101,  102,  ...,  147,  148,  149],\n"
     "        ...,\n"
     "        [1850, 1851, 1852,  ..., 1897, 1898, 1899],\n"
     "        [1900, 1901, 1902,  ..., 1947, 1948, 1949],\n"
     "        [1950, 1951, 1952,  ..., 1997, 1998, 1999]])"),
]


@pytest.mark.parametrize("values,dtype,grad,opts,expected", GOLDEN, ids=[g[-1][:40] for g in GOLDEN])
def test_golden(values, dtype, grad, opts, expected):
    set_printoptions(**opts)
    assert fmt(values, dtype, grad) == expected


def test_thousand_elements_print_in_full_and_wrap():
    out = fmt(np.arange(1000.0))
    assert "..." not in out
    assert out.count("\n") > 50  # wrapped at 80 columns
    assert max(len(line) for line in out.split("\n")) <= 80
    assert "..." in fmt(np.arange(1001.0))


def test_no_trailing_spaces():
    for v in (np.arange(8.0).reshape(2, 2, 2), np.arange(2000).reshape(40, 50), np.linspace(-5, 5, 300)):
        assert all(line == line.rstrip() for line in fmt(v).split("\n"))


def test_profiles_and_get_printoptions():
    assert get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
                                  "sci_mode": None}
    set_printoptions(profile="short")
    assert get_printoptions() == {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80,
                                  "sci_mode": None}
    set_printoptions(profile="full")
    assert get_printoptions()["threshold"] == math.inf
    assert "..." not in fmt(np.arange(5000))
    # an explicit option wins over the profile
    set_printoptions(profile="short", precision=6)
    assert get_printoptions()["precision"] == 6
    set_printoptions(profile="default")
    assert get_printoptions()["threshold"] == 1000
    assert isinstance(ts.PRINT_OPTS.precision, int)


def test_sci_mode_quirk_resets_on_every_call():
    set_printoptions(sci_mode=True)
    assert get_printoptions()["sci_mode"] is True
    assert fmt([1.5, 2.0]) == "tensor([1.5000e+00, 2.0000e+00])"
    set_printoptions(precision=4)  # does not pass sci_mode -> back to None
    assert get_printoptions()["sci_mode"] is None
    assert fmt([1.5, 2.0]) == "tensor([1.5000, 2.0000])"


def test_all_zero_ignores_forced_sci_mode():
    set_printoptions(sci_mode=True)
    assert fmt([0.0, 0.0]) == "tensor([0., 0.])"


def test_printoptions_context_manager_restores():
    with ts.printoptions(precision=1, sci_mode=False):
        assert get_printoptions()["precision"] == 1
    assert get_printoptions()["precision"] == 4 and get_printoptions()["sci_mode"] is None


def test_prefix_changes_indent():
    out = format_tensor(np.ones((2, 2), np.float32), D.float32, prefix="x(")
    assert out == "x([[1., 1.],\n   [1., 1.]])"


def test_huge_tensors_are_summarised_without_touching_hidden_values():
    big = np.arange(10**6, dtype=np.float32)
    out = fmt(big)
    # torch 2.13: repr(torch.arange(10**6, dtype=torch.float32))
    assert out == ("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.0000e+06, 1.0000e+06,\n"
                   "        1.0000e+06])")
    # a hidden extreme value must not change anything
    big[500_000] = -1e30
    assert fmt(big) == out


# ---------------------------------------------------------------------------
# Differential tests against torch 2.13
# ---------------------------------------------------------------------------

def _torch():
    return pytest.importorskip("torch")


def _torch_tensor(torch, arr, dtype_name, grad):
    t = torch.from_numpy(np.array(arr, dtype=DTYPES[dtype_name].np, copy=True))
    if grad == "requires_grad=True":
        t.requires_grad_(True)
    elif grad == "grad_fn=<MulBackward0>":
        t = t.requires_grad_(True) * 1
    return t


def _check(torch, arr, dtype_name, grad=None, opts=None):
    opts = opts or {}
    arr = np.array(arr, dtype=DTYPES[dtype_name].np)
    t = _torch_tensor(torch, arr, dtype_name, grad)
    torch.set_printoptions(**opts)
    set_printoptions(**opts)
    try:
        expected = repr(t)
        got = format_tensor(arr, DTYPES[dtype_name], grad)
    finally:
        torch.set_printoptions(profile="default")
        set_printoptions(profile="default")
    assert got == expected, f"\n{got}\n!=\n{expected}"


def _cases():
    """(id, array, dtype name) for a varied set of tensors, built deterministically."""
    rng = np.random.default_rng(2024)
    c: list[tuple[str, np.ndarray, str]] = []

    def add(name, arr, dts=("float32",)):
        for dt in dts:
            c.append((f"{name}-{dt}", np.asarray(arr), dt))

    fl = ("float32", "float64")
    allt = ("float32", "float64", "int64", "int32")
    add("scalar0", np.array(0.0), fl + ("int64", "bool"))
    add("scalar-neg", np.array(-7.25), fl)
    add("scalar-int", np.array(-42), allt)
    add("scalar-big", np.array(3.5e12), fl)
    add("scalar-tiny", np.array(2.5e-7), fl)
    add("scalar-nan", np.array(np.nan), fl)
    add("scalar-neginf", np.array(-np.inf), fl)
    add("scalar-negzero", np.array(-0.0), fl)
    add("1d-ints", [1, -20, 300], allt)
    add("1d-small", [0.5, 0.25, 0.125], fl)
    add("1d-neg", [-1.5, -2.25, -1000.0], fl)
    add("1d-ratio-999", [0.002, 1.998], fl)
    add("1d-ratio-1001", [0.001, 1.001], fl)
    add("1d-1e8", [1e8, 1.0], fl)
    add("1d-gt1e8", [1.5e8, 2.0], fl)
    add("1d-lt1e-4", [9e-5, 0.5], fl)
    add("1d-1e-4", [1e-4, 0.5], fl)
    add("1d-intmode-big", [1e9, 3.0], fl)
    add("1d-intmode-ratio", [1.0, 5000.0], fl)
    add("1d-nan-inf-negzero", [np.nan, -0.0, np.inf, -np.inf, 2.0], fl)
    add("1d-negzero-frac", [-0.0, 0.5], fl)
    add("1d-only-nonfinite", [np.nan, np.inf, 0.0], fl)
    add("1d-neg-tiny", [-1e-9, 1.0], fl)
    add("1d-round-up", [9.99996, 0.5], fl)
    add("1d-exp3", [1e-120, 1.0], ("float64",))
    add("1d-exp3-big", [1e200, -3.0], ("float64",))
    add("1d-bool", [True, False, True], ("bool",))
    add("1d-bool-alltrue", [True, True], ("bool",))
    add("1d-wrap", rng.normal(size=40) * 100, fl)
    add("1d-wrap-int", rng.integers(-10**6, 10**6, size=60), ("int64", "int32"))
    add("1d-wrap-bool", rng.integers(0, 2, size=50).astype(bool), ("bool",))
    add("1d-1000", np.linspace(-3, 3, 1000), fl + ("int64",))
    add("1d-1001", np.linspace(-3, 3, 1001), fl + ("int64",))
    add("1d-7", np.arange(7.0), fl)
    add("2d", rng.normal(size=(3, 4)), allt)
    add("2d-col", rng.normal(size=(5, 1)), fl)
    add("2d-row-wrap", rng.normal(size=(2, 30)) * 1e3, fl)
    add("2d-big-sum", rng.normal(size=(50, 40)), fl + ("int64",))
    add("2d-1001", np.arange(1001.0).reshape(7, 143), fl)
    add("2d-tall", rng.uniform(0, 1, size=(400, 3)), fl)
    add("2d-wide", rng.uniform(0, 1, size=(3, 400)), fl)
    add("2d-sci", rng.normal(size=(4, 4)) * 1e-6, fl)
    add("3d", rng.normal(size=(2, 3, 4)), allt)
    add("3d-sum", rng.normal(size=(10, 12, 14)), fl + ("int64",))
    add("3d-one", rng.normal(size=(1, 1, 1)), fl)
    add("3d-bool", rng.integers(0, 2, size=(2, 2, 3)).astype(bool), ("bool",))
    add("4d", rng.normal(size=(2, 2, 2, 3)), allt)
    add("4d-sum", rng.normal(size=(8, 3, 7, 9)), fl)
    add("5d-sum", rng.uniform(size=(7, 2, 2, 8, 7)), ("float32",))
    add("empty0", np.zeros(0), allt + ("bool",))
    add("empty03", np.zeros((0, 3)), allt + ("bool",))
    add("empty204", np.zeros((2, 0, 4)), allt)
    # values whose text gains a digit only through rounding (width must see it)
    add("round-boundaries", [-9.99995, 99.99996, 0.99995, 999.99995, -0.00005], fl)
    add("round-boundaries-sci", [9.99995e-7, -9.99996e12, 1.0], fl)
    add("round-boundaries-int", [999999.0, -99999.0, 1.0], fl)
    add("other-dtypes", [[1, -2, 3], [100, 5, -7]], ("float16", "int16", "int8"))
    add("uint8", [0, 7, 255], ("uint8",))
    add("float16-frac", [0.1, -65504.0, 6e-5], ("float16",))
    add("hidden-extreme", np.concatenate([np.ones(3), [1e-9, 1e9], np.ones(3)] * 200), fl)
    return c


CASES = _cases()
GRADS = [None, "requires_grad=True", "grad_fn=<MulBackward0>"]


@pytest.mark.parametrize("name,arr,dt", CASES, ids=[x[0] for x in CASES])
def test_diff_default(name, arr, dt):
    _check(_torch(), arr, dt)


GRAD_CASES = [(n, a, d, g) for (n, a, d) in CASES if d.startswith("float") for g in GRADS[1:]]


@pytest.mark.parametrize("name,arr,dt,grad", GRAD_CASES, ids=[f"{x[0]}-{x[3][:4]}" for x in GRAD_CASES])
def test_diff_grad_suffix(name, arr, dt, grad):
    _check(_torch(), arr, dt, grad)


@pytest.mark.parametrize("n", range(60, 84))
@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("grad", GRADS)
def test_diff_suffix_wrap_boundary(n, dt, grad):
    # Row lengths around the 80-column limit: the body's last line plus the
    # dtype/grad suffixes decide whether each suffix moves to its own line.
    k = n // 8
    arr = np.full(k, 1.25)
    _check(_torch(), arr, dt, grad)
    # one extra wide value stretches the line by a varying amount
    arr2 = np.concatenate([np.full(max(k - 1, 1), 1.5), [10.0 ** (n % 7)]])
    _check(_torch(), arr2, dt, grad)


OPTION_SETS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 7},
    {"sci_mode": False},
    {"sci_mode": True},
    {"threshold": 5},
    {"edgeitems": 1},
    {"edgeitems": 1, "threshold": 5},
    {"edgeitems": 0},
    {"edgeitems": 0, "threshold": 5},
    {"linewidth": 40},
    {"linewidth": 10},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "short", "sci_mode": True},
    {"threshold": 0},
]
OPT_DATA = [
    ("f-mixed", [1.12345, -2.5, 1000.25, 3e-3], "float32"),
    ("f-sci", [1e-5, 1.0, 3.0], "float32"),
    ("f-int", [1.0, -20.0, 3e5], "float64"),
    ("f-nan", [np.nan, 1.5, -np.inf, 0.0], "float32"),
    ("f-zeros", [0.0, -0.0], "float32"),
    ("f-2d", np.linspace(-2, 2, 60).reshape(6, 10), "float32"),
    ("f-3d", np.linspace(0, 1e4, 2 * 5 * 9).reshape(2, 5, 9), "float64"),
    ("f-long", np.linspace(0, 1, 2000), "float32"),
    ("f-scalar", 3.14159, "float32"),
    ("i-1d", np.arange(-30, 30), "int64"),
    ("i-2d", np.arange(200).reshape(10, 20), "int32"),
    ("b-2d", np.eye(7, dtype=bool), "bool"),
    ("empty", np.zeros((0, 2)), "float64"),
]


@pytest.mark.parametrize("opts", OPTION_SETS, ids=[str(o) for o in OPTION_SETS])
@pytest.mark.parametrize("name,arr,dt", OPT_DATA, ids=[x[0] for x in OPT_DATA])
def test_diff_print_options(opts, name, arr, dt):
    torch = _torch()
    _check(torch, arr, dt, None, opts)
    if dt.startswith("float"):
        _check(torch, arr, dt, "grad_fn=<MulBackward0>", opts)


def test_diff_get_printoptions_and_quirk():
    torch = _torch()
    try:
        for call in ({}, {"profile": "short"}, {"profile": "full"}, {"sci_mode": True}, {"precision": 3},
                     {"profile": "default", "linewidth": 50}, {"profile": "nonsense"}):
            torch.set_printoptions(**call)
            set_printoptions(**call)
            assert get_printoptions() == torch._tensor_str.get_printoptions()
    finally:
        torch.set_printoptions(profile="default")


def test_diff_golden_strings_are_torch_output():
    # The recorded strings above really are what torch prints, built the torch way.
    torch = _torch()
    for values, dtype, grad, opts, expected in GOLDEN:
        arr = np.asarray(values, dtype=dtype.np)
        if grad == "grad_fn=<SumBackward0>":
            t = (torch.ones(3, requires_grad=True) * 2).sum()
        elif grad == "grad_fn=<ExpBackward0>":
            t = torch.tensor([2.0, 3.0], requires_grad=True).exp()
        else:
            t = _torch_tensor(torch, arr, dtype.name, grad)
        torch.set_printoptions(**opts)
        try:
            assert repr(t) == expected
        finally:
            torch.set_printoptions(profile="default")


# --- property-based: random float arrays over many magnitudes --------------


_special = st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf])
_finite = st.builds(
    lambda m, e, neg: (-1 if neg else 1) * m * 10.0**e,
    st.floats(1.0, 9.999),
    st.integers(-12, 12),
    st.booleans(),
)
_ints_as_float = st.integers(-10**6, 10**6).map(float)


@st.composite
def float_arrays(draw):
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=ndim, max_size=ndim)))
    n = int(np.prod(shape)) if shape else 1
    kind = draw(st.sampled_from(["mixed", "finite", "ints", "narrow"]))
    if kind == "mixed":
        elem = st.one_of(_finite, _special, _ints_as_float)
    elif kind == "finite":
        elem = _finite
    elif kind == "ints":
        elem = st.one_of(_ints_as_float, _special)
    else:  # narrow range: usually fixed-point
        elem = st.floats(-50, 50)
    vals = draw(st.lists(elem, min_size=n, max_size=n))
    return np.array(vals, dtype=np.float64).reshape(shape)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(arr=float_arrays(), dt=st.sampled_from(["float32", "float64"]), grad=st.sampled_from(GRADS))
def test_hypothesis_random_floats(arr, dt, grad):
    torch = _torch()
    with np.errstate(over="ignore"):
        arr = arr.astype(DTYPES[dt].np)
    _check(torch, arr, dt, grad)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(
    arr=float_arrays(),
    precision=st.integers(0, 8),
    threshold=st.sampled_from([0, 3, 10, 1000]),
    edgeitems=st.integers(0, 3),
    linewidth=st.integers(20, 120),
    sci_mode=st.sampled_from([None, True, False]),
)
def test_hypothesis_random_options(arr, precision, threshold, edgeitems, linewidth, sci_mode):
    torch = _torch()
    opts = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth,
                sci_mode=sci_mode)
    _check(torch, arr.astype(np.float32), "float32", "grad_fn=<MulBackward0>", opts)
