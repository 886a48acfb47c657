"""``x[index]`` and ``x[index] = value`` against live torch: errors (type, text, order), values, nodes, versions.

Each case is run on gradviz and on torch 2.13 from the same source text; the outcomes must be equal.
"""
from __future__ import annotations

import fractions
import warnings

import numpy as np
import pytest

import gradviz

_MODES = (0, 1, 2)  # 0: plain tensor, 1: leaf that requires grad, 2: non-leaf (x * 1 of such a leaf)


def _make(L, shape, dtype, mode):
    n = int(np.prod(shape)) if shape else 1
    vals = (np.arange(n) - 1.5).reshape(shape) if shape else 1.5
    x = L.tensor(np.asarray(vals).tolist(), dtype=getattr(L, dtype))
    leaf = x
    if mode and dtype.startswith("float"):
        leaf = x.requires_grad_()
        if mode == 2:
            x = x * 1
    return leaf, x


def _outcome(L, shape, dtype, mode, code):
    """What running ``code`` (with x, L, np) gives: the error, or the state of x (and of the leaf's gradient)."""
    leaf, x = _make(L, shape, dtype, mode)
    env = {"x": x, "L": L, "np": np, "fractions": fractions}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(code, env)
    except Exception as e:  # noqa: BLE001 - the error itself is the outcome
        return type(e).__name__, str(e).split("\n")[0]
    r = env.get("r", x)
    out = [repr(r), type(r.grad_fn).__name__, repr(x), type(x.grad_fn).__name__, x._version, x.is_leaf,
           x.requires_grad, r._base is x]
    if r.requires_grad and r.dtype.is_floating_point:
        (r.float() * 2).sum().backward()
        out.append(repr(leaf.grad))
    return "ok", out


# Known gaps, not fixed yet (xfail only where the outcomes really differ): the node torch names when an index
# mixes integers or scalar bools with index tensors (torch writes through a view: CopySlices, "a view of a leaf"),
# a 0-d integer tensor read as an integer (SelectBackward0), `None`/`...`-only tuples and `0, ...` (view names),
# and a mask next to an integer with a one-element value of another dtype (torch fills, gradviz refuses).
KNOWN_GAPS = ("[0, [1]]", "[(0,), 1]", "[0, L.tensor([1])]", "[L.tensor(0), 1]", "[np.array([0]), 1]",
              "[True, [0]]", "x > 0, True", "x[..., 0] > 0, True", "None, ...", "(None,)", "[0, ...]",
              "[0, slice(None)]", "[None]", "x[0, x[0] > 0] = L.ones(1, dtype=L.float64)",
              "x[x[:, 0] > -9, 0] = L.ones(1, dtype=L.float64)")


def _compare(shape, dtype, mode, code):
    torch = pytest.importorskip("torch")
    gv, tc = _outcome(gradviz, shape, dtype, mode, code), _outcome(torch, shape, dtype, mode, code)
    if gv != tc and any(k in code for k in KNOWN_GAPS):
        pytest.xfail(f"known gap: {code}: {gv} != {tc}")
    assert gv == tc, code


# 1. Only tensors and Python numbers can be assigned: the type error comes before anything else.
VALUES = ["[1, 2]", "(1.0, 2.0)", "[[1.0]]", "[]", "np.array([1.0, 2.0])", "np.array(2.0)", "np.float32(2)",
          "np.bool_(True)", "fractions.Fraction(1, 2)", "{}", "range(2)", "L.Size([1])", "None", "'a'",
          "np.int64(3)", "np.float64(2.5)", "np.int8(3)", "True", "7", "2.5"]


@pytest.mark.parametrize("index", ["0", "5", "'a'", ":", "[0, 1]", "x > 0"])
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_assigned_value_types_match_torch(value, dtype, index):
    _compare((3,), dtype, 0, f"x[{index}] = {value}")


@pytest.mark.parametrize("mode", _MODES)
def test_list_value_refused_before_leaf_and_index_checks(mode):
    for index in ["0", "7", "::2", "[[0], [1]]"]:
        _compare((2, 3), "float32", mode, f"x[{index}] = [1, 2]")
        _compare((), "float32", mode, f"x[{index}] = [1, 2]")


# 2. 0-dim tensors: only None, `...` and scalar bools index them.
ZERO_DIM = ["0", "-1", "2", "5", "np.int64(0)", "np.int64(2)", "1:", "::2", "slice(None)", "[0, 1]", "[0]", "[]",
            "..., 0", "None", "None, None", "..., None", "None, ...", "None, 0", "1, 0", ":, 1", "slice(None), None",
            "[[0], [1]]", "L.tensor([1, 0])", "L.tensor(0)", "L.tensor(0.)", "True", "False", "True, True",
            "True, None", "None, True", "..., True", "x > 0", "x < 0", "L.tensor(True)", "L.tensor([True])",
            "(0,)", "(slice(None),)", "(None,)", "(True,)", "1.5", "'a'", "True, 0", "x > 0, 0", "np.array(0)"]


@pytest.mark.parametrize("mode", _MODES)
@pytest.mark.parametrize("index", ZERO_DIM)
def test_zero_dim_getitem_matches_torch(index, mode):
    _compare((), "float32", mode, f"r = x[{index}]")


@pytest.mark.parametrize("value", ["7.0", "L.tensor(7.0)", "L.tensor(7.0, requires_grad=True)", "L.tensor([7.0])"])
@pytest.mark.parametrize("mode", _MODES)
@pytest.mark.parametrize("index", ZERO_DIM)
def test_zero_dim_setitem_matches_torch(index, mode, value):
    _compare((), "float32", mode, f"x[{index}] = {value}")


# 3. A list holding a sequence, tensor, slice, None or `...` is read as a tuple of indices.
LISTS = ["[[0], [1]]", "[[0, 1]]", "[0, [1]]", "[L.tensor(0), 1]", "[0, L.tensor([1])]", "[0, slice(None)]",
         "[0, None]", "[None]", "[...]", "[0, ...]", "[np.array([0]), 1]", "[np.int64(0), 1]", "[(0,), 1]",
         "[[0]] * 31", "[[0]] * 32", "[0, 1]", "[]", "[True, [0]]", "[[True, False]]", "[x > 0]", "[[0], [1], [0]]"]


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 2, 2)])
@pytest.mark.parametrize("index", LISTS)
def test_list_index_reading_matches_torch(index, shape):
    _compare(shape, "float32", 1, f"r = x[{index}]")


@pytest.mark.parametrize("value", ["True", "1.5", "L.tensor(2.0)", "L.ones(1, requires_grad=True)"])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 2, 2)])
@pytest.mark.parametrize("index", LISTS)
def test_list_index_writing_matches_torch(index, shape, value):
    _compare(shape, "float32", 2, f"x[{index}] = {value}")
    _compare(shape, "float64", 0, f"x[{index}] = {value}")


def test_list_as_tuple_warns_like_torch():
    torch = pytest.importorskip("torch")
    for L in (gradviz, torch):
        x = L.zeros(2, 3)
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            x[[[0], [1]]]
            x[[0, 1]]  # a plain list of integers is one index tensor: no warning
            x[[[0], [1]]] = 1.0
        texts = [str(w.message) for w in got]
        if L is torch:
            assert texts == want and [w.category for w in got] == categories
        else:
            want, categories = texts, [w.category for w in got]
            assert got and all(w.filename == __file__ for w in got)  # points at the caller, not gradviz


# 4. Scalar bools (True/False, 0-d bool tensors), alone or with other indices, and the order of setitem's checks.
BOOLS = ["True", "False", "(True,)", "(False,)", "L.tensor(True)", "L.tensor(False)", "x.sum() > 0", "x.sum() < 0",
         "True, 0", "0, True", "False, 0", "0, False", "True, True", "True, False", "None, True", "True, None",
         "..., True", "True, ...", "..., False", "True, 1:", "x > 0, True", "x[..., 0] > 0, True"]


@pytest.mark.parametrize("mode", _MODES)
@pytest.mark.parametrize("shape", [(), (1,), (2, 3)])
@pytest.mark.parametrize("index", BOOLS)
def test_scalar_bool_getitem_matches_torch(index, shape, mode):
    _compare(shape, "float32", mode, f"r = x[{index}]")


@pytest.mark.parametrize("value", ["7.0", "L.tensor(7.0)", "L.tensor(7.0, dtype=L.float64)",
                                   "L.tensor(7.0, requires_grad=True)", "L.ones(4)", "L.ones(1)"])
@pytest.mark.parametrize("mode", _MODES)
@pytest.mark.parametrize("shape", [(), (1,), (2, 3)])
@pytest.mark.parametrize("index", BOOLS)
def test_scalar_bool_setitem_matches_torch(index, shape, mode, value):
    _compare(shape, "float32", mode, f"x[{index}] = {value}")


ORDER = ["x[x[0] > 0] = 1.5", "x[L.tensor([True, False, True])] = 1.5", "x[[5]] = 1.5", "x[5] = 1.5",
         "x[[0]] = L.tensor(2.0, dtype=L.float64)", "x[[5]] = L.tensor(2.0, dtype=L.float64)",
         "x[L.tensor([True, False, True])] = L.tensor(2.0, dtype=L.float64)", "x[[0]] = L.ones(5)",
         "x[0] = L.ones(5)", "x[x > 0] = L.ones(5)", "x[x > 0] = L.ones(2, dtype=L.float64)",
         "x[x >= -9] = L.ones(6, dtype=L.float64)", "x[x > 0] = L.tensor(7.5, dtype=L.float64)",
         "x[x > 0] = L.tensor([7.5], dtype=L.float64)", "x[0, x[0] > 0] = L.ones(1, dtype=L.float64)",
         "x[x[:, 0] > -9, 0] = L.ones(1, dtype=L.float64)", "x[..., x[0] > 0] = L.tensor(7.5, dtype=L.float64)",
         "x[[0, 1], 5] = 1.0", "x[5, [0, 1]] = 1.0", "x[1, 0, 0] = 1.0", "x[1, 0, [0]] = 1.0", "x[[0], 0, 0] = 1.0",
         "x[5, 0, 0] = 1.0", "x[x > 0, 0] = 1.0", "x[[0]] = L.tensor(7, dtype=L.int32)", "x[[0]] = L.tensor(True)",
         "r = x[[0], 0, 0]", "r = x[[0], 5]", "r = x[[5], 0]", "r = x[1, 0, 0]", "r = x[x[0] > 0]"]


@pytest.mark.parametrize("dtype", ["float32", "int64"])
@pytest.mark.parametrize("mode", _MODES)
@pytest.mark.parametrize("code", ORDER)
def test_setitem_check_order_matches_torch(code, mode, dtype):
    _compare((2, 3), dtype, mode, code)


ERRORS = ["x[0] = [1, 2]", "x[5] = 1.0", "x[[5]] = 1.0", "x[x[0] > 0] = 1.0", "x[[0]] = L.ones(5)",
          "x[0] = L.ones(5)", "x[[0]] = L.tensor(2.0, dtype=L.float64)", "x[1, 0, 0] = 1.0",
          "x[L.tensor(True)] = L.tensor(2.0, dtype=L.float64)", "x[True, 0] = L.ones(4)"]


@pytest.mark.parametrize("mode", _MODES)
@pytest.mark.parametrize("code", ERRORS)
def test_failed_setitem_changes_nothing(code, mode):
    """Same error as torch, and neither library has written a value, bumped the version or made a node."""
    torch = pytest.importorskip("torch")
    for L in (gradviz, torch):
        _, x = _make(L, (2, 3), "float32", mode)
        before = (x.detach().clone(), x._version, x.grad_fn)
        with pytest.raises((IndexError, RuntimeError, TypeError)) as err:
            exec(code, {"x": x, "L": L})
        assert L.equal(x.detach(), before[0]) and x._version == before[1] and x.grad_fn is before[2], (L, code)
        if L is gradviz:
            gv = (err.type, str(err.value))
        else:
            assert gv == (err.type, str(err.value)), code
