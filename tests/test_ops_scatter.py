"""scatter / scatter_add beyond test_ops.py's rows: 0-d and 1-D inputs, repeated indices, int32
indices, integer tensors, src larger than index, in-place writes and second-order gradients,
compared with torch 2.13 run live."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import gradviz
from gradcheck import gradcheck


def _run(T: Any, call: Callable[[Any], Any]) -> tuple[np.ndarray, str, str, list]:
    """Value, dtype, grad_fn name and the leaves' gradients of ``call(T)`` (gradients of out·w summed)."""
    leaves: list = []

    def leaf(data: Any, **kw: Any) -> Any:
        t = T.tensor(data, requires_grad=True, **kw)
        leaves.append(t)
        return t

    out = call(T, leaf)
    name = type(out.grad_fn).__name__
    if out.requires_grad:
        w = T.tensor(np.linspace(-1.0, 2.0, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype)
        (out * w).sum().backward()
    grads = [None if t.grad is None else t.grad.numpy().tolist() for t in leaves]
    return out.detach().numpy(), str(out.dtype), name, grads


A = [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]]
CALLS: dict[str, Callable[[Any, Any], Any]] = {
    # repeated indices: scatter keeps the last write (torch's CPU order), scatter_add adds them up
    "scatter_repeats_value": lambda T, L: L(A).scatter(0, T.tensor([[0, 0, 2, 2], [0, 1, 2, 2]]), -1.0),
    "scatter_add_repeats": lambda T, L: L(A).scatter_add(1, T.tensor([[0, 0, 0], [3, 3, 1], [2, 2, 2]]),
                                                         L([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])),
    "scatter_int32_index": lambda T, L: L(A).scatter(1, T.tensor([[3], [0], [1]], dtype=T.int32),
                                                     L([[-1.0], [-2.0], [-3.0]])),
    "scatter_0d": lambda T, L: L(2.0).scatter(0, T.tensor(0), L(5.0)),
    "scatter_0d_1d_index": lambda T, L: L(2.0).scatter(0, T.tensor([0]), L([5.0])),
    "scatter_1d_0d_index": lambda T, L: L([1.0, 2.0, 3.0]).scatter(0, T.tensor(1), L(5.0)),
    "scatter_add_0d": lambda T, L: T.scatter_add(L(2.0), 0, T.tensor(0), L(5.0)),
    "scatter_empty_index": lambda T, L: L([1.0, 2.0, 3.0]).scatter(0, T.tensor([], dtype=T.long), L([5.0])),
    "scatter_value_0d_tensor": lambda T, L: L(A).scatter(0, T.tensor([[1, 2]]), value=T.tensor(7.0)),
    "scatter_value_int": lambda T, L: T.scatter(L(A), 1, T.tensor([[1], [2], [3]]), 4),
    "scatter_float32": lambda T, L: L(A, dtype=T.float32).scatter(0, T.tensor([[2, 1, 0]]),
                                                                  L([[0.5, 0.25, 0.125]], dtype=T.float32)),
    "scatter_keywords": lambda T, L: T.scatter(L(A), dim=1, index=T.tensor([[0], [1], [2]]), src=L([[9.0], [8.0], [7.0]])),
    # the in-place forms write into a tensor that needs no grad, from a src that does
    "scatter_inplace_src_grad": lambda T, L: T.zeros(3, 4, dtype=T.float64).scatter_(
        0, T.tensor([[2, 0, 1, 0]]), L([[1.0, 2.0, 3.0, 4.0]], dtype=T.float64)),
    "scatter_add_inplace_src_grad": lambda T, L: T.zeros(2, 3, dtype=T.float64).scatter_add_(
        1, T.tensor([[2, 2], [0, 1]]), L([[1.0, 2.0], [3.0, 4.0]], dtype=T.float64)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    got, want = _run(gradviz, CALLS[name]), _run(torch, CALLS[name])
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1:3] == want[1:3]
    assert got[3] == want[3]


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_tensors_match_torch(dtype: str) -> None:
    """No grad on integer tensors: values and dtype, a float value truncated to the tensor's dtype."""
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        a = T.tensor([[1, 2, 3], [4, 5, 6]], dtype=getattr(T, dtype))
        idx = T.tensor([[1, 0, 1]])
        results.append([a.scatter(0, idx, 2.7).tolist(), str(a.scatter(0, idx, 2.7).dtype),
                        a.scatter_add(1, T.tensor([[0, 0], [2, 2]]), a[:, :2]).tolist()])
    assert results[0] == results[1]


def test_inplace_matches_torch() -> None:
    """scatter_ / scatter_add_ on a non-leaf: the same tensor returned, version bumped, the graph torch records."""
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        a = T.tensor(A, dtype=T.float64, requires_grad=True)
        src = T.tensor([[1.0, 2.0, 3.0, 4.0]], dtype=T.float64, requires_grad=True)
        y = a * 2
        v = y._version
        same = y.scatter_(0, T.tensor([[2, 0, 1, 2]]), src) is y
        y.scatter_add_(1, T.tensor([[0, 0], [1, 1], [3, 3]]), a[:, :2])
        y.scatter_(1, T.tensor([[1], [1], [1]]), -5.0)
        names = []
        node = y.grad_fn
        while node is not None:
            names.append(type(node).__name__)
            node = node.next_functions[0][0] if node.next_functions else None
        (y * T.arange(12.0, dtype=T.float64).reshape(3, 4)).sum().backward()
        results.append((same, y._version - v, names, y.detach().tolist(), a.grad.tolist(), src.grad.tolist()))
    assert results[0] == results[1]


def test_src_larger_than_index() -> None:
    """Only the block of src that index covers is read. Forward values match torch; torch 2.13's backward
    fails here (its src gradient has index's shape), gradviz gives src's uncovered elements a zero
    gradient, which gradcheck confirms."""
    torch = pytest.importorskip("torch")
    idx = [[2, 0], [1, 2]]
    src = np.arange(12.0).reshape(3, 4)
    a = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    for name in ("scatter", "scatter_add"):
        want = getattr(torch.tensor(a), name)(0, torch.tensor(idx), torch.tensor(src)).numpy()
        got = getattr(gradviz.tensor(a), name)(0, gradviz.tensor(idx), gradviz.tensor(src)).numpy()
        np.testing.assert_array_equal(got, want)
        gradcheck(lambda x, s, n=name: getattr(x, n)(0, gradviz.tensor(idx), s), a, src)


@pytest.mark.parametrize("name", ["scatter", "scatter_add", "scatter_value"])
def test_second_order_matches_torch(name: str) -> None:
    """create_graph=True records the backward; the gradient of (grad · w) matches torch's."""
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        a = T.tensor(A, dtype=T.float64, requires_grad=True)
        src = T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=T.float64, requires_grad=True)
        idx = T.tensor([[0, 2, 1], [2, 1, 1]])
        if name == "scatter_value":
            out = a.scatter(0, idx, 3.0)
            inputs = (a,)
        else:
            out = getattr(a, name)(0, idx, src)
            inputs = (a, src)
        grads = T.autograd.grad((out * out).sum(), inputs, create_graph=True)
        total = sum((g * g).sum() for g in grads)
        second = T.autograd.grad(total, inputs, allow_unused=True)
        results.append([None if g is None else g.tolist() for g in second])
    assert results[0] == results[1]


def test_errors_leave_grad_unchanged() -> None:
    """A rejected call creates no node and leaves the leaves' .grad as it was."""
    a = gradviz.ones(3, 4, requires_grad=True)
    a.sum().backward()
    before = a.grad.tolist()
    with pytest.raises(RuntimeError):
        a.scatter(0, gradviz.tensor([[3]]), a)
    with pytest.raises(RuntimeError):
        (a * 1).scatter_add_(0, gradviz.tensor([[0]]), gradviz.ones(1, 1, dtype=gradviz.float64))
    assert a.grad.tolist() == before


# take_along_dim / repeat_interleave: expressions on a = arange(12).reshape(3, 4) (requires grad), run on
# both libraries; values, dtype, the chain of first edges, a's gradient, or the error type and text.
EXPRS = [
    "a.repeat_interleave(2)", "a.repeat_interleave(0, 1)", "a.t().repeat_interleave(2)", "a.t().repeat_interleave(2, 0)",
    "a[0].repeat_interleave(3)", "T.tensor(2., requires_grad=True).repeat_interleave(3)",
    "a.repeat_interleave(repeats=2, dim=0)", "a.repeat_interleave(2, 1, output_size=8)",
    "a.repeat_interleave(T.tensor([1, 2, 0]), 0)", "a.repeat_interleave(T.tensor(2), 0)",
    "a.repeat_interleave(T.tensor([2]))", "a.repeat_interleave(T.arange(12))", "a[0].repeat_interleave(T.tensor([1, 0, 2, 1]))",
    "a.repeat_interleave(T.tensor([1, 2, 0], dtype=T.int32), 0)", "T.tensor(2., requires_grad=True).repeat_interleave(T.tensor(3))",
    "T.ones(2, dtype=T.long).repeat_interleave(2)", "T.repeat_interleave(T.tensor([1, 0, 2]))",
    "T.repeat_interleave(T.tensor([1, 0, 2], dtype=T.int32))", "T.repeat_interleave(T.tensor([1., 0, 2]))",
    "T.repeat_interleave(T.tensor([1, -1]))", "a.repeat_interleave([1, 2, 0], 0)",
    "T.take_along_dim(a, T.tensor([[0], [1], [2]]), 1)", "T.take_along_dim(a, T.tensor([[0, 1, 2, 0]]), 0)",
    "T.take_along_dim(a, T.tensor([[0], [1], [2]]), 0)", "a.take_along_dim(T.tensor([[1]]))",
    "T.take_along_dim(a, T.tensor([[1, 5]]), dim=None)", "T.take_along_dim(T.tensor(2., requires_grad=True), T.tensor(0))",
    "T.take_along_dim(a, T.zeros(1, 1, dtype=T.long), 0)", "T.take_along_dim(a.unsqueeze(0), T.tensor([[[2], [1], [0]]]), 2)",
    "T.take_along_dim(a, T.tensor([[2, 1, 0]]).t(), 1)", "T.take_along_dim(a.t(), T.tensor([1, 5]))",
    "T.take_along_dim(a, T.tensor([[0.]]))", "T.take_along_dim(a, T.tensor([0.]), 5)",
    "T.take_along_dim(a[0], T.tensor([[0, 1]]), 1)", "T.take_along_dim(a, T.zeros(3, 5, dtype=T.long), 0)",
]


def _chain(node: Any) -> list[str]:
    names = []
    while node is not None:
        names.append(type(node).__name__)
        node = node.next_functions[0][0] if node.next_functions else None
    return names


def _outcome(T: Any, expr: str) -> tuple:
    a = T.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    try:
        z = eval(expr, {"T": T, "a": a})  # noqa: S307 - the test's own expressions
    except Exception as e:  # noqa: BLE001 - the error itself is compared
        return ("error", type(e).__name__, str(e))
    grad = None
    if z.requires_grad:
        (z * T.arange(z.numel(), dtype=z.dtype).reshape(z.shape)).sum().backward()
        grad = None if a.grad is None else a.grad.tolist()
    return ("ok", z.tolist(), str(z.dtype), _chain(z.grad_fn), grad)


@pytest.mark.parametrize("expr", EXPRS)
def test_take_along_dim_and_repeat_interleave_match_torch(expr: str) -> None:
    torch = pytest.importorskip("torch")
    assert _outcome(gradviz, expr) == _outcome(torch, expr)


def test_inplace_through_views_and_no_grad_match_torch() -> None:
    """scatter_/scatter_add_ on views rebase the base's history (CopySlices); under no_grad a leaf is written."""
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        a = T.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        y = a * 1
        y[1].scatter_(0, T.tensor([3, 0]), T.tensor([7.0, 8.0], dtype=T.float64))
        src = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        y[:, 2].scatter_add_(0, T.tensor([0, 0]), src)
        with T.no_grad():
            b = T.zeros(3, requires_grad=True)
            b.scatter_(0, T.tensor([1]), 5.0)
        (y * T.arange(12.0, dtype=T.float64).reshape(3, 4)).sum().backward()
        results.append((y.tolist(), _chain(y.grad_fn), a.grad.tolist(), src.grad.tolist(), b.tolist(),
                        b.requires_grad, b.grad_fn is None))
    assert results[0] == results[1]


# einsum: torch 2.13 has no einsum node, it records the ops it decomposes into; gradviz records the same
# ones, so the whole graph (depth, class name), values, dtype and gradients are compared with torch's.
EINSUM = [("ij,jk->ik", (2, 3), (3, 4)), ("ba,cb->ac", (3, 2), (4, 3)), ("ij->ji", (2, 3)), ("ij->", (2, 3)),
          ("ii->", (3, 3)), ("ii->i", (3, 3)), ("i,j->ij", (3,), (4,)), ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
          ("ij,jk->k", (2, 3), (3, 4)), ("ijk,jkl->il", (2, 3, 4), (3, 4, 5)), ("ikj,kjl->il", (2, 4, 3), (4, 3, 5)),
          ("ij,ij->", (2, 3), (2, 3)), ("ij,ij->i", (2, 3), (2, 3)), ("ij,kj->ik", (2, 3), (4, 3)), ("i,i->", (3,), (3,)),
          ("ij,ij->ij", (2, 3), (2, 3)), ("ij", (2, 3)), ("ij,jk", (2, 3), (3, 4)), ("iij->j", (2, 2, 3)),
          ("bhqd,bhkd->bhqk", (2, 2, 3, 4), (2, 2, 5, 4)), ("ij,jk,kl->il", (2, 3), (3, 4), (4, 5)),
          ("i,i,i->", (3,), (3,), (3,)), ("ij,ji->", (2, 3), (3, 2)), ("ij,k->ijk", (2, 3), (4,)),
          ("ij,jk->ik", (1, 3), (3, 4)), ("ij,jk->ik", (2, 1), (1, 4)), ("ij,jk->ik", (2, 3), (1, 4)),
          ("ij,ij->j", (1, 3), (2, 3)), ("ii", (3, 3)), ("Ab,bA->A", (2, 3), (3, 2)), ("i j -> j i", (2, 3))]


def _graph(t: Any) -> list[tuple[int, str]]:
    out, stack = [], [(t.grad_fn, 0)]
    while stack:
        node, depth = stack.pop()
        out.append((depth, type(node).__name__))
        if node is not None:
            stack.extend((fn, depth + 1) for fn, _ in reversed(node.next_functions))
    return out


@pytest.mark.parametrize("eq,shapes", [(c[0], c[1:]) for c in EINSUM], ids=[f"{c[0]}-{c[1:]}" for c in EINSUM])
def test_einsum_matches_torch(eq: str, shapes: tuple) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(len(eq))
    arrays = [rng.standard_normal(s) for s in shapes]
    results = []
    for T in (gradviz, torch):
        ops = [T.tensor(a, requires_grad=True) for a in arrays]
        z = T.einsum(eq, *ops)
        w = T.tensor(np.linspace(-1.0, 2.0, z.numel()).reshape(tuple(z.shape)))
        (z * w).sum().backward()
        results.append((z.detach().numpy(), str(z.dtype), _graph(z), [o.grad.numpy() for o in ops]))
    (gv, gdt, gnames, ggrads), (th, tdt, tnames, tgrads) = results
    assert (gdt, gnames) == (tdt, tnames)
    np.testing.assert_allclose(gv, th, rtol=1e-12, atol=1e-12)
    for g, t in zip(ggrads, tgrads):
        np.testing.assert_allclose(g, t, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", ["int64", "int32"])
def test_einsum_integer_matches_torch(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    results = []
    for T in (gradviz, torch):
        a = T.arange(6, dtype=getattr(T, dtype)).reshape(2, 3)
        z = T.einsum("ij,kj->ik", a, a)
        results.append((z.tolist(), str(z.dtype), str(T.einsum("ii->i", a[:, :2]).dtype)))
    assert results[0] == results[1]
