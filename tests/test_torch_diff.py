"""Differential tests against the reference torch 2.13 (skipped where torch is absent), plus the
spec's dtype-promotion table checked without torch.

- Random expression graphs: hypothesis composes 3-8 ops (unary, binary with broadcasting,
  reductions, shape ops) on 2-3 leaves, in float32 and float64; forward values, leaf gradients
  and the grad_fn class of every node reachable through next_functions must match torch.
- Result dtypes for every pairing of tensors (1-D and 0-d; bool, int32, int64, float32, float64),
  Python numbers and NumPy scalars, in both orders, for + - * / ** and comparisons.
- repr of results (values and grad_fn suffixes) and next_functions of the spec section 2 examples.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradviz

MAX_EXAMPLES = settings.default.max_examples  # the suite profile (tests/conftest.py) sets it


# -- the spec's dtype table, without torch ---------------------------------------------------------------
def _t(dtype: Any, zero_d: bool = False) -> gradviz.Tensor:
    return gradviz.tensor(3 if zero_d else [3, 4], dtype=dtype)


@pytest.mark.parametrize("expr,expected", [
    # float32
    (lambda: _t(gradviz.float32) * 2.5, "float32"),
    (lambda: _t(gradviz.float32) * 2, "float32"),
    (lambda: _t(gradviz.int64) * 2.5, "float32"),
    (lambda: _t(gradviz.int64) / 2, "float32"),
    (lambda: _t(gradviz.int64) / _t(gradviz.int64), "float32"),
    (lambda: _t(gradviz.int64) ** 0.5, "float32"),
    (lambda: _t(gradviz.int32) * 2.5, "float32"),
    (lambda: _t(gradviz.int64) + _t(gradviz.float32), "float32"),
    (lambda: _t(gradviz.float32) + _t(gradviz.float64, zero_d=True), "float32"),
    # int64
    (lambda: _t(gradviz.int64) * 2, "int64"),
    (lambda: _t(gradviz.int64) // 2, "int64"),
    (lambda: _t(gradviz.int64) ** 2, "int64"),
    (lambda: _t(gradviz.int64) + True, "int64"),
    (lambda: _t(gradviz.bool) * 2, "int64"),
    (lambda: _t(gradviz.int32) + _t(gradviz.int64), "int64"),
    (lambda: _t(gradviz.int32).sum(), "int64"),
    (lambda: _t(gradviz.bool).sum(), "int64"),
    # float64
    (lambda: _t(gradviz.float32) + _t(gradviz.float64), "float64"),
    (lambda: _t(gradviz.int64) + _t(gradviz.float64, zero_d=True), "float64"),
    # bool
    (lambda: _t(gradviz.bool) + _t(gradviz.bool), "bool"),
    (lambda: _t(gradviz.float32) > 1, "bool"),
    (lambda: _t(gradviz.int64) == _t(gradviz.float64), "bool"),
])
def test_spec_result_dtypes(expr: Callable[[], gradviz.Tensor], expected: str) -> None:
    assert expr().dtype == getattr(gradviz, expected)
    assert repr(expr().dtype) == f"torch.{expected}"


@pytest.mark.parametrize("make,expected", [
    (lambda: gradviz.tensor(3), "int64"), (lambda: gradviz.arange(5), "int64"),
    (lambda: gradviz.full((2,), 3), "int64"), (lambda: gradviz.randint(0, 5, (2,)), "int64"),
    (lambda: gradviz.tensor([1, 2], dtype=int), "int64"),
    (lambda: gradviz.tensor(3.0), "float32"), (lambda: gradviz.tensor([1, 2.0]), "float32"),
    (lambda: gradviz.arange(5.0), "float32"), (lambda: gradviz.arange(0, 1, 0.25), "float32"),
    (lambda: gradviz.zeros(2), "float32"), (lambda: gradviz.ones(2), "float32"), (lambda: gradviz.rand(2), "float32"),
    (lambda: gradviz.randn(2), "float32"), (lambda: gradviz.linspace(0, 1, 3), "float32"),
    (lambda: gradviz.tensor(np.float64(1.5)), "float64"), (lambda: gradviz.tensor(np.array([1.5])), "float64"),
    (lambda: gradviz.from_numpy(np.array([1.5])), "float64"), (lambda: gradviz.tensor([1.5], dtype=float), "float64"),
])
def test_spec_constructor_dtypes(make: Callable[[], gradviz.Tensor], expected: str) -> None:
    assert make().dtype == getattr(gradviz, expected)


# -- dtype promotion against torch -------------------------------------------------------------------------
DTYPES = ["bool", "int32", "int64", "float32", "float64"]
NUMBERS = [True, 2, -3, 2.5, np.bool_(True), np.int32(2), np.int64(2), np.float32(2.5), np.float64(2.5)]
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "**": lambda a, b: a ** b, "<": lambda a, b: a < b, "==": lambda a, b: a == b,
}


def _operand(T: Any, spec: Any) -> Any:
    if isinstance(spec, tuple):  # ("tensor", dtype, zero_d)
        _, dtype, zero_d = spec
        values = 2 if zero_d else [1, 2]
        return T.tensor(values, dtype=getattr(T, dtype))
    return spec


def _outcome(T: Any, op: str, a: Any, b: Any) -> tuple:
    try:
        out = OPS[op](_operand(T, a), _operand(T, b))
    except Exception as e:  # both must fail the same way
        return ("error", type(e).__name__, str(e))
    return ("ok", str(out.dtype), tuple(out.shape), np.asarray(out.numpy(), dtype=np.float64).tolist())


TENSORS = [("tensor", d, z) for d in DTYPES for z in (False, True)]
PAIRS = [(a, b) for a in TENSORS for b in TENSORS] + [(a, n) for a in TENSORS for n in NUMBERS] + \
        [(n, a) for a in TENSORS for n in NUMBERS]


def _pair_id(pair: tuple) -> str:
    def one(x: Any) -> str:
        if isinstance(x, tuple):
            return f"{x[1]}{'0d' if x[2] else ''}"
        return f"{type(x).__name__}({x})"
    return f"{one(pair[0])}-{one(pair[1])}"


@pytest.mark.torch
@pytest.mark.parametrize("op", list(OPS))
def test_promotion_matches_torch(op: str) -> None:
    torch = pytest.importorskip("torch")
    mismatches = []
    for a, b in PAIRS:
        if not isinstance(a, tuple) and not isinstance(b, tuple):
            continue
        ours, theirs = _outcome(gradviz, op, a, b), _outcome(torch, op, a, b)
        if ours[:3] != theirs[:3] or (ours[0] == "ok" and not np.allclose(ours[3], theirs[3], equal_nan=True)):
            mismatches.append((_pair_id((a, b)), ours, theirs))
    assert not mismatches, "\n".join(map(str, mismatches[:20])) + f"\n({len(mismatches)} mismatches)"


# -- random expression graphs ---------------------------------------------------------------------------
# Each op reads one or two earlier values (by position) and appends its result. Every op keeps
# values in a tame range, so float32 and float64 compare with tight tolerances.
UNARY: dict[str, Callable[[Any, Any], Any]] = {
    "tanh": lambda T, x: x.tanh(), "sigmoid": lambda T, x: x.sigmoid(), "sin": lambda T, x: x.sin(),
    "cos": lambda T, x: x.cos(), "exp_tanh": lambda T, x: x.tanh().exp(), "neg": lambda T, x: -x,
    "abs": lambda T, x: x.abs(), "relu": lambda T, x: x.relu(), "square": lambda T, x: x.square(),
    "scale": lambda T, x: x * 0.5, "shift": lambda T, x: x + 1.25, "rsub": lambda T, x: 1 - x,
    "log1p_sq": lambda T, x: (x * x + 1).log(), "sqrt1p_sq": lambda T, x: (x * x + 1).sqrt(),
    "recip1p_sq": lambda T, x: (x * x + 1).reciprocal(), "pow15": lambda T, x: (x * x + 1) ** 1.5,
    "rpow": lambda T, x: 2 ** x.tanh(), "rdiv": lambda T, x: 2 / (x * x + 1),
    "sum": lambda T, x: x.sum(), "mean": lambda T, x: x.mean(), "max": lambda T, x: x.max(),
    "sum_last": lambda T, x: x.sum(-1) if x.dim() else x, "mean_first_keep": lambda T, x: x.mean(0, keepdim=True) if x.dim() else x,
    "unsqueeze": lambda T, x: x.unsqueeze(0), "T": lambda T, x: x.T if x.dim() == 2 else (x.t() if x.dim() < 2 else x.transpose(0, 1)),
    "view": lambda T, x: x.reshape(-1), "clone": lambda T, x: x.clone(), "select": lambda T, x: x[0] if x.dim() else x,
    "slice": lambda T, x: x[:1] if x.dim() else x, "norm": lambda T, x: (x * x + 0.5).norm(),
}
BINARY: dict[str, Callable[[Any, Any, Any], Any]] = {
    "add": lambda T, x, y: x + y, "sub": lambda T, x, y: x - y, "mul": lambda T, x, y: x * y,
    "div": lambda T, x, y: x / (y * y + 1), "maximum": lambda T, x, y: T.maximum(x, y),
    "pow": lambda T, x, y: (x * x + 1) ** y.tanh(),
}


@dataclass
class Program:
    shapes: tuple[tuple[int, ...], ...]
    values: tuple[np.ndarray, ...]
    steps: tuple[tuple[str, int, int], ...]  # (op name, index of first operand, index of second)

    def run(self, T: Any, dtype: str) -> tuple[Any, list]:
        leaves = [T.tensor(v, dtype=getattr(T, dtype), requires_grad=True) for v in self.values]
        vals: list[Any] = list(leaves)
        for name, i, j in self.steps:
            x, y = vals[i % len(vals)], vals[j % len(vals)]
            if name in UNARY:
                vals.append(UNARY[name](T, x))
            else:
                try:
                    np.broadcast_shapes(tuple(x.shape), tuple(y.shape))
                except ValueError:
                    y = y.sum()  # reductions can break broadcasting; fall back to a scalar
                vals.append(BINARY[name](T, x, y))
        return leaves, vals


@st.composite
def programs(d: Any) -> Program:
    k = d(st.integers(2, 3))
    shapes = d(hnp.mutually_broadcastable_shapes(num_shapes=k, min_dims=0, max_dims=3, max_side=3)).input_shapes
    rng = np.random.default_rng(d(st.integers(0, 2 ** 32 - 1)))
    values = tuple(rng.uniform(-2, 2, size=s) for s in shapes)
    n = d(st.integers(3, 8))
    names = sorted(UNARY) + sorted(BINARY)
    steps = []
    for _ in range(n):
        name = d(st.sampled_from(names))
        steps.append((name, d(st.integers(0, 20)), d(st.integers(0, 20))))
    return Program(tuple(shapes), values, tuple(steps))


def _graph_names(t: Any) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    stack = [(t.grad_fn, 0)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        name = "None" if node is None else type(node).__name__
        out.append((depth, name))
        if node is not None and id(node) not in seen:
            seen.add(id(node))
            stack.extend((fn, depth + 1) for fn, _ in reversed(node.next_functions))
    return out


@pytest.mark.torch
@settings(max_examples=MAX_EXAMPLES)
@given(programs(), st.sampled_from(["float64", "float32"]))
def test_random_graphs_match_torch(program: Program, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        leaves, vals = program.run(T, dtype)
        # Every value feeds the loss, so every node gets a gradient.
        loss = sum(v.sum() if v.dim() else v for v in vals[len(leaves):])
        names = [_graph_names(v) for v in vals[len(leaves):]]
        loss.backward()
        results.append(([v.detach().numpy().copy() for v in vals], [None if leaf.grad is None else leaf.grad.numpy().copy() for leaf in leaves],
                         names, [str(v.dtype) for v in vals], _graph_names(loss)))
    (gv_vals, gv_grads, gv_names, gv_dt, gv_loss), (t_vals, t_grads, t_names, t_dt, t_loss) = results
    assert gv_dt == t_dt
    assert gv_names == t_names
    assert gv_loss == t_loss
    rtol, atol = (1e-10, 1e-12) if dtype == "float64" else (1e-5, 1e-6)
    for a, b in zip(gv_vals, t_vals):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    for a, b in zip(gv_grads, t_grads):
        assert (a is None) == (b is None)  # a leaf the program never used gets no gradient
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=rtol * 10, atol=atol * 10)


# -- reprs of results --------------------------------------------------------------------------------
REPR_CASES: list[Callable[[Any], Any]] = [
    lambda T: T.tensor([1.0, 2.0, 3.0], requires_grad=True),
    lambda T: T.tensor([1.0, 2.0, 3.0], requires_grad=True) * 2,
    lambda T: T.tensor([1.0, 2.0, 3.0], requires_grad=True) + 1,
    lambda T: 1 - T.tensor([1.0, 2.0, 3.0], requires_grad=True),
    lambda T: 2 / T.tensor([1.0, 2.0, 4.0], requires_grad=True),
    lambda T: T.tensor([1.0, 2.0, 3.0], requires_grad=True) ** 2,
    lambda T: 2 ** T.tensor([1.0, 2.0, 3.0], requires_grad=True),
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).mean(),
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).mean(0),
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).sum(1, keepdim=True),
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True) @ T.tensor([1.0, -1.0]),
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).T,
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)[0],
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)[:, 1:],
    lambda T: T.tensor([1.0, 2.0], requires_grad=True).exp(),
    lambda T: T.tensor([1.0, 2.0], requires_grad=True).norm(),
    lambda T: T.tensor([1.0, 2.0], requires_grad=True).double(),
    lambda T: T.tensor([1.0, 2.0], requires_grad=True).detach(),
    lambda T: T.tensor([-1.0, 2.0], requires_grad=True).relu().sum(),
    lambda T: T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True) * 3,
    lambda T: T.tensor([1.0, 2.0], requires_grad=True) > 1,
    lambda T: T.tensor([1, 2]) * 2,
    lambda T: T.tensor([1, 2]) / 2,
    lambda T: T.tensor([True, False]) + T.tensor([True, True]),
    lambda T: T.tensor(2.5, requires_grad=True) * 2,
    lambda T: T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True).max(1),
    lambda T: T.cat([T.ones(2, requires_grad=True), T.zeros(1)]),
    lambda T: T.stack([T.ones(2, requires_grad=True), T.zeros(2)], 1),
    lambda T: T.ones(2, 3, requires_grad=True).view(3, 2),
    lambda T: T.ones(2, 3, requires_grad=True).reshape(-1).unsqueeze(1).squeeze(),
    lambda T: T.arange(6.0, requires_grad=True).reshape(2, 3).T.reshape(-1),
    lambda T: (lambda y: (y.add_(1), y)[1])(T.ones(2, requires_grad=True) * 3),
    lambda T: (lambda y: (y.__setitem__(0, 5.0), y)[1])(T.ones(2, requires_grad=True) * 3),
    lambda T: T.tensor([1e-5, 1.0], requires_grad=True) * 3,
    lambda T: T.tensor([1e10, 1.0], requires_grad=True) * 3,
]


@pytest.mark.torch
@pytest.mark.parametrize("i", range(len(REPR_CASES)))
def test_repr_of_results_matches_torch(i: int) -> None:
    torch = pytest.importorskip("torch")
    assert repr(REPR_CASES[i](gradviz)) == repr(REPR_CASES[i](torch))


# -- next_functions of the spec's section 2 examples ---------------------------------------------------
GRAPH_CASES: dict[str, Callable[[Any], Any]] = {
    "x*2": lambda T: T.ones(2, requires_grad=True) * 2,
    "x+1": lambda T: T.ones(2, requires_grad=True) + 1,
    "x/2": lambda T: T.ones(2, requires_grad=True) / 2,
    "c*x": lambda T: T.tensor([2.0, 3.0]) * T.ones(2, requires_grad=True),
    "x**2": lambda T: T.ones(2, requires_grad=True) ** 2,
    "2**x": lambda T: 2 ** T.ones(2, requires_grad=True),
    "1-x": lambda T: 1 - T.ones(2, requires_grad=True),
    "2/x": lambda T: 2 / T.ones(2, requires_grad=True),
    "exp": lambda T: T.ones(2, requires_grad=True).exp(),
    "sum": lambda T: T.ones(2, requires_grad=True).sum(),
    "mean": lambda T: T.ones(2, requires_grad=True).mean(),
    "relu": lambda T: T.ones(2, requires_grad=True).relu(),
    "view": lambda T: T.ones(2, requires_grad=True).view(2, 1),
    "x[0]": lambda T: T.ones(2, requires_grad=True)[0],
    "stack": lambda T: T.stack([T.ones(2, requires_grad=True), T.ones(2, requires_grad=True) * 2, T.ones(2)]),
    "inplace": lambda T: (lambda y: (y.add_(1), y)[1])(T.ones(2, requires_grad=True) * 1),
    "x*x+x": lambda T: (lambda x: x * x + x)(T.ones(2, requires_grad=True)),
    "chain": lambda T: ((T.ones(2, 3, requires_grad=True) @ T.ones(3, requires_grad=True)).tanh() - 1).pow(2).mean(),
    "batched": lambda T: (T.ones(2, 3, 4, requires_grad=True) @ T.ones(4, 5, requires_grad=True)).sum(),
    "setitem": lambda T: (lambda y: (y.__setitem__(slice(0, 1), T.ones(1, requires_grad=True)), y)[1])(
        T.ones(3, requires_grad=True) * 2),
}


def _structure(t: Any) -> list:
    """(depth, name, output_nr) for every edge, AccumulateGrad variables identified by position."""
    leaves: dict[int, int] = {}
    out = []
    stack = [(t.grad_fn, 0, 0)]
    while stack:
        node, nr, depth = stack.pop()
        if node is None:
            out.append((depth, None, nr))
            continue
        name = type(node).__name__
        if hasattr(node, "variable"):
            name += f"#{leaves.setdefault(id(node.variable), len(leaves))}"
        out.append((depth, name, nr))
        stack.extend((fn, i, depth + 1) for fn, i in reversed(node.next_functions))
    return out


@pytest.mark.torch
@pytest.mark.parametrize("name", list(GRAPH_CASES))
def test_next_functions_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    assert _structure(GRAPH_CASES[name](gradviz)) == _structure(GRAPH_CASES[name](torch))
