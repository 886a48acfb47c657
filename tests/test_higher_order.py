"""Higher-order gradients: create_graph=True, backward(inputs=...), gradcheck and gradgradcheck.

Printed gradients, their grad_fn graphs and the semantics of .grad under create_graph are
compared with the reference PyTorch 2.13, run live. Every op of the registry is checked twice
differentiable with gradgradcheck on the input rows of tests/test_ops.py (hypothesis) and
tests/test_nn.py (fixed arrays); the helper nodes a recorded backward creates
(gradviz._bmath_tensor) are checked one order further.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradviz
import gradviz.nn.functional as GF
import test_nn
import test_ops
from gradviz import _bmath as bm
from gradviz._bmath_tensor import BACKWARD_FUNCTIONS
from gradviz.autograd import gradcheck, gradgradcheck
from gradviz.autograd.gradcheck import GradcheckError
from gradviz.function import Function

MAX_EXAMPLES = settings.default.max_examples
# gradgradcheck evaluates a forward and a recorded backward twice per input element, and
# runs a plain backward per output element: half the profile's examples per op (the full 200
# took ~3 minutes for the core ops on the shared 2-core machine; half takes ~1.5).
GRADGRAD_EXAMPLES = max(10, MAX_EXAMPLES // 2)


def _torch() -> Any:
    return pytest.importorskip("torch")


# (depth, class name) of every node under t.grad_fn, depth first, in next_functions order
_tree = test_ops._graph_names


# -- the issue's example ----------------------------------------------------------------------------
def test_second_derivative_of_cube() -> None:
    x = gradviz.tensor(2.0, requires_grad=True)
    y = x ** 3
    (g,) = gradviz.autograd.grad(y, x, create_graph=True)
    (h,) = gradviz.autograd.grad(g, x)
    assert g.item() == 12.0  # 3x²
    assert h.item() == 12.0  # 6x
    assert h.grad_fn is None and not h.requires_grad
    # Recorded from torch 2.13 (test_printed_gradients_match_torch re-checks it live).
    assert repr(g) == "tensor(12., grad_fn=<MulBackward0>)"
    assert repr(h) == "tensor(12.)"


# -- printed first and second gradients, and the graph torch records ----------------------------------
_X = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])
_Y = _X[::-1].copy()
_W = np.array([[0.5, -1.0], [2.0, 1.5], [-0.5, 1.0]])
_P = np.array([[0.2, 0.7, 0.4], [0.9, 0.1, 0.6]])
_S = np.array(2.0)

PRINTED: dict[str, tuple[Callable[..., Any], list[np.ndarray]]] = {
    "pow3": (lambda T, x: x ** 3, [_S]),
    "pow_real": (lambda T, x: x ** 2.5, [_S]),
    "mul": (lambda T, x, w: x * w, [_X, _Y]),
    "mul_self": (lambda T, x: x * x, [_X]),
    "div": (lambda T, x, w: x / w, [_X, _Y]),
    "rdiv": (lambda T, x: 1 / x, [_S]),
    "exp": (lambda T, x: x.exp(), [_X]),
    "log": (lambda T, x: x.log(), [_P]),
    "tanh": (lambda T, x: x.tanh(), [_X]),
    "sigmoid": (lambda T, x: x.sigmoid(), [_X]),
    "relu": (lambda T, x: x.relu(), [_X]),
    "sum": (lambda T, x: (x * x).sum(), [_X]),
    "sum_dim": (lambda T, x: (x * x).sum(1), [_X]),
    "mean": (lambda T, x: (x * x).mean(), [_X]),
    "mean_dim": (lambda T, x: (x * x).mean(0), [_X]),
    "mm": (lambda T, x, w: x @ w, [_X, _W]),
    # Column-major operands: their gradients are computed transposed, in the recorded graph too.
    "mm_transposed": (lambda T, x, w: x @ w.t(), [_X, _Y]),
    "mm_transposed_mat1": (lambda T, x, w: x.t() @ w, [_X, _Y]),
    "linear": (lambda T, x, w, b: T.nn.functional.linear(x, w, b), [_X, _Y, _P[0, :2].copy()]),
    "sin": (lambda T, x: x.sin(), [_X]),
    "cos": (lambda T, x: x.cos(), [_X]),
    "sqrt": (lambda T, x: x.sqrt(), [_P]),
    "abs": (lambda T, x: x.abs() * x, [_X]),
    "neg": (lambda T, x: -x * x, [_X]),
    "sub": (lambda T, x, w: (x - w) * x, [_X, _P]),
    "reciprocal": (lambda T, x: x.reciprocal(), [_X]),
    "rpow": (lambda T, x: 2 ** x, [_X]),
    "mv": (lambda T, x, v: x @ v, [_X, _W[:, 0].copy()]),
    "dot": (lambda T, v: v @ v, [_W[:, 0].copy()]),
    "view": (lambda T, x: (x * x).view(-1), [_X]),
    "t": (lambda T, x: (x * x).t(), [_X]),
    "permute": (lambda T, x: (x * x).permute(1, 0), [_X]),
    "unsqueeze": (lambda T, x: (x * x).unsqueeze(0), [_X]),
    "expand": (lambda T, x: (x * x).expand(2, 2, 3), [_X]),
    "select": (lambda T, x: (x * x)[0], [_X]),
    "slice": (lambda T, x: (x * x)[:, 1:], [_X]),
    "cat": (lambda T, x, w: T.cat([x * x, w * w]), [_X, _P]),
    "stack": (lambda T, x, w: T.stack([x * x, w * w]), [_X, _P]),
    "softmax": (lambda T, x: x.softmax(1), [_X]),
    "log_softmax": (lambda T, x: x.log_softmax(1), [_X]),
    "max": (lambda T, x: (x * x).max(), [_X]),
    "max_dim": (lambda T, x: (x * x).max(1).values, [_X]),
    "norm": (lambda T, x: x.norm(), [_X]),
    "where": (lambda T, x: T.where(x > 0, x * x, x), [_X]),
    "add_alpha": (lambda T, x, w: x.add(w * w, alpha=2.5), [_X, _Y]),
    "sub_alpha": (lambda T, x, w: x.sub(w * w, alpha=2.5), [_X, _Y]),
    "transpose": (lambda T, x: (x * x).transpose(0, 1), [_X]),
    "pow_tensor": (lambda T, x, w: x ** w, [_P, _Y]),
    "mse": (lambda T, x, w: T.nn.functional.mse_loss(x, w), [_X, _Y]),
    "leaky_relu": (lambda T, x: T.nn.functional.leaky_relu(x * x - 1, 0.2), [_X]),
    "gelu": (lambda T, x: T.nn.functional.gelu(x), [_X]),
    "gelu_tanh": (lambda T, x: T.nn.functional.gelu(x, approximate="tanh"), [_X]),
    "bce_with_logits": (lambda T, x: T.nn.functional.binary_cross_entropy_with_logits(x, x.detach() * 0 + 0.3),
                        [_X]),
    "cross_entropy": (lambda T, x: T.nn.functional.cross_entropy(x, T.tensor([0, 2])), [_X]),
}
# Same values and printed text, but torch records other nodes inside the gradient's graph.
GRAPH_DIFFERS = {
    "pow_tensor": "b − 1 inside the rule is SubBackward1 in torch (tensor minus number, in C++); gradviz records "
                  "tensor minus number as SubBackward0, as torch's Python operator does",
    "cross_entropy": "torch records nll_loss's gradient as one NllLossBackwardBackward0 node; gradviz as a scatter",
}


def _first_and_second(T: Any, fn: Callable[..., Any], arrays: list[np.ndarray]) -> tuple:
    leaves = [T.tensor(a, dtype=T.float32, requires_grad=True) for a in arrays]
    y = fn(T, *leaves)
    v = T.tensor(np.linspace(-1.0, 1.0, y.numel()).reshape(tuple(y.shape)), dtype=T.float32)
    first = T.autograd.grad(y, leaves, v, create_graph=True, allow_unused=True)
    total = sum((g * g).sum() for g in first if g is not None)
    second = T.autograd.grad(total, leaves, create_graph=True, allow_unused=True)
    return ([repr(g) for g in first], [None if g is None else _tree(g) for g in first],
            [repr(g) for g in second], [None if g is None else _tree(g) for g in second])


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(PRINTED))
def test_printed_gradients_match_torch(name: str) -> None:
    """create_graph gradients print as torch's (value and grad_fn), and so do their gradients."""
    torch = _torch()
    fn, arrays = PRINTED[name]
    ours, ref = _first_and_second(gradviz, fn, arrays), _first_and_second(torch, fn, arrays)
    assert ours[0] == ref[0]
    assert ours[2] == ref[2]
    if name not in GRAPH_DIFFERS:
        assert ours[1] == ref[1]


MASKED_FILL_RULES = {
    "max": lambda T, x: x.max(),
    "min": lambda T, x: x.min(),
    "maximum": lambda T, x: T.maximum(x, T.tensor([2.0, 2.0, 3.0, 3.0])),
    "minimum": lambda T, x: T.minimum(T.tensor([2.0, 2.0, 3.0, 3.0]), x),
    "norm": lambda T, x: x.norm(),
    "norm_dim": lambda T, x: x.reshape(2, 2).norm(dim=1),
    "norm_zero": lambda T, x: (x * 0).norm(),
    "masked_fill": lambda T, x: (x * x).masked_fill(x > 2.5, 0.0),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(MASKED_FILL_RULES))
def test_rules_record_masked_fill_where_torch_does(name: str) -> None:
    """With an incoming gradient that has a history, the recorded rule shows torch's nodes (MaskedFill...)."""
    torch = _torch()
    out = []
    for T in (gradviz, torch):
        x = T.tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
        y = MASKED_FILL_RULES[name](T, x)
        v = T.full(tuple(y.shape), 1.5, requires_grad=True)
        (g,) = T.autograd.grad(y, x, v, create_graph=True)
        gx, gv = T.autograd.grad((g * g).sum(), [x, v], allow_unused=True)
        out.append((repr(g), _tree(g), repr(gx), repr(gv)))
    assert out[0] == out[1]


@pytest.mark.torch
def test_issue_example_matches_torch() -> None:
    torch = _torch()
    out = []
    for T in (gradviz, torch):
        x = T.tensor(2.0, requires_grad=True)
        (g,) = T.autograd.grad(x ** 3, x, create_graph=True)
        (h,) = T.autograd.grad(g, x)
        out.append((repr(g), repr(h), _tree(g)))
    assert out[0] == out[1]


def test_graph_differs_names_real_cases() -> None:
    assert set(GRAPH_DIFFERS) <= set(PRINTED)


# -- semantics of backward/grad under create_graph, against torch ----------------------------------
def _semantics(T: Any) -> list[str]:
    out: list[str] = []

    def rec(f: Callable[[], Any]) -> None:
        try:
            out.append(repr(f()))
        except Exception as e:  # noqa: BLE001 - the error's type and text are the result
            out.append(f"{type(e).__name__}: {e}")

    x = T.tensor(2.0, requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    first = x.grad
    # the leaf's .grad keeps its history (a copy of the incoming gradient) ...
    rec(lambda: (x.grad, x.grad.is_leaf, x.grad.requires_grad, _tree(x.grad)))
    # ... and a second backward adds out of place: a new tensor, the old one unchanged
    y.backward(create_graph=True)
    rec(lambda: (x.grad, first, x.grad is first, _tree(x.grad)))
    x.grad.backward()
    rec(lambda: x.grad)
    # retain_graph defaults to create_graph
    z = x.exp() * x
    T.autograd.grad(z, x, create_graph=True)
    rec(lambda: T.autograd.grad(z, x))
    rec(lambda: T.autograd.grad(z, x))
    w = x.sin() * x
    w.backward(create_graph=True, retain_graph=False)
    rec(lambda: w.backward())
    # a gradient that does not depend on x cannot be differentiated
    (gc,) = T.autograd.grad(x * 3, x, create_graph=True)
    rec(lambda: gc)
    rec(lambda: T.autograd.grad(gc, x))
    # backward(inputs=...)
    a = T.tensor(1.0, requires_grad=True)
    b = T.tensor(3.0, requires_grad=True)
    (a * b).backward(inputs=[a])
    rec(lambda: (a.grad, b.grad))
    (a * b).backward(inputs=b)
    rec(lambda: (a.grad, b.grad))
    rec(lambda: (a * b).backward(inputs=[]))
    rec(lambda: (a * b).backward(inputs=[T.tensor(1.0)]))
    m = a * 2
    (m * b).backward(inputs=[m])
    rec(lambda: (m.grad, a.grad))
    rec(lambda: (m * b).backward(inputs=[m], retain_graph=True))  # m's own node was freed
    e = a.exp()
    (e * b).backward(inputs=[e], retain_graph=True)
    (e * b).backward(inputs=[e])
    rec(lambda: (e.grad, a.grad))
    unused = T.tensor(5.0, requires_grad=True)
    (a * b).backward(inputs=[unused])
    rec(lambda: unused.grad)
    a.grad = None
    b.grad = None
    (a * a * b).backward(create_graph=True, inputs=[a])
    rec(lambda: (a.grad, b.grad))
    # grad(): allow_unused, grad_outputs with a history, third order
    u = T.tensor(1.0, requires_grad=True)
    rec(lambda: T.autograd.grad(a * 2, [a, u], create_graph=True, allow_unused=True))
    rec(lambda: T.autograd.grad(a * 2, [a, u], create_graph=True))
    v = T.tensor([1.0, 2.0], requires_grad=True)
    p = T.tensor([3.0, -1.0], requires_grad=True)
    (gp,) = T.autograd.grad(p * p, p, v, create_graph=True)
    rec(lambda: gp)
    rec(lambda: T.autograd.grad(gp.sum(), [p, v]))
    s = T.tensor(0.5, requires_grad=True)
    (d1,) = T.autograd.grad(s.tanh(), s, create_graph=True)
    (d2,) = T.autograd.grad(d1, s, create_graph=True)
    (d3,) = T.autograd.grad(d2, s)
    rec(lambda: (d1, d2, d3))
    # hooks receive gradients with their history; retained grads are clones
    h = T.tensor(2.0, requires_grad=True)
    seen: list[str] = []
    h.register_hook(lambda gr: seen.append(repr(gr)))
    (hh,) = T.autograd.grad(h ** 2, h, create_graph=True)
    rec(lambda: (seen, hh))
    r = T.tensor(2.0, requires_grad=True)
    mid = r * r
    mid.retain_grad()
    (mid * mid).backward(create_graph=True)
    rec(lambda: (mid.grad, r.grad))
    # mixed dtypes: each edge casts to its tensor's dtype
    f64 = T.tensor(1.5, dtype=T.float64, requires_grad=True)
    f32 = T.tensor(2.0, requires_grad=True)
    rec(lambda: T.autograd.grad(f64 * f32 * f32, [f64, f32], create_graph=True))
    # a non-leaf input; an in-place change to a saved tensor
    base = T.tensor([1.0, 2.0], requires_grad=True)
    nl = base * base
    rec(lambda: T.autograd.grad((nl ** 2).sum(), nl, create_graph=True))
    k = T.tensor([1.0, 2.0], requires_grad=True)
    kk = k * 1
    prod = kk * kk
    kk.add_(1)
    rec(lambda: T.autograd.grad(prod.sum(), k, create_graph=True))
    # create_graph under no_grad still records (torch turns grad mode on for the pass)
    q = T.tensor(1.5, requires_grad=True)
    with T.no_grad():
        pass
    yq = q.sin()
    with T.no_grad():
        (gq,) = T.autograd.grad(yq, q, create_graph=True)
    rec(lambda: gq)
    return out


@pytest.mark.torch
def test_create_graph_semantics_match_torch() -> None:
    torch = _torch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the reference-cycle warning, tested below
        ours, ref = _semantics(gradviz), _semantics(torch)
    assert len(ours) == len(ref)
    for i, (o, r) in enumerate(zip(ours, ref)):
        assert o == r, f"scenario {i}"


def test_backward_create_graph_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gradviz.autograd, "_warned_cycle", False)
    x = gradviz.tensor(2.0, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (x * x).backward(create_graph=True)
        (x * x).backward(create_graph=True)
        gradviz.autograd.grad(x * x, x, create_graph=True)
    assert len(caught) == 1 and caught[0].category is UserWarning
    # Text recorded from torch 2.13 (it warns once per process, so it cannot be re-triggered here).
    assert str(caught[0].message).startswith(
        "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
        "gradient which can cause a memory leak.")


def test_errors_change_nothing() -> None:
    a = gradviz.tensor(1.0, requires_grad=True)
    (a * a).backward(create_graph=True)
    before = a.grad
    with pytest.raises(RuntimeError):
        (a * a).backward(inputs=[gradviz.tensor(1.0)])
    with pytest.raises(RuntimeError):
        (a * a).backward(inputs=[])
    assert a.grad is before


def test_deep_chain_create_graph() -> None:
    """100,000 nodes: the recorded pass and the pass over its result are loops, not recursion."""
    x = gradviz.tensor(0.5, requires_grad=True)
    y = x.sin()
    for _ in range(100_000):
        y = y * 1.0
    (g,) = gradviz.autograd.grad(y, x, create_graph=True)
    (h,) = gradviz.autograd.grad(g, x)
    assert g.item() == pytest.approx(math.cos(0.5))
    assert h.item() == pytest.approx(-math.sin(0.5))


# -- gradgradcheck of every op ------------------------------------------------------------------------
_HYP = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("op", sorted(test_ops.ROWS_BY_OP))
def test_gradgradcheck_core_ops(op: str) -> None:
    """GRADGRAD_EXAMPLES hypothesis examples per op, shared among the op's rows of tests/test_ops.py."""
    rows = test_ops.ROWS_BY_OP[op]
    strategy = st.one_of(*[st.tuples(st.just(row), row.inputs) for row in rows])

    @settings(max_examples=GRADGRAD_EXAMPLES, **_HYP)
    @given(strategy)
    def check(drawn: tuple[Any, Any]) -> None:
        case, sample = drawn
        leaves = [gradviz.tensor(a, requires_grad=True) for a in sample.arrays]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # x.T's deprecation; the float32 row's dtype warning
            assert gradgradcheck(lambda *ts: case.fn(gradviz, *ts, **sample.kw), leaves, eps=case.eps)

    check()


NN_EXTRA: list[tuple[str, Callable[..., Any], list[np.ndarray]]] = [
    ("leaky_relu_inplace", lambda L, F, a: F.leaky_relu(a * 1, 0.2, inplace=True), [test_nn.X]),
    ("elu_inplace", lambda L, F, a: F.elu(a * 1, 0.7, inplace=True), [test_nn.X]),
    ("celu_inplace", lambda L, F, a: F.celu(a * 1, 1.7, inplace=True), [test_nn.X]),
    ("silu_inplace", lambda L, F, a: F.silu(a * 1, inplace=True), [test_nn.X]),
    ("mish_inplace", lambda L, F, a: F.mish(a * 1, inplace=True), [test_nn.X]),
]
NN_ROWS = test_nn.CASES + NN_EXTRA


def _nn_leaves(arrays: list[np.ndarray]) -> list[Any]:
    # Float arrays are differentiable inputs; integer ones are class targets.
    return [gradviz.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]


@pytest.mark.parametrize("name,fn,arrays", NN_ROWS, ids=[r[0] for r in NN_ROWS])
def test_gradgradcheck_nn_ops(name: str, fn: Callable[..., Any], arrays: list[np.ndarray]) -> None:
    gradviz.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mse's broadcasting warning
        assert gradgradcheck(lambda *ts: fn(gradviz, GF, *ts), _nn_leaves(arrays))


# The nodes a recorded backward adds (gradviz._bmath_tensor), each checked to one order more.
_G = np.array([[0.3, -1.2, 0.7], [2.0, 0.4, -0.6]])
_IDX = np.array([[2], [0]])
HELPERS: dict[str, tuple[str, Callable[..., Any], list[np.ndarray]]] = {
    "SgnBackward0": ("SgnBackward0", lambda a: bm.sign(a) * a, [_X]),
    "ErfBackward0": ("ErfBackward0", lambda a: bm.erf(a), [_X / 2]),
    "TanhBackwardBackward0": ("TanhBackwardBackward0", lambda g, y: bm.tanh_backward(g, y), [_G, np.tanh(_X)]),
    "SigmoidBackwardBackward0": ("SigmoidBackwardBackward0", lambda g, y: bm.sigmoid_backward(g, y), [_G, _P]),
    "gelu_tanh_backward": ("GeluBackwardBackward0", lambda g, a: bm.gelu_backward(g, a, "tanh"), [_G, _X]),
    "ThresholdBackwardBackward0": ("ThresholdBackwardBackward0", lambda g, y: bm.threshold_backward(g, y), [_G, _X]),
    "LeakyReluBackwardBackward0": ("LeakyReluBackwardBackward0", lambda g, a: bm.leaky_relu_backward(g, a, 0.2), [_G, _X]),
    "MseLossBackwardBackward0": ("MseLossBackwardBackward0", lambda g, a, t: bm.mse_backward(g, a, t, 2.0 / 6), [np.array(0.7), _X, _Y]),
    "GeluBackwardBackward0": ("GeluBackwardBackward0", lambda g, a: bm.gelu_backward(g, a, "none"), [_G, _X]),
    "SoftmaxBackwardDataBackward0": ("SoftmaxBackwardDataBackward0", lambda g, z: bm.softmax_backward(g, z, 1), [_G, _P]),
    "LogSoftmaxBackwardDataBackward0": ("LogSoftmaxBackwardDataBackward0", lambda g, z: bm.log_softmax_backward(g, z, 0), [_G, np.log(_P)]),
    "ScatterBackward0": ("ScatterBackward0", lambda v: bm.scatter((2, 3), _IDX, v, 1), [np.array([[1.5], [-2.0]])]),
    "GatherBackward0": ("GatherBackward0", lambda a: bm.gather(a, _IDX, 1), [_X]),
    "SelectBackwardBackward0": ("SelectBackwardBackward0", lambda g: bm.index_scatter(g, (2, 3), (1,), False, "select"), [_G[0]]),
    "SliceBackwardBackward0": ("SliceBackwardBackward0", lambda g: bm.index_scatter(g, (2, 3), (slice(None), slice(1, 3)), False, "slice"),
                               [_G[:, 1:].copy()]),
    "IndexPutImplBackward0": ("IndexPutImplBackward0", lambda g: bm.index_scatter(g, (3,), (np.array([0, 2, 0]),), True), [_G[0]]),
    "IndexBackward0": ("IndexBackward0", lambda a: bm.index_gather(a, (np.array([1, 1, 0]),), True), [_X]),
    "CopySlices": ("CopySlices", lambda g: bm.zero_at(g, (slice(None), 1)), [_G]),
}


def test_every_helper_node_has_a_row() -> None:
    assert {row[0] for row in HELPERS.values()} == {cls.__name__ for cls in BACKWARD_FUNCTIONS}


@pytest.mark.parametrize("row", sorted(HELPERS))
def test_helper_nodes_gradcheck_and_gradgradcheck(row: str) -> None:
    name, fn, arrays = HELPERS[row]
    leaves = [gradviz.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*leaves)
    assert name in {n for _, n in _tree(out)}
    gradviz.manual_seed(0)
    assert gradcheck(fn, leaves)
    assert gradgradcheck(fn, leaves)


# Registry ops that are not checked twice differentiable, with the reason. None so far: every
# op's backward rule is written in the dual style of gradviz._bmath.
NOT_TWICE: dict[str, str] = {}


def _nn_graph_ops() -> set[str]:
    names: set[str] = set()
    for _, fn, arrays in NN_ROWS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(gradviz, GF, *_nn_leaves(arrays))
        names |= {n for _, n in _tree(out)}
    return names


def test_every_registered_op_is_gradgradchecked() -> None:
    covered = {name for case in test_ops.CASES for name in case.ops} | _nn_graph_ops()
    missing = sorted(set(Function.registry) - covered - set(NOT_TWICE))
    assert not missing, f"ops neither gradgradchecked nor listed in NOT_TWICE with a reason: {missing}"
    assert set(NOT_TWICE) <= set(Function.registry)


# -- the public gradcheck / gradgradcheck ---------------------------------------------------------------
class _WrongSquare(Function):
    """z = a²   with a backward that forgets the factor 2"""

    label, formula, saves_tensors = "wrong", "∂z/∂a = a (wrong on purpose)", True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (g * a,)


class _FlatSquare(Function):
    """z = a²   whose backward is right, but reads a as a constant: its own gradient is lost"""

    label, formula = "flat", "∂z/∂a = 2a, with a not connected to the graph"

    @staticmethod
    def forward(ctx, a):
        ctx.a = a.copy()
        return a * a

    @staticmethod
    def backward(ctx, g):
        return (g * (2 * ctx.a),)


def _x(*values: float, dtype: Any = None) -> Any:
    return gradviz.tensor(list(values), dtype=dtype or gradviz.float64, requires_grad=True)


def test_gradcheck_accepts_good_functions() -> None:
    assert gradcheck(lambda a: (a * a).sin(), _x(0.3, -1.2, 2.0)) is True
    assert gradcheck(lambda a, b: a @ b, (_x(1.0, 2.0), _x(-0.5, 3.0))) is True
    assert gradcheck(lambda a, b: (a * b, a.exp()), [_x(0.5, 1.5), _x(2.0, -1.0)]) is True
    # inputs that need no gradient take part without being checked
    assert gradcheck(lambda a, c: a * c, (_x(1.0, 2.0), gradviz.tensor([3.0, 4.0], dtype=gradviz.float64)))
    assert gradgradcheck(lambda a: (a * a * a).tanh(), _x(0.3, -0.7)) is True
    v = gradviz.tensor([0.5, -1.0], dtype=gradviz.float64, requires_grad=True)
    assert gradgradcheck(lambda a: a.sigmoid() * a, _x(0.3, -0.7), v) is True


def test_gradcheck_catches_a_wrong_backward() -> None:
    assert issubclass(GradcheckError, RuntimeError)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: _WrongSquare.apply(a), _x(1.0, 2.0))
    assert str(info.value).startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert gradcheck(lambda a: _WrongSquare.apply(a), _x(1.0, 2.0), raise_exception=False) is False


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable() -> None:
    assert gradcheck(lambda a: _FlatSquare.apply(a), _x(1.0, 2.0))
    with pytest.raises(GradcheckError):
        gradgradcheck(lambda a: _FlatSquare.apply(a), _x(1.0, 2.0))
    assert gradgradcheck(lambda a: _FlatSquare.apply(a), _x(1.0, 2.0), raise_exception=False) is False


def _warnings_and_error(T: Any, fn: Callable[[], Any]) -> tuple[list[str], str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn()
            err = "ok"
        except Exception as e:  # noqa: BLE001
            err = f"{type(e).__name__}: {e}"
    return [f"{w.category.__name__}: {w.message}" for w in caught], err


@pytest.mark.torch
@pytest.mark.parametrize("case", ["float32", "no_grad_input", "stride0"])
def test_gradcheck_input_checks_match_torch(case: str) -> None:
    torch = _torch()
    results = []
    for T in (gradviz, torch):
        if case == "float32":
            call = lambda: T.autograd.gradcheck(lambda a: a * 2, T.tensor([1.0, 2.0], requires_grad=True))  # noqa: E731
        elif case == "no_grad_input":
            call = lambda: T.autograd.gradcheck(lambda a: a * 2, T.tensor([1.0], dtype=T.float64))  # noqa: E731
        else:
            leaf = T.tensor([1.0], dtype=T.float64)
            call = lambda: T.autograd.gradcheck(  # noqa: E731
                lambda a: a * 2, leaf.expand(3).requires_grad_())
        results.append(_warnings_and_error(T, call))
    assert results[0] == results[1]


@pytest.mark.torch
@pytest.mark.parametrize("op", ["exp", "tanh", "sigmoid", "sqrt", "max", "relu"])
def test_inplace_change_of_a_saved_0d_output_matches_torch(op: str) -> None:
    """A 0-d result saved for backward is tracked like any other (the recorded pass needs its owner)."""
    torch = _torch()
    results = []
    for T in (gradviz, torch):
        x = T.tensor(2.0, requires_grad=True)
        y = getattr(x * 1, op)()
        y.add_(1)
        try:
            y.backward()
            results.append(repr(x.grad))
        except RuntimeError as e:
            results.append(str(e))
    assert results[0] == results[1]


# -- every backward rule is written in the dual style ------------------------------------------------------
def _rule_problems(cls: type) -> list[str]:
    """What in cls.backward would not run on Tensors: NumPy calls on values, array methods."""
    import ast
    import inspect
    import textwrap

    fn = next(k.__dict__["backward"] for k in cls.__mro__ if "backward" in k.__dict__)
    fn = getattr(fn, "__func__", fn)
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))

    def on_ctx(arg: ast.AST) -> bool:  # constants the forward stored on the node (indices, masks)
        return isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "ctx"

    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = node.func.value
            name = base.id if isinstance(base, ast.Name) else None
            if name in ("bm", "math") or node.func.attr == "append":
                continue
            if name == "np" and all(on_ctx(a) for a in node.args):
                continue
            problems.append(ast.unparse(node.func))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "np":
            if node.attr not in ("float64", "float32", "expand_dims"):
                problems.append(ast.unparse(node))
    return problems


def test_backward_rules_use_only_operators_and_bmath() -> None:
    classes = list(Function.registry.values()) + list(BACKWARD_FUNCTIONS)
    problems = {cls.__name__: p for cls in classes if (p := _rule_problems(cls))}
    assert not problems, f"backward rules that would not run on Tensors (use gradviz._bmath): {problems}"
