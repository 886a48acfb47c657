"""backward()'s lean pass (graph.backward_pass): it gives what the recorded pass gives, and a
gradient it hands to a leaf without copying is never visible anywhere else. Also the cached
Python-number constants keep the sign of zero. Reference values come from torch 2.13 run live.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

import gradviz
from gradviz import autograd


def _data(t: gradviz.Tensor) -> np.ndarray:
    return t.detach().numpy()


def test_leaf_grads_from_one_array_are_separate() -> None:
    # AddBackward sends the same gradient array to both inputs: at most one may keep it.
    x = gradviz.ones(3, requires_grad=True)
    w = gradviz.ones(3, requires_grad=True)
    ((x + w) * 2).sum().backward()  # MulBackward makes a new array; AddBackward sends it twice
    assert not np.shares_memory(_data(x.grad), _data(w.grad))
    x.grad.mul_(5)
    np.testing.assert_array_equal(_data(w.grad), [2, 2, 2])


def test_root_gradient_is_copied_not_adopted() -> None:
    x = gradviz.ones(3, requires_grad=True)
    g = gradviz.tensor([1.0, 2.0, 3.0])
    (x + 1).backward(g)
    assert not np.shares_memory(_data(x.grad), _data(g))
    g.mul_(0)
    np.testing.assert_array_equal(_data(x.grad), [1, 2, 3])


def test_retained_grad_and_leaf_grad_are_separate() -> None:
    x = gradviz.ones(3, requires_grad=True)
    y = x + 0  # AddBackward passes y's gradient on unchanged
    y.retain_grad()
    (y * 2).sum().backward()
    assert not np.shares_memory(_data(x.grad), _data(y.grad))


def test_gradient_a_hook_keeps_is_copied() -> None:
    x = gradviz.ones(3, requires_grad=True)
    kept = []

    def hook(g):
        kept.append(g * 1)
        return kept[-1]

    x.register_hook(hook)
    (x * 3).sum().backward()
    assert not np.shares_memory(_data(x.grad), _data(kept[0]))
    kept[0].mul_(0)
    np.testing.assert_array_equal(_data(x.grad), [3, 3, 3])


def test_adopted_gradient_is_a_plain_writable_array() -> None:
    x = gradviz.ones(2, 3, requires_grad=True)
    (x * 2).sum().backward()  # SumBackward broadcasts (a read-only view); MulBackward makes a new array
    g = _data(x.grad)
    assert g.flags.writeable and g.flags.owndata and g.dtype == np.float32
    x.grad.zero_()
    np.testing.assert_array_equal(g, np.zeros((2, 3)))


def _random_graph(lib, seed: int):
    rng = random.Random(seed)
    leaves = [lib.tensor([0.5 + i, -1.0, 2.0], requires_grad=True) for i in range(rng.randint(1, 4))]
    ts = list(leaves)
    for _ in range(rng.randint(1, 30)):
        a, b = rng.choice(ts), rng.choice(ts)
        op = rng.randrange(4)
        ts.append(a * b if op == 0 else a + b if op == 1 else (a * 0.5).tanh() if op == 2 else a - b)
        if rng.random() < 0.2:
            ts[-1].retain_grad()
    outs = rng.sample(ts[len(leaves):] or ts, 1)
    return leaves, ts, outs


@pytest.mark.parametrize("seed", range(30))
def test_backward_equals_recorded_pass(seed: int) -> None:
    # The same graph twice: backward() (lean) against autograd.run_backward (Steps recorded).
    results = []
    for lean in (True, False):
        leaves, ts, outs = _random_graph(gradviz, seed)
        grad = gradviz.tensor([1.0, -2.0, 0.5])
        if lean:
            outs[0].backward(grad)
        else:
            autograd.run_backward(outs[0], grad)
        results.append([None if t._grad is None else _data(t._grad).copy() for t in ts])
    for a, b in zip(*results):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)


@pytest.mark.torch
def test_signed_zero_constants_match_torch() -> None:
    torch = pytest.importorskip("torch")
    mine, ref = [], []
    for lib, out in ((gradviz, mine), (torch, ref)):
        x = lib.tensor([1.0, -0.0, 2.0])
        # 0.0 first, so a cache that confused 0.0 with -0.0 would hand out the wrong one.
        for c in (0.0, -0.0, 0, 0.0, -0.0):
            out.append((x * c).numpy().copy())
            out.append((x + c).numpy().copy())
            out.append((x.double() * c).numpy().copy())
    for a, b in zip(mine, ref):
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", range(200))
def test_backward_order_equals_the_ready_queue_walk(seed: int) -> None:
    # backward_order relies on sequence numbers growing from inputs to consumers; the ready-queue
    # walk (graph._heap_order, torch's engine order) is its reference. Random DAGs with fan-out,
    # diamonds, x*x, in-place rebased nodes, several roots (some consuming others) and leaf roots.
    from gradviz.graph import _heap_order, backward_order

    rng = random.Random(seed)
    leaves = [gradviz.tensor([1.0, 2.0], requires_grad=True) for _ in range(rng.randint(1, 5))]
    ts = list(leaves)
    for _ in range(rng.randint(0, 40)):
        a, b = rng.choice(ts), rng.choice(ts)
        kind = rng.randrange(5)
        if kind == 0:
            ts.append(a * b)
        elif kind == 1:
            ts.append(a + b * 2.0)
        elif kind == 2:
            ts.append(a.sum() * b)
        elif kind == 3 and a.grad_fn is not None:
            c = a * 1.0
            c.mul_(3.0)  # in place: c's grad_fn becomes a newer node over the old one
            ts.append(c)
        else:
            ts.append(a * a)
    picks = rng.sample(ts, rng.randint(1, min(4, len(ts))))
    roots = [t.grad_fn if t.grad_fn is not None else t._accumulator() for t in picks]
    roots += rng.sample(roots, rng.randint(0, len(roots)))  # repeated roots are dropped by both
    assert backward_order(roots) == _heap_order(roots)


# -- gradient memory layout (torch's layout contract) ---------------------------------------------------
# torch gives a leaf's .grad the leaf's own strides: F.linear's weight.t() is a column-major mat2,
# whose gradient torch computes in that layout so the weight's grad is C-contiguous. Compared live.
def _linear_grads(T, x: np.ndarray, w: np.ndarray, b: np.ndarray, g: np.ndarray) -> tuple:
    layer = T.nn.Linear(w.shape[1], w.shape[0], dtype=getattr(T, w.dtype.name))
    with T.no_grad():
        layer.weight.copy_(T.tensor(w))
        layer.bias.copy_(T.tensor(b))
    layer(T.tensor(x)).backward(T.tensor(g))
    return layer.weight.grad, layer.bias.grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n,k,m", [(64, 784, 256), (64, 256, 10), (5, 3, 4), (1, 7, 1)])
def test_linear_weight_grad_is_c_contiguous_like_torch(dtype, n: int, k: int, m: int) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(n * k + m)
    x, w, b, g = (rng.standard_normal(s).astype(dtype) for s in ((n, k), (m, k), (m,), (n, m)))
    gw, gb = _linear_grads(gradviz, x, w, b, g)
    tw, tb = _linear_grads(torch, x, w, b, g)
    assert tw.is_contiguous()
    data = _data(gw)
    assert data.flags.c_contiguous and data.strides == tuple(s * data.itemsize for s in tw.stride())
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(data, tw.numpy(), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(_data(gb), tb.numpy(), rtol=rtol, atol=rtol)


def test_linear_weight_grad_is_adopted_without_a_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The weight's gradient (the transpose of a fresh column-major product, seen by nothing else)
    becomes .grad as it is: backward_pass makes no copy for any of the layer's parameters."""
    from gradviz import graph

    copies = []
    real = graph._leaf_copy
    monkeypatch.setattr(graph, "_leaf_copy", lambda g, leaf: copies.append(g.shape) or real(g, leaf))
    layer = gradviz.nn.Linear(5, 4)
    (layer(gradviz.randn(3, 5)) * gradviz.randn(3, 4)).sum().backward()
    assert copies == []
    data = _data(layer.weight.grad)
    assert data.flags.c_contiguous and data.flags.owndata and data.flags.writeable


def test_matmul_with_transposed_leaf_gives_c_contiguous_grad() -> None:
    """x @ w.T with a leaf w (MmBackward0, no bias): the same rule as addmm's."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((6, 5)), rng.standard_normal((4, 5))
    grads = []
    for T in (gradviz, torch):
        xt, wt = T.tensor(x, requires_grad=True), T.tensor(w, requires_grad=True)
        out = xt @ wt.T
        assert type(out.grad_fn).__name__ == "MmBackward0"
        (out * T.tensor(np.linspace(-1, 2, out.numel()).reshape(6, 4))).sum().backward()
        grads.append((wt.grad, xt.grad))
    (gw, gx), (tw, tx) = grads
    assert _data(gw).flags.c_contiguous and tw.is_contiguous()
    assert _data(gx).flags.c_contiguous and tx.is_contiguous()
    np.testing.assert_allclose(_data(gw), tw.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_data(gx), tx.numpy(), rtol=1e-12)


def test_column_major_leaf_keeps_its_layout() -> None:
    """A leaf made from arr.T (column-major) as mat1 and as mat2: grads right, in the leaf's layout,
    and sharing no memory with the array the leaf views."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    arr1, arr2 = rng.standard_normal((5, 4)), rng.standard_normal((3, 5))
    out = []
    for T in (gradviz, torch):
        a = T.from_numpy(arr1.copy().T).requires_grad_()  # (4, 5), column-major
        b = T.from_numpy(arr2.copy().T).requires_grad_()  # (5, 3), column-major
        (a @ b * T.tensor(np.linspace(-1, 2, 12).reshape(4, 3))).sum().backward()
        out.append((a, b))
    for g_leaf, t_leaf in zip(out[0], out[1]):
        data = _data(g_leaf.grad)
        assert data.strides == tuple(s * data.itemsize for s in t_leaf.grad.stride())
        assert data.flags.f_contiguous
        assert not np.shares_memory(data, _data(g_leaf))
        np.testing.assert_allclose(data, t_leaf.grad.numpy(), rtol=1e-12)
    # A later pass adds in place into that same array.
    a = out[0][0]
    first = _data(a.grad).copy()
    (a.sum() * 2).backward()
    np.testing.assert_array_equal(_data(a.grad), first + 2)


def test_transposed_gradient_seen_elsewhere_is_copied() -> None:
    """The weight's grad comes from a transposed view; when that view or its array is held
    elsewhere (a retained grad of w.t(), a hook's keepsake), the leaf gets its own copy."""
    x = gradviz.ones(4, 3)
    w = gradviz.ones(2, 3, requires_grad=True)
    wt = w.t()
    wt.retain_grad()
    (x @ wt).sum().backward()
    assert _data(w.grad).flags.c_contiguous
    assert not np.shares_memory(_data(w.grad), _data(wt.grad))
    wt.grad.mul_(0)
    np.testing.assert_array_equal(_data(w.grad), np.full((2, 3), 4.0))

    w2 = gradviz.ones(2, 3, requires_grad=True)
    kept = []
    w2t = w2.t()
    w2t.register_hook(lambda g: kept.append(g))
    (x @ w2t).sum().backward()
    assert not np.shares_memory(_data(w2.grad), _data(kept[0]))
    kept[0].mul_(0)
    np.testing.assert_array_equal(_data(w2.grad), np.full((2, 3), 4.0))


def test_recorded_pass_gives_the_same_layout() -> None:
    """backward_steps (the animation's pass) copies into the leaf's layout too."""
    x = gradviz.randn(4, 3)
    results = []
    for record in (False, True):
        w = gradviz.ones(2, 3, requires_grad=True)
        loss = (x @ w.t()).sum()
        if record:
            autograd.run_backward(loss)
        else:
            loss.backward()
        results.append(_data(w.grad))
    assert results[0].flags.c_contiguous and results[1].flags.c_contiguous
    np.testing.assert_array_equal(results[0], results[1])
