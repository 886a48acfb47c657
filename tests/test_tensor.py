"""Tensor metadata, conversions, constructors and factories (torch-semantics sections 1G and 4).

Expected texts and values are the spec's; the torch-marked tests compare with the reference
directly (factories bit for bit).
"""
from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any, Callable

import numpy as np
import pytest

import gradviz as torch


def bits(t: Any) -> list[int]:
    a = np.ascontiguousarray(t.detach().numpy())
    view = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[a.itemsize]
    return a.view(view).ravel().tolist()


# -- metadata -----------------------------------------------------------------------------------------
def test_shape_and_size() -> None:
    x = torch.ones(2, 3)
    assert repr(x.shape) == "torch.Size([2, 3])" and str(x.size()) == "torch.Size([2, 3])"
    assert type(x.shape).__name__ == "Size" and isinstance(x.shape, tuple)
    assert x.shape == (2, 3) and x.size() == x.shape
    assert x.size(0) == 2 and x.size(-1) == 3
    assert repr(torch.tensor(1.0).shape) == "torch.Size([])"
    assert x.shape[1:] == torch.Size([3]) and type(x.shape[1:]).__name__ == "Size"
    assert x.shape[0] == 2 and type(x.shape[0]) is int
    assert x.shape.numel() == 6
    assert x.dim() == 2 and x.ndim == 2 and x.numel() == 6
    assert torch.tensor(5.0).dim() == 0 and torch.tensor(5.0).numel() == 1
    assert torch.ones(0, 3).numel() == 0
    assert len(x) == 2
    with pytest.raises(TypeError, match=r"^len\(\) of a 0-d tensor$"):
        len(torch.tensor(1.0))


def test_dtype_names_and_aliases() -> None:
    assert [repr(d) for d in (torch.float32, torch.float64, torch.int64, torch.int32, torch.bool)] == [
        "torch.float32", "torch.float64", "torch.int64", "torch.int32", "torch.bool"]
    assert torch.float is torch.float32 and repr(torch.float) == "torch.float32"
    assert torch.double is torch.float64 and repr(torch.double) == "torch.float64"
    assert torch.long is torch.int64 and repr(torch.long) == "torch.int64"
    assert torch.int is torch.int32 and repr(torch.int) == "torch.int32"
    assert str(torch.ones(1).dtype) == "torch.float32"
    assert str(torch.ones(1).device) == "cpu"
    assert torch.ones(1).is_floating_point() and not torch.ones(1, dtype=torch.long).is_floating_point()


def test_item_and_tolist() -> None:
    v = torch.tensor(0.1).item()
    assert type(v) is float and v == 0.10000000149011612
    assert torch.tensor(3).item() == 3 and type(torch.tensor(3).item()) is int
    assert torch.tensor(True).item() is True
    assert torch.tensor([0.1, 0.2]).tolist() == [0.10000000149011612, 0.20000000298023224]
    assert torch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert torch.tensor(2.5).tolist() == 2.5
    assert torch.tensor([7.0]).item() == 7.0  # one element of any shape
    assert torch.ones(1, 1, requires_grad=True).item() == 1.0


def test_python_number_conversions() -> None:
    assert float(torch.tensor([2.5])) == 2.5 and int(torch.tensor([2.9])) == 2
    assert bool(torch.tensor([0.0])) is False and bool(torch.tensor(3)) is True
    assert [1, 2, 3][torch.tensor(1)] == 2  # __index__ of an integer tensor
    with pytest.raises(TypeError, match="^only integer tensors of a single element can be converted to an index$"):
        [1, 2][torch.tensor(1.0)]


def test_format() -> None:
    t = torch.tensor(3.14159)
    assert f"{t:.3f}" == "3.142"
    assert f"{torch.tensor(7):>4}" == "   7"
    v = torch.tensor([1.0, 2.0])
    assert f"{v}" == str(v)
    with pytest.raises(TypeError, match=r"^unsupported format string passed to Tensor.__format__$"):
        f"{v:.2f}"


def test_transpose_property() -> None:
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert a.T.shape == (3, 2)
    assert a.T.tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    a.T[0, 1] = 9.0  # a view: writes go through
    assert a[1, 0].item() == 9.0
    assert a.t().tolist() == a.T.tolist()


def test_conversions_and_to() -> None:
    x = torch.tensor([1.5, -2.5])
    assert x.float() is x  # already float32: the same object, so a leaf keeps grad_fn None
    assert x.to(torch.float32) is x
    d = x.double()
    assert d.dtype == torch.float64 and d.tolist() == [1.5, -2.5]
    assert x.to(torch.float64).dtype == torch.float64 and x.to(dtype=torch.float64).dtype == torch.float64
    assert x.long().dtype == torch.int64 and x.long().tolist() == [1, -2]  # truncation toward zero
    assert x.int().dtype == torch.int32
    assert x.bool().tolist() == [True, True]
    assert torch.tensor([1, 2]).float().dtype == torch.float32
    assert x.to(torch.ones(1, dtype=torch.float64)).dtype == torch.float64
    leaf = torch.ones(2, requires_grad=True)
    assert leaf.float() is leaf and leaf.float().grad_fn is None
    assert type(leaf.double().grad_fn).__name__ == "ToCopyBackward0"
    assert not leaf.long().requires_grad  # integer results never require grad


def test_numpy_shares_memory() -> None:
    x = torch.zeros(3)
    n = x.numpy()
    n[0] = 5.0
    assert x[0].item() == 5.0
    arr = np.arange(3.0)
    t = torch.from_numpy(arr)
    arr[1] = 7.0
    assert t.tolist() == [0.0, 7.0, 2.0] and t.dtype == torch.float64
    y = torch.ones(2, requires_grad=True)
    assert y.detach().numpy().tolist() == [1.0, 1.0]


def test_data_and_requires_grad_flags() -> None:
    x = torch.ones(2, requires_grad=True)
    assert x.data.requires_grad is False and x.data.is_leaf
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None


# -- constructors -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("data,dtype", [
    (3, "int64"), (3.0, "float32"), (True, "bool"), ([1, 2], "int64"), ([1, 2.0], "float32"),
    ([True, False], "bool"), ([1, True], "int64"), ([1.5, True], "float32"), ([[1, 2], [3, 4]], "int64"),
    (np.float64(1.5), "float64"), (np.float32(1.5), "float32"), (np.int32(3), "int32"),
    (np.array([1.5]), "float64"), (np.array([1], dtype=np.int32), "int32"), (np.array([True]), "bool"),
    ([np.float64(1.5), 2.0], "float64"), ([], "float32"), ([[], []], "float32"),
])
def test_tensor_dtype_inference(data: Any, dtype: str) -> None:
    t = torch.tensor(data)
    assert t.dtype == getattr(torch, dtype)
    assert t.shape == np.asarray(data).shape


def test_tensor_copies_its_data() -> None:
    arr = np.array([1.0, 2.0])
    t = torch.tensor(arr)
    arr[0] = 9.0
    assert t.tolist() == [1.0, 2.0]
    assert torch.tensor(5.0).shape == () and torch.tensor([5.0]).shape == (1,)


def test_explicit_dtype_and_requires_grad() -> None:
    t = torch.tensor([1, 2], dtype=torch.float64, requires_grad=True)
    assert t.dtype == torch.float64 and t.requires_grad and t.is_leaf
    assert torch.tensor([1.7, -1.7], dtype=torch.int64).tolist() == [1, -1]
    assert torch.tensor([1, 2], dtype=float).dtype == torch.float64
    assert torch.tensor([1.0], dtype=int).dtype == torch.int64
    assert torch.tensor([0, 2], dtype=bool).tolist() == [False, True]


@pytest.mark.parametrize("factory", ["zeros", "ones", "empty", "rand", "randn"])
def test_factories_dtype_and_requires_grad(factory: str) -> None:
    make = getattr(torch, factory)
    t = make(2, 3)
    assert t.shape == (2, 3) and t.dtype == torch.float32 and not t.requires_grad
    assert make((2, 3)).shape == (2, 3) and make([2, 3]).shape == (2, 3)
    t = make(2, dtype=torch.float64, requires_grad=True)
    assert t.dtype == torch.float64 and t.requires_grad and t.is_leaf
    with torch.no_grad():
        assert make(2, requires_grad=True).requires_grad


def test_fill_factories() -> None:
    assert torch.zeros(2).tolist() == [0.0, 0.0] and torch.ones(2, dtype=torch.long).tolist() == [1, 1]
    assert torch.full((2,), 3).dtype == torch.int64 and torch.full((2,), 3.5).dtype == torch.float32
    assert torch.full((2,), True).dtype == torch.bool
    assert torch.full((2, 2), 7.0, requires_grad=True).requires_grad
    assert torch.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]] and torch.eye(2, 3).shape == (2, 3)
    base = torch.ones(2, 3, dtype=torch.float64)
    for like in (torch.zeros_like, torch.ones_like, torch.empty_like, torch.rand_like, torch.randn_like):
        t = like(base)
        assert t.shape == (2, 3) and t.dtype == torch.float64 and not t.requires_grad
    assert torch.full_like(base, 4).tolist() == [[4.0] * 3] * 2
    assert torch.zeros_like(base, dtype=torch.float32, requires_grad=True).requires_grad
    assert torch.zeros(0).shape == (0,) and torch.zeros(2, 0, 3).numel() == 0
    with pytest.raises(RuntimeError, match=r"^Trying to create tensor with negative dimension -1: \[-1\]$"):
        torch.zeros(-1)


def test_arange_and_linspace_dtypes() -> None:
    assert torch.arange(5).dtype == torch.int64 and torch.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert torch.arange(5.0).dtype == torch.float32
    assert torch.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert torch.arange(1, 10, 3).tolist() == [1, 4, 7]
    assert torch.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert torch.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert torch.linspace(0, 1, 1).tolist() == [0.0] and torch.linspace(0, 1, 0).shape == (0,)
    assert torch.arange(3, dtype=torch.float64).dtype == torch.float64


@pytest.mark.torch
@pytest.mark.parametrize("args", [(5,), (5.0,), (0, 1, 0.1), (-1, 1, 0.3), (1, 2.5, 0.5), (0, 10, 3), (10, 0, -1.5),
                                  (0.1, 0.9, 0.1), (-3.3, 7.1, 0.7), (0, 1, 1 / 3),
                                  (0, 1000, 0.037), (-7.5, 300.25, 0.0625), (0, 100, 0.37)])
@pytest.mark.parametrize("dtype", [None, "float32", "float64"])
def test_arange_bits_match_torch(args: tuple, dtype: str | None) -> None:
    real = pytest.importorskip("torch")
    kw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    ours = torch.arange(*args, **kw)
    theirs = real.arange(*args, **({} if dtype is None else {"dtype": getattr(real, dtype)}))
    assert str(ours.dtype) == str(theirs.dtype)
    assert bits(ours) == bits(theirs)


@pytest.mark.torch
@pytest.mark.parametrize("args", [(0, 1, 5), (0, 1, 7), (-1, 1, 10), (0.1, 0.9, 9), (-3.3, 7.1, 13), (1, 0, 6),
                                  (0, 1, 100), (-5, 5, 2), (2, 2, 3), (0, 1, 1),
                                  (0.3, 123.7, 1001), (-1e3, 1e-3, 77)])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_linspace_bits_match_torch(args: tuple, dtype: str | None) -> None:
    real = pytest.importorskip("torch")
    ours = torch.linspace(*args, **({} if dtype is None else {"dtype": getattr(torch, dtype)}))
    theirs = real.linspace(*args, **({} if dtype is None else {"dtype": getattr(real, dtype)}))
    assert str(ours.dtype) == str(theirs.dtype)
    assert bits(ours) == bits(theirs)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")  # 1e40 -> inf, as torch
@pytest.mark.parametrize("data", [
    0.1, [0.1, 0.2, 1 / 3], 3, [1, 2, 3], True, [[1.5, 2], [3, 4]], np.float64(0.1), np.float32(0.1),
    np.array([0.1, 1e-40]), np.array([1, 2], dtype=np.int32), [np.float64(1 / 3), 1], [True, 2.5], 1e-50, 1e40,
    float("inf"), float("nan"), -0.0,
])
def test_tensor_values_and_dtype_match_torch(data: Any) -> None:
    real = pytest.importorskip("torch")
    ours, theirs = torch.tensor(data), real.tensor(data)
    assert str(ours.dtype) == str(theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert bits(ours) == bits(theirs)


@pytest.mark.torch
@pytest.mark.parametrize("make", [
    lambda T: T.ones(2, 3).shape, lambda T: T.ones(2, 3).size(), lambda T: T.tensor(1.0).shape,
    lambda T: T.ones(2, 3).dtype, lambda T: T.float, lambda T: T.double, lambda T: T.long, lambda T: T.int,
    lambda T: T.tensor([1, 2]).dtype, lambda T: T.ones(1).device, lambda T: T.tensor(0.1).item(),
    lambda T: T.tensor([0.1, 0.2]).tolist(), lambda T: T.ones(2, 3).shape[1:], lambda T: T.ones(2).type(),
    lambda T: T.ones(2, dtype=T.float64).type(), lambda T: T.ones(2, 3).stride(), lambda T: T.ones(2, 3).T.stride(),
    lambda T: T.ones(2, 3).T.is_contiguous(), lambda T: f"{T.tensor(2.0):.2f}", lambda T: T.ones(2).element_size(),
    lambda T: T.ones(2, 3).nelement(), lambda T: T.zeros(2, 3).reshape(3, 2).shape,
])
def test_metadata_text_matches_torch(make: Callable[[Any], Any]) -> None:
    real = pytest.importorskip("torch")
    assert str(make(torch)) == str(make(real)) and repr(make(torch)) == repr(make(real))


T_PROBE = """
import warnings, sys
import {lib} as T
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    T.ones(3).T
    T.ones(3).T
    T.ones(2, 2, 2).T
    T.tensor(1.0).T
    T.ones(2, 2).T
sys.stdout.write(repr([str(w.message) for w in caught]))
"""


@pytest.mark.torch
def test_T_deprecation_warnings_match_torch() -> None:
    # Once per process each, so each library runs in a fresh one.
    pytest.importorskip("torch")
    out = [subprocess.run([sys.executable, "-c", T_PROBE.format(lib=lib)], capture_output=True, text=True,
                          check=True, timeout=120).stdout for lib in ("gradviz", "torch")]
    assert out[0] == out[1]
    assert out[0].count("x.T") == 1 and out[0].count("0-D") == 1


def test_T_of_a_matrix_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.ones(2, 3).T


# Python numbers with an explicit dtype convert straight to it, as torch does: a float64 tensor
# keeps all of 0.1's bits and 1e40 stays finite (going through float32 first gave 0.10000000149
# and inf). Values come from torch 2.13 itself.
@pytest.mark.parametrize("data, dtype", [
    (1e40, "float64"), ([1e40, 1.0], "float64"), ([0.1, 1 / 3], "float64"), (0.1, "float32"),
    ([1.7, -1.7], "int64"), ([0.5, 0.0], "bool"), ([True, False], "float32"), (16777217, "float32"),
    ([[1, 2.5]], "float64"), (2**62 + 1, "float64"), (1e40, "float32"), (-3.9, "int64"),
])
def test_tensor_with_dtype_converts_numbers_directly(data, dtype):
    real = pytest.importorskip("torch")
    ours, ref = torch.tensor(data, dtype=getattr(torch, dtype)), real.tensor(data, dtype=getattr(real, dtype))
    assert ours.numpy().dtype == ref.numpy().dtype
    assert ours.numpy().tobytes() == ref.numpy().tobytes()
    assert repr(ours) == repr(ref)


ARANGE_ARGS = [(3.14159,), (0.5, 3.7), (-2.5, 2.5), (0, 5, 1.5), (0.5, 5.5, 1.5), (2.7, -1.2, -0.5), (1e-05,), (2.5,),
               (0.9, 3.1, 0.7), (2.0, -1.0), (1.0, 0.0), (7, -1.5, 0.5), (0, 10, -1), (5, 0, -2), (0, 0), (3,)]


@pytest.mark.parametrize("args", ARANGE_ARGS, ids=[str(a) for a in ARANGE_ARGS])
@pytest.mark.parametrize("dtype", [None, "int64", "float64", "float32"])
def test_arange_bounds_and_errors_match_torch(args: tuple, dtype: str | None) -> None:
    """With an integer dtype torch truncates start, end and step first (so a step of 0.5 is 0);
    the empty-range error names the lower bound."""
    real = pytest.importorskip("torch")

    def outcome(lib: Any) -> tuple:
        try:
            return ("ok", repr(lib.arange(*args, **({} if dtype is None else {"dtype": getattr(lib, dtype)}))))
        except Exception as e:  # noqa: BLE001 - the outcome is what is compared
            return (type(e).__name__, str(e))
    assert outcome(torch) == outcome(real)


NORM_EXPRS = ["L.tensor([1e20]).norm()", "L.tensor(1e20).norm()", "L.tensor([1e20, 0.]).norm()",
              "L.tensor([[1e20], [1.]]).norm(dim=1)", "L.tensor([[1e20, 3e19]]).norm(dim=0, keepdim=True)",
              "L.tensor([1e-30]).norm()", "L.tensor([1e-30, 0]).norm()", "L.tensor([-3e25]).norm()"]


@pytest.mark.parametrize("expr", NORM_EXPRS)
def test_norm_of_single_elements_matches_torch(expr: str) -> None:
    """Where each 2-norm covers one element torch returns |a|, so a² does not overflow or underflow."""
    real = pytest.importorskip("torch")
    assert repr(eval(expr, {"L": torch})) == repr(eval(expr, {"L": real}))


# -- 0-d tensors with a dim, 0-d indexing, permute(), dtype checks of reductions (fuzzer findings) -----
def _outcome(T: Any, make: Callable[[Any], Any]) -> tuple:
    """What a call gives: printed result, dtype and grad_fn name (and the input's grad after a backward
    through a float result), or the exception's type and text."""
    x = None
    try:
        out = make(T)
        if isinstance(out, tuple):
            return ("ok", tuple((repr(o), type(o.grad_fn).__name__) for o in out))
        if not isinstance(out, T.Tensor):
            return ("ok", repr(out))
        grad = None
        if out.requires_grad:
            x = out.grad_fn.next_functions[0][0]
            out.sum().backward()
            grad = repr(x.variable.grad) if hasattr(x, "variable") else None
        return ("ok", repr(out), str(out.dtype), type(out.grad_fn).__name__, grad)
    except Exception as e:  # noqa: BLE001 - the type and text are what we compare
        return (type(e).__name__, str(e))


def _leaf(T: Any, v: Any, dtype: str = "float32") -> Any:
    t = T.tensor(v, dtype=getattr(T, dtype))
    return t.requires_grad_() if dtype.startswith("float") else t


ZERO_DIM_CASES = {
    "sum_0": lambda T: _leaf(T, 1.5).sum(0),
    "sum_neg1": lambda T: _leaf(T, 1.5).sum(-1),
    "sum_tuple": lambda T: _leaf(T, 1.5).sum((0,)),
    "sum_keepdim": lambda T: _leaf(T, 1.5).sum(0, keepdim=True),
    "sum_dtype": lambda T: _leaf(T, 1.5).sum(-1, dtype=T.float64),
    "sum_int": lambda T: _leaf(T, 3, "int64").sum(0),
    "sum_bool": lambda T: _leaf(T, True, "bool").sum(-1),
    "sum_dim1": lambda T: _leaf(T, 1.5).sum(1),
    "sum_dup": lambda T: _leaf(T, 1.5).sum((0, -1)),
    "sum_dup_1d": lambda T: _leaf(T, [1.5]).sum((0, -1)),
    "mean_dup_2d": lambda T: _leaf(T, [[1.5]]).mean((1, -1)),
    "squeeze_dup": lambda T: _leaf(T, [[1.5]]).squeeze((0, 0)),
    "torch_sum": lambda T: T.sum(_leaf(T, 1.5), 0),
    "mean_neg1": lambda T: _leaf(T, 1.5).mean(-1),
    "mean_keepdim": lambda T: _leaf(T, 1.5, "float64").mean(0, keepdim=True),
    "torch_mean": lambda T: T.mean(_leaf(T, 1.5), -1),
    "norm_dim": lambda T: _leaf(T, -1.5).norm(dim=0),
    "norm_p1": lambda T: _leaf(T, -1.5).norm(1, -1),
    "norm_inf": lambda T: _leaf(T, -1.5).norm(float("inf"), 0),
    "transpose": lambda T: _leaf(T, 1.5).transpose(0, -1),
    "transpose_same": lambda T: _leaf(T, 1.5).transpose(0, 0),
    "swapaxes": lambda T: _leaf(T, 1.5).swapaxes(-1, 0),
    "transpose_bad": lambda T: _leaf(T, 1.5).transpose(0, 1),
    "size": lambda T: _leaf(T, 1.5).size(0),
    "size_neg": lambda T: _leaf(T, 1.5).size(-1),
    "stride": lambda T: _leaf(T, 1.5).stride(0),
    "roll": lambda T: _leaf(T, 1.5).roll(1, 0),
    "roll_1d_bad": lambda T: _leaf(T, [1.5, 2.0]).roll(1, 3),
    "cumsum": lambda T: _leaf(T, 1.5).cumsum(-1),
    "softmax": lambda T: _leaf(T, 1.5).softmax(0),
    "index_int": lambda T: _leaf(T, 1.5)[0],
    "index_np_int": lambda T: _leaf(T, 1.5)[np.int64(0)],
    "index_int_tuple": lambda T: _leaf(T, 1.5)[0,],
    "index_slice": lambda T: _leaf(T, 1.5)[::2],
    "index_full_slice": lambda T: _leaf(T, 1.5)[:],
    "index_slice_tuple": lambda T: _leaf(T, 1.5)[:,],
    "index_ellipsis": lambda T: _leaf(T, 1.5)[...],
    "setitem_int": lambda T: _leaf(T, 1.5, "int64").__setitem__(0, 2),
    "setitem_slice": lambda T: _leaf(T, 1.5, "int64").__setitem__(slice(None), 2),
    "permute_none": lambda T: _leaf(T, 1.5).permute(),
    "permute_none_1d": lambda T: _leaf(T, [1.5]).permute(),
    "torch_permute_none": lambda T: T.permute(_leaf(T, 1.5)),
    "permute_empty": lambda T: _leaf(T, 1.5).permute(()),
    "permute_kw": lambda T: _leaf(T, [[1.5, 2.0]]).permute(dims=(1, 0)),
    "torch_permute_kw": lambda T: T.permute(_leaf(T, [[1.5, 2.0]]), dims=[1, 0]),
    "argmax_bool": lambda T: _leaf(T, [True, False], "bool").argmax(),
    "argmin_bool_dim": lambda T: _leaf(T, [[True]], "bool").argmin(1, keepdim=True),
    "argmax_bool_0d": lambda T: _leaf(T, True, "bool").argmax(0),
    "torch_argmax_bool": lambda T: T.argmax(_leaf(T, [False], "bool")),
    "argmax_int": lambda T: _leaf(T, [1, 3, 2], "int64").argmax(),
    "norm_int": lambda T: _leaf(T, [3, -4], "int64").norm(),
    "norm_bool_p1": lambda T: _leaf(T, [[True]], "bool").norm(p=1),
    "norm_int_dim": lambda T: _leaf(T, 3, "int64").norm(dim=0),
    "norm_int_nuc": lambda T: _leaf(T, [[3]], "int64").norm(p="nuc"),
    "torch_norm_int": lambda T: T.norm(_leaf(T, [3], "int64")),
    "norm_float": lambda T: _leaf(T, [3.0, -4.0]).norm(),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(ZERO_DIM_CASES))
def test_zero_dim_dims_indexing_and_dtype_checks_like_torch(name: str) -> None:
    real = pytest.importorskip("torch")
    assert _outcome(torch, ZERO_DIM_CASES[name]) == _outcome(real, ZERO_DIM_CASES[name])
