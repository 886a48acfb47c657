"""sort / argsort / topk / kthvalue / median / cumprod beyond test_ops.py's value-and-gradient rows:
the returned indices, ties, NaNs, integer and bool inputs, and the printed results, against torch 2.13
run live."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import gradviz

NAN = float("nan")
# ties (stable order matters), NaNs (sorted as the largest value), a 0-d and an even-length row
ARRAYS = {
    "ties": np.array([[2.0, 1.0, 2.0, 1.0], [0.5, 0.5, 0.5, -1.0]]),
    "nans": np.array([[3.0, NAN, 2.0, NAN], [0.5, 4.0, -1.0, 7.0]]),
    "plain": np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]]),
    "scalar": np.array(3.0),
    "even": np.array([4.0, 1.0, 3.0, 2.0]),
}

CALLS: dict[str, Callable[[Any, Any], Any]] = {
    "sort": lambda T, x: x.sort(),
    "sort_desc_dim0": lambda T, x: x.sort(0, True),
    "sort_stable_desc": lambda T, x: T.sort(x, stable=True, descending=True),
    "argsort": lambda T, x: x.argsort(),
    "argsort_stable_desc": lambda T, x: T.argsort(x, dim=0, descending=True, stable=True),
    "topk": lambda T, x: x.topk(1),
    "topk_smallest": lambda T, x: T.topk(x, 1, dim=0, largest=False),
    "kthvalue": lambda T, x: x.kthvalue(1),
    "kthvalue_keepdim": lambda T, x: T.kthvalue(x, 1, 0, True),
    "median": lambda T, x: x.median(),
    "median_dim": lambda T, x: x.median(-1),
    "median_keepdim": lambda T, x: T.median(x, 0, keepdim=True),
    "cumprod": lambda T, x: x.cumprod(0),
}


def _printed(T: Any, name: str, data: np.ndarray, dtype: str) -> str:
    x = T.tensor(data, dtype=getattr(T, dtype))
    if dtype == "float32":
        x.requires_grad_()
    try:
        return repr(CALLS[name](T, x))
    except Exception as e:  # noqa: BLE001 - the error must match too
        return f"{type(e).__name__}: {e}"


# Every call on every array in both dtypes, except where no answer is defined: which of tied
# elements topk picks is not specified by torch (a partial sort), and NaN has no integer form.
PRINTED = [
    (name, data, dtype)
    for name in sorted(CALLS) for data in sorted(ARRAYS) for dtype in ("float32", "int64")
    if not (name.startswith("topk") and data == "ties") and not (dtype == "int64" and np.isnan(ARRAYS[data]).any())
]


@pytest.mark.torch
@pytest.mark.parametrize("name, data, dtype", PRINTED)
def test_printed_like_torch(name: str, data: str, dtype: str) -> None:
    """Values, indices (ties in stable order, NaNs), dtypes, grad_fn names and return types as printed."""
    torch = pytest.importorskip("torch")
    arr = ARRAYS[data]
    if dtype == "int64":
        arr = arr.astype(np.int64)
    assert _printed(gradviz, name, arr, dtype) == _printed(torch, name, arr, dtype)


@pytest.mark.torch
@pytest.mark.parametrize("name", ["sort", "topk", "median", "kthvalue", "cumprod"])
def test_bool_input_like_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    arr = np.array([True, False, True])
    assert _printed(gradviz, name, arr, "bool") == _printed(torch, name, arr, "bool")


def test_return_types() -> None:
    x = gradviz.tensor([[3.0, 1.0], [0.5, 4.0]], requires_grad=True)
    for kind, r in (("sort", x.sort()), ("topk", x.topk(1)), ("kthvalue", x.kthvalue(1)), ("median", x.median(0))):
        assert type(r).__module__ == "torch.return_types" and type(r).__name__ == kind
        values, indices = r
        assert values is r.values and indices is r.indices and indices.dtype == gradviz.int64


def test_errors_change_nothing() -> None:
    """A rejected call leaves no node and no gradient behind."""
    x = gradviz.ones(2, 3, requires_grad=True)
    for call in (lambda: x.topk(4), lambda: x.kthvalue(0), lambda: x.sort(2), lambda: x.median(5),
                 lambda: x.cumprod(2)):
        with pytest.raises((RuntimeError, IndexError)):
            call()
    assert x.grad is None and x.grad_fn is None


# -- tensordot and kron: composites of other ops, so their errors are checked here, against torch -------
def _ones(T: Any, *shape: int) -> Any:
    return T.ones(*shape, requires_grad=True)


COMPOSITE_ERRORS: dict[str, Callable[[Any], Any]] = {
    "dims_negative": lambda T: T.tensordot(_ones(T, 2, 3), _ones(T, 3, 4), dims=-1),
    "dims_too_many": lambda T: T.tensordot(_ones(T, 2, 3), _ones(T, 3, 4), dims=3),
    "sizes_differ": lambda T: T.tensordot(_ones(T, 2, 3), _ones(T, 3, 4), dims=2),
    "sizes_differ_lists": lambda T: T.tensordot(_ones(T, 2, 3), _ones(T, 3, 4), dims=([0], [0])),
    "lists_lengths": lambda T: T.tensordot(_ones(T, 2, 3), _ones(T, 3, 4), dims=([0, 1], [0])),
    "dim_range": lambda T: T.tensordot(_ones(T, 2, 3), _ones(T, 3, 4), dims=([2], [0])),
    "dims_pair_of_ints": lambda T: T.tensordot(_ones(T, 2, 3), _ones(T, 3, 4), dims=(1, 0)),
    "dims_repeated": lambda T: T.tensordot(_ones(T, 3, 3), _ones(T, 3, 3), dims=([0, 0], [0, 1])),
    "diff_0d": lambda T: T.tensor(1.0).diff(),
    "diff_negative_n": lambda T: _ones(T, 3).diff(n=-1),
    "diff_dim": lambda T: T.diff(_ones(T, 3), dim=1),
    "diff_prepend_rank": lambda T: _ones(T, 3).diff(prepend=T.ones(2, 2)),
    # a singular matrix: torch.linalg.LinAlgError with the first zero pivot of its LU factorization
    "inverse_singular": lambda T: T.inverse(T.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])),
    "inverse_singular_batch": lambda T: T.zeros(2, 3, 3).inverse(),
    "inverse_singular_ones": lambda T: T.ones(2, 2).inverse(),
    "matrix_power_not_square": lambda T: _ones(T, 2, 3).matrix_power(2),
    "matrix_power_vector": lambda T: T.matrix_power(_ones(T, 3), 2),
    "matrix_power_negative_integer": lambda T: T.tensor([[1, 2], [3, 4]]).matrix_power(-1),
    # torch checks trace's dtype before its rank
    "trace_bool_1d": lambda T: T.tensor([True, False]).trace(),
    "trace_bool_0d": lambda T: T.trace(T.tensor(True)),
    "trace_bool_3d": lambda T: T.ones(2, 2, 1, dtype=T.bool).trace(),
    "trace_int_1d": lambda T: T.tensor([1, 2]).trace(),
    "kthvalue_bool_1d": lambda T: T.tensor([True]).kthvalue(1),
    "kthvalue_bool_0d_k2": lambda T: T.tensor(True).kthvalue(2),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(COMPOSITE_ERRORS))
def test_composite_errors_like_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        with pytest.raises(Exception) as info:
            COMPOSITE_ERRORS[name](T)
        results.append((type(info.value).__name__, isinstance(info.value, RuntimeError), str(info.value)))
    assert results[0] == results[1]


@pytest.mark.torch
@pytest.mark.parametrize("call", ["tensordot", "tensordot_lists", "kron", "kron_ranks", "matrix_power"])
def test_composites_on_integers_like_torch(call: str) -> None:
    torch = pytest.importorskip("torch")
    a, b = np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4) - 5
    fns = {"tensordot": lambda T, x, y: T.tensordot(x, y, 1),
           "tensordot_lists": lambda T, x, y: T.tensordot(x, y, dims=[[1], [0]]),
           "kron": lambda T, x, y: T.kron(x, y),
           "kron_ranks": lambda T, x, y: T.kron(x[0], y),
           "matrix_power": lambda T, x, y: T.matrix_power(y[:, :3], 5)}
    outs = [repr(fns[call](T, T.tensor(a), T.tensor(b))) for T in (gradviz, torch)]
    assert outs[0] == outs[1]


@pytest.mark.torch
@pytest.mark.parametrize("call", ["trace_int", "kthvalue_bool_0d", "kthvalue_bool_0d_keepdim"])
def test_dtype_edge_results_like_torch(call: str) -> None:
    torch = pytest.importorskip("torch")
    fns = {"trace_int": lambda T: T.tensor([[1, 2]]).trace(),
           "kthvalue_bool_0d": lambda T: tuple(T.tensor(True).kthvalue(1)),
           "kthvalue_bool_0d_keepdim": lambda T: tuple(T.tensor(True).kthvalue(1, 0, keepdim=True))}
    outs = [repr(fns[call](T)) for T in (gradviz, torch)]
    assert outs[0] == outs[1]
