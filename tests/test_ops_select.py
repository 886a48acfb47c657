"""nonzero, argwhere, cummax / cummin and unique (gradviz.ops_select, gradviz._select_methods) against torch.

Gradients of cummax / cummin are gradchecked in tests/test_ops.py; here: values, index tensors,
dtypes, grad_fn names, ties and NaNs, the backward through unique (torch has none), and errors.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradviz

NAN = float("nan")


def _outcome(T: Any, make: Callable[[Any], Any]) -> Any:
    """Printed results (each tensor with its dtype and grad_fn name) or the exception's type and text."""
    try:
        out = make(T)
    except Exception as e:  # noqa: BLE001 - the type and text are compared
        return (type(e).__name__, str(e))
    outs = out if isinstance(out, tuple) else (out,)
    return (type(out).__name__ if isinstance(out, tuple) and type(out) is not tuple else "tensor",
            [(repr(o), str(o.dtype), type(o.grad_fn).__name__) for o in outs])


def _x(T: Any, data: Any = ((0.0, 1.5), (2.0, 0.0)), dtype: str = "float32", grad: bool = True) -> Any:
    t = T.tensor(data, dtype=getattr(T, dtype))
    return t.requires_grad_() if grad else t


CASES = {
    # nonzero / argwhere
    "nonzero": lambda T: _x(T).nonzero(),
    "nonzero_tuple": lambda T: _x(T).nonzero(as_tuple=True),
    "torch_nonzero": lambda T: T.nonzero(_x(T)),
    "torch_nonzero_tuple": lambda T: T.nonzero(_x(T), as_tuple=True),
    "nonzero_0d": lambda T: _x(T, 1.5).nonzero(),
    "nonzero_0d_tuple": lambda T: _x(T, 1.5).nonzero(as_tuple=True),
    "nonzero_0d_zero": lambda T: _x(T, 0.0).nonzero(),
    "nonzero_0d_zero_tuple": lambda T: _x(T, 0.0).nonzero(as_tuple=True),
    "nonzero_empty": lambda T: T.zeros(0, 3).nonzero(),
    "nonzero_empty_tuple": lambda T: T.zeros(0, 3).nonzero(as_tuple=True),
    "nonzero_bool": lambda T: _x(T, [True, False], "bool", False).nonzero(),
    "nonzero_nan": lambda T: _x(T, [NAN, 0.0]).nonzero(),
    "nonzero_int_3d": lambda T: _x(T, [[[0, 2], [3, 0]]], "int64", False).nonzero(),
    "argwhere": lambda T: T.argwhere(_x(T, [[0, 1], [2, 0]], "int64", False)),
    "argwhere_method": lambda T: _x(T).argwhere(),
    "argwhere_0d": lambda T: T.argwhere(_x(T, 2, "int64", False)),
    "nonzero_positional": lambda T: _x(T).nonzero(True),
    "torch_nonzero_positional": lambda T: T.nonzero(_x(T), True),
    "nonzero_as_tuple_int": lambda T: _x(T).nonzero(as_tuple=1),
    "torch_nonzero_as_tuple_none": lambda T: T.nonzero(_x(T), as_tuple=None),
    "argwhere_extra": lambda T: T.argwhere(_x(T), 1),
    "argwhere_method_extra": lambda T: _x(T).argwhere(1),
    "nonzero_not_tensor": lambda T: T.nonzero(1),
    "argwhere_not_tensor": lambda T: T.argwhere(1),
    # cummax / cummin: ties take the newest index, a NaN wins and the latest NaN is reported
    "cummax_int": lambda T: _x(T, [1, 3, 2, 3, 0], "int64", False).cummax(0),
    "cummax_ties": lambda T: _x(T, [2.0, 1, 2, 1]).cummax(0),
    "cummin_ties": lambda T: _x(T, [2.0, 1, 2, 1]).cummin(0),
    "cummin_int_ties": lambda T: _x(T, [1, 1], "int64", False).cummin(0),
    "cummax_nan": lambda T: _x(T, [1.0, NAN, 2.0]).cummax(0),
    "cummin_nan": lambda T: _x(T, [1.0, NAN, 2.0, NAN]).cummin(0),
    "cummax_2d": lambda T: _x(T).cummax(1),
    "cummin_2d": lambda T: _x(T, dtype="float64").cummin(dim=0),
    "torch_cummax": lambda T: T.cummax(_x(T), -1),
    "cummax_0d": lambda T: _x(T, 1.5).cummax(0),
    "cummin_0d_neg": lambda T: _x(T, 1.5).cummin(-1),
    "cummax_bool": lambda T: _x(T, [True, False, True], "bool", False).cummax(0),
    "cummin_bool": lambda T: _x(T, [True, False, True], "bool", False).cummin(0),
    "cummax_bool_0d": lambda T: _x(T, True, "bool", False).cummax(0),
    "cummax_empty": lambda T: T.zeros(0, 2).cummax(0),
    # unique: sorted whatever `sorted` says (CPU), NaNs apart, -0.0 and 0.0 one value
    "unique": lambda T: _x(T, [3, 1, 2, 1, 3], "int64", False).unique(),
    "unique_unsorted": lambda T: _x(T, [3, 1, 2, 1, 3], "int64", False).unique(sorted=False),
    "unique_inverse": lambda T: _x(T, [3, 1, 2, 1, 3], "int64", False).unique(return_inverse=True),
    "unique_counts": lambda T: _x(T, [3, 1, 2, 1, 3], "int64", False).unique(return_counts=True),
    "unique_both": lambda T: _x(T, [3, 1, 2, 1, 3], "int64", False).unique(return_inverse=True, return_counts=True),
    "unique_positional": lambda T: _x(T, [3, 1, 2, 1, 3], "int64", False).unique(True, True),
    "torch_unique_2d_inverse": lambda T: T.unique(_x(T, [[3, 1], [1, 3]], "int64", False), return_inverse=True),
    "unique_grad": lambda T: _x(T).unique(),
    "unique_grad_inverse": lambda T: _x(T).unique(return_inverse=True),
    "unique_0d": lambda T: _x(T, 1.5).unique(return_inverse=True, return_counts=True),
    "unique_nan": lambda T: _x(T, [1.0, NAN, NAN, 1.0]).unique(return_counts=True),
    "unique_bool": lambda T: _x(T, [True, False, True], "bool", False).unique(),
    "unique_empty": lambda T: T.zeros(0, 2).unique(return_inverse=True),
    "unique_signed_zero": lambda T: _x(T, [-0.0, 0.0]).unique(),
    "unique_dim_none": lambda T: _x(T).unique(return_counts=True, dim=None),
    "unique_dim0": lambda T: _x(T, [[2, 1], [1, 2], [2, 1]], "int64", False).unique(
        dim=0, return_inverse=True, return_counts=True),
    "unique_dim1": lambda T: _x(T, [[2, 1], [1, 2], [2, 1]], "int64", False).unique(
        dim=1, return_inverse=True, return_counts=True),
    "unique_dim_grad": lambda T: _x(T).unique(True, True, True, 0),
    "torch_unique_dim_grad": lambda T: T.unique(_x(T), True, True, True, -1),
    "unique_dim_1d": lambda T: _x(T, [3, 1], "int64", False).unique(dim=0),
    "unique_dim_empty": lambda T: T.zeros(0, 2).unique(dim=0, return_inverse=True, return_counts=True),
    "unique_dim_nan": lambda T: _x(T, [[NAN], [NAN]]).unique(dim=0),
    "unique_sorted_int": lambda T: T.unique(_x(T), sorted=1),
    "unique_inverse_int": lambda T: _x(T).unique(return_inverse=1),
    "unique_dim_float": lambda T: _x(T).unique(dim=1.5),
    "unique_dim_out_of_range": lambda T: _x(T).unique(dim=2),
    "unique_dim_0d": lambda T: _x(T, 1.0).unique(dim=0),
    "unique_dim_zero_sized": lambda T: T.zeros(2, 0).unique(dim=0),
    "unique_not_tensor": lambda T: T.unique(1),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    assert _outcome(gradviz, CASES[name]) == _outcome(torch, CASES[name])


BACKWARD = {
    "unique": lambda x: x.unique(),
    "unique_inverse": lambda x: x.unique(return_inverse=True)[0],
    "unique_dim": lambda x: x.unique(dim=0),
    "cummax_ties": lambda x: x.cummax(0).values,  # a repeated running max collects several gradients
    "cummin_nan": lambda x: x.cummin(-1)[0],
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(BACKWARD))
def test_backward_like_torch(name: str) -> None:
    """torch has no derivative for unique: backward raises, and .grad stays None."""
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        x = T.tensor([[2.0, 1.0, 2.0, NAN if "nan" in name else 1.0]], dtype=T.float64, requires_grad=True)
        out = BACKWARD[name](x)
        weights = T.tensor(np.arange(1.0, out.numel() + 1).reshape(tuple(out.shape)), dtype=T.float64)
        try:
            (out * weights).sum().backward()
            results.append(("ok", repr(x.grad)))
        except Exception as e:  # noqa: BLE001 - the type and text are compared
            results.append((type(e).__name__, str(e), x.grad))
    assert results[0] == results[1]


@pytest.mark.torch
@settings(max_examples=max(20, settings.default.max_examples // 4), deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                  elements=st.sampled_from([-1.0, 0.0, 0.5, 2.0, NAN])), st.data())
def test_random_inputs_like_torch(a: np.ndarray, data: st.DataObject) -> None:
    """Random small inputs with ties, zeros and NaNs: every op and option against torch."""
    torch = pytest.importorskip("torch")
    n = max(a.ndim, 1)
    dim = data.draw(st.integers(-n, n - 1))
    calls = [lambda T, x: x.nonzero(), lambda T, x: x.nonzero(as_tuple=True), lambda T, x: T.argwhere(x),
             lambda T, x: x.cummax(dim), lambda T, x: x.cummin(dim),
             lambda T, x: x.unique(return_inverse=True, return_counts=True)]
    for call in calls:
        assert _outcome(gradviz, lambda T: call(T, T.tensor(a, requires_grad=True))) == \
            _outcome(torch, lambda T: call(T, T.tensor(a, requires_grad=True)))
