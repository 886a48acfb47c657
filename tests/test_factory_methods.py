"""Tensor.new_* / type_as / broadcast_to and torch.broadcast_* / meshgrid against live torch 2.13.

Each expression runs on gradviz and on torch; the printed result (values, dtype, requires_grad,
grad_fn) or the raised error's type and text must be the same. Gradients are checked by the
rows of tests/test_ops.py.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradviz

# Evaluated with T = gradviz or torch; x float leaf requiring grad, i int64, b bool, u8 uint8,
# y (2, 1) leaf, d float64, a and c 1-D float leaves for meshgrid.
EXPRESSIONS = [
    # new_zeros / new_ones / new_empty: the *size forms, dtype and requires_grad, torch's argument errors
    "x.new_zeros(2, 3)", "x.new_zeros((2, 3))", "x.new_zeros([2])", "x.new_zeros(())", "x.new_zeros(size=(2,))",
    "x.new_zeros(T.Size([2, 1]))", "x.new_zeros(T.tensor(3))", "x.new_zeros(3, dtype=T.int32)",
    "x.new_zeros(3, requires_grad=True)", "i.new_zeros(3, requires_grad=True)", "x.new_zeros(-1)",
    "x.new_zeros(2, -1)", "x.new_zeros('a')", "x.new_zeros(2.0)", "x.new_zeros(None)", "x.new_zeros((2, 2.0))",
    "x.new_zeros(2, 2.0)", "x.new_zeros()",
    "x.new_ones(2, 3)", "i.new_ones(2)", "b.new_ones(2)", "u8.new_ones((1, 2))", "x.new_ones(-2)", "x.new_ones('a')",
    "x.new_ones(2, dtype=T.float64, requires_grad=True)",
    "x.new_empty(2, 3).shape", "x.new_empty((2,)).dtype", "i.new_empty(2).dtype", "x.new_empty(-1)",
    "x.new_empty(2, requires_grad=True).requires_grad", "x.new_empty(2).grad_fn", "x.new_empty()",
    # new_full: size is a sequence only; fill_value a number (or 0-d tensor) that must fit the dtype
    "x.new_full((2,), 3)", "x.new_full([2, 3], 3)", "i.new_full((2,), 3.7)", "i.new_full((2,), True)",
    "x.new_full((2,), 1, dtype=T.int64)", "x.new_full((2,), T.tensor(3.0))", "x.new_full((2,), float('nan'))",
    "x.new_full((2,), 1, requires_grad=True)", "i.new_full((2,), 1, requires_grad=True)",
    "x.new_full(2, 3)", "x.new_full((2,), 'a')", "x.new_full((2,))", "x.new_full()", "x.new_full((-2,), 1)",
    "x.new_full('a', 1)", "x.new_full((2, 'a'), 1)",
    "u8.new_full((2,), 300)", "i.new_full((2,), 2**70)", "x.new_full((2,), 1e300)",
    # new_tensor: the data's values in self's dtype unless dtype is given, a detached copy
    "x.new_tensor([1, 2])", "i.new_tensor([1.5, 2])", "i.new_tensor(3.5)", "i.new_tensor([True])",
    "x.new_tensor([1, 2], dtype=T.int32)", "x.new_tensor([1, 2], requires_grad=True)",
    "i.new_tensor([1, 2], requires_grad=True)", "x.new_tensor(x)", "x.new_tensor(i)", "i.new_tensor(x)",
    "x.new_tensor(np.array([1, 2]))", "i.new_tensor(np.array([1.5, 2]))", "d.new_tensor(0.1)",
    "x.new_tensor('a')", "x.new_tensor([[1, 2], [3]])", "x.new_tensor()",
    # type_as
    "x.type_as(i)", "i.type_as(x)", "x.type_as(d)", "x.type_as(x) is x", "x.type_as(3)", "x.type_as()",
    # broadcast_to (torch.broadcast_to takes a sequence; the method also takes *size like expand)
    "T.broadcast_to(x, (2, 3))", "T.broadcast_to(x, [2, -1])", "T.broadcast_to(x, (3,))", "T.broadcast_to(x, size=(2, 3))",
    "x.broadcast_to((2, 3))", "x.broadcast_to(2, 3)", "x.broadcast_to(size=(2, 3))", "x.broadcast_to(-1, 3)",
    "T.broadcast_to(x, (2, 4))", "T.broadcast_to(x, ())", "T.broadcast_to(x, (2, 3, 1))", "T.broadcast_to(x, 3)",
    "T.broadcast_to(3, (3,))", "T.broadcast_to(x, 'a')", "T.broadcast_to(i, (2, 3))",
    # broadcast_tensors: tensors already of the common shape come back themselves
    "T.broadcast_tensors(x, y)", "T.broadcast_tensors(x, x)", "T.broadcast_tensors(x, x)[0] is x",
    "T.broadcast_tensors(x)", "T.broadcast_tensors()", "T.broadcast_tensors(x, i)", "T.broadcast_tensors(x, T.tensor(1.0))",
    "T.broadcast_tensors([x, y])", "T.broadcast_tensors(x, T.ones(4))", "T.broadcast_tensors(x, T.ones(2, 1), T.ones(4))",
    "T.broadcast_tensors(x, 3)",
    # broadcast_shapes
    "T.broadcast_shapes((2, 1), (3,))", "T.broadcast_shapes(2, (3, 1))", "T.broadcast_shapes()",
    "T.broadcast_shapes((2, 0), (1,))", "T.broadcast_shapes(T.Size([2, 1]), [1, 4])", "T.broadcast_shapes((1,), (0,))",
    "T.broadcast_shapes(None)", "T.broadcast_shapes(True)", "T.broadcast_shapes(())", "T.broadcast_shapes((2,), None)",
    "T.broadcast_shapes((2,), (3,))", "T.broadcast_shapes((2, 3), (4, 3))", "T.broadcast_shapes((2,), [3])",
    "T.broadcast_shapes((2,), T.Size([3]))", "T.broadcast_shapes(2, 3)", "T.broadcast_shapes((2,), (1, 3))",
    "T.broadcast_shapes((2,), (0,))", "T.broadcast_shapes((2, 1), (1, 3), (4,))", "T.broadcast_shapes((2,), (2.5,))",
    "T.broadcast_shapes((-1,), (3,))", "T.broadcast_shapes(-1)", "T.broadcast_shapes((2,), (-3,), (4,))",
    "T.broadcast_shapes('a')", "T.broadcast_shapes((2.0,))", "T.broadcast_shapes(3.0)", "T.broadcast_shapes(T.tensor(3))",
    "T.broadcast_shapes([[2]])", "T.broadcast_shapes((2,), (3,), 3.0)",
    # meshgrid ("ij" and "xy", lists, 0-d inputs) and its errors
    "T.meshgrid(a, c, indexing='ij')", "T.meshgrid(a, c, indexing='xy')", "T.meshgrid([a, c], indexing='xy')",
    "T.meshgrid((a, c), indexing='ij')", "T.meshgrid(a, indexing='xy')", "T.meshgrid(a, T.tensor(2.0), indexing='xy')",
    "T.meshgrid(T.tensor(2.0, requires_grad=True), a, c, indexing='xy')", "T.meshgrid(a, c, a, indexing='xy')",
    "T.meshgrid(T.tensor(1.0), indexing='xy')", "T.meshgrid(T.ones(0), a, indexing='xy')",
    "T.meshgrid(T.tensor([1, 2]), T.tensor([3]), indexing='ij')",
    "T.meshgrid(a, c, indexing='foo')", "T.meshgrid(indexing='ij')", "T.meshgrid(indexing='foo')",
    "T.meshgrid(a, T.tensor([1, 2]), indexing='ij')", "T.meshgrid(a, T.tensor([1, 2]), indexing='foo')",
    "T.meshgrid(a, 3, indexing='ij')",
]


def _env(T: Any) -> dict:
    return {"T": T, "np": np, "x": T.tensor([1.5, 2.0, 3.0], requires_grad=True), "i": T.tensor([1, 2, 3]),
            "b": T.tensor([True]), "u8": T.tensor([1], dtype=T.uint8), "y": T.ones(2, 1, requires_grad=True),
            "d": T.tensor([1.0], dtype=T.float64), "a": T.tensor([1.0, 2.0, 3.0], requires_grad=True),
            "c": T.tensor([4.0, 5.0], requires_grad=True)}


def _describe(value: Any) -> Any:
    """What torch shows of a result: its repr (values, dtype, grad_fn), plus requires_grad and leafness."""
    if isinstance(value, tuple) and not type(value).__name__ == "Size":
        return type(value).__name__, [_describe(v) for v in value]
    if hasattr(value, "requires_grad"):
        return repr(value), str(value.dtype), value.requires_grad, value.is_leaf, type(value.grad_fn).__name__
    return repr(value)


def _run(T: Any, expr: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the warnings have their own tests below
        try:
            return _describe(eval(expr, _env(T)))  # noqa: S307 - the test's own expressions
        except Exception as e:  # noqa: BLE001 - the error is the result compared
            return type(e).__name__, str(e)


@pytest.mark.torch
@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_matches_torch(expr: str) -> None:
    torch = pytest.importorskip("torch")
    assert _run(gradviz, expr) == _run(torch, expr)


@pytest.mark.torch
def test_meshgrid_rejects_2d_inputs_like_torch() -> None:
    """torch appends the tensor in its C++ print form, which gradviz does not reproduce: compare up to it."""
    torch = pytest.importorskip("torch")
    prefix = "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
    for T in (gradviz, torch):
        with pytest.raises(RuntimeError, match="^" + prefix.replace(".", r"\.")):
            T.meshgrid(T.ones(3), T.ones(2, 2), indexing="ij")


def _warnings_of(T: Any, expr: str) -> list[tuple[str, str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        eval(expr, _env(T))  # noqa: S307
    return [(w.category.__name__, str(w.message)) for w in caught]


@pytest.mark.torch
@pytest.mark.parametrize("expr", ["T.meshgrid(a, c, indexing='ij')", "T.meshgrid(a, c, indexing='xy')",
                                  "x.new_tensor(x)", "x.new_tensor(i)", "x.new_tensor([1.0])"])
def test_warnings_match_torch(expr: str) -> None:
    torch = pytest.importorskip("torch")
    assert _warnings_of(gradviz, expr) == _warnings_of(torch, expr)


# torch warns about the omitted indexing once per process: each library runs in a fresh interpreter.
_MESHGRID_SCRIPT = """
import json, sys, warnings
import {name} as T
a = T.ones(2)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    T.meshgrid(a, a)
    T.meshgrid([a, a])
    T.meshgrid(a, a, indexing="ij")
json.dump([[w.category.__name__, str(w.message)] for w in caught], sys.stdout)
"""


def _fresh_warnings(name: str) -> list:
    root = pathlib.Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", _MESHGRID_SCRIPT.format(name=name)], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout)


@pytest.mark.torch
def test_meshgrid_without_indexing_warns_once_like_torch() -> None:
    pytest.importorskip("torch")
    got = _fresh_warnings("gradviz")
    assert len(got) == 1
    assert got == _fresh_warnings("torch")


def test_new_tensor_copies_and_detaches() -> None:
    src = gradviz.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = src.new_tensor(src)
    assert out.is_leaf and not out.requires_grad
    with gradviz.no_grad():
        src.add_(1.0)
    assert out.tolist() == [1.0, 2.0]


def test_new_factories_do_not_share_memory_with_self() -> None:
    x = gradviz.zeros(3)
    out = x.new_ones(3)
    out.add_(1)
    assert x.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.torch
@settings(max_examples=max(20, settings.default.max_examples // 4))
@given(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=4, max_side=3), st.booleans())
def test_broadcast_shapes_and_tensors_match_torch(shapes: Any, clash: bool) -> None:
    torch = pytest.importorskip("torch")
    sizes = list(shapes.input_shapes)
    if clash and any(sizes):  # make one size incompatible, so the error texts are compared too
        k = next(k for k, s in enumerate(sizes) if s)
        sizes[k] = sizes[k][:-1] + (sizes[k][-1] + 4,)
    results = []
    for T in (gradviz, torch):
        row = []
        for fn in (lambda: tuple(T.broadcast_shapes(*sizes)),
                   lambda: [tuple(t.shape) for t in T.broadcast_tensors(*(T.zeros(s) for s in sizes))]):
            try:
                row.append(fn())
            except Exception as e:  # noqa: BLE001
                row.append((type(e).__name__, str(e)))
        results.append(row)
    assert results[0] == results[1]
