"""split, chunk and unbind: all pieces share ONE multi-output node, as in torch.

Every expectation comes from running the same code on torch 2.13 in the test.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import gradviz


def _torch() -> Any:
    return pytest.importorskip("torch")


def arr(t: Any) -> Any:
    return None if t is None else t.detach().numpy().tolist()


def outcome(fn: Any) -> Any:
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the point is to compare any failure
        return (type(e).__name__, str(e))


def names(fns: Any) -> list:
    return [(None if fn is None else type(fn).__name__, nr) for fn, nr in fns]


def structure(lib: Any, how: str) -> list:
    x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [0.5, -1.0, 2.0]], requires_grad=True)
    pieces = {"split": lambda: x.split(2), "split_dim1": lambda: x.split(2, 1), "sizes": lambda: x.split([1, 3]),
              "chunk": lambda: x.chunk(3, 1), "unbind": lambda: x.unbind(1), "torch_split": lambda: lib.split(x, 3),
              "unbind0": lambda: lib.unbind(x)}[how]()
    first = pieces[0].grad_fn
    log: list = [type(first).__name__, first.name(), [p.grad_fn is first for p in pieces],
                 [p.output_nr for p in pieces], names(first.next_functions), [p._base is x for p in pieces],
                 [p._version for p in pieces], [p.is_leaf for p in pieces]]
    w = lib.tensor(np.linspace(-1.0, 2.0, pieces[-1].numel()).reshape(tuple(pieces[-1].shape)), dtype=x.dtype)
    loss = (pieces[-1] * w).sum() + (pieces[0] ** 2).sum()
    log.append(names(loss.grad_fn.next_functions))
    loss.backward()
    log.append(arr(x.grad))
    return log


@pytest.mark.parametrize("how", ["split", "split_dim1", "sizes", "chunk", "unbind", "torch_split", "unbind0"])
def test_pieces_share_one_node_as_in_torch(how: str) -> None:
    assert structure(gradviz, how) == structure(_torch(), how)


def hooks_and_grads(lib: Any) -> list:
    log: list = []
    x = lib.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], requires_grad=True)
    a, b, c = x.split(2)
    a.register_hook(lambda g: log.append(("hook a", arr(g))))
    b.register_hook(lambda g: log.append(("hook b", arr(g))))
    c.register_hook(lambda g: g * 10)
    c.retain_grad()
    a.retain_grad()
    first = a.grad_fn
    first.register_prehook(lambda go: log.append(("pre", [arr(g) for g in go])))
    first.register_hook(lambda gi, go: log.append(("post", [arr(g) for g in gi], [arr(g) for g in go])))
    (c * 3).sum().backward(retain_graph=True)
    log.append((a.grad, arr(c.grad), arr(x.grad)))
    (c * 3).sum().backward()
    log.append((arr(c.grad), arr(x.grad)))
    a, b, c = x.split(2)
    log.append([arr(g) for g in lib.autograd.grad((b * c).sum(), [c, b, x], retain_graph=True)])
    log.append(outcome(lambda: [arr(g) for g in lib.autograd.grad((b * c).sum(), [a])]))
    x.grad = None
    c.backward(lib.tensor([1.0, -1.0]), retain_graph=True)  # a pass starting at output 2
    log.append(arr(x.grad))
    (a * b).sum().backward(inputs=[b])
    log.append((arr(b.grad), arr(x.grad)))
    return log


def test_hooks_retain_grad_and_inputs_on_pieces_match_torch() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the non-leaf .grad access warning, the same in both
        assert hooks_and_grads(gradviz) == hooks_and_grads(_torch())


def create_graph(lib: Any, how: str) -> list:
    x = lib.tensor([0.5, -1.0, 2.0, 1.5, 3.0, -2.0], requires_grad=True)
    if how == "unbind":
        pieces = x.reshape(3, 2).unbind(1)
    else:
        pieces = x.chunk(3)
    loss = (pieces[1] ** 3).sum() + (pieces[-1] * 2).sum()
    (g,) = lib.autograd.grad(loss, x, create_graph=True)
    log = [arr(g), type(g.grad_fn).__name__, names(g.grad_fn.next_functions)]
    (h,) = lib.autograd.grad((g * g).sum(), x)
    log.append(arr(h))
    return log


@pytest.mark.parametrize("how", ["chunk", "unbind"])
def test_create_graph_through_pieces_matches_torch(how: str) -> None:
    assert create_graph(gradviz, how) == create_graph(_torch(), how)


def inplace(lib: Any, case: str) -> Any:
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=case != "no_grad_base")
    base = x * 1 if case == "nonleaf" else x
    pieces = base.unbind() if case == "unbind" else base.split([1, 3])
    p = pieces[1]

    def go() -> Any:
        if case == "setitem":
            p[0] = 7.0
        elif case == "no_grad":
            with lib.no_grad():
                p.mul_(2)
            return (arr(x), p._version, x._version)
        elif case == "no_grad_base":
            p.mul_(2)
            return (arr(x), p._version, x._version, p.grad_fn)
        else:
            p.add_(1)
        return arr(base)

    return outcome(go)


@pytest.mark.parametrize("case", ["leaf", "nonleaf", "unbind", "setitem", "no_grad", "no_grad_base"])
def test_inplace_on_a_piece_matches_torch(case: str) -> None:
    assert inplace(gradviz, case) == inplace(_torch(), case)


SETITEM_INDICES = [0, (0, 1), slice(0, 1), (slice(None), 1), Ellipsis, slice(None), "tensor", (None, 0),
                   (0, slice(1, 3))]


@pytest.mark.parametrize("index", SETITEM_INDICES, ids=repr)
def test_setitem_on_a_piece_names_the_view_torch_writes_through(index: Any) -> None:
    def run(lib: Any) -> Any:
        x = lib.tensor([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]], requires_grad=True)
        _, b = x.split(1)

        def write() -> None:
            b[lib.tensor([0]) if index == "tensor" else index] = 7.0

        return outcome(write)

    assert run(gradviz) == run(_torch())
